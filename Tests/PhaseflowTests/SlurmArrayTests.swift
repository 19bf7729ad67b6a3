import Experiments
import Foundation
import XCTest

/// The sbatch array script of `phaseflow slurm-script`, submitted to a real SLURM cluster
/// (`.ci/slurm-cluster up`: slurm-wlm and munge from Debian, one node on localhost): three array
/// tasks each write one shard, `phaseflow merge` joins them, and the merged rows.csv equals the
/// unsharded run's byte for byte. Skipped only when `sbatch` is absent and CI is not "true".
final class SlurmArrayTests: XCTestCase {
    func tool(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool and returns its stdout (fails on a non-zero exit).
    func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "slurm", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(path) \(arguments.joined(separator: " ")): \(errors)"])
        }
        return text
    }

    func testArrayJobMergesToTheUnshardedRun() throws {
        guard let sbatch = tool("sbatch") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                return XCTFail("sbatch not found in CI: .ci/install installs slurm-wlm and the test command runs .ci/slurm-cluster up")
            }
            throw XCTSkip("sbatch not installed (run `bash .ci/install && bash .ci/slurm-cluster up` to test on SLURM)")
        }
        let squeue = try XCTUnwrap(tool("squeue")), scancel = try XCTUnwrap(tool("scancel"))
        let base = NSTemporaryDirectory() + "pf-slurm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let sweep = ["simulate", "--d", "120", "--n", "8", "--steps", "4", "--seeds", "5", "--samples", "16", "--epochs", "40",
                     "--record-every", "20", "--format", "csv"]
        let unsharded = try phaseflow(sweep + ["--out", base + "/whole", "--threads", "1"])
        XCTAssertEqual(unsharded.status, 0, unsharded.stderr)

        let generated = try phaseflow(["slurm-script", "--tasks", "3", "--cpus-per-task", "1", "--time", "00:05:00",
                                       "--out", base + "/sim", "--"] + sweep)
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertTrue(generated.stdout.contains("#SBATCH --array=1-3"), generated.stdout)
        let script = base + "/sim.sbatch"
        try generated.stdout.write(toFile: script, atomically: true, encoding: .utf8)

        let job = try run(sbatch, ["--parsable", "--chdir", base, script]).trimmingCharacters(in: .whitespacesAndNewlines)
        let jobID = String(job.split(separator: ";")[0])
        XCTAssertFalse(jobID.isEmpty)
        let deadline = Date().addingTimeInterval(60)
        while try !run(squeue, ["-h", "-j", jobID]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            if Date() > deadline {
                _ = try? run(scancel, [jobID])
                return XCTFail("array job \(jobID) did not finish within 60 s")
            }
            usleep(200_000)
        }
        let shards = (1...3).map { "\(base)/sim.shard-\($0)" }
        for (i, shard) in shards.enumerated() {
            let log = (try? String(contentsOfFile: shard + ".log", encoding: .utf8)) ?? "(no log)"
            XCTAssertTrue(FileManager.default.fileExists(atPath: shard + "/manifest.json"), "task \(i + 1): \(log)")
        }
        let merge = try phaseflow(["merge"] + shards + ["--out", base + "/sim"])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: base + "/sim/rows.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: base + "/whole/rows.csv")))
        let summary = try phaseflow(sweep + ["--out", base + "/sim", "--resume"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertEqual(summary.stdout, unsharded.stdout)
    }

    /// SLURM's time formats with their fields in range: the limit in seconds, or a refusal naming the value.
    func testTimeLimitsFollowSLURMFormats() throws {
        let accepted: [(String, Int?)] = [("90", 5400), ("1:30", 90), ("48:00:00", 172_800), ("1-0", 86_400), ("1-23:59", 172_740),
                                          ("2-01:02:03", 2 * 86_400 + 3723), ("00:00:01", 1), ("UNLIMITED", nil), ("365-00:00:00", 365 * 86_400)]
        for (time, seconds) in accepted { XCTAssertEqual(try SlurmArrayScript.requireTime(time), seconds, time) }
        for time in ["01:60:00", "25:99:99", "1-25:00:00", "00:00:00", "0", "99999999999999999999", "1:60", "1-00:60", "366-00:00:00",
                     "1h", "1:00:00:00", "01:00:00\n#SBATCH --mem=1T"] {
            XCTAssertThrowsError(try SlurmArrayScript.requireTime(time), time) { error in
                XCTAssertTrue("\(error)".contains(time.split(separator: "\n")[0]), "\(time): \(error)")
            }
        }
    }

    /// Task i adds --resume only once its shard directory holds a run: the first start (no
    /// directory) and a restart (the run is there) both succeed, run outside SLURM by bash.
    func testTaskResumesOnlyWhenItsShardHoldsARun() throws {
        let base = NSTemporaryDirectory() + "pf-slurm-resume-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let generated = try phaseflow(["slurm-script", "--tasks", "2", "--cpus-per-task", "1", "--executable", try phaseflowExecutable().path,
                                       "--out", base + "/sim", "--", "simulate", "--d", "50", "--n", "8", "--steps", "4", "--seeds", "2",
                                       "--samples", "0", "--epochs", "2"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let script = base + "/sim.sbatch"
        try generated.stdout.write(toFile: script, atomically: true, encoding: .utf8)
        for attempt in ["first start", "restart"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script]
            process.environment = ["SLURM_ARRAY_TASK_ID": "1", "PATH": "/usr/bin:/bin"]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(attempt): \(errors)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: base + "/sim.shard-1/manifest.json"), attempt)
        }
    }
}
