import Foundation

/// Joins the run directories of the N shards of one run into one directory holding the whole run,
/// byte-identical in `rows.csv` to the file an unsharded run writes after `compact()`: every
/// manifest must agree except in the shard, the shards must be 1/N … N/N exactly once, each complete
/// and intact (a torn tail is an error here: resume that shard first), no unit missing or doubled.
/// The blocks are copied verbatim in canonical unit order; checkpoints are copied too (the same name
/// in two shards must hold the same bytes). The output must not hold a run already.
///
///     try RunMerge.merge(shards: ["out.1", "out.2", "out.3"].map { URL(fileURLWithPath: $0) },
///                        into: URL(fileURLWithPath: "out"))
public enum RunMerge {
    public static func merge(shards: [URL], into output: URL) throws {
        guard !shards.isEmpty else { throw RunStoreError("merge: no shard directories given") }
        var seen = Set<String>()
        for url in shards where !seen.insert(url.standardizedFileURL.resolvingSymlinksInPath().path).inserted {
            throw RunStoreError("merge: the directory '\(url.path)' is given twice")
        }
        var locks = [RunLock]()   // no writer may be working on a shard while it is read
        defer { locks.forEach { $0.release() } }
        var parts = [(url: URL, manifest: Manifest, shard: Shard, data: Data, blocks: [String: Range<Int>])]()
        for url in shards {
            guard RunDirectory.contentsOrNil(url)?.hasManifest == true else {
                throw RunStoreError("merge: '\(url.path)' holds no run (no manifest.json)")
            }
            locks.append(try RunLock(directory: url))
            let manifest = try Manifest.read(from: url.appendingPathComponent(RunDirectory.manifestName))
            let rowsURL = url.appendingPathComponent(RunDirectory.rowsName)
            let data = try RunDirectory.read(rowsURL)
            let scan = try RowLog.scan(data, columns: manifest.columns, path: rowsURL.path)
            if let problem = scan.tailProblem {
                throw RunStoreError("merge: shard \(manifest.shard) in '\(url.path)' has a torn tail (\(problem)); resume that shard first")
            }
            let units = try manifest.shardUnits()
            let blocks = try RunDirectory.check(scan.blocks, against: units, path: rowsURL.path)
            if let missing = units.first(where: { blocks[$0] == nil }) {
                let count = units.filter { blocks[$0] == nil }.count
                throw RunStoreError("merge: shard \(manifest.shard) in '\(url.path)' is incomplete: \(count) unit(s) missing (first: \(missing)); resume it first")
            }
            let shard = try manifest.parsedShard()
            guard shard.count > 1 else {
                throw RunStoreError("merge: '\(url.path)' is not a shard (run with --shard i/N); it holds a whole run already")
            }
            parts.append((url, manifest, shard, data, blocks))
        }
        let first = parts[0]
        for part in parts.dropFirst() {
            if let difference = first.manifest.firstDifference(from: part.manifest, ignoringShard: true,
                                                                mine: "'\(first.url.path)'", theirs: "'\(part.url.path)'") {
                throw RunStoreError("merge: the shards are not from the same run: \(difference)")
            }
        }
        let count = first.shard.count
        var byIndex = [Int: URL]()
        for part in parts {
            guard part.shard.count == count else {
                throw RunStoreError("merge: '\(part.url.path)' is shard \(part.shard), '\(first.url.path)' is shard \(first.shard) (different counts)")
            }
            if let other = byIndex[part.shard.index] {
                throw RunStoreError("merge: shard \(part.shard) is given twice ('\(other.path)' and '\(part.url.path)')")
            }
            byIndex[part.shard.index] = part.url
        }
        if let missing = (1...count).first(where: { byIndex[$0] == nil }) {
            throw RunStoreError("merge: shard \(missing)/\(count) is missing (\(count - byIndex.count) of \(count) not given)")
        }
        // Rows in canonical unit order, each block verbatim from the shard that owns it.
        var rows = RowLog.headerLine(first.manifest.columns)
        for (position, group) in first.manifest.unitGroups.enumerated() {
            let part = parts.first { $0.shard.owns(position: position) }!
            for unit in group { rows += part.data.subdata(in: part.blocks[unit]!) }
        }
        let checkpoints = try collectCheckpoints(parts.map(\.url))
        // The output: a fresh run directory of the whole run.
        try RunDirectory.checkBeforeLocking(output, resume: false)
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw RunStoreError("cannot create '\(output.path)': \(error.localizedDescription)")
        }
        let outputLock = try RunLock(directory: output)
        defer { outputLock.release() }
        try RunDirectory.checkBeforeLocking(output, resume: false)
        var merged = first.manifest
        merged.shard = Shard.whole.description
        merged.created = Manifest.timestamp(Date())
        if !checkpoints.isEmpty {
            let directory = output.appendingPathComponent(RunDirectory.checkpointsName)
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw RunStoreError("cannot create '\(directory.path)': \(error.localizedDescription)")
            }
            for (name, data) in checkpoints.sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(data, to: directory.appendingPathComponent(name))
            }
        }
        try AtomicFile.write(rows, to: output.appendingPathComponent(RunDirectory.rowsName))
        try AtomicFile.write(merged.encoded(), to: output.appendingPathComponent(RunDirectory.manifestName))
    }

    /// Checkpoint files of all shards by file name; the same name with different bytes is an error.
    private static func collectCheckpoints(_ shards: [URL]) throws -> [String: Data] {
        var found = [String: (data: Data, from: URL)]()
        for url in shards {
            let directory = url.appendingPathComponent(RunDirectory.checkpointsName)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".ckpt") && !name.hasPrefix(".") {
                let data = try RunDirectory.read(directory.appendingPathComponent(name))
                _ = try Checkpoint(decoding: data, source: directory.appendingPathComponent(name).path)
                if let earlier = found[name], earlier.data != data {
                    throw RunStoreError("merge: checkpoint \(name) differs between '\(earlier.from.path)' and '\(url.path)'")
                }
                found[name] = (data, url)
            }
        }
        return found.mapValues(\.data)
    }
}
