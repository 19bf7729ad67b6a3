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
}
