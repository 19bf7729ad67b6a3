import Foundation
import XCTest
import FlowModel
import Theory

/// `phaseflow theory`, `predict` and `boundaries` as a user runs them.
final class AutoencoderCommandLineTests: XCTestCase {
    private func json(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try phaseflow(arguments + ["--format", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// Every row holds τ, t, the phase and every order parameter, plus the inputs under their flag
    /// names; τ_j = j/points joins a simulation's grid exactly; n = inf gives the closed forms.
    func testTheoryTableVocabulary() throws {
        let rows = try json(["theory", "--d", "inf", "--n", "64", "--points", "8"])
        XCTAssertEqual(rows.count, 16)
        for (j, row) in rows.enumerated() {
            for key in ["tau", "t", "phase", "c", "b", "m", "omega", "q", "r", "uw", "rho_plus", "rho_minus", "pi_plus", "pi_minus",
                        "converged", "d", "n", "p", "sigma", "k", "penalty_u", "penalty_w"] {
                XCTAssertNotNil(row[key], key)
            }
            XCTAssertEqual(row["tau"] as? Double, Double(j) / 8)
            XCTAssertEqual(row["phase"] as? Int, j <= 8 ? 1 : 2)   // τ = 1 is the top of phase 1 (S = k)
            XCTAssertEqual(row["converged"] as? Int, 1)
            XCTAssertEqual(row["n"] as? Int, 64)
            XCTAssertEqual(row["d"] as? String, "inf")
        }
        let closed = try json(["theory", "--d", "inf", "--n", "inf", "--points", "4"])
        XCTAssertEqual(try XCTUnwrap(closed[5]["c"] as? Double), 0.4, accuracy: 1e-12)     // τ = 1.25
        XCTAssertEqual(try XCTUnwrap(closed[2]["omega"] as? Double), 1, accuracy: 1e-12)   // τ = 0.5: kτ
        XCTAssertEqual(closed[0]["n"] as? String, "inf")
    }

    /// `predict` at n = inf returns p̂ = p (continuous) and the grid close to it.
    func testPredictAtInfiniteN() throws {
        let rows = try json(["predict", "--d", "inf", "--n", "inf", "--steps", "80"])
        XCTAssertEqual(rows.map { $0["integrator"] as? String }, ["continuous", "grid"])
        XCTAssertEqual(try XCTUnwrap(rows[0]["p_hat"] as? Double), 0.8, accuracy: 1e-7)
        XCTAssertEqual(try XCTUnwrap(rows[0]["sigma_hat"] as? Double), 1, accuracy: 1e-7)
        XCTAssertEqual(try XCTUnwrap(rows[1]["p_hat"] as? Double), 0.8, accuracy: 0.01)
        let finite = try json(["predict", "--n", "32", "--d", "10000", "--schedule", "linear", "--steps", "50"])
        XCTAssertGreaterThan(try XCTUnwrap(finite[0]["p_hat"] as? Double), 0.85)
    }

    /// Bad input: one line naming the value, non-zero exit, nothing on stdout.
    func testInvalidInputsGiveOneLineErrors() throws {
        let cases: [([String], String)] = [
            (["theory", "--p", "1.5"], "1.5"), (["theory", "--sigma", "0"], "sigma"), (["theory", "--n", "0"], "'0' is invalid for '--n"),
            (["theory", "--n", "nan"], "nan"), (["theory", "--penalty-u", "-1"], "penalty-u"), (["theory", "--penalty-w", "inf"], "penalty-w"),
            (["theory", "--k", "0"], "k"), (["theory", "--points", "0"], "points"), (["theory", "--format", "xml"], "xml"),
            (["theory", "--n", "10", "--n-plus", "12"], "n-plus"), (["theory", "--d", "0.5"], "d must"),
            (["theory", "--n", "abc"], "abc"),
            (["predict", "--d", "inf", "--schedule", "linear"], "linear"), (["predict", "--d", "inf", "--steps", "3"], "steps"),
            (["predict", "--d", "1000", "--integrator", "continuous"], "continuous"), (["predict", "--schedule", "cosine"], "cosine"),
            (["boundaries", "--ns", "1"], "ns"), (["boundaries", "--ps", "1"], "ps"),
        ]
        try assertOneLineErrors(cases)
    }
}

/// The theory `theory --finite-d-corrections` prints: FD.1–FD.8, the learned branch wherever it exists.
private func correctedTheory(d: Int, penalty: Double) throws -> AutoencoderTheory {
    var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), penaltyU: penalty, penaltyW: penalty),
                                       k: 2, dimension: .finite(d))
    theory.finiteDReduced = true
    theory.branchRule = .learnedIfExists
    return theory
}

/// `theory --finite-d-corrections` prints the theory `compare` tests (FD.1–FD.8): the same numbers as
/// the library's corrected table, with the per-point slope; d = inf is refused in one line.
final class FiniteDCorrectionsCommandTests: XCTestCase {
    func testCorrectedTableIsTheLibrarysAndNeedsFiniteD() throws {
        // The command and the library's table, computed independently, at the same time.
        let (result, table) = try phaseflow(["theory", "--d", "2000", "--n", "128", "--penalty-u", "0.2", "--penalty-w", "0.2",
                                             "--points", "4", "--finite-d-corrections", "--format", "json"],
                                            alongside: { try correctedTheory(d: 2000, penalty: 0.2).table(pointsPerPhase: 4) })
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, table.count)
        for (row, expected) in zip(rows, table) {
            XCTAssertEqual(try XCTUnwrap(row["omega"] as? Double), expected.omega, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(row["point_slope"] as? Double), expected.pointSlope, accuracy: 1e-12)
        }
        let phaseTwo = try XCTUnwrap(rows[6]["point_slope"] as? Double)   // τ = 1.5
        XCTAssertGreaterThan(phaseTwo, 0, "the slope along each point's μ-noise is positive in phase 2 (FD.7)")
        let refused = try phaseflow(["theory", "--d", "inf", "--finite-d-corrections"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("d = inf"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
    }
}

/// `theory --adam-lr` prints Adam's stationary state (AD.4): the library's table with the bulk variances,
/// r = its learned part + δr; bad values and d = inf are refused in one line.
final class AdamStationaryCommandTests: XCTestCase {
    func testAdamTableIsTheLibrarysAndBadInputIsRefused() throws {
        // The command, the library's minimiser and its Adam table (AD.4): three independent solves at once.
        let minimiserTheory = try correctedTheory(d: 1000, penalty: 0.4)
        var theory = minimiserTheory
        theory.adamLearningRate = 0.01
        let (result, tables) = try phaseflow(["theory", "--d", "1000", "--n", "128", "--penalty-u", "0.4", "--penalty-w", "0.4",
                                              "--points", "2", "--finite-d-corrections", "--adam-lr", "0.01", "--format", "json"],
                                             alongside: { try parallelMap([minimiserTheory, theory]) { try $0.table(pointsPerPhase: 2) } })
        let minimiser = tables[0], table = tables[1]
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, table.count)
        for (row, expected) in zip(rows, table) {
            XCTAssertEqual(try XCTUnwrap(row["omega"] as? Double), expected.omega, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(row["bulk_r"] as? Double), expected.bulk.r, accuracy: 1e-12)
        }
        // τ = ½: the bulk is a finite share of r, and ω sits above the minimiser's (AD.4).
        XCTAssertGreaterThan(table[1].bulk.r, 0.01)
        XCTAssertGreaterThan(table[1].omega, minimiser[1].omega * 1.05)
        for bad in [["--adam-lr", "0"], ["--adam-lr", "nan"], ["--adam-lr", "0.01", "--d", "inf"]] {
            let refused = try phaseflow(["theory"] + bad)
            XCTAssertNotEqual(refused.status, 0, bad.joined(separator: " "))
            XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        }
    }
}
