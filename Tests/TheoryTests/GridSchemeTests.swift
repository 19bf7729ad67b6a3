import Foundation
import XCTest
import FlowModel
import GSLKit
@testable import Theory

final class GridSchemeTests: XCTestCase {
    private func pHat(_ name: ScheduleName, d: Double, p: Double = 0.8, steps: Int, scheme: GridFlow.Scheme = .euler) throws -> Double {
        let problem = try Problem(dimension: FlowModel.Dimension(d), p: p, sigma: 1)
        return try GridFlow(field: ExactField(problem: problem, schedule: try name.make(for: problem)), scheme: scheme, steps: steps)
            .generatedModeProbability()
    }

    /// EF §7: on the uniform linear grid with K = 50, p̂ drifts towards the majority mode as d grows,
    /// clearly so at d = 10⁵; the dilated clock keeps |p̂ − p| < 0.01 at every d.
    func testUniformGridLosesPAndDilationKeepsIt() throws {
        let dims = [1e2, 1e3, 1e4, 1e5, 1e6]
        for p in [0.2, 0.8] {
            let linear = try dims.map { abs(try pHat(.linear, d: $0, p: p, steps: 50) - p) }
            for (a, b) in zip(linear, linear.dropFirst()) { XCTAssertGreaterThan(b, a, "linear error grows with d, p = \(p)") }
            XCTAssertGreaterThan(linear[3], 0.15, "p = \(p): p̂ at d = 1e5 should sit near the majority mode")
            for d in dims {
                XCTAssertLessThan(abs(try pHat(.dilated, d: d, p: p, steps: 50) - p), 0.01, "dilated d = \(d), p = \(p)")
            }
        }
    }

    /// For schedules linear in their clock the x₁-prediction update is algebraically Euler
    /// (c_j = Δ/α_j, EF.12 remark); for the variance-preserving schedule the two differ.
    func testX1PredictionEqualsEulerExactlyOnLinearClocks() throws {
        for name in [ScheduleName.linear, .dilated] {
            XCTAssertEqual(try pHat(name, d: 1e4, steps: 40, scheme: .x1Prediction), try pHat(name, d: 1e4, steps: 40), accuracy: 1e-12)
        }
        // Measured difference on the variance-preserving schedule: 2.2e-5.
        XCTAssertGreaterThan(abs(try pHat(.vp, d: 1e4, steps: 40, scheme: .x1Prediction) - (try pHat(.vp, d: 1e4, steps: 40))), 1e-6)
    }

    /// Euler is first order: on a fine grid the distance of p̂ and σ̂ to the continuous flow halves
    /// when K doubles (ratio within [0.4, 0.6]); the x₁-prediction update converges too.
    func testGridSchemesConvergeToContinuousFlowAtFirstOrder() throws {
        let problem = try Problem(dimension: .finite(100), p: 0.8, sigma: 0.6)
        for name in [ScheduleName.linear, .vp] {
            let field = ExactField(problem: problem, schedule: try name.make(for: problem))
            let reference = try ContinuousFlow(field: field)
            let (p0, s0) = (try reference.generatedModeProbability(), try reference.generatedSpread())
            for scheme in [GridFlow.Scheme.euler, .x1Prediction] {
                let coarse = try GridFlow(field: field, scheme: scheme, steps: 2000)
                let fine = try GridFlow(field: field, scheme: scheme, steps: 4000)
                let pRatio = (try fine.generatedModeProbability() - p0) / (try coarse.generatedModeProbability() - p0)
                XCTAssertEqual(pRatio, 0.5, accuracy: 0.1, "\(name) \(scheme) p̂")
                XCTAssertLessThan(abs(try fine.generatedModeProbability() - p0), 2e-3)
                if scheme == .euler {
                    let sRatio = (try fine.generatedSpread() - s0) / (try coarse.generatedSpread() - s0)
                    XCTAssertEqual(sRatio, 0.5, accuracy: 0.1, "\(name) σ̂")
                }
            }
        }
    }

    /// The grid pull-back inverts the composed step maps: ζ_K changes sign across ξ*. (ζ_K(ξ*) = 0
    /// itself cannot be checked: trajectories separate exponentially from the separatrix, so ζ_K
    /// jumps between the modes within the last bits of ξ.) At an intermediate grid time, where the
    /// map is gentle, the pull-back is checked to 1e-9.
    func testPullbackInvertsTheStepMaps() throws {
        let problem = try Problem(dimension: .finite(1_000), p: 0.35, sigma: 1)
        let flow = try GridFlow(field: ExactField(problem: problem, schedule: LinearSchedule()), scheme: .euler, steps: 300)
        let xi = try flow.pullback(0, from: 1)
        XCTAssertLessThan(flow.zeta(afterSteps: 300, from: xi - 1e-10), 0)
        XCTAssertGreaterThan(flow.zeta(afterSteps: 300, from: xi + 1e-10), 0)
        let early = try flow.pullback(0.7, from: 0.01)
        XCTAssertEqual(flow.zeta(afterSteps: 3, from: early), 0.7, accuracy: 1e-9)
    }

    /// On a fine grid the commit time approaches the continuous one (within a few grid steps).
    func testGridCommitTimeApproachesContinuous() throws {
        let problem = try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1)
        let field = ExactField(problem: problem, schedule: try ScheduleName.dilated.make(for: problem))
        let continuous = try ContinuousFlow(field: field).commitClock()
        let grid = try GridFlow(field: field, scheme: .euler, steps: 2000).commitClock()
        XCTAssertEqual(grid, continuous, accuracy: 3 * 2.0 / 2000 + 1e-9)
    }

    /// Too few Euler steps make a step map non-monotone: refused with a message, not a wrong p̂.
    func testTooFewStepsAreRefused() throws {
        let problem = try Problem(dimension: .finite(100), p: 0.8, sigma: 1)
        XCTAssertThrowsError(try GridFlow(field: ExactField(problem: problem, schedule: LinearSchedule()), scheme: .euler, steps: 1)) {
            XCTAssertTrue("\($0)".contains("steps = 1"), "\($0)")
        }
    }
}
