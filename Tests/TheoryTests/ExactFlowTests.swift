import Foundation
import XCTest
import FlowModel
import GSLKit
@testable import Theory

final class ExactFlowTests: XCTestCase {
    /// The continuous flow transports N(0, I) to the target: p̂ = p and σ̂ = σ within 1e-6 (issue
    /// requirement), and p̂ equals the exact end marginal's mass EF.14 within 1e-8.
    func testAdaptiveFlowReproducesTarget() throws {
        struct Case: Sendable { var d: Double, p: Double, sigma: Double, name: ScheduleName }
        let cases = [1e2, 1e4, 1e6].flatMap { d in [0.2, 0.5, 0.8].flatMap { p in [0.5, 1, 2].flatMap { sigma in
            [ScheduleName.linear, .dilated, .vp].map { Case(d: d, p: p, sigma: sigma, name: $0) } } } }
        // The 81 flows are independent solves: on all cores, checked in order.
        let results = try parallelMap(cases) { c -> (pHat: Double, exact: Double, spread: Double) in
            let problem = try Problem(dimension: FlowModel.Dimension(c.d), p: c.p, sigma: c.sigma)
            let flow = try ContinuousFlow(field: ExactField(problem: problem, schedule: try c.name.make(for: problem)))
            let exact = c.p + (1 - 2 * c.p) * StandardNormal.cdf(-problem.sqrtD / c.sigma)
            return (try flow.generatedModeProbability(), exact, try flow.generatedSpread())
        }
        for (c, result) in zip(cases, results) {
            let exact = result.exact
            let label = "\(c.name.rawValue) d=\(c.d) p=\(c.p) sigma=\(c.sigma)"
            XCTAssertEqual(result.pHat, c.p, accuracy: 1e-6, label)
            XCTAssertEqual(result.pHat, exact, accuracy: 1e-8, label)
            XCTAssertEqual(result.spread, c.sigma, accuracy: 1e-6, label)
        }
    }

    /// Every gsl_odeiv2 stepper, the stiff ones included, gives the same p̂.
    func testSteppersAgree() throws {
        let problem = try Problem(dimension: .finite(10_000), p: 0.7, sigma: 1.3)
        let field = ExactField(problem: problem, schedule: try ScheduleName.dilated.make(for: problem))
        let reference = try ContinuousFlow(field: field).generatedModeProbability()
        for stepper in ODEStepper.allCases {
            let flow = try ContinuousFlow(field: field, stepper: stepper, tolerance: ODETolerance(absolute: 1e-12, relative: 1e-10))
            XCTAssertEqual(try flow.generatedModeProbability(), reference, accuracy: 1e-7, stepper.rawValue)
        }
    }

    /// EF.17: the log-SNR at commit is the same for every schedule (the exact flow in x/α is
    /// schedule-free), while the clock times differ; half the trajectories are undecided there.
    func testCommitLogSNRIsScheduleInvariant() throws {
        let problem = try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1)
        var logSNRs: [Double] = [], clocks: [Double] = []
        for name in [ScheduleName.linear, .vp, .dilated, .dilatedVP] {
            let flow = try ContinuousFlow(field: ExactField(problem: problem, schedule: try name.make(for: problem)))
            let o = try flow.observables()
            XCTAssertEqual(try flow.undecidedFraction(at: o.commitClock, threshold: 0.9), 0.5, accuracy: 1e-7)
            logSNRs.append(o.commitLogSNR)
            clocks.append(o.commitClock)
        }
        for value in logSNRs { XCTAssertEqual(value, logSNRs[0], accuracy: 1e-6) }
        XCTAssertGreaterThan(abs(clocks[0] - clocks[1]), 1e-4, "clock times should differ between schedules")
        // In the dilated clock the decision happens in the first half (EF §7).
        XCTAssertLessThan(clocks[2], 1)
        XCTAssertGreaterThan(clocks[2], 0.1)
    }

    /// Below the threshold everything starts decided: |2p − 1| > θ gives τ_c = 0.
    func testCommitTimeIsZeroWhenThePriorAlreadyDecides() throws {
        let problem = try Problem(dimension: .finite(100), p: 0.97, sigma: 1)
        let flow = try ContinuousFlow(field: ExactField(problem: problem, schedule: LinearSchedule()))
        XCTAssertEqual(try flow.commitClock(threshold: 0.9), 0)
    }

    /// Variance exploding: σ̂ = σ σ_max / √(σ_max² + σ²) in closed form (EF.10 with v(0) = σ_max² + σ²
    /// and the start N(0, σ_max²)); p̂ is near p when σ_max ≫ √d and biased when σ_max ~ √d
    /// (the prior mismatch of EF §4).
    func testVarianceExplodingSpreadAndPriorMismatch() throws {
        let problem = try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1)
        for sigmaMax in [100 * problem.sqrtD, problem.sqrtD] {
            let flow = try ContinuousFlow(field: ExactField(problem: problem, schedule: try VarianceExplodingSchedule(sigmaMax: sigmaMax)))
            XCTAssertEqual(try flow.generatedSpread(), sigmaMax / (sigmaMax * sigmaMax + 1).squareRoot(), accuracy: 1e-8)
            let error = abs(try flow.generatedModeProbability() - problem.p)
            if sigmaMax > 10 * problem.sqrtD { XCTAssertLessThan(error, 0.01) } else { XCTAssertGreaterThan(error, 0.01) }
        }
    }
}
