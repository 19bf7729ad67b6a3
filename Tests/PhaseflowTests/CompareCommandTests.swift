import Foundation
import XCTest
import FlowModel
import Theory

/// `phaseflow compare` and `phaseflow reproduce` end to end.
final class CompareCommandTests: XCTestCase {
    /// Bad input: non-zero exit, one line on stderr naming the problem.
    func testCompareRejectsBadInput() throws {
        let cases: [([String], String)] = [
            (["--seeds", "1"], "seeds"), (["--protocol", "online", "--seeds", "2"], "online"),
            (["--dims", "0", "--seeds", "2"], "dims must"), (["--p", "1.5", "--seeds", "2"], "1.5"),
            (["--dims", "100", "--seeds", "2", "--n", "64", "--protocol", "adam"], "d ≥ 2n + 4"),
            (["--dims", "100", "--seeds", "2", "--n", "100"], "n + 4"),
            (["--dims", "100", "--seeds", "2", "--decompose"], "--decompose needs --protocol adam"),
            (["--dims", "1e9", "--seeds", "2"], "GiB"),
        ]
        try assertOneLineErrors(cases.map { (["compare", "--out", NSTemporaryDirectory() + "pf-cmp-bad-\(UUID())"] + $0.0, $0.1) })
        let reproduce = try phaseflow(["reproduce", "--dims", "500"])
        XCTAssertNotEqual(reproduce.status, 0)
        XCTAssertTrue(reproduce.stderr.contains("dims"), reproduce.stderr)
    }

    /// The theory columns are the finite-d theory (AT.31–AT.34, AT.20) at each seed's own n₊ and the
    /// gd penalties, averaged over seeds; the z columns are (simulation − theory)/SE; a resumed run
    /// keeps the simulations on disk and recomputes the table from them.
    func testCompareTheoryColumnsAndResume() throws {
        let out = NSTemporaryDirectory() + "pf-cmp-\(UUID())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let arguments = ["compare", "--dims", "100", "200", "--n", "16", "--steps", "4", "--epochs", "20", "--seeds", "2",
                         "--protocol", "gd", "--penalty-u", "2", "--penalty-w", "1", "--samples", "16", "--out", out]
        let first = try phaseflow(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("max |sim − theory| ∝ d^a"), first.stderr)
        let table = try csv(out + "/compare.csv")
        XCTAssertEqual(table.count, 2 * 4)
        for d in [100, 200] {
            // n₊ of each seed's training set, from the raw simulation rows.
            let raw = try csv(out + "/d\(d)/simulate.csv")
            let fractions = Set(raw.map { $0["seed"]! + " " + $0["n_plus_fraction"]! }).map { Double($0.split(separator: " ")[1])! }
            XCTAssertEqual(fractions.count, 2)
            let theories = try fractions.map { fraction in
                let problem = try AutoencoderProblem(p: 0.8, sigma: 1, n: 16, nPlus: (fraction * 16).rounded(), penaltyU: 2, penaltyW: 1)
                var theory = try AutoencoderTheory(problem: problem, k: 2, dimension: Double(d))
                theory.finiteDReduced = true   // compare uses the finite-d corrections (FD.1–FD.3)
                return try theory.table(at: [0, 0.5, 1, 1.5])
            }
            let rows = table.filter { $0["d"] == "\(d)" }
            XCTAssertEqual(rows.map { Double($0["tau"]!)! }, [0, 0.5, 1, 1.5])
            for (j, row) in rows.enumerated() {
                XCTAssertEqual(Double(row["c_theory"]!)!, (theories[0][j].c + theories[1][j].c) / 2, accuracy: 1e-9)
                XCTAssertEqual(Double(row["m_theory"]!)!, (theories[0][j].m + theories[1][j].m) / 2, accuracy: 1e-9)
                let z = (Double(row["m"]!)! - Double(row["m_theory"]!)!) / Double(row["m_se"]!)!
                XCTAssertEqual(Double(row["m_z"]!)!, z, accuracy: 1e-9 * max(1, abs(z)))
            }
        }
        // Resume: plant a recognisable m in seed 1's row at (d = 100, τ = 0.5); a resumed run must keep
        // it (no retraining) and average it into the table.
        let rawURL = URL(fileURLWithPath: out + "/d100/simulate.csv")
        var lines = try String(contentsOf: rawURL, encoding: .utf8).split(separator: "\n").map(String.init)
        let head = lines[0].split(separator: ",").map(String.init)
        let (seedCol, tauCol, mCol) = (head.firstIndex(of: "seed")!, head.firstIndex(of: "tau")!, head.firstIndex(of: "m")!)
        var other = 0.0
        for i in lines.indices.dropFirst() {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells[tauCol] == "0.5" else { continue }
            if cells[seedCol] == "1" { cells[mCol] = "0.123456"; lines[i] = cells.joined(separator: ",") } else { other = Double(cells[mCol])! }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: rawURL, atomically: true, encoding: .utf8)
        let resumed = try phaseflow(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(try String(contentsOf: rawURL, encoding: .utf8).contains(",0.123456,"), "the resumed run retrained")
        let row = try XCTUnwrap(try csv(out + "/compare.csv").first { $0["d"] == "100" && $0["tau"] == "0.5" })
        XCTAssertEqual(Double(row["m"]!)!, (0.123456 + other) / 2, accuracy: 1e-12)
    }

    private func csv(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let head = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { Dictionary(zip(head, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)),
                                                  uniquingKeysWith: { a, _ in a }) }
    }
}
