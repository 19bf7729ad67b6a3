/// One part of a sweep split over N machines (a SLURM array): shard `index` of `count`, written
/// `i/N` with i counted from 1 (`1/3`, `2/3`, `3/3`; `1/1` is the whole run). With SLURM, run the
/// array as `--array=1-N` and pass `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`.
///
/// The groups of units of work (in their canonical order; see `Manifest.unitGroups`) are dealt
/// round-robin: the group at position j (0-based) belongs to shard (j mod N) + 1, so every shard
/// gets ⌊G/N⌋ or ⌈G/N⌉ groups and the assignment depends only on the list and N.
///
///     let shard = try Shard(parsing: "2/3")
///     shard.units(of: ["seed=1", "seed=2", "seed=3", "seed=4"])   // ["seed=2"]
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based position of this shard.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// The whole run in one piece.
    public static let whole = Shard(validIndex: 1, count: 1)

    private init(validIndex: Int, count: Int) { self.index = validIndex; self.count = count }

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw RunStoreError("shard '\(index)/\(count)': the count must be at least 1 (shards are written i/N with 1 ≤ i ≤ N)") }
        guard index >= 1 else { throw RunStoreError("shard '\(index)/\(count)': the index must be at least 1 (shards count from 1: 1/\(count) … \(count)/\(count))") }
        guard index <= count else { throw RunStoreError("shard '\(index)/\(count)': index \(index) exceeds the count \(count) (shards are written i/N with 1 ≤ i ≤ N)") }
        self.index = index
        self.count = count
    }

    /// Parses `i/N` (decimal integers, 1 ≤ i ≤ N).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw RunStoreError("shard '\(text)': expected i/N, e.g. 2/8 (shards count from 1)") }
        func number(_ part: Substring, _ what: String) throws -> Int {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) || (part.first == "-" && part.count > 1 && part.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })) else {
                throw RunStoreError("shard '\(text)': \(what) '\(part)' is not a whole number (expected i/N, e.g. 2/8)")
            }
            guard let value = Int(part) else { throw RunStoreError("shard '\(text)': \(what) '\(part)' is too large") }
            return value
        }
        try self.init(index: number(parts[0], "index"), count: number(parts[1], "count"))
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the group (or unit) at `position` (0-based, in canonical order) belongs to this shard.
    public func owns(position: Int) -> Bool { position % count == index - 1 }

    /// The groups (or units) of this shard, in canonical order.
    public func units<Unit>(of all: [Unit]) -> [Unit] {
        all.enumerated().filter { owns(position: $0.offset) }.map(\.element)
    }
}
