import FlowModel
import Foundation
import XCTest
import Theory

/// `phaseflow dynamics finite-n` as a user runs it (the equations themselves: DynamicsTests).
final class DynamicsFiniteNCommandLineTests: XCTestCase {
    let p = 0.8, sigma = 1.0, k = 2.0, penalty = 2.0

    /// `phaseflow dynamics finite-n`: one-line errors for bad n and incompatible flags; at d = ∞ the last
    /// row is the static finite-n theory; at finite d the loss J/n falls.
    func testDynamicsCommandWithFiniteN() throws {
        let bad: [([String], String)] = [
            (["--n", "0"], "n must"), (["--n", "2.5"], "2.5"), (["--n", "abc"], "abc"), (["--n", "nan"], "nan"),
            (["--n=-3"], "-3"), (["--n", "1e6"], "n must"), (["--n", "4", "--training", "sgd"], "--training"),
            (["--n", "4", "--simulate", "2"], "--simulate"), (["--n", "4", "--penalty-u=-1"], "penalty-u"),
            (["--n", "4", "--penalty-w", "inf"], "penalty-w"), (["--n", "4", "--m0", "0.1"], "--m0"),
        ]
        try assertOneLineErrors(bad.map { (["dynamics", "finite-n", "--tau", "0.5"] + $0.0, $0.1) })
        func rows(_ arguments: [String]) throws -> [[String: Any]] {
            let result = try phaseflow(["dynamics", "finite-n", "--format", "json", "--penalty-u", "2", "--penalty-w", "2", "--lr", "1"] + arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        }
        let limit = try rows(["--n", "32", "--d", "inf", "--tau", "0.5", "--time-max", "200", "--time-points", "4"])
        for key in ["tau", "t", "phase", "time", "c", "b", "m", "omega", "q", "r", "uw", "loss", "unit_balance", "sigma_from_c",
                    "d", "p", "sigma", "k", "lr", "penalty_u", "penalty_w", "training", "n", "n_plus", "data_seed"] {
            XCTAssertNotNil(limit[0][key], key)
        }
        XCTAssertEqual(limit[0]["n"] as? Int, 32)
        XCTAssertEqual(limit[0]["n_plus"] as? Int, 26)
        let problem = try AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: 32), nPlus: 26, penaltyU: penalty, penaltyW: penalty)
        let expected = try AutoencoderTheory(problem: problem, k: k).parameters(at: 0.5)
        let last = try XCTUnwrap(limit.last)
        for (key, value) in [("b", expected.b), ("m", expected.m), ("omega", expected.omega), ("r", expected.r), ("q", expected.q)] {
            XCTAssertEqual(try XCTUnwrap(last[key] as? Double), value, accuracy: 1e-6, key)
        }
        let finite = try rows(["--n", "8", "--d", "500", "--tau", "0.5", "--time-max", "20", "--time-points", "4"])
        let losses = finite.compactMap { $0["loss"] as? Double }
        XCTAssertEqual(losses.count, 5)
        for (a, b) in zip(losses, losses.dropFirst()) { XCTAssertLessThan(b, a) }
    }
}
