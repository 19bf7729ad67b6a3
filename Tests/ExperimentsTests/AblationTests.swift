import XCTest
import FlowModel
import GSLKit
@testable import Experiments

/// derivations/ablation.md: the bias gradient (AB.2–AB.6) against its closed form at S = 0, a
/// d-dimensional Monte Carlo and its asymptotic scalings; the linear-grid simulation against the
/// finite-d theory on the same grid (p̂ and the learned b at the decision time, AB.7).
final class AblationTests: XCTestCase {
    /// AB.2 at S = 0 is −2 tanh h = −2(2p − 1); at other S it agrees with the Monte Carlo in d
    /// dimensions within 4 standard errors (plus quadrature-level slack).
    func testBiasGradientAgainstClosedFormAndMonteCarlo() throws {
        let g = try BiasGradient(setup: try Setup())
        XCTAssertEqual(g.perTime(alpha: 1, beta: 0, dimension: .finite(1000)), -2 * 0.6, accuracy: 1e-12)
        let d = 1000, sqrtD = Double(d).squareRoot()
        for (i, signal) in [0.0, 0.5, 1, 2, 3].enumerated() {
            let beta = signal / sqrtD, alpha = 1 - beta
            let theory = g.perTime(alpha: alpha, beta: beta, dimension: .finite(d))
            let mc = try g.monteCarlo(alpha: alpha, beta: beta, dimension: .finite(d), samples: 3000, seed: 11 + UInt64(i))
            XCTAssertLessThan(abs(mc.mean - theory), 4 * mc.standardError + 1e-9, "S = \(signal): MC \(mc.mean) ± \(mc.standardError), theory \(theory)")
        }
    }

    /// AB.4: on a linear grid that resolves the window (K = 20√d) ∂J/∂b ≈ Γ/√d (fitted slope −½ in
    /// log d); AB.6: on the dilated clock it does not depend on d.
    func testBiasGradientScalesAsInverseRootDOnlyOnTheLinearClock() throws {
        let g = try BiasGradient(setup: try Setup())
        let gamma = try g.windowIntegral()
        let dims = [1e3, 1e4, 1e5]
        var linear = [Double](), dilated = [Double]()
        for d in dims {
            let k = Int(20 * d.squareRoot())
            let lin = (0..<k).map { j -> (alpha: Double, beta: Double) in let t = Double(j) / Double(k); return (1 - t, t) }
            linear.append(g.timeAveraged(grid: lin, dimension: try FlowModel.Dimension(d)))
            let schedule = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(Int(d)))
            let dil = (0..<80).map { j -> (alpha: Double, beta: Double) in let v = schedule.values(atStep: j, of: 80); return (v.alpha, v.beta) }
            dilated.append(g.timeAveraged(grid: dil, dimension: try FlowModel.Dimension(d)))
            XCTAssertEqual(linear.last! * d.squareRoot() / gamma, 1, accuracy: 0.1, "d = \(d)")
        }
        let fit = try LinearFit(x: dims.map(log), y: linear.map { log(abs($0)) })
        XCTAssertEqual(fit.slope, -0.5, accuracy: 0.05)
        XCTAssertEqual(dilated[2] / dilated[0], 1, accuracy: 0.05)
    }

    /// The linear-grid simulation (gd, theory init, η → 0 extrapolation of b) against the finite-d,
    /// finite-n theory on the same grid at two d: p̂ and b at the decision time, each difference
    /// within the 95 % point of the largest of the four Student-t ratios.
    func testLinearGridSimulationAgainstTheory() throws {
        var spec = LinearGridAblation.Spec()
        spec.schedules = [.linear]
        spec.steps = 20; spec.seeds = 4; spec.trainingTime = 10
        spec.samples = 512; spec.gradientSamples = 0; spec.threads = 2
        var ratios = [Double]()
        for d in [400, 1600] {
            let row = try LinearGridAblation.row(try Setup(dimension: .finite(d), n: 32), spec, schedule: .linear)
            ratios.append(abs(row.pHat - row.pHatTheory) / row.pHatSE)
            ratios.append(abs(row.bDecision - row.bDecisionTheory) / row.bDecisionSE)
            print("d = \(d): p̂ \(row.pHat) ± \(row.pHatSE) vs \(row.pHatTheory); b(S = \(row.decisionSignal)) \(row.bDecision) ± \(row.bDecisionSE) vs \(row.bDecisionTheory)")
        }
        let threshold = largestStudentTThreshold(count: ratios.count, dof: spec.seeds - 1)
        XCTAssertLessThan(ratios.max()!, threshold, "ratios \(ratios)")
    }
}
