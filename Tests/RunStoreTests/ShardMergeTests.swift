import Foundation
import XCTest
@testable import RunStore

final class ShardMergeTests: RunStoreTestCase {
    func testShardParsing() throws {
        XCTAssertEqual(try Shard(parsing: "2/3"), try Shard(index: 2, count: 3))
        XCTAssertEqual(try Shard(parsing: "1/1"), Shard.whole)
        let bad: [(String, String)] = [
            ("0/0", "count must be at least 1"), ("3/2", "index 3 exceeds the count 2"), ("-1/2", "index must be at least 1"),
            ("0/2", "index must be at least 1"), ("a/b", "index 'a' is not a whole number"), ("1/b", "count 'b' is not a whole number"),
            ("1", "expected i/N"), ("", "expected i/N"), ("1/2/3", "expected i/N"), ("/2", "index '' is not"), ("1/", "count '' is not"),
            (" 1/2", "not a whole number"), ("1.5/2", "not a whole number"), ("+1/2", "not a whole number"),
            ("99999999999999999999/2", "too large"), ("1/-3", "count must be at least 1"),
        ]
        for (text, fragment) in bad {
            XCTAssertThrowsError(try Shard(parsing: text), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(fragment), "\(text): \(message)")
                XCTAssertTrue(message.hasPrefix("shard '\(text)'"), message)
                XCTAssertFalse(message.contains("\n"))
            }
        }
    }

    func testShardsPartitionTheUnitsRoundRobin() throws {
        let units = (0..<23).map { "u\($0)" }
        for count in 1...7 {
            let shards = try (1...count).map { try Shard(index: $0, count: count) }
            let parts = shards.map { $0.units(of: units) }
            XCTAssertEqual(parts.flatMap { $0 }.sorted(), units.sorted(), "every unit exactly once for N = \(count)")
            XCTAssertLessThanOrEqual((parts.map(\.count).max() ?? 0) - (parts.map(\.count).min() ?? 0), 1)
            for (j, unit) in units.enumerated() { XCTAssertTrue(parts[j % count].contains(unit)) }
        }
    }

    /// The unsharded run appends from parallel workers in a shuffled order and compacts; three
    /// shards each complete in another shuffled order (one killed and resumed midway); merge must
    /// give the same bytes.
    func testMergeOfShardsIsByteIdenticalToTheUnshardedRun() throws {
        let units = Self.units(seeds: 7, epochs: [0, 10, 20])
        var generator = SplitMix64(state: 20_241_127)

        let whole = scratch.appendingPathComponent("whole")
        let run = try RunDirectory.open(at: whole, manifest: manifest(units: units), resume: false)
        let order = units.shuffled(using: &generator)
        let failures = FailureBox()
        DispatchQueue.concurrentPerform(iterations: order.count) { i in
            do { try run.append(unit: order[i], rows: Self.rows(of: order[i])) } catch { failures.add(error) }
        }
        XCTAssertTrue(failures.errors.isEmpty, "\(failures.errors)")
        try run.compact()
        run.close()
        let unsharded = try bytes(run.rowsURL)
        var expected = RowLog.headerLine(Self.columns)
        for unit in units { expected += RowLog.block(unit: unit, rows: Self.rows(of: unit)) }
        XCTAssertEqual(unsharded, expected, "compact writes the canonical order")

        let count = 3
        var shardDirectories = [URL]()
        for index in 1...count {
            let shard = try Shard(index: index, count: count)
            let url = scratch.appendingPathComponent("part\(index)")
            shardDirectories.append(url)
            var mine = shard.units(of: units).shuffled(using: &generator)
            let part = try RunDirectory.open(at: url, manifest: manifest(units: units, shard: shard), resume: false)
            if index == 2 {   // killed midway, leaving a torn block, then resumed
                for unit in mine.prefix(3) { try part.append(unit: unit, rows: Self.rows(of: unit)) }
                part.close()
                let handle = try FileHandle(forWritingTo: part.rowsURL)
                try handle.seekToEnd()
                try handle.write(contentsOf: RowLog.block(unit: mine[3], rows: Self.rows(of: mine[3])).prefix(17))
                try handle.close()
                let resumed = try RunDirectory.open(at: url, manifest: manifest(units: units, shard: shard), resume: true)
                XCTAssertNotNil(resumed.cutTail)
                mine = resumed.pendingUnits.shuffled(using: &generator)
                for unit in mine { try resumed.append(unit: unit, rows: Self.rows(of: unit)) }
                resumed.close()
            } else {
                for unit in mine { try part.append(unit: unit, rows: Self.rows(of: unit)) }
                part.close()
            }
        }
        let merged = scratch.appendingPathComponent("merged")
        try RunMerge.merge(shards: shardDirectories.reversed(), into: merged)
        XCTAssertEqual(try bytes(merged.appendingPathComponent("rows.csv")), unsharded)
        let mergedManifest = try Manifest.read(from: merged.appendingPathComponent("manifest.json"))
        XCTAssertNil(try Manifest.read(from: run.manifestURL).firstDifference(from: mergedManifest))
        // The merged directory is a complete run that resumes as such.
        let reopened = try RunDirectory.open(at: merged, manifest: manifest(units: units), resume: true)
        XCTAssertTrue(reopened.isComplete)
        reopened.close()
        // Merging again into the same place is refused (never overwritten).
        XCTAssertThrowsError(try RunMerge.merge(shards: shardDirectories, into: merged)) { XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)") }
    }

    /// Units grouped by seed: a shard gets whole seeds, and a sharded run extended by a later
    /// snapshot epoch (resume with `epochs` extendable) keeps every seed in its shard; the merge of
    /// the extended shards equals an unsharded run of the extended settings done in one go.
    func testGroupedUnitsStayInTheirShardWhenARunIsExtended() throws {
        func groups(_ epochs: [Int]) -> [[String]] { (1...5).map { s in epochs.map { "seed=\(s),epoch=\($0)" } } }
        func grouped(_ epochs: [Int], _ shard: Shard) -> Manifest {
            Manifest(settings: [Setting("d", "100"), Setting("epochs", "\(epochs.last!)")], columns: Self.columns,
                     unitGroups: groups(epochs), shard: shard, toolVersion: "0.0.0-test", buildCommit: "abc1234")
        }
        var generator = SplitMix64(state: 99)
        var parts = [URL]()
        for index in 1...2 {
            let shard = try Shard(index: index, count: 2)
            let url = scratch.appendingPathComponent("g\(index)")
            parts.append(url)
            let run = try RunDirectory.open(at: url, manifest: grouped([0, 10], shard), resume: false)
            let seeds = Set(run.pendingUnits.map { $0.split(separator: ",")[0] })
            XCTAssertEqual(seeds, Set(stride(from: index, through: 5, by: 2).map { Substring("seed=\($0)") }), "whole seeds per shard")
            for unit in run.pendingUnits.shuffled(using: &generator) { try run.append(unit: unit, rows: Self.rows(of: unit)) }
            run.close()
            let extended = try RunDirectory.open(at: url, manifest: grouped([0, 10, 20], shard), resume: true, extendable: ["epochs"])
            XCTAssertEqual(extended.pendingUnits, stride(from: index, through: 5, by: 2).map { "seed=\($0),epoch=20" })
            for unit in extended.pendingUnits.shuffled(using: &generator) { try extended.append(unit: unit, rows: Self.rows(of: unit)) }
            extended.close()
        }
        let merged = scratch.appendingPathComponent("g-merged")
        try RunMerge.merge(shards: parts, into: merged)

        let whole = try RunDirectory.open(at: scratch.appendingPathComponent("g-whole"), manifest: grouped([0, 10, 20], .whole), resume: false)
        for unit in whole.pendingUnits.shuffled(using: &generator) { try whole.append(unit: unit, rows: Self.rows(of: unit)) }
        try whole.compact()
        XCTAssertEqual(try bytes(merged.appendingPathComponent("rows.csv")), try bytes(whole.rowsURL))
        var expected = RowLog.headerLine(Self.columns)
        for unit in groups([0, 10, 20]).flatMap({ $0 }) { expected += RowLog.block(unit: unit, rows: Self.rows(of: unit)) }
        XCTAssertEqual(try bytes(whole.rowsURL), expected)
    }

    func testMergeRefusesIncompleteMissingDuplicateAndMismatchedShards() throws {
        let units = Self.units(seeds: 4, epochs: [0])
        func shardRun(_ name: String, _ index: Int, _ count: Int, settings: [Setting]? = nil, complete: Bool = true) throws -> URL {
            let url = scratch.appendingPathComponent(name)
            let shard = try Shard(index: index, count: count)
            let m = settings.map { manifest($0, units: units, shard: shard) } ?? manifest(units: units, shard: shard)
            let run = try RunDirectory.open(at: url, manifest: m, resume: false)
            for unit in complete ? run.pendingUnits : Array(run.pendingUnits.dropLast()) { try run.append(unit: unit, rows: Self.rows(of: unit)) }
            run.close()
            return url
        }
        let a = try shardRun("a", 1, 2), b = try shardRun("b", 2, 2)
        let partial = try shardRun("partial", 2, 2, complete: false)
        let other = try shardRun("other", 2, 2, settings: [Setting("d", "100"), Setting("n", "32"), Setting("p", "0.5")])
        let three = try shardRun("three", 2, 3)
        let whole = try shardRun("whole", 1, 1)
        let copy = scratch.appendingPathComponent("a-copy")
        try FileManager.default.copyItem(at: a, to: copy)
        let cases: [([URL], String)] = [
            ([a], "shard 2/2 is missing"),
            ([a, a], "the directory '\(a.path)' is given twice"),
            ([a, copy], "shard 1/2 is given twice ('\(a.path)' and '\(copy.path)')"),
            ([a, partial], "is incomplete: 1 unit(s) missing (first: seed=4,epoch=0)"),
            ([a, other], "setting n: 16 in '\(a.path)', 32 in '\(other.path)'"),
            ([a, three], "different counts"),
            ([a, scratch.appendingPathComponent("nothing")], "holds no run"),
            ([whole], "'\(whole.path)' is not a shard (run with --shard i/N)"),
        ]
        for (i, (inputs, fragment)) in cases.enumerated() {
            let out = scratch.appendingPathComponent("out\(i)")
            XCTAssertThrowsError(try RunMerge.merge(shards: inputs, into: out)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written on refusal")
        }
        try RunMerge.merge(shards: [a, b], into: scratch.appendingPathComponent("ok"))
    }
}
