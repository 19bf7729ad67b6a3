import Foundation

/// The trained state of one unit (e.g. one seed's network bank) at an epoch: named arrays of
/// parameters, the epoch, and the random generator's state as bytes, so that training can be
/// continued later bit-identically. Stored as `checkpoints/<name>.ckpt` in a run directory
/// (binary format in README.md: doubles as their IEEE bit patterns, a CRC-32 over the whole file),
/// written atomically.
///
///     let c = Checkpoint(epoch: 2000, randomState: [1, 2, 3], arrays: [NamedArray("u", [0.5, -1.25])])
///     try run.save(c, as: "seed-1"); let back = try run.loadCheckpoint("seed-1")   // == c
public struct Checkpoint: Sendable, Equatable {
    public var epoch: Int
    public var randomState: [UInt8]
    public var arrays: [NamedArray]

    public init(epoch: Int, randomState: [UInt8], arrays: [NamedArray]) {
        self.epoch = epoch; self.randomState = randomState; self.arrays = arrays
    }

    /// The array named `name`, if present.
    public func array(_ name: String) -> [Double]? { arrays.first { $0.name == name }?.values }

    /// Equality of the bit patterns (so NaN payloads and −0 count, as a resumed run needs).
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.epoch == b.epoch && a.randomState == b.randomState && a.arrays.count == b.arrays.count
            && zip(a.arrays, b.arrays).allSatisfy { $0.name == $1.name && $0.values.map(\.bitPattern) == $1.values.map(\.bitPattern) }
    }

    static let magic = Array("PFCKPT01".utf8)

    public func encoded() -> Data {
        var out = [UInt8]()
        out += Checkpoint.magic
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        u64(UInt64(bitPattern: Int64(epoch)))
        u64(UInt64(randomState.count)); out += randomState
        u64(UInt64(arrays.count))
        for a in arrays {
            let name = Array(a.name.utf8)
            u64(UInt64(name.count)); out += name
            u64(UInt64(a.values.count))
            for v in a.values { u64(v.bitPattern) }
        }
        withUnsafeBytes(of: CRC32.checksum(out).littleEndian) { out += $0 }
        return Data(out)
    }

    public init(decoding data: Data, source: String) throws {
        let bytes = [UInt8](data)
        func bad(_ why: String) -> RunStoreError { RunStoreError("checkpoint '\(source)' is unusable: \(why)") }
        guard bytes.count >= Checkpoint.magic.count + 4, Array(bytes.prefix(8)) == Checkpoint.magic else { throw bad("not a phaseflow checkpoint") }
        let body = bytes.prefix(bytes.count - 4)
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard CRC32.checksum(body) == stored else { throw bad("checksum mismatch (the file is damaged)") }
        var at = 8
        func u64() throws -> UInt64 {
            guard at + 8 <= body.count else { throw bad("truncated") }
            defer { at += 8 }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(body[at + $1]) << (8 * UInt64($1)) }
        }
        func count() throws -> Int {
            let n = try u64()
            guard n <= UInt64(body.count - at) else { throw bad("a length exceeds the file") }
            return Int(n)
        }
        func take(_ n: Int) throws -> [UInt8] {
            guard at + n <= body.count else { throw bad("truncated") }
            defer { at += n }
            return Array(body[at..<(at + n)])
        }
        epoch = Int(Int64(bitPattern: try u64()))
        randomState = try take(count())
        let arrayCount = try count()
        var arrays = [NamedArray]()
        for _ in 0..<arrayCount {
            let name = String(decoding: try take(count()), as: UTF8.self)
            let n = try count()
            guard n <= (body.count - at) / 8 else { throw bad("array '\(name)' exceeds the file") }
            arrays.append(NamedArray(name, try (0..<n).map { _ in Double(bitPattern: try u64()) }))
        }
        guard at == body.count else { throw bad("\(body.count - at) unexpected trailing bytes") }
        self.arrays = arrays
    }
}

/// A named array of parameters in a checkpoint.
public struct NamedArray: Sendable {
    public var name: String
    public var values: [Double]
    public init(_ name: String, _ values: [Double]) { self.name = name; self.values = values }
}
