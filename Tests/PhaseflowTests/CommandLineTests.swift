import Foundation
import XCTest

/// `phaseflow exact`, `diagram` and `dynamics` as a user runs them.
final class CommandLineTests: XCTestCase {
    /// Every invalid input exits non-zero with exactly one line that names the bad value.
    func testInvalidInputsGiveOneLineErrors() throws {
        let cases: [([String], String)] = [
            (["--p", "0"], "0"), (["--p", "1.2"], "1.2"), (["--sigma", "0"], "sigma"), (["--d", "0"], "d must"),
            (["--p", "nan"], "nan"), (["--sigma=-inf"], "-inf"), (["--p=-0.1"], "-0.1"), (["--schedule", "cosine"], "cosine"),
            (["--p", "abc"], "abc"), (["--steps", "x"], "x"), (["--d", "4", "--schedule", "dilated"], "k"),
            (["--steps", "1", "--schedule", "linear", "--integrator", "euler"], "steps = 1"),
            (["--format", "xml"], "xml"), (["--threshold", "1"], "threshold"),
        ]
        try assertOneLineErrors(cases.map { (["exact"] + $0.0, $0.1) })
        try assertOneLineErrors([(["diagram", "--d-min", "100", "--d-max", "10"], "d-max"),
                                 (["diagram", "--d-max", "1e13"], "d-max")])
    }

    /// `phaseflow dynamics flow|vs-simulation|escape`: bad inputs give one-line errors; a JSON run has the shared keys and
    /// joins a simulation table on (tau, time).
    func testDynamicsCommand() throws {
        let bad: [([String], String)] = [
            (["flow", "--tau", "2.5"], "tau"), (["flow", "--tau", "0.5", "--lr", "0"], "lr"), (["flow", "--tau", "0.5", "--lr", "nan"], "nan"),
            (["flow", "--tau", "0.5", "--time-max", "-1"], "time-max"), (["flow", "--tau", "0.5", "--p", "1"], "p"),
            (["flow", "--tau", "0.5", "--training", "adam"], "adam"), (["flow"], "tau"), (["flow", "--tau", "0.5", "--d", "3"], "k"),
            (["vs-simulation", "--tau", "0.5", "--d", "1e11", "--seeds", "2"], "GiB"),
            (["vs-simulation", "--tau", "0.3333", "--d", "500", "--seeds", "2"], "0.3333"),
            (["vs-simulation", "--tau", "0.5", "--d", "500", "--seeds", "2", "--planted", "nan"], "nan"),
            (["escape", "--tau", "0.5", "--d", "1000", "--members", "1"], "members"),
            (["escape", "--tau", "0.5", "--d", "inf", "--members", "5"], "members"),
            (["escape", "--tau", "0.5", "--d", "1000", "--members", "5", "--switch-overlap", "0.7"], "switch-overlap"),
            (["escape", "--tau", "0.5", "--d", "1000", "--members", "5", "--switch-overlap", "nan"], "nan"),
            (["escape", "--tau", "0.5", "--d", "100", "--members", "5"], "--switch-overlap"),
            (["escape", "--tau", "0.5", "--d", "1000", "--members", "5", "--time-max", "0.5"], "time-max"),
            ([], "dynamics needs a mode: flow, finite-n"),
        ]
        try assertOneLineErrors(bad.map { (["dynamics"] + $0.0, $0.1) })
        let result = try phaseflow(["dynamics", "flow", "--tau", "0.5", "--d", "1000", "--time-max", "5", "--time-points", "5", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 6)
        for key in ["tau", "t", "phase", "time", "c", "b", "m", "omega", "q", "r", "uw", "loss", "unit_balance", "sigma_from_c",
                    "d", "p", "sigma", "k", "lr", "sample_penalty_u", "sample_penalty_w", "training"] {
            XCTAssertNotNil(rows[0][key], key)
        }
        XCTAssertEqual(rows.map { $0["time"] as? Double }, [0, 1, 2, 3, 4, 5])
        // vs-simulation: the simulation's mean and standard error beside the ODE, from the planted start.
        let simulated = try phaseflow(["dynamics", "vs-simulation", "--tau", "0.5", "--d", "200", "--lr", "0.5", "--time-max", "2", "--time-points", "2",
                                       "--seeds", "3", "--planted", "0.3", "--format", "json"])
        XCTAssertEqual(simulated.status, 0, simulated.stderr)
        let simRows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(simulated.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(simRows.map { $0["time"] as? Double }, [0, 1, 2])
        XCTAssertEqual(try XCTUnwrap(simRows[0]["m_sim"] as? Double), 0.3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(simRows[0]["m"] as? Double), 0.3, accuracy: 1e-12)
        XCTAssertGreaterThan(try XCTUnwrap(simRows[2]["q_sim_se"] as? Double), 0)
        // escape --summary: the escape-time law beside the deterministic escape time (PE.9).
        let ensemble = try phaseflow(["dynamics", "escape", "--tau", "0.5", "--d", "1000", "--lr", "0.5", "--time-max", "14", "--time-points", "56",
                                      "--members", "24", "--summary", "--format", "json"])
        XCTAssertEqual(ensemble.status, 0, ensemble.stderr)
        let law = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(ensemble.stdout.utf8)) as? [[String: Any]])?.first)
        let median = try XCTUnwrap(law["escape_time_median"] as? Double), single = try XCTUnwrap(law["escape_time"] as? Double)
        XCTAssertGreaterThan(try XCTUnwrap(law["switch_time"] as? Double), 0)
        XCTAssertGreaterThan(try XCTUnwrap(law["escape_time_iqr"] as? Double), 0.3)
        XCTAssertEqual(median, single, accuracy: 1.5, "the ensemble's median escape near the typical start's")
        XCTAssertEqual(law["members"] as? Int, 24)
    }

    /// `phaseflow exact --format json` echoes the inputs and gives the numbers of the issue at d = 10⁵.
    func testExactJSONAtIssuePoint() throws {
        func rows(_ schedule: String) throws -> [[String: Any]] {
            let result = try phaseflow(["exact", "--d", "100000", "--steps", "50", "--schedule", schedule, "--format", "json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        }
        let linear = try rows("linear"), dilated = try rows("dilated")
        XCTAssertEqual(linear.map { $0["integrator"] as? String }, ["adaptive", "euler", "x1-pred"])
        for row in linear + dilated {
            for key in ["p_hat", "sigma_hat", "commit_time", "d", "p", "sigma", "k", "steps", "schedule"] {
                XCTAssertNotNil(row[key], key)
            }
            XCTAssertEqual(row["d"] as? Int, 100_000)
        }
        XCTAssertEqual(try XCTUnwrap(linear[0]["p_hat"] as? Double), 0.8, accuracy: 1e-6)
        XCTAssertGreaterThan(try XCTUnwrap(linear[1]["p_hat"] as? Double), 0.95)
        XCTAssertEqual(try XCTUnwrap(dilated[1]["p_hat"] as? Double), 0.8, accuracy: 0.01)
    }

    /// The diagram writes its CSVs and script, and an interrupted run resumes to the same table.
    func testDiagramWritesAndResumes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-diagram-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["diagram", "--out", directory.path, "--d-max", "1000", "--d-per-decade", "2",
                         "--steps-max", "1000", "--steps-per-decade", "2"]
        let full = try phaseflow(arguments)
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertTrue(full.stderr.contains("linear: K* ∝ d^a"), full.stderr)
        let csv = directory.appendingPathComponent("rows.csv")
        let complete = try Data(contentsOf: csv)
        for name in ["boundary.csv", "diagram.gp", "manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), name)
        }
        // Interrupt: keep 40 % of the bytes (a torn block); the resumed run recomputes it.
        try complete.prefix(complete.count * 2 / 5).write(to: csv)
        let resumed = try phaseflow(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: csv), complete)
        XCTAssertEqual(resumed.stdout, full.stdout)
    }
}
