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
            let raw = try csv(out + "/rows.csv").filter { $0["d"] == "\(d)" }
            let fractions = Set(raw.map { $0["seed"]! + " " + $0["n_plus_fraction"]! }).map { Double($0.split(separator: " ")[1])! }
            XCTAssertEqual(fractions.count, 2)
            let theories = try parallelMap(fractions) { fraction in   // independent solves, on all cores
                let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 16), nPlus: (fraction * 16).rounded(), penaltyU: 2, penaltyW: 1)
                var theory = try AutoencoderTheory(problem: problem, k: 2, dimension: .finite(d))
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
        // Resume of a complete run: nothing retrained, the same table; a hand-edited row is refused
        // (its block's CRC fails) with the file left untouched.
        let rawURL = URL(fileURLWithPath: out + "/rows.csv")
        let before = try Data(contentsOf: rawURL)
        let resumed = try phaseflow(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, first.stdout)
        XCTAssertEqual(try Data(contentsOf: rawURL), before)
        var text = String(decoding: before, as: UTF8.self)
        let cell = try XCTUnwrap(text.range(of: ",0.5,"))
        text.replaceSubrange(cell, with: ",0.25,")
        try Data(text.utf8).write(to: rawURL)
        let edited = try Data(contentsOf: rawURL)
        let refused = try phaseflow(arguments + ["--resume"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertEqual(try Data(contentsOf: rawURL), edited)
    }

    private func csv(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let head = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().filter { !$0.hasPrefix("#") }.map { Dictionary(zip(head, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)),
                                                  uniquingKeysWith: { a, _ in a }) }
    }
}
