import Foundation
import FlowModel
import XCTest

/// Run directories end to end (issue 11): a run killed with SIGKILL and resumed equals an
/// uninterrupted run byte for byte (simulate, compare, reproduce); more epochs on resume continue a run bit for
/// bit; a second writer is refused; shards merged equal the unsharded run; full stdout/stderr are
/// errors, not exit 0 or a crash.
final class TrustedRunTests: XCTestCase {
    let simulateArguments = ["simulate", "--d", "120", "--n", "8", "--steps", "4", "--seeds", "3", "--samples", "16",
                             "--threads", "1", "--format", "csv"]

    func temporary(_ name: String) -> String { NSTemporaryDirectory() + "pf-trust-\(name)-\(UUID().uuidString)" }

    /// Starts phaseflow in the background (stdout and stderr discarded).
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try phaseflowExecutable()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (at most 60 s) until `condition` holds.
    func wait(_ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while !condition() {
            guard Date() < deadline else { throw XCTSkip("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    func blocks(_ directory: String) -> Int {
        guard let text = try? String(contentsOfFile: directory + "/rows.csv", encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { $0.hasPrefix("# block ") }.count
    }

    func rows(_ directory: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: directory + "/rows.csv")) }

    /// Kills a run with SIGKILL after its first blocks, resumes it, and compares with a run done in one go.
    func assertKillAndResume(_ arguments: [String], killAfterBlocks: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = temporary("whole"), killed = temporary("killed")
        defer { try? FileManager.default.removeItem(atPath: whole); try? FileManager.default.removeItem(atPath: killed) }
        let reference = try phaseflow(arguments + ["--out", whole])
        XCTAssertEqual(reference.status, 0, reference.stderr, file: file, line: line)
        let child = try start(arguments + ["--out", killed])
        try wait("the first blocks") { blocks(killed) >= killAfterBlocks || !child.isRunning }
        let killedMidRun = child.isRunning
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertTrue(killedMidRun, "the run finished before it could be killed", file: file, line: line)
        XCTAssertNotEqual(try rows(killed), try rows(whole), "nothing was interrupted", file: file, line: line)
        let resumed = try phaseflow(arguments + ["--out", killed, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr, file: file, line: line)
        XCTAssertEqual(try rows(killed), try rows(whole), file: file, line: line)
        XCTAssertEqual(resumed.stdout, reference.stdout, file: file, line: line)
    }

    func testSimulateKilledAndResumedEqualsOneGo() throws {
        try assertKillAndResume(simulateArguments + ["--epochs", "1500", "--record-every", "250"], killAfterBlocks: 6)
    }

    func testCompareKilledAndResumedEqualsOneGo() throws {
        try assertKillAndResume(["compare", "--dims", "100", "120", "--n", "16", "--steps", "4", "--seeds", "2", "--samples", "16",
                                 "--epochs", "1500", "--record-every", "250", "--threads", "1", "--protocol", "gd", "--format", "csv"],
                                killAfterBlocks: 6)
    }

    /// `reproduce` killed with SIGKILL in the middle of its Adam comparison (§4) and resumed: every run
    /// directory it writes (diagram, the converged and the Adam comparison, the training-time
    /// densities) and the comparison's derived tables equal those of an uninterrupted run byte for byte.
    /// `--smoke` shrinks the fixed stages (the same code paths and run directories) to seconds; 100
    /// epochs leave about a second between the d = 300 blocks and the d = 400 ones to kill in. The
    /// uninterrupted run goes beside the killed and the resumed one (the bytes do not depend on timing).
    func testReproduceKilledAndResumedEqualsOneGo() throws {
        let arguments = ["reproduce", "--dims", "300", "400", "--converged-dims", "300", "400", "--seeds", "2", "--epochs", "100", "--smoke"]
        let whole = temporary("reproduce-whole"), killed = temporary("reproduce-killed")
        defer { try? FileManager.default.removeItem(atPath: whole); try? FileManager.default.removeItem(atPath: killed) }
        let reference = try start(arguments + ["--out", whole])
        defer { if reference.isRunning { kill(reference.processIdentifier, SIGKILL) } }
        let child = try start(arguments + ["--out", killed])
        let deadline = Date().addingTimeInterval(600)
        while blocks(killed + "/compare") < 2 && child.isRunning && Date() < deadline { usleep(20_000) }
        let killedMidRun = child.isRunning && blocks(killed + "/compare") >= 2
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertTrue(killedMidRun, "reproduce was not killed in the middle of its comparison")
        XCTAssertLessThan(blocks(killed + "/compare"), 4, "nothing was interrupted: all 4 (d, seed) blocks were written")
        let resumed = try phaseflow(arguments + ["--out", killed, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0, "the uninterrupted run failed")
        for run in ["diagram", "compare-converged", "compare", "schedules"] {
            XCTAssertEqual(try rows(killed + "/" + run), try rows(whole + "/" + run), run)
        }
        for table in ["compare/compare.csv", "compare/summary.csv", "compare-converged/summary.csv"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: killed + "/" + table)),
                           try Data(contentsOf: URL(fileURLWithPath: whole + "/" + table)), table)
        }
    }

    /// `--epochs 60 --resume` on a 30-epoch run continues every seed from its checkpoint (parameters,
    /// epoch, noise streams, Adam moments) and gives the 60-epoch snapshot of a run done in one go bit for bit.
    func testMoreEpochsOnResumeContinueBitForBit() throws {
        let short = temporary("short"), long = temporary("long")
        defer { try? FileManager.default.removeItem(atPath: short); try? FileManager.default.removeItem(atPath: long) }
        let oneGo = try phaseflow(simulateArguments + ["--epochs", "60", "--out", long])
        XCTAssertEqual(oneGo.status, 0, oneGo.stderr)
        XCTAssertEqual(try phaseflow(simulateArguments + ["--epochs", "30", "--out", short]).status, 0)
        // (That the extension starts from the checkpoints, not from scratch, is checked below.)
        let extended = try phaseflow(simulateArguments + ["--epochs", "60", "--out", short, "--resume"])
        XCTAssertEqual(extended.status, 0, extended.stderr)
        XCTAssertEqual(extended.stdout, oneGo.stdout)
        func finalBlocks(_ directory: String) throws -> [String] {
            let text = String(decoding: try rows(directory), as: UTF8.self)
            var blocks = [String](), current = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
                current += line + "\n"
                if line.hasPrefix("# block ") { if line.contains("epoch=60 ") { blocks.append(current) }; current = "" }
            }
            return blocks
        }
        XCTAssertEqual(try finalBlocks(short).count, 3)
        XCTAssertEqual(try finalBlocks(short), try finalBlocks(long))
        // The extension really starts from the checkpoints: a damaged checkpoint is a one-line error.
        let again = temporary("again")
        defer { try? FileManager.default.removeItem(atPath: again) }
        XCTAssertEqual(try phaseflow(simulateArguments + ["--epochs", "30", "--out", again]).status, 0)
        let checkpoint = URL(fileURLWithPath: again + "/checkpoints/seed=2.ckpt")
        var bytes = try Data(contentsOf: checkpoint)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: checkpoint)
        let damaged = try phaseflow(simulateArguments + ["--epochs", "60", "--out", again, "--resume"])
        XCTAssertNotEqual(damaged.status, 0)
        XCTAssertTrue(damaged.stderr.contains("seed=2.ckpt"), damaged.stderr)
    }

    /// A resume with other settings is refused in one line and changes no byte; so is a second
    /// process writing while the first runs.
    func testOtherSettingsAndSecondWriterAreRefused() throws {
        let out = temporary("lock")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let long = simulateArguments + ["--epochs", "100000", "--out", out]
        let first = try start(long)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
        try wait("the first writer's lock") {
            ((try? String(contentsOfFile: out + "/lock", encoding: .utf8)) ?? "").contains("pid \(first.processIdentifier)")
        }
        let second = try phaseflow(long + ["--resume"])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertEqual(second.stderr.split(separator: "\n").count, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("in use by another writer (pid \(first.processIdentifier)"), second.stderr)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let manifest = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")), before = try rows(out)
        for (change, named) in [(["--d", "140"], "setting d: 120 in the directory, 140 in this run"), (["--p", "0.6"], "setting p"),
                                (["--seeds", "2"], "setting seeds")] {
            var arguments = long + ["--resume"]
            for (i, flag) in change.enumerated() where i % 2 == 0 {
                let at = arguments.firstIndex(of: flag)
                if let at { arguments[at + 1] = change[i + 1] } else { arguments += [flag, change[i + 1]] }
            }
            let refused = try phaseflow(arguments)
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains(named), refused.stderr)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")), manifest)
            XCTAssertEqual(try rows(out), before)
        }
        let fresh = try phaseflow(long)
        XCTAssertNotEqual(fresh.status, 0, "a directory holding a run is not overwritten")
        XCTAssertTrue(fresh.stderr.contains("--resume"), fresh.stderr)
        XCTAssertEqual(try rows(out), before)
        // A block appended twice (a concatenated or hand-edited file) is named, the file untouched.
        let small = temporary("twice")
        defer { try? FileManager.default.removeItem(atPath: small) }
        XCTAssertEqual(try phaseflow(simulateArguments + ["--epochs", "2", "--out", small]).status, 0)
        let lines = String(decoding: try rows(small), as: UTF8.self).split(separator: "\n").map { $0 + "\n" }
        let firstTrailer = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("# block ") })
        let doubled = Data((lines + lines[1...firstTrailer]).joined().utf8)
        try doubled.write(to: URL(fileURLWithPath: small + "/rows.csv"))
        let duplicate = try phaseflow(simulateArguments + ["--epochs", "2", "--out", small, "--resume"])
        XCTAssertNotEqual(duplicate.status, 0)
        XCTAssertTrue(duplicate.stderr.contains("twice"), duplicate.stderr)
        XCTAssertEqual(try rows(small), doubled)
        // A directory with files but no manifest (e.g. an older phaseflow's simulate.csv) is not written into.
        let foreign = temporary("foreign")
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("seed,epoch\n1,0\n".utf8).write(to: URL(fileURLWithPath: foreign + "/simulate.csv"))
        let refusedForeign = try phaseflow(simulateArguments + ["--epochs", "2", "--out", foreign])
        XCTAssertNotEqual(refusedForeign.status, 0)
        XCTAssertTrue(refusedForeign.stderr.contains("simulate.csv"), refusedForeign.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), ["simulate.csv"])
    }

    /// simulate, compare, diagram, boundaries and schedules run as shards 1/2 and 2/2, merged: rows.csv byte-identical to the unsharded run's,
    /// and the command with --resume on the merged directory prints the unsharded table.
    func testShardsMergeToTheUnshardedRun() throws {
        let base = temporary("shards")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let sweeps = [simulateArguments + ["--epochs", "20", "--record-every", "10"],
                      ["compare", "--dims", "100", "120", "--n", "16", "--steps", "4", "--seeds", "2", "--samples", "16",
                       "--epochs", "20", "--threads", "1", "--protocol", "gd", "--format", "csv"],
                      ["diagram", "--d-max", "1000", "--d-per-decade", "2", "--steps-max", "1000", "--steps-per-decade", "2"],
                      ["boundaries", "--ns", "16", "32", "64", "--no-p-boundary", "--integrator", "grid", "--steps", "20"],
                      ["schedules", "--dataset", "digits", "--pca", "16", "--interval", "0.1,0.3", "--seeds", "2", "--budgets", "20",
                       "--samples", "40", "--hidden", "16", "--batch", "16", "--sampler-steps", "4", "--format", "csv"]]
        // The five sweeps are independent (own directories, single-threaded commands): on all cores, each
        // sweep's commands in order (posix_spawn, which is safe from several threads), checked afterwards.
        typealias Outcome = FuzzCommandLineTests.Outcome
        struct Sweep: Sendable { var unsharded: Outcome, shards: [Outcome], incomplete: Outcome, merge: Outcome, summary: Outcome
                                 var wholeRows: Data, firstPartRows: Data, mergedRows: Data }
        let sweepsDone = parallelResults(sweeps.count) { i -> Sweep in
            let arguments = sweeps[i], whole = "\(base)/\(i)/whole", merged = "\(base)/\(i)/merged", cwd = URL(fileURLWithPath: "\(base)/\(i)/cwd")
            func run(_ words: [String]) throws -> Outcome { try FuzzCommandLineTests.run(words, in: cwd, limit: 600) }
            func rows(_ directory: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: directory + "/rows.csv")) }
            let unsharded = try run(arguments + ["--out", whole])
            let parts = ["2/2", "1/2"].map { "\(base)/\(i)/part\($0.prefix(1))" }
            let shards = try zip(["2/2", "1/2"], parts).map { shard, dir in try run(arguments + ["--out", dir, "--shard", shard]) }
            let firstPartRows = try rows(parts[0])
            let incomplete = try run(["merge", parts[0], "--out", merged + "-incomplete"])
            let merge = try run(["merge"] + parts + ["--out", merged])
            let mergedRows = (try? rows(merged)) ?? Data()
            let summary = try run(arguments + ["--out", merged, "--resume"])
            return Sweep(unsharded: unsharded, shards: shards, incomplete: incomplete, merge: merge, summary: summary,
                         wholeRows: try rows(whole), firstPartRows: firstPartRows, mergedRows: mergedRows)
        }
        for (arguments, done) in zip(sweeps, sweepsDone) {
            let sweep = try done.get(), name = arguments[0]
            XCTAssertEqual(sweep.unsharded.status, 0, "\(name): \(sweep.unsharded.stderr)")
            for result in sweep.shards {
                XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
                XCTAssertTrue(result.stdout.isEmpty, name)
            }
            XCTAssertNotEqual(sweep.firstPartRows, sweep.wholeRows, name)
            XCTAssertNotEqual(sweep.incomplete.status, 0, name)
            XCTAssertEqual(sweep.merge.status, 0, "\(name): \(sweep.merge.stderr)")
            XCTAssertEqual(sweep.mergedRows, sweep.wholeRows, name)
            XCTAssertEqual(sweep.summary.status, 0, "\(name): \(sweep.summary.stderr)")
            XCTAssertEqual(sweep.summary.stdout, sweep.unsharded.stdout, name)
        }
        let bad = try phaseflow(simulateArguments + ["--epochs", "2", "--out", base + "/bad", "--shard", "3/2"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("3/2"), bad.stderr)
    }

    /// A full stdout or stderr is a one-line error on the other stream and a non-zero exit; both full: non-zero exit.
    func testFullOutputsAreErrors() throws {
        let out = temporary("full")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let arguments = simulateArguments + ["--epochs", "2", "--out", out]
        for (stdout, stderr, reported) in [("/dev/full", nil, true), (nil, "/dev/full", true), ("/dev/full", "/dev/full", false)] as [(String?, String?, Bool)] {
            try? FileManager.default.removeItem(atPath: out)
            let process = Process()
            process.executableURL = try phaseflowExecutable()
            process.arguments = arguments
            let outPipe = Pipe(), errPipe = Pipe()
            process.standardOutput = try stdout.map { try FileHandle(forWritingTo: URL(fileURLWithPath: $0)) } ?? outPipe
            process.standardError = try stderr.map { try FileHandle(forWritingTo: URL(fileURLWithPath: $0)) } ?? errPipe
            try process.run()
            let outText = stdout == nil ? String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
            let errText = stderr == nil ? String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(arguments)")
            XCTAssertNotEqual(process.terminationStatus, 0, "stdout \(stdout ?? "pipe"), stderr \(stderr ?? "pipe")")
            if reported {
                let message = stdout == nil ? outText : errText
                XCTAssertEqual(message.split(separator: "\n").filter { $0.contains("error") }.count, 1, message)
                XCTAssertTrue(message.contains("No space left on device"), message)
            }
        }
    }

    /// --version prints the version and the build commit, which every manifest records.
    func testVersionIsRecordedInTheManifest() throws {
        let version = try phaseflow(["--version"])
        XCTAssertEqual(version.status, 0)
        let line = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(line.contains("(commit "), line)
        let out = temporary("version")
        defer { try? FileManager.default.removeItem(atPath: out) }
        XCTAssertEqual(try phaseflow(simulateArguments + ["--epochs", "2", "--out", out]).status, 0)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any])
        let commit = try XCTUnwrap(manifest["buildCommit"] as? String), tool = try XCTUnwrap(manifest["toolVersion"] as? String)
        XCTAssertEqual(line, "\(tool) (commit \(commit))")
        let settings = try XCTUnwrap(manifest["settings"] as? [[String: String]])
        XCTAssertEqual(settings.first { $0["key"] == "d" }?["value"], "120")
    }
}
