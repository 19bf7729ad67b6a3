import Foundation

/// One setting of a run: a flag name and its value as the command line renders it.
public struct Setting: Codable, Sendable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
}

/// What a run directory's `manifest.json` records: the full settings in order, the CSV columns, every
/// unit of work of the whole (unsharded) run in canonical order, the shard this directory holds, and
/// the build that wrote it. Two manifests describe the same run when everything but `created` agrees.
///
/// Units come in groups, and shards are dealt whole groups (`Shard`): group the units that one
/// worker computes together, e.g. the snapshots of one seed, so that no seed is trained in two
/// shards and extending a run (more snapshot epochs) keeps every group in its shard.
///
///     let m = Manifest(settings: [Setting("d", "100"), Setting("seeds", "2")], columns: ["seed", "epoch", "c"],
///                      unitGroups: [["seed=1,epoch=0", "seed=1,epoch=50"], ["seed=2,epoch=0", "seed=2,epoch=50"]],
///                      shard: .whole, toolVersion: "0.4.0", buildCommit: "44689eb")
public struct Manifest: Codable, Sendable, Equatable {
    /// 2: output keys of the one vocabulary (issue 19: renamed keys, missing values as empty cells).
    public static let currentFormat = "phaseflow-run 2"

    public var format: String
    public var toolVersion: String
    public var buildCommit: String
    public var settings: [Setting]
    public var columns: [String]
    /// The units in canonical order, in groups (the canonical order is the groups' concatenation).
    public var unitGroups: [[String]]
    /// `i/N` (see `Shard`).
    public var shard: String
    /// ISO 8601, UTC; not compared.
    public var created: String
    /// CRC-32 (8 hex digits) of the manifest's canonical JSON without this field, written by
    /// `encoded()` and checked by `read(from:)`: an edited manifest (say d changed to match a new
    /// --d) is refused instead of resuming rows computed at the old settings. nil in memory.
    public var checksum: String?

    public init(settings: [Setting], columns: [String], unitGroups: [[String]], shard: Shard,
                toolVersion: String, buildCommit: String, created: Date = Date()) {
        format = Manifest.currentFormat
        self.toolVersion = toolVersion; self.buildCommit = buildCommit
        self.settings = settings; self.columns = columns; self.unitGroups = unitGroups
        self.shard = shard.description
        self.created = Manifest.timestamp(created)
    }

    /// Every unit its own group.
    public init(settings: [Setting], columns: [String], units: [String], shard: Shard,
                toolVersion: String, buildCommit: String, created: Date = Date()) {
        self.init(settings: settings, columns: columns, unitGroups: units.map { [$0] }, shard: shard,
                  toolVersion: toolVersion, buildCommit: buildCommit, created: created)
    }

    /// All units in canonical order.
    public var units: [String] { unitGroups.flatMap { $0 } }

    /// ISO 8601 in UTC, as `created` holds it.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public func parsedShard() throws -> Shard { try Shard(parsing: shard) }

    /// The units this directory's shard must write, in canonical order.
    public func shardUnits() throws -> [String] { try parsedShard().units(of: unitGroups).flatMap { $0 } }

    /// Checks the manifest can be written and read back unambiguously.
    func validate() throws {
        var seen = Set<String>()
        for s in settings {
            guard !s.key.isEmpty else { throw RunStoreError("manifest: a setting has an empty name") }
            guard seen.insert(s.key).inserted else { throw RunStoreError("manifest: setting '\(s.key)' is given twice") }
        }
        try RowLog.validateColumns(columns)
        if unitGroups.contains(where: \.isEmpty) { throw RunStoreError("manifest: a group of units is empty") }
        var units = Set<String>()
        for u in self.units {
            try RowLog.validateUnitKey(u)
            guard units.insert(u).inserted else { throw RunStoreError("manifest: unit '\(u)' is listed twice") }
        }
        _ = try parsedShard()
    }

    /// The first difference that makes `other` a different run from `self`, as a phrase
    /// ("setting d: 100 in the directory, 400 in this run"), or nil when they describe the same run.
    /// `ignoringShard` for merging; `ignoring` names settings allowed to differ (extending a run).
    func firstDifference(from other: Manifest, ignoringShard: Bool = false, ignoring: Set<String> = [],
                         mine: String = "the directory", theirs: String = "this run") -> String? {
        if format != other.format { return "format '\(format)' in \(mine), '\(other.format)' in \(theirs)" }
        let a = settings.filter { !ignoring.contains($0.key) }, b = other.settings.filter { !ignoring.contains($0.key) }
        let bValues = Dictionary(b.map { ($0.key, $0.value) }, uniquingKeysWith: { x, _ in x })
        let aKeys = Set(a.map(\.key))
        for s in a {
            guard let v = bValues[s.key] else { return "setting \(s.key): \(s.value) in \(mine), absent in \(theirs)" }
            if v != s.value { return "setting \(s.key): \(s.value) in \(mine), \(v) in \(theirs)" }
        }
        if let extra = b.first(where: { !aKeys.contains($0.key) }) {
            return "setting \(extra.key): absent in \(mine), \(extra.value) in \(theirs)"
        }
        if a.map(\.key) != b.map(\.key) { return "the order of the settings differs between \(mine) and \(theirs)" }
        if columns != other.columns {
            return "columns: \(columns.joined(separator: ",")) in \(mine), \(other.columns.joined(separator: ",")) in \(theirs)"
        }
        if ignoring.isEmpty, unitGroups != other.unitGroups {
            let a = units, b = other.units
            if a == b { return "the grouping of the units differs: \(unitGroups.count) groups in \(mine), \(other.unitGroups.count) in \(theirs)" }
            return "units of work: \(a.count) (\(a.prefix(3).joined(separator: " "))…) in \(mine), \(b.count) (\(b.prefix(3).joined(separator: " "))…) in \(theirs)"
        }
        if !ignoringShard, shard != other.shard { return "shard: \(shard) in \(mine), \(other.shard) in \(theirs)" }
        if toolVersion != other.toolVersion { return "tool version: \(toolVersion) in \(mine), \(other.toolVersion) in \(theirs)" }
        if buildCommit != other.buildCommit { return "build commit: \(buildCommit) in \(mine), \(other.buildCommit) in \(theirs)" }
        return nil
    }

    /// The canonical JSON (sorted keys, no checksum) whose CRC-32 is the checksum.
    func canonicalBody() throws -> Data {
        var unsigned = self
        unsigned.checksum = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(unsigned)
    }

    /// The file's bytes: the canonical JSON with its checksum.
    func encoded() throws -> Data {
        var signed = self
        signed.checksum = CRC32.hex(CRC32.checksum(try canonicalBody()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(signed) + Data("\n".utf8)
    }

    /// Reads and validates a `manifest.json` (one-line errors for a missing, foreign or damaged file).
    public static func read(from url: URL) throws -> Manifest {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw RunStoreError("cannot read '\(url.path)': \(error.localizedDescription)") }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw RunStoreError("'\(url.path)' is not a run manifest (\(String(describing: error).prefix(120).replacingOccurrences(of: "\n", with: " ")))")
        }
        guard manifest.format == currentFormat else {
            throw RunStoreError("'\(url.path)': unknown manifest format '\(manifest.format)' (this build reads '\(currentFormat)')")
        }
        guard let stored = manifest.checksum else {
            throw RunStoreError("'\(url.path)' has no checksum (written before phaseflow checked its manifests, or edited by hand): it cannot be verified; start a new run directory")
        }
        let computed = CRC32.hex(CRC32.checksum(try manifest.canonicalBody()))
        guard stored == computed else {
            throw RunStoreError("'\(url.path)' was edited after phaseflow wrote it (checksum \(stored) stored, \(computed) computed): its rows belong to the settings it was written with; start a new run directory")
        }
        do { try manifest.validate() } catch { throw RunStoreError("'\(url.path)': \(error)") }
        var unsigned = manifest
        unsigned.checksum = nil
        return unsigned
    }
}
