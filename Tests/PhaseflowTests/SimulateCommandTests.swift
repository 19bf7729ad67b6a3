import Foundation
import XCTest

/// `phaseflow simulate` and `phaseflow bench` end to end, (the normal stream: SimulationTests).
final class SimulateCommandTests: XCTestCase {
    /// Bad input: non-zero exit, one line on stderr naming the value, nothing on stdout.
    func testSimulateAndBenchRejectBadInput() throws {
        let out = NSTemporaryDirectory() + "pf-bad-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let small = ["simulate", "--d", "100", "--n", "4", "--steps", "4", "--epochs", "2", "--out", out]
        let cases: [([String], String)] = [
            (small + ["--p", "1.2"], "1.2"), (["simulate", "--d", "100", "--n", "0", "--steps", "4", "--epochs", "2", "--out", out], "n must"),
            (["simulate", "--d", "100", "--n", "4", "--steps", "7", "--epochs", "2", "--out", out], "steps"), (small + ["--protocol", "sgd"], "sgd"),
            (["simulate", "--d", "10", "--n", "8", "--steps", "4", "--out", out], "d must be"), (["simulate", "--d", "19", "--n", "8", "--steps", "4", "--out", out], "d ≥ 2n + 4"),
            (small + ["--lr=-1"], "-1"), (small + ["--sigma", "nan"], "nan"), (small + ["--seeds", "0"], "seeds"),
            (small + ["--k", "20"], "k must"), (small + ["--samples", "1"], "samples"), (small + ["--planted", "nan"], "nan"),
            (["bench", "--fast-epochs", "0"], "fast-epochs"), (["bench", "--precision", "half"], "half"),
        ]
        try assertOneLineErrors(cases)
    }

    /// simulate writes one row per (seed, snapshot, grid time) with the shared keys, prints JSON
    /// means across seeds, and an interrupted file resumes to the identical result.
    func testSimulateWritesAndResumes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pf-sim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["simulate", "--d", "60", "--n", "6", "--steps", "4", "--epochs", "30", "--seeds", "3",
                         "--record-every", "10", "--samples", "40", "--out", directory.path, "--format", "json"]
        let full = try phaseflow(arguments)
        XCTAssertEqual(full.status, 0, full.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        for key in ["tau", "t", "phase", "c", "c_se", "b", "m", "m_se", "omega", "q", "r", "uw", "loss", "p_hat", "p_hat_se",
                    "sigma_hat", "sigma_hat_se", "d", "n", "p", "sigma", "k", "steps", "epochs", "protocol", "weight_decay"] {
            XCTAssertNotNil(rows[0][key], key)
        }
        XCTAssertEqual(rows[0]["seeds"] as? Int, 3)
        let csv = directory.appendingPathComponent("rows.csv")
        let complete = try Data(contentsOf: csv)
        let lines = String(decoding: complete, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, 1 + 3 * 4 * 4)  // header + seeds × snapshots (0, 10, 20, 30) × K
        // Interrupt: keep the first 60 % of the bytes (a torn block); resume must give the same file.
        try complete.prefix(complete.count * 3 / 5).write(to: csv)
        let resumed = try phaseflow(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("torn"), resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: csv), complete)
        XCTAssertEqual(resumed.stdout, full.stdout)
    }

    /// Online protocol from a planted, aligned start without generation (--samples 0): the CSV
    /// records the order parameters with empty p̂ cells, stdout has no p̂, the start is exact.
    func testSimulateOnlineWithoutSamples() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pf-sim0-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try phaseflow(["simulate", "--d", "60", "--n", "1", "--steps", "4", "--epochs", "20", "--seeds", "2",
                                    "--protocol", "online", "--init", "theory", "--planted", "0.25", "--aligned-start",
                                    "--samples", "0", "--record-every", "20", "--out", directory.path, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        XCTAssertNil(rows[0]["p_hat"])
        let lines = try String(contentsOf: directory.appendingPathComponent("rows.csv"), encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
        let header = lines[0].split(separator: ",").map(String.init)
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let cell = { (key: String) in first[header.firstIndex(of: key)!] }
        XCTAssertEqual(lines.count, 1 + 2 * 2 * 4)
        XCTAssertEqual(cell("epoch"), "0")
        XCTAssertEqual(try XCTUnwrap(Double(cell("m"))), 0.25, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Double(cell("omega"))), 0.25, accuracy: 1e-12)
        XCTAssertEqual(cell("p_hat"), "")
        XCTAssertEqual(cell("planted"), "0.25")
        XCTAssertEqual(cell("aligned_start"), "1")
    }

    /// bench prints the four timing keys.
    func testBenchJSON() throws {
        let result = try phaseflow(["bench", "--d", "120", "--n", "8", "--steps", "4", "--fast-epochs", "2",
                                    "--dense-epochs", "1", "--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        for key in ["epoch_seconds", "dense_epoch_seconds", "speedup", "protocol_minutes"] {
            XCTAssertGreaterThan(try XCTUnwrap(rows[0][key] as? Double), 0, key)
        }
    }
}
