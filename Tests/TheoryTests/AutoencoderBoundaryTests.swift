import FlowModel
import GSLKit
import Foundation
import XCTest
@testable import Theory

/// The phase-1 boundary (§6): continuation + root finding against independent criteria.
final class AutoencoderBoundaryTests: XCTestCase {
    /// Symmetric case p = ½ (n₊ = n₋), where the non-trivial branch bifurcates from w = 0 on the
    /// line b = 0: the end of the branch found by continuation (1-D minimisation along b = 0,
    /// bisection on W* > 1e-4), the sign change of the numerical curvature at w = 0 (Brent), and
    /// the closed form (n + σ²) kτ_c = √(L_u L_w) (AT.40) coincide.
    func testContinuationEqualsCurvatureCriterionInSymmetricCase() throws {
        let moments = try TanhMoments()
        for (n, l, sigma) in [(16.0, 40.0, 1.0), (32, 50, 0.7)] {
            let problem = try AutoencoderProblem(setup: Setup(p: 0.5, sigma: sigma, n: n), penaltyU: l, penaltyW: l)
            let closed = PhaseOneBoundary.symmetricBifurcation(problem)
            let curvature = try PhaseOneBoundary.symmetricCurvatureRoot(problem, moments: moments, lower: 0.5 * closed, upper: 2 * closed)
            let continuation = try PhaseOneBoundary.symmetricBranchEnd(problem, moments: moments, lower: 0.5 * closed, upper: 2 * closed)
            XCTAssertEqual(curvature, closed, accuracy: 1e-4 * closed)
            XCTAssertEqual(continuation, closed, accuracy: 1e-3 * closed)
        }
    }

    /// p = 0.8: the first-order boundary kτ* from continuation + Brent (F_branch = F_triv) agrees
    /// with a grid search of the whole (W, b_eff) plane (no continuation, no minimiser), bisected
    /// in kτ; and the trivial branch's curvature in W is positive there (AT.37: no curvature
    /// criterion for p ≠ ½).
    func testFirstOrderBoundaryAgreesWithGridSearch() throws {
        let moments = try TanhMoments()
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 16), penaltyU: 2, penaltyW: 2)
        let crossing = try PhaseOneBoundary.signal(problem, moments: moments, from: 2, step: 0.1)
        var (lo, hi) = (0.05, 2.0)
        for _ in 0..<14 {
            let mid = (lo + hi) / 2
            if PhaseOneBoundary.gridBeatsTrivial(problem, signal: mid, moments: moments, cells: 60) { hi = mid } else { lo = mid }
        }
        XCTAssertEqual(crossing.value, (lo + hi) / 2, accuracy: 0.01, "continuation \(crossing.value), grid \((lo + hi) / 2)")
        XCTAssertGreaterThan(crossing.value, 0.2)
    }
}
