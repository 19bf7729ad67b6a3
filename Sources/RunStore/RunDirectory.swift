import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a resume cut from the end of `rows.csv`: bytes after the last verified block (a block
/// torn by a kill or a crash). The bytes are kept in `savedAs`; their units are pending again.
public struct TornTail: Sendable, Equatable, CustomStringConvertible {
    public var bytes: Int
    public var problem: String
    public var savedAs: URL
    /// One line for stderr.
    public var description: String {
        "cut a torn block of \(bytes) bytes from the end of the row log (\(problem)); its unit will be recomputed; the bytes are kept in \(savedAs.path)"
    }
}

/// A run's output directory (layout and formats in README.md): `manifest.json`, the framed row
/// log `rows.csv`, the writer's `lock`, and `checkpoints/`. Opening without `resume` refuses a
/// directory that holds a run; opening with `resume` refuses one whose manifest differs from this
/// run's and otherwise verifies every block, cutting only a torn tail. Appends are thread-safe
/// (one block = one write + fsync).
///
///     let manifest = Manifest(settings: [Setting("d", "100")], columns: ["seed", "c"], units: ["seed=1", "seed=2"],
///                             shard: try Shard(parsing: "1/1"), toolVersion: "0.4.0", buildCommit: "44689eb")
///     let run = try RunDirectory.open(at: URL(fileURLWithPath: "out"), manifest: manifest, resume: true)
///     for unit in run.pendingUnits { try run.append(unit: unit, rows: [["1", "0.25"]]) }
///     try run.compact()   // blocks in unit order: the file an unsharded run or `merge` writes
public final class RunDirectory: @unchecked Sendable {
    public let url: URL
    public private(set) var manifest: Manifest
    public let shard: Shard
    /// What opening with `resume` cut from the end of the row log, if anything.
    public let cutTail: TornTail?

    public static let manifestName = "manifest.json"
    public static let rowsName = "rows.csv"
    public static let checkpointsName = "checkpoints"

    public var manifestURL: URL { url.appendingPathComponent(Self.manifestName) }
    public var rowsURL: URL { url.appendingPathComponent(Self.rowsName) }
    public var checkpointsURL: URL { url.appendingPathComponent(Self.checkpointsName) }

    private let lock: RunLock
    private let mutex = NSLock()
    private let shardUnits: [String]
    private var blocks: [String: Range<Int>]
    private var end: Int
    private var log: Int32
    private var closed = false

    /// Opens (creating if needed) the directory of a run described by `manifest`.
    /// - resume: continue the run already there (settings must agree); a directory without a run
    ///   is started afresh. Without resume, a directory holding a run is refused.
    /// - extendable: settings that may differ on resume (e.g. "epochs" to extend training); the
    ///   manifest is then rewritten with the new settings and units, which must include every unit done.
    public static func open(at url: URL, manifest: Manifest, resume: Bool, extendable: Set<String> = []) throws -> RunDirectory {
        try manifest.validate()
        try checkBeforeLocking(url, resume: resume)
        if resume, try contents(url).hasManifest {
            // Refuse a different run before touching anything, even the lock file.
            try checkSameRun(Manifest.read(from: url.appendingPathComponent(manifestName)), wanted: manifest, extendable: extendable, url: url)
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunStoreError("cannot create the run directory '\(url.path)': \(error.localizedDescription)")
        }
        let lock = try RunLock(directory: url)
        return try RunDirectory(url: url, manifest: manifest, resume: resume, extendable: extendable, lock: lock)
    }

    private init(url: URL, manifest wanted: Manifest, resume: Bool, extendable: Set<String>, lock: RunLock) throws {
        self.url = url
        self.lock = lock
        shard = try wanted.parsedShard()
        let manifestURL = url.appendingPathComponent(Self.manifestName), rowsURL = url.appendingPathComponent(Self.rowsName)
        let state = try RunDirectory.contents(url)
        var cut: TornTail? = nil
        if state.hasManifest {
            // Checked again under the lock: another writer may have started in between.
            guard resume else { throw RunStoreError(RunDirectory.holdsRunMessage(url, "manifest.json")) }
            let existing = try Manifest.read(from: manifestURL)
            try RunDirectory.checkSameRun(existing, wanted: wanted, extendable: extendable, url: url)
            if !FileManager.default.fileExists(atPath: rowsURL.path) {
                // A run stopped between writing its manifest and its header: nothing to lose.
                try AtomicFile.write(RowLog.headerLine(existing.columns), to: rowsURL)
            }
            let data = try RunDirectory.read(rowsURL)
            let scan = try RowLog.scan(data, columns: existing.columns, path: rowsURL.path)
            let found = try RunDirectory.check(scan.blocks, against: existing.shardUnits(), path: rowsURL.path)
            let newUnits = Set(try wanted.shardUnits())
            if let stray = scan.blocks.first(where: { !newUnits.contains($0.unit) }) {
                throw RunStoreError("cannot resume '\(url.path)': unit \(stray.unit) is done but not part of this run's units; rerun with the directory's settings or choose another --out")
            }
            if let problem = scan.tailProblem {
                var saved = url.appendingPathComponent("\(Self.rowsName).torn-at-\(scan.goodEnd)")
                var copy = 1
                while FileManager.default.fileExists(atPath: saved.path) {
                    copy += 1
                    saved = url.appendingPathComponent("\(Self.rowsName).torn-at-\(scan.goodEnd).\(copy)")
                }
                try AtomicFile.write(data.subdata(in: scan.goodEnd..<data.count), to: saved)
                try RunDirectory.truncate(rowsURL, to: scan.goodEnd)
                cut = TornTail(bytes: data.count - scan.goodEnd, problem: problem, savedAs: saved)
            }
            if existing.firstDifference(from: wanted) != nil {
                // An allowed extension: record the new settings, keep the original creation time.
                var updated = wanted
                updated.created = existing.created
                try AtomicFile.write(updated.encoded(), to: manifestURL)
            }
            blocks = found
            end = scan.goodEnd
            manifest = existing.firstDifference(from: wanted) == nil ? existing : { var m = wanted; m.created = existing.created; return m }()
        } else {
            if state.hasRows || state.hasCheckpoints {
                throw RunStoreError("'\(url.path)' holds \(state.hasRows ? "rows.csv" : "checkpoints/") but no manifest.json (not written by this version); choose another --out")
            }
            // Manifest first: a run stopped in between resumes (the header is recreated), whereas
            // rows.csv without a manifest would be refused as foreign data.
            try AtomicFile.write(wanted.encoded(), to: manifestURL)
            try AtomicFile.write(RowLog.headerLine(wanted.columns), to: rowsURL)
            blocks = [:]
            end = RowLog.headerLine(wanted.columns).count
            manifest = wanted
        }
        cutTail = cut
        shardUnits = try manifest.shardUnits()
        log = try RunDirectory.openForAppending(rowsURL)
    }

    deinit { systemClose(log) }

    /// Releases the lock and the files (also done on deinit and at exit).
    public func close() {
        mutex.lock(); defer { mutex.unlock() }
        closed = true
        lock.release()
    }

    // MARK: - Units

    /// The units of this shard that are not yet in the row log, in canonical order.
    public var pendingUnits: [String] {
        mutex.lock(); defer { mutex.unlock() }
        return shardUnits.filter { blocks[$0] == nil }
    }

    /// The units of this shard already in the row log, in canonical order.
    public var doneUnits: [String] {
        mutex.lock(); defer { mutex.unlock() }
        return shardUnits.filter { blocks[$0] != nil }
    }

    public var isComplete: Bool { pendingUnits.isEmpty }

    /// Appends the rows of one unit as one framed block: one write, then fsync. A unit already in
    /// the log, a unit of another shard, a row of the wrong width or a bad cell (see README.md) is
    /// refused before anything is written; a failed write is cut back and thrown.
    public func append(unit: String, rows: [[String]]) throws {
        for row in rows {
            guard row.count == manifest.columns.count else {
                throw RunStoreError("unit \(unit): a row has \(row.count) cells, the log has \(manifest.columns.count) columns")
            }
            for cell in row { try RowLog.validateCell(cell) }
            if let first = row.first, first.isEmpty, row.count == 1 {
                throw RunStoreError("unit \(unit): a row of one empty cell would be an empty line")
            }
        }
        let data = RowLog.block(unit: unit, rows: rows)
        mutex.lock(); defer { mutex.unlock() }
        guard !closed else { throw RunStoreError("'\(url.path)' was closed; open it again to append") }
        guard shardUnits.contains(unit) else {
            throw RunStoreError("unit \(unit) is not one of shard \(shard)'s units")
        }
        guard blocks[unit] == nil else { throw RunStoreError("unit \(unit) is already in '\(rowsURL.path)'") }
        let out = OutputDescriptor(descriptor: log, name: rowsURL.path)
        var failure = out.writeAll(data)
        if failure == nil, fsync(log) != 0 { failure = errno }
        if let failure {
            _ = ftruncate(log, off_t(end))   // leave no partial block behind
            throw RunStoreError("cannot append to '\(rowsURL.path)': \(systemErrorText(failure))")
        }
        blocks[unit] = end..<(end + data.count)
        end += data.count
    }

    /// The rows of a done unit, read back from the log (nil if the unit is not done).
    public func rows(of unit: String) throws -> [[String]]? {
        mutex.lock(); defer { mutex.unlock() }
        guard let range = blocks[unit] else { return nil }
        let data = try RunDirectory.read(rowsURL)
        return RowLog.rows(of: data.subdata(in: range))
    }

    /// Rewrites the row log with the blocks in canonical unit order (atomically), once every unit
    /// is done, so that the file is independent of the order in which workers finished. This is the
    /// file `merge` writes from the shards of the same run.
    public func compact() throws {
        mutex.lock(); defer { mutex.unlock() }
        guard !closed else { throw RunStoreError("'\(url.path)' was closed; open it again to compact") }
        if let missing = shardUnits.first(where: { blocks[$0] == nil }) {
            let count = shardUnits.filter { blocks[$0] == nil }.count
            throw RunStoreError("cannot compact '\(rowsURL.path)': \(count) unit(s) not done yet (first: \(missing))")
        }
        let data = try RunDirectory.read(rowsURL)
        var out = RowLog.headerLine(manifest.columns)
        var ranges = [String: Range<Int>]()
        for unit in shardUnits {
            let range = blocks[unit]!
            ranges[unit] = out.count..<(out.count + range.count)
            out += data.subdata(in: range)
        }
        if out != data { try AtomicFile.write(out, to: rowsURL) }
        systemClose(log)
        log = try RunDirectory.openForAppending(rowsURL)
        blocks = ranges
        end = out.count
    }

    // MARK: - Checkpoints

    /// Saves a checkpoint atomically as `checkpoints/<name>.ckpt` (name: letters, digits, `._=-`).
    public func save(_ checkpoint: Checkpoint, as name: String) throws {
        let file = try checkpointURL(name)
        do { try FileManager.default.createDirectory(at: checkpointsURL, withIntermediateDirectories: true) } catch {
            throw RunStoreError("cannot create '\(checkpointsURL.path)': \(error.localizedDescription)")
        }
        try AtomicFile.write(checkpoint.encoded(), to: file)
    }

    /// The checkpoint saved as `name`, nil if there is none; a damaged one is a thrown error.
    public func loadCheckpoint(_ name: String) throws -> Checkpoint? {
        let file = try checkpointURL(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try Checkpoint(decoding: RunDirectory.read(file), source: file.path)
    }

    private func checkpointURL(_ name: String) throws -> URL {
        guard !name.isEmpty, name.count <= 200, !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "._=-".unicodeScalars.contains($0) }) else {
            throw RunStoreError("checkpoint name '\(name)': use letters, digits and . _ = - (not starting with '.')")
        }
        return checkpointsURL.appendingPathComponent(name + ".ckpt")
    }

    // MARK: - Files

    struct Contents { var hasManifest = false, hasRows = false, hasCheckpoints = false }

    static func contents(_ url: URL) throws -> Contents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return Contents() }
        guard isDirectory.boolValue else { throw RunStoreError("'\(url.path)' is a file, not a directory; choose another --out") }
        let fm = FileManager.default
        return Contents(hasManifest: fm.fileExists(atPath: url.appendingPathComponent(manifestName).path),
                        hasRows: fm.fileExists(atPath: url.appendingPathComponent(rowsName).path),
                        hasCheckpoints: fm.fileExists(atPath: url.appendingPathComponent(checkpointsName).path))
    }

    static func contentsOrNil(_ url: URL) -> Contents? { try? contents(url) }

    static func holdsRunMessage(_ url: URL, _ what: String) -> String {
        "'\(url.path)' already holds a run (\(what)); pass --resume to continue it or choose another --out"
    }

    /// The refusals that need no lock (so a refused directory is not touched at all).
    static func checkBeforeLocking(_ url: URL, resume: Bool) throws {
        let state = try contents(url)
        if !resume, state.hasManifest { throw RunStoreError(holdsRunMessage(url, "manifest.json")) }
        if !state.hasManifest, state.hasRows || state.hasCheckpoints {
            throw RunStoreError("'\(url.path)' holds \(state.hasRows ? "rows.csv" : "checkpoints/") but no manifest.json (not written by this version); choose another --out")
        }
    }

    static func checkSameRun(_ existing: Manifest, wanted: Manifest, extendable: Set<String>, url: URL) throws {
        if let difference = existing.firstDifference(from: wanted, ignoring: extendable) {
            throw RunStoreError("cannot resume '\(url.path)': \(difference); rerun with the directory's settings or choose another --out")
        }
    }

    static func read(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw RunStoreError("cannot read '\(url.path)': \(error.localizedDescription)") }
    }

    /// Verified blocks by unit; a unit twice or a unit of another shard is an error (file untouched).
    static func check(_ blocks: [RowLog.Block], against units: [String], path: String) throws -> [String: Range<Int>] {
        let mine = Set(units)
        var found = [String: RowLog.Block]()
        for block in blocks {
            if let earlier = found[block.unit] {
                throw RunStoreError("'\(path)' holds unit \(block.unit) twice (blocks ending at lines \(earlier.trailerLine) and \(block.trailerLine)); remove one by hand, file left untouched")
            }
            guard mine.contains(block.unit) else {
                throw RunStoreError("'\(path)' holds unit \(block.unit) (line \(block.trailerLine)), which is not one of this shard's units; file left untouched")
            }
            found[block.unit] = block
        }
        return found.mapValues(\.range)
    }

    static func truncate(_ url: URL, to length: Int) throws {
        guard systemTruncate(url.path, length) == 0 else {
            throw RunStoreError("cannot cut the torn tail of '\(url.path)': \(systemErrorText(errno))")
        }
        let fd = systemOpen(url.path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); systemClose(fd) }
    }

    static func openForAppending(_ url: URL) throws -> Int32 {
        let fd = systemOpen(url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw RunStoreError("cannot open '\(url.path)' for appending: \(systemErrorText(errno))") }
        return fd
    }
}
