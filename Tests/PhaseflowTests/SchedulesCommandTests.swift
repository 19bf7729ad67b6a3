import Foundation
import XCTest

/// `phaseflow schedules` as a user runs it, on the committed 8×8 digits.
final class SchedulesCommandTests: XCTestCase {
    func testSchedulesCommand() throws {
        let digits = ["schedules", "--dataset", "digits", "--pca", "16"]
        try assertOneLineErrors([
            (digits + ["--interval", "0.3,0.2"], "0.3,0.2"), (digits + ["--interval", "sometime"], "sometime"),
            (digits + ["--densities", "edm", "uniform"], "uniform"), (digits + ["--interval", "0.1,0.2", "--densities", "uniform", "cosine"], "cosine"),
            (digits + ["--interval", "0.1,0.2", "--budgets", "300", "100"], "300"), (digits + ["--interval", "0.1,0.2", "--fraction", "1.5"], "1.5"),
            (digits + ["--interval", "0.1,0.2", "--seeds", "0"], "seeds"), (digits + ["--interval", "0.1,0.2", "--samples", "3"], "samples"),
            (["schedules", "--dataset", "mnist", "--data-path", "/nonexistent/mnist.csv.gz"], "/nonexistent/mnist.csv.gz"),
        ])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-schedules-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try phaseflow(digits + ["--seeds", "2", "--budgets", "20", "60", "--samples", "100", "--hidden", "32",
                                          "--batch", "32", "--sampler-steps", "8", "--format", "csv", "--out", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 5 * 2)   // five default schedules × two budgets
        XCTAssertTrue(lines[0].hasPrefix("schedule,budget,feature_error,feature_error_se"))
        for file in ["schedules_summary.csv", "schedules_runs.csv", "schedules_steps_to_target.csv", "schedules.gp"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let runs = try String(contentsOf: out.appendingPathComponent("schedules_runs.csv"), encoding: .utf8)
        XCTAssertEqual(runs.split(separator: "\n").count, 1 + 5 * 2 * 2)
        XCTAssertTrue(run.stderr.contains("zero-shot interval"))

        // --sample-grid: the same rows on stdout, and a picture per budget; a resume (every run done,
        // so the first seed's runs are trained again for the pictures) writes the same grey levels.
        try assertOneLineErrors([(digits + ["--interval", "0.1,0.2", "--sample-grid", "4"], "--out"),
                                 (digits + ["--interval", "0.1,0.2", "--sample-grid", "65", "--out", out.path + "-none"], "65")])
        let pictures = out.appendingPathComponent("pictures")
        let arguments = digits + ["--seeds", "2", "--budgets", "20", "60", "--samples", "100", "--hidden", "32", "--batch", "32",
                                  "--sampler-steps", "8", "--format", "csv", "--sample-grid", "6", "--out", pictures.path]
        let drawn = try phaseflow(arguments)
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        XCTAssertEqual(drawn.stdout, run.stdout)
        var first = [Data]()
        for budget in [20, 60] {
            for ext in ["dat", "gp", "png"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: pictures.appendingPathComponent("samples_budget\(budget).\(ext)").path), "\(budget) \(ext)")
            }
            let data = try Data(contentsOf: pictures.appendingPathComponent("samples_budget\(budget).dat"))
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
            XCTAssertEqual(lines.count, 7 * 8 + 6 * 2)   // held-out, held-out in PCA, five schedules; 8×8 images, gaps of 2
            XCTAssertTrue(lines.allSatisfy { $0.split(separator: " ").count == 6 * 8 + 5 * 2 })
            first.append(data)
        }
        XCTAssertNotEqual(first[0], first[1], "the budgets drew the same picture")
        let resumed = try phaseflow(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, run.stdout)
        for (budget, data) in zip([20, 60], first) {
            XCTAssertEqual(try Data(contentsOf: pictures.appendingPathComponent("samples_budget\(budget).dat")), data, "budget \(budget)")
        }
    }

    /// `window --model trained`: pilots from FlowMatching in place of the Gaussian model.
    func testWindowWithTrainedPilots() throws {
        try assertOneLineErrors([(["window", "--dataset", "digits", "--model", "trained", "--pilot-steps", "0"], "pilot")])
        let run = try phaseflow(["window", "--dataset", "digits", "--pca", "16", "--model", "trained", "--pilot-seeds", "2",
                                 "--pilot-steps", "600", "--sampler-steps", "24", "--images", "40", "--noise-draws", "2",
                                 "--bootstrap", "30", "--format", "csv"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        guard lines.count == 3 else { return XCTFail("expected a header and two windows: \(run.stdout) \(run.stderr)") }
        let keys = lines[0].split(separator: ",").map(String.init)
        for line in lines.dropFirst() {
            let values = line.split(separator: ",").map(String.init)
            let t = ["t10", "t50", "t90"].map { Double(values[keys.firstIndex(of: $0)!])! }
            XCTAssertLessThan(t[0], t[1]); XCTAssertLessThan(t[1], t[2])
        }
    }
}
