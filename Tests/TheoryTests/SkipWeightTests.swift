import FlowModel
import Foundation
import GSLKit
@testable import Theory
import XCTest

/// FD.1–FD.3 (derivations/finite-d-corrections.md) at large n, where the minimiser of the exact
/// finite-d objective is the exact denoiser (AT.8): c → βσ²/v at every τ, phase 1 and 2.
final class SkipWeightTests: XCTestCase {
    func testStationarySkipWeightIsTheExactDenoisersAtLargeN() throws {
        let d = 1000.0
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 1e6), penaltyU: 2, penaltyW: 2)
        var theory = try AutoencoderTheory(problem: problem, k: 2, dimension: try FlowModel.Dimension(d))
        theory.finiteDReduced = true
        for tau in [0.5, 1.0, 1.5] {
            let row = try theory.parameters(at: tau)
            let exact = theory.closedForm(at: tau)
            print("FD.1 at n = 1e6, d = 1000, τ = \(tau): c = \(row.c), exact denoiser \(exact.c)")
            XCTAssertEqual(row.c, exact.c, accuracy: 1e-3 * max(exact.c, 1e-2), "τ = \(tau)")
        }
    }
}
