import Foundation
import XCTest
@testable import RunStore

final class ManifestResumeTests: RunStoreTestCase {
    func testResumeWithDifferentSettingsIsRefusedNamingTheFirstDifferenceAndLeavesFilesUntouched() throws {
        let out = scratch.appendingPathComponent("mm")
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: false)
        for unit in run.pendingUnits.prefix(3) { try run.append(unit: unit, rows: Self.rows(of: unit)) }
        run.close()
        let manifestBefore = try bytes(run.manifestURL), rowsBefore = try bytes(run.rowsURL)
        let lockURL = out.appendingPathComponent("lock")
        let lockDate = try FileManager.default.attributesOfItem(atPath: lockURL.path)[.modificationDate] as? Date
        usleep(20_000)

        let changed = manifest([Setting("d", "400"), Setting("n", "16"), Setting("p", "0.6")])
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: changed, resume: true)) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertTrue(text.contains("setting d: 100 in the directory, 400 in this run"), text)
            XCTAssertFalse(text.contains("setting p"), "only the first difference is named: \(text)")
        }
        // A setting this run lacks, an extra one, another build, another shard: each refused by name.
        let cases: [(Manifest, String)] = [
            (manifest([Setting("d", "100"), Setting("n", "16")]), "setting p: 0.5 in the directory, absent in this run"),
            (manifest([Setting("d", "100"), Setting("n", "16"), Setting("p", "0.5"), Setting("k", "2")]), "setting k: absent in the directory, 2 in this run"),
            ({ var m = manifest(); m.buildCommit = "fff0000"; return m }(), "build commit: abc1234 in the directory, fff0000 in this run"),
            (manifest(shard: try Shard(parsing: "1/2")), "shard: 1/1 in the directory, 1/2 in this run"),
            (manifest(units: Self.units(seeds: 6)), "units of work: 10"),
        ]
        for (other, fragment) in cases {
            XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: other, resume: true)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        XCTAssertEqual(try bytes(run.manifestURL), manifestBefore)
        XCTAssertEqual(try bytes(run.rowsURL), rowsBefore)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: lockURL.path)[.modificationDate] as? Date, lockDate,
                       "a refused resume does not even take the lock")
    }

    func testRunStoppedBetweenManifestAndHeaderResumesAndAClosedRunRefusesAppends() throws {
        let out = scratch.appendingPathComponent("half")
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: false)
        run.close()
        XCTAssertThrowsError(try run.append(unit: Self.units()[0], rows: Self.rows(of: Self.units()[0]))) {
            XCTAssertTrue("\($0)".contains("was closed"), "\($0)")
        }
        try FileManager.default.removeItem(at: run.rowsURL)
        let again = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertEqual(again.pendingUnits, Self.units())
        XCTAssertEqual(try String(contentsOf: again.rowsURL, encoding: .utf8), "seed,epoch,tau,c\n")
    }

    func testResumeWithTheSameSettingsContinuesAndCreationTimeIsNotCompared() throws {
        let out = scratch.appendingPathComponent("run")
        let early = Manifest(settings: [Setting("d", "100")], columns: Self.columns, units: Self.units(), shard: .whole,
                             toolVersion: "0.0.0-test", buildCommit: "abc1234", created: Date(timeIntervalSince1970: 0))
        let first = try RunDirectory.open(at: out, manifest: early, resume: false)
        let done = Array(first.pendingUnits.prefix(4))
        for unit in done { try first.append(unit: unit, rows: Self.rows(of: unit)) }
        first.close()
        let later = Manifest(settings: [Setting("d", "100")], columns: Self.columns, units: Self.units(), shard: .whole,
                             toolVersion: "0.0.0-test", buildCommit: "abc1234", created: Date())
        let second = try RunDirectory.open(at: out, manifest: later, resume: true)
        XCTAssertNil(second.cutTail)
        XCTAssertEqual(second.doneUnits, done)
        XCTAssertEqual(second.pendingUnits, Array(Self.units().dropFirst(4)))
        XCTAssertEqual(try second.rows(of: done[2]), Self.rows(of: done[2]))
        XCTAssertEqual(second.manifest.created, early.created, "the original creation time is kept")
    }

    func testOpeningWithoutResumeRefusesADirectoryHoldingARunAndLeavesItUntouched() throws {
        let out = scratch.appendingPathComponent("taken")
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: false)
        try run.append(unit: Self.units()[0], rows: Self.rows(of: Self.units()[0]))
        run.close()
        let before = try bytes(run.rowsURL), manifestBefore = try bytes(run.manifestURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: false)) { error in
            XCTAssertTrue("\(error)".contains("already holds a run"), "\(error)")
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        XCTAssertEqual(try bytes(run.rowsURL), before)
        XCTAssertEqual(try bytes(run.manifestURL), manifestBefore)
    }

    func testDataWithoutAManifestIsNeverOverwritten() throws {
        for resume in [false, true] {
            let out = scratch.appendingPathComponent("legacy-\(resume)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let legacy = Data("seed,epoch,tau,c\n1,0,0.25,3\n".utf8)
            try legacy.write(to: out.appendingPathComponent("rows.csv"))
            XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: resume)) { error in
                XCTAssertTrue("\(error)".contains("no manifest.json"), "\(error)")
            }
            XCTAssertEqual(try bytes(out.appendingPathComponent("rows.csv")), legacy)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("lock").path), "not even a lock file is added")
        }
        let file = scratch.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try RunDirectory.open(at: file, manifest: manifest(), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("is a file, not a directory"), "\(error)")
        }
    }

    /// The store itself still starts a run in an empty directory under `resume` (a stage of
    /// `reproduce` not yet begun); the command line refuses `--resume` there before any work
    /// (`RunDirectory.requireRunToResume`, OutputLocationTests).
    func testResumeOfAnEmptyDirectoryStartsTheRun() throws {
        let out = scratch.appendingPathComponent("new")
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertEqual(run.pendingUnits, Self.units())
        XCTAssertEqual(try String(contentsOf: run.rowsURL, encoding: .utf8), "seed,epoch,tau,c\n")
    }

    func testExtendableSettingMayChangeOnResumeAndTheManifestRecordsIt() throws {
        let out = scratch.appendingPathComponent("extend")
        let short = manifest([Setting("d", "100"), Setting("epochs", "10")], units: Self.units(epochs: [0, 10]))
        let run = try RunDirectory.open(at: out, manifest: short, resume: false)
        for unit in run.pendingUnits { try run.append(unit: unit, rows: Self.rows(of: unit)) }
        run.close()
        let long = manifest([Setting("d", "100"), Setting("epochs", "20")], units: Self.units(epochs: [0, 10, 20]))
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: long, resume: true)) { error in
            XCTAssertTrue("\(error)".contains("setting epochs: 10 in the directory, 20 in this run"), "\(error)")
        }
        let extended = try RunDirectory.open(at: out, manifest: long, resume: true, extendable: ["epochs"])
        XCTAssertEqual(extended.pendingUnits, (1...5).map { "seed=\($0),epoch=20" })
        extended.close()
        let recorded = try Manifest.read(from: extended.manifestURL)
        XCTAssertEqual(recorded.settings, long.settings)
        XCTAssertEqual(recorded.units, long.units)
        // The extension may not drop a unit that is done.
        let other = manifest([Setting("d", "100"), Setting("epochs", "30")], units: Self.units(epochs: [0, 30]))
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: other, resume: true, extendable: ["epochs"])) { error in
            XCTAssertTrue("\(error)".contains("is done but not part of this run's units"), "\(error)")
        }
    }

    func testAppendRefusesBadInputBeforeWriting() throws {
        let run = try RunDirectory.open(at: scratch.appendingPathComponent("bad"), manifest: manifest(), resume: false)
        let unit = Self.units()[0]
        let before = try bytes(run.rowsURL)
        let cases: [(String, [[String]], String)] = [
            (unit, [["1", "0", "0.25", "nan"]], "not a finite number"),
            (unit, [["1", "0", "0.25", "-inf"]], "not a finite number"),
            (unit, [["1", "0", "0.25"]], "3 cells"),
            (unit, [["1", "0", "0.25", "1,2"]], "comma"),
            (unit, [["#1", "0", "0.25", "1"]], "'#'"),
            ("seed=99,epoch=0", Self.rows(of: "seed=99,epoch=0"), "not one of shard 1/1's units"),
        ]
        for (key, rows, fragment) in cases {
            XCTAssertThrowsError(try run.append(unit: key, rows: rows)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
        XCTAssertEqual(try bytes(run.rowsURL), before)
        try run.append(unit: unit, rows: Self.rows(of: unit))
        XCTAssertThrowsError(try run.append(unit: unit, rows: Self.rows(of: unit))) { XCTAssertTrue("\($0)".contains("already in"), "\($0)") }
    }
}
