import FlowModel
import Foundation
import XCTest
import GSLKit
@testable import Theory

/// The reductions behind AT.31: class symmetry and the memorisation solve (AT.32), and the
/// expansion of F at w = 0 (AT.38).
final class AutoencoderReductionTests: XCTestCase {
    /// AT.24 with u profiled (AT.29) and every per-point overlap π_ν free (n = 5: b, ω, π₁…π₅),
    /// minimised by Nelder–Mead from a non-symmetric start, reaches the minimum of the reduced
    /// two-variable objective AT.31; its π_ν come out class-symmetric with π_s = sσω/(2n_s) (AT.33).
    func testFreePerPointObjectiveReducesToAT31() throws {
        let (n, nPlus, sigma, lu, lw, s) = (5, 3, 0.8, 1.5, 0.7, 1.3)
        let moments = try TanhMoments()
        let signs: [Double] = (0..<n).map { $0 < nPlus ? 1 : -1 }
        func full(_ x: [Double]) -> Double {
            let (b, omega) = (x[0], x[1]), pis = Array(x[2...])
            let r = omega * omega + pis.reduce(0) { $0 + $1 * $1 }
            var sum1 = 0.0, sumSq = 0.0, sum2 = 0.0
            for nu in 0..<n {
                let m = moments.moments(mean: b + s * (signs[nu] * omega + sigma * pis[nu]), scale: r.squareRoot())
                sum1 += signs[nu] * m.first; sumSq += m.first * m.first; sum2 += m.second
            }
            return -(sum1 * sum1 + sigma * sigma * sumSq) / (lu + sum2) + lw * r      // AT.29
        }
        let start = [0.3, 0.8, 0.05, -0.02, 0.01, 0.03, -0.04]
        let result = try Minimizer.nelderMead(start: start, initialStep: start.map { _ in 0.1 }, sizeTolerance: 1e-9,
                                              maxIterations: 100_000, returnUnconverged: true, full)
        let problem = try AutoencoderProblem(setup: Setup(p: 0.6, sigma: sigma, n: Double(n)), nPlus: Double(nPlus), penaltyU: lu, penaltyW: lw)
        let objective = PhaseOneObjective(problem: problem, signal: s, moments: moments)
        let reduced = try XCTUnwrap(try PhaseOneSolver.branch(objective, start: (1, 0.3)))
        XCTAssertEqual(result.value, Double(n) * reduced.objective, accuracy: 1e-9)
        XCTAssertEqual(result.point[1], reduced.omega, accuracy: 1e-4)
        XCTAssertEqual(result.point[0], reduced.b, accuracy: 1e-4)
        for nu in 0..<n {
            XCTAssertEqual(result.point[2 + nu], nu < nPlus ? reduced.piPlus : reduced.piMinus, accuracy: 1e-4, "π_\(nu)")
        }
    }

    /// AT.38: the slope and curvature of F in W at W = 0 for fixed b (closed form) equal central
    /// differences of the quadrature objective.
    func testSlopeAndCurvatureAtZeroWidth() throws {
        let moments = try TanhMoments()
        for (p, n, l, sigma, s, b) in [(0.8, 16.0, 2.0, 1.0, 0.7, 0.4), (0.3, 40, 5, 0.6, 1.4, -0.9), (0.5, 10, 3, 1.2, 0.5, 0.2)] {
            let problem = try AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: n), penaltyU: l, penaltyW: l)
            let objective = PhaseOneObjective(problem: problem, signal: s, moments: moments)
            let e = problem.imbalance, rho = problem.widthFactor, k2 = s * s + rho
            let t = tanh(b), t1 = 1 - t * t, t2 = -2 * t * t1
            let n0 = (n * e * e + sigma * sigma) * t * t, n1 = 2 * t * t1 * s * e * (n + sigma * sigma)
            let n2 = t1 * t1 * s * s * (n + sigma * sigma) + t * t2 * k2 * (n * e * e + sigma * sigma)
            let d0 = l + n * t * t, d1 = 2 * n * t * t1 * s * e, d2 = n * (t1 * t1 + t * t2) * k2
            let slope = -n * (n1 / d0 - n0 * d1 / (d0 * d0))
            let halfCurvature = -n * (n2 / d0 - (n1 * d1 + n0 * d2) / (d0 * d0) + n0 * d1 * d1 / (d0 * d0 * d0)) + l * rho
            let h = 1e-4
            let f = { (w: Double) in n * objective.value(halfGap: w, bias: b) }
            XCTAssertEqual((f(h) - f(-h)) / (2 * h), slope, accuracy: 1e-6 * max(1, abs(slope)))
            XCTAssertEqual((f(h) - 2 * f(0) + f(-h)) / (2 * h * h), halfCurvature, accuracy: 1e-4 * max(1, abs(halfCurvature)))
        }
    }
}
