import Foundation
import XCTest
import FlowModel
import GSLKit
@testable import Theory

/// The generative flow with the learned networks (§7 of derivations/autoencoder-theory.md).
final class AutoencoderFlowTests: XCTestCase {
    private func theory(n: Double = .infinity, p: Double = 0.8, sigma: Double = 1, l: Double = 2) throws -> AutoencoderTheory {
        try AutoencoderTheory(problem: AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: n), penaltyU: l, penaltyW: l), k: 2)
    }

    /// n = ∞, continuous flow at d = ∞ on the dilated clock (GSL ODE on the signal axis): p̂ = p and
    /// σ̂ = σ (AT.46, AT.48).
    func testInfiniteNContinuousFlowReturnsPAndSigma() throws {
        for (p, sigma) in [(0.8, 1.0), (0.3, 0.5), (0.6, 2.0)] {
            let prediction = try LearnedFlow.continuousAtInfiniteD(try theory(p: p, sigma: sigma), signalMax: 20, nodes: 32)
            XCTAssertEqual(prediction.pHat, p, accuracy: 1e-8)
            XCTAssertEqual(prediction.sigmaHat, sigma, accuracy: 1e-8)
        }
    }

    /// n = ∞, the dilated grid at d = ∞: the first phase-2 step decides the mode with the network
    /// at S = k, so as K → ∞, p̂ → p_k = p Φ(k + h/k) + (1 − p) Φ(−k + h/k) (AT.47), not p; σ̂ → σ
    /// at first order in 1/K.
    func testInfiniteNDilatedGridApproachesWindowLimit() throws {
        let p = 0.8, h = atanh(0.6), k = 2.0
        let pk = p * StandardNormal.cdf(k + h / k) + (1 - p) * StandardNormal.cdf(-k + h / k)
        let errors = try [250, 500, 1000].map { try LearnedFlow.dilatedGridAtInfiniteD(try theory(), steps: 2 * $0) }
        let pErrors = errors.map { abs($0.pHat - pk) }, sErrors = errors.map { abs($0.sigmaHat - 1) }
        XCTAssertEqual(pErrors[0] / pErrors[1], 2, accuracy: 0.15)
        XCTAssertEqual(pErrors[1] / pErrors[2], 2, accuracy: 0.15)
        XCTAssertEqual(sErrors[1] / sErrors[2], 2, accuracy: 0.15)
        XCTAssertLessThan(pErrors[2], 1e-3)
        XCTAssertGreaterThan(pk - p, 2e-3)
    }

    /// n = ∞ at finite d: the learned networks are the exact denoiser (AT.8), so the reduced grid
    /// flow must reproduce the exact-field x₁-prediction grid (EF.12, independent code) on the
    /// dilated and the linear schedules.
    func testInfiniteNFiniteDGridIsTheExactFieldGrid() throws {
        let target = try Problem(dimension: .finite(5000), p: 0.8, sigma: 1.3)
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1.3))
        for name in [ScheduleName.dilated, .linear] {
            let schedule = try name.make(for: target)
            let learned = try LearnedFlow.grid(problem, schedule: schedule, dimension: .finite(5000), steps: 80, moments: try TanhMoments())
            let exact = try GridFlow(field: ExactField(problem: target, schedule: schedule), scheme: .x1Prediction, steps: 80)
            XCTAssertEqual(learned.pHat, try exact.generatedModeProbability(), accuracy: 1e-8, name.rawValue)
            XCTAssertEqual(learned.sigmaHat, try exact.generatedSpread(), accuracy: 1e-10, name.rawValue)
        }
    }

    /// Finite n: the continuous flow's mode spread is √D (AT.48) and σ̂ about the μ axis adds the
    /// memorised class means, whose ODE must give n σ²/(n + L_u)² (FD.5); the trivial branch below kτ* pushes every
    /// trajectory towards the majority mode, so p̂ > p, by less as n grows; and p̂ has converged in
    /// the end of the signal axis.
    func testFiniteNContinuousFlow() throws {
        let small = try LearnedFlow.continuousAtInfiniteD(try theory(n: 16), signalMax: 40, nodes: 48)
        let large = try LearnedFlow.continuousAtInfiniteD(try theory(n: 128), signalMax: 40, nodes: 48)
        XCTAssertEqual(small.modeSpread, ((2 + 17) / 18.0).squareRoot(), accuracy: 1e-8)
        XCTAssertEqual(large.modeSpread, ((2 + 129) / 130.0).squareRoot(), accuracy: 1e-8)
        XCTAssertEqual(small.sigmaHat, ((2 + 17) / 18.0 + 16 / (18.0 * 18)).squareRoot(), accuracy: 1e-8)
        XCTAssertEqual(large.sigmaHat, ((2 + 129) / 130.0 + 128 / (130.0 * 130)).squareRoot(), accuracy: 1e-8)
        // The dilated grid at d = ∞ sums the same drive on its phase-2 steps; the sum telescopes
        // (δ_j = σβ_j/(n + L_u), FD.6), so every K gives it exactly.
        for steps in [4, 20, 400] {
            let grid = try LearnedFlow.dilatedGridAtInfiniteD(try theory(n: 16), steps: steps)
            XCTAssertEqual(grid.sigmaHat * grid.sigmaHat - grid.modeSpread * grid.modeSpread, 16 / (18.0 * 18), accuracy: 1e-12, "K = \(steps)")
        }
        XCTAssertGreaterThan(small.pHat, large.pHat)
        XCTAssertGreaterThan(large.pHat, 0.8)
        XCTAssertGreaterThan(small.trivialBelow, large.trivialBelow)
        let longer = try LearnedFlow.continuousAtInfiniteD(try theory(n: 128), signalMax: 80, nodes: 48)
        XCTAssertEqual(longer.pHat, large.pHat, accuracy: 1e-4)
    }

    /// The undilated linear schedule with a uniform grid loses p (EF §7): with K = 50 the generated
    /// p̂ moves towards the majority mode as d grows, for the exact denoiser (n = ∞) and the learned
    /// network (n = 64) alike, while the dilated grid stays close.
    func testUniformLinearGridLosesP() throws {
        let moments = try TanhMoments()
        for n in [Double.infinity, 64] {
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: n), penaltyU: 2, penaltyW: 2)
            var previous = 0.0
            for d in [1e3, 1e4, 1e5] {
                let target = try Problem(dimension: FlowModel.Dimension(d), p: 0.8, sigma: 1)
                let linear = try LearnedFlow.grid(problem, schedule: try ScheduleName.linear.make(for: target), dimension: target.dimension,
                                                  steps: 50, moments: moments)
                XCTAssertGreaterThan(linear.pHat, previous)
                previous = linear.pHat
            }
            XCTAssertGreaterThan(previous, 0.95, "n = \(n)")
            let target = try Problem(dimension: .finite(100_000), p: 0.8, sigma: 1)
            let dilated = try LearnedFlow.grid(problem, schedule: try ScheduleName.dilated.make(for: target), dimension: target.dimension,
                                               steps: 50, moments: moments)
            XCTAssertLessThan(abs(dilated.pHat - 0.8), n.isFinite ? 0.05 : 0.01, "n = \(n)")
        }
    }
}
