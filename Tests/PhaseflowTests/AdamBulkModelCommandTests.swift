import Foundation
import XCTest
import FlowModel
import Theory

/// `--adam-bulk-model` (derivations/adam-offset.md §9): `theory --adam-lr` and `compare --protocol adam` evaluate
/// AD.4 with the chosen model of Adam's fluctuations; the default (AD.14–AD.19, `AdamBulk.Model.standard`) is the
/// library's and names no model; the flag is refused where no Adam theory is built; a compare run records a non-default model
/// as a setting its resume must repeat.
final class AdamBulkModelCommandTests: XCTestCase {
    /// §9's setting: d = 500, seed 1's n₊ = 102, L = Kλd/2 = 0.2 (K = 8, λ = 10⁻⁴), lr 0.01, τ = j/4.
    static let theoryArguments = ["theory", "--d", "500", "--n", "128", "--n-plus", "102", "--penalty-u", "0.2", "--penalty-w", "0.2",
                                  "--points", "4", "--finite-d-corrections", "--adam-lr", "0.01", "--format", "json"]

    func testTheoryRowsAreTheLibrarysModelAndDifferAsInSection9() throws {
        var base = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), nPlus: 102, penaltyU: 0.2, penaltyW: 0.2),
                                           k: 2, dimension: .finite(500))
        base.finiteDReduced = true
        base.branchRule = .learnedIfExists
        base.adamLearningRate = 0.01
        let theory = base, models: [AdamBulk.Model] = [.isotropic, .offsets, .preconditioned]
        // The library's three tables (independent solves, on all cores) while the command prints the default's.
        let (plain, tables) = try phaseflow(Self.theoryArguments, alongside: {
            try parallelMap(models) { model in var t = theory; t.adamBulkModel = model; return try t.table(pointsPerPhase: 4) }
        })
        XCTAssertEqual(plain.status, 0, plain.stderr)
        // The default is the flag's preconditioned, byte for byte, and names no model.
        let explicit = try phaseflow(Self.theoryArguments + ["--adam-bulk-model", "preconditioned"])
        XCTAssertEqual(explicit.stdout, plain.stdout)
        XCTAssertFalse(plain.stdout.contains("adam_bulk_model"))
        var m175 = [Double]()
        for (model, table) in zip(models, tables) {
            let out = model == .standard ? plain : try phaseflow(Self.theoryArguments + ["--adam-bulk-model", model.name])
            XCTAssertEqual(out.status, 0, out.stderr)
            let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
            XCTAssertEqual(rows.count, table.count)
            for (row, expected) in zip(rows, table) {
                for (key, value) in [("m", expected.m), ("q", expected.q), ("omega", expected.omega), ("r", expected.r), ("bulk_r", expected.bulk.r)] {
                    XCTAssertEqual(try XCTUnwrap(row[key] as? Double), value, accuracy: 1e-12 * max(1, abs(value)), "\(model.name) \(key) τ = \(expected.tau)")
                }
                if model != .standard { XCTAssertEqual(row["adam_bulk_model"] as? String, model.name) }
            }
            let last = try XCTUnwrap(table.last)
            XCTAssertEqual(last.tau, 1.75, accuracy: 1e-12)
            m175.append(last.m)
        }
        // adam-offset.md §9–§10 at d = 500, τ = 1.75: the offsets of w's span(μ, X₁) (AD.15) lower m well below AD.4's,
        // and Adam's larger preconditioner there (AD.16–AD.17) halves those offsets, giving part of it back.
        XCTAssertGreaterThan(m175[0] - m175[2], 0.01, "AD.4 above the preconditioned model")
        XCTAssertGreaterThan(m175[2] - m175[1], 0.003, "the preconditioned model above the offsets")
    }

    func testFlagIsRefusedWithoutAnAdamTheory() throws {
        let out = NSTemporaryDirectory() + "pf-abm-bad-\(UUID())"
        let small = ["--dims", "100", "--n", "16", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "4", "--out", out]
        try assertOneLineErrors([
            (["theory", "--d", "500", "--adam-bulk-model", "offsets"], "needs --adam-lr"),
            (["theory", "--d", "500", "--adam-lr", "0.01", "--adam-bulk-model", "split"], "split"),
            (["compare"] + small + ["--adam-bulk-model", "offsets"], "needs --protocol adam"),
            (["compare"] + small + ["--protocol", "gd", "--adam-bulk-model", "isotropic"], "needs --protocol adam"),
            (["compare"] + small + ["--protocol", "adam", "--decompose", "--adam-bulk-model", "offsets"], "--decompose"),
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// The simulation does not depend on the model (rows.csv identical); the theory columns do, and a non-default
    /// model is a setting of the run: a resume without it, or a default run resumed with it, is refused.
    func testCompareRecordsTheModelAndResumeMustRepeatIt() throws {
        let root = NSTemporaryDirectory() + "pf-abm-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let arguments = ["compare", "--dims", "100", "--n", "16", "--steps", "4", "--epochs", "20", "--seeds", "2", "--protocol", "adam",
                         "--samples", "16", "--threads", "1"]
        let plain = try phaseflow(arguments + ["--out", root + "/plain"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let chosen = try phaseflow(arguments + ["--out", root + "/isotropic", "--adam-bulk-model", "isotropic"])
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/plain/rows.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: root + "/isotropic/rows.csv")))
        func settings(_ name: String) throws -> [String: String] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/\(name)/manifest.json"))) as? [String: Any]
            let list = try XCTUnwrap(json?["settings"] as? [[String: String]])
            return Dictionary(list.map { ($0["key"]!, $0["value"]!) }, uniquingKeysWith: { a, _ in a })
        }
        XCTAssertNil(try settings("plain")["adam_bulk_model"])
        XCTAssertEqual(try settings("isotropic")["adam_bulk_model"], "isotropic")
        let summary = try String(contentsOfFile: root + "/isotropic/summary.csv", encoding: .utf8)
        XCTAssertTrue(summary.contains("adam_bulk_model") && summary.contains(",isotropic,"), summary)
        XCTAssertFalse(try String(contentsOfFile: root + "/plain/summary.csv", encoding: .utf8).contains("adam_bulk_model"))
        // compare's theory at τ = 1.5 (phase 2) is the library's with that model at each seed's n₊, averaged over the seeds
        // (lr 0.01, L = Kλd/2 = 0.002); the default's differs from it.
        let raw = try csv(root + "/isotropic/rows.csv")
        let fractions = Set(raw.map { $0["seed"]! + " " + $0["n_plus_fraction"]! }).map { Double($0.split(separator: " ")[1])! }
        XCTAssertEqual(fractions.count, 2)
        let m = try parallelMap(fractions) { fraction in
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 16), nPlus: (fraction * 16).rounded(), penaltyU: 0.002, penaltyW: 0.002)
            var theory = try AutoencoderTheory(problem: problem, k: 2, dimension: .finite(100))
            theory.finiteDReduced = true; theory.branchRule = .learnedIfExists
            theory.adamLearningRate = 0.01; theory.adamBulkModel = .isotropic
            return try theory.table(at: [1.5])[0].m
        }
        let rows = try csv(root + "/isotropic/compare.csv"), plainRows = try csv(root + "/plain/compare.csv")
        let row = try XCTUnwrap(rows.first { Double($0["tau"]!) == 1.5 }), plainRow = try XCTUnwrap(plainRows.first { Double($0["tau"]!) == 1.5 })
        XCTAssertEqual(row["adam_bulk_model"], "isotropic")
        XCTAssertEqual(Double(row["m_theory"]!)!, (m[0] + m[1]) / 2, accuracy: 1e-9)
        XCTAssertNotEqual(Double(plainRow["m_theory"]!)!, Double(row["m_theory"]!)!)
        for (directory, extra) in [("plain", ["--adam-bulk-model", "offsets"]), ("isotropic", [])] {
            let refused = try phaseflow(arguments + ["--out", root + "/" + directory, "--resume"] + extra)
            XCTAssertNotEqual(refused.status, 0, directory)
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("adam_bulk_model"), refused.stderr)
        }
        let resumed = try phaseflow(arguments + ["--out", root + "/isotropic", "--resume", "--adam-bulk-model", "isotropic"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, chosen.stdout)
    }

    private func csv(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let head = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().filter { !$0.hasPrefix("#") }.map {
            Dictionary(zip(head, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)), uniquingKeysWith: { a, _ in a })
        }
    }
}
