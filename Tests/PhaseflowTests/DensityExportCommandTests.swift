import Foundation
import XCTest

/// `window --export-density` and `schedules --seed/--seeds/--resample-split/--export-density` as a
/// user runs them, on the committed 8×8 digits.
final class DensityExportCommandTests: XCTestCase {
    func testWindowExportsTheAdaptiveDensityOnItsInterval() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-density-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("density.json")
        let window = ["window", "--dataset", "digits", "--pca", "16", "--sampler-steps", "30", "--bootstrap", "30", "--noise-draws", "1"]
        try assertOneLineErrors([(window + ["--export-density", file.path, "--fraction", "1.5"], "1.5")])
        let run = try phaseflow(window + ["--export-density", file.path, "--fraction", "0.6", "--format", "csv"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let lo = try XCTUnwrap(lines.first?.firstIndex(of: "t10"), run.stdout), hi = try XCTUnwrap(lines.first?.firstIndex(of: "t90"))
        let tLo = try XCTUnwrap(lines.dropFirst().compactMap { Double($0[lo]) }.min())
        let tHi = try XCTUnwrap(lines.dropFirst().compactMap { Double($0[hi]) }.max())
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        // The interval is the union of the two start classes' windows (WindowInterval); Foundation's
        // JSON reader may round the last bit differently from Double(String).
        XCTAssertEqual(try XCTUnwrap(json["t_lo"] as? Double), tLo, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(json["t_hi"] as? Double), tHi, accuracy: 1e-15)
        XCTAssertEqual(json["fraction"] as? Double, 0.6)
        XCTAssertEqual(json["source"] as? String, "zero-shot")
        let cdfU = try XCTUnwrap(json["cdf_u"] as? [Double]), cdfT = try XCTUnwrap(json["cdf_t"] as? [Double])
        XCTAssertEqual(cdfT.count, 4)
        for (knot, expected) in zip(cdfT, [0, tLo, tHi, 1]) { XCTAssertEqual(knot, expected, accuracy: 1e-15) }
        XCTAssertEqual(cdfU[2] - cdfU[1], 0.6, accuracy: 1e-12)
        XCTAssertEqual(cdfU.last!, 1, accuracy: 1e-12)
    }

    func testSchedulesSeedsStartAtSeedAndResampleTheSplit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-seeds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let digits = ["schedules", "--dataset", "digits", "--pca", "16", "--interval", "0.1,0.3"]
        try assertOneLineErrors([
            (digits + ["--densities", "uniform", "edm", "--export-density", "/tmp/x.json"], "export-density"),
            (digits + ["--seed", "18446744073709551615", "--seeds", "2"], "seed"),
        ])
        let run = try phaseflow(digits + ["--densities", "uniform", "adaptive", "--seed", "3", "--seeds", "2", "--resample-split",
                                          "--budgets", "20", "--samples", "100", "--hidden", "16", "--batch", "32", "--sampler-steps", "8",
                                          "--export-density", dir.appendingPathComponent("adaptive.json").path,
                                          "--format", "csv", "--out", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(lines.count, 1 + 2)
        let keys = lines[0]
        for key in ["majority_bias", "majority_bias_se", "majority_bias_diff_vs_uniform", "se_covers"] { XCTAssertTrue(keys.contains(key), key) }
        for row in lines.dropFirst() { XCTAssertEqual(row[keys.firstIndex(of: "se_covers")!], "training_and_split") }
        XCTAssertTrue(run.stderr.contains("train/held-out split"), run.stderr)
        // Seeds 3 and 4, each with its own split: the SW floors (training vs held-out rows) differ.
        let runs = try String(contentsOf: dir.appendingPathComponent("schedules_runs.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let seed = runs[0].firstIndex(of: "seed")!, floor = runs[0].firstIndex(of: "sw_floor")!
        XCTAssertEqual(Set(runs.dropFirst().map { $0[seed] }), ["3", "4"])
        XCTAssertEqual(Set(runs.dropFirst().map { $0[floor] }).count, 2)
        let export = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("adaptive.json"))) as? [String: Any])
        XCTAssertEqual(export["t_lo"] as? Double, 0.1)
        XCTAssertEqual(export["source"] as? String, "fixed")
    }
}
