import XCTest
import FlowModel
import GSLKit
@testable import Theory

/// EF.18: the step leaving a grid time runs at that step's clock rate, decided by the integer grid
/// index. On every clock whose α, β are affine over each step (EF.19: linear, ve, and the dilated
/// clock with K even) Euler (EF.11) and x₁-prediction (EF.12) are the same map, so their step
/// coefficients agree to rounding for every K in 2…1200.
final class GridClockRateTests: XCTestCase {
    private func schedules(_ problem: Problem) throws -> [(any Schedule, evenOnly: Bool)] {
        [(LinearSchedule(), false),
         (try VarianceExplodingSchedule(sigmaMax: 100 * problem.sqrtD), false),
         (try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: problem.dimension), true)]
    }

    func testEulerEqualsX1PredictionOnAffineClocksForEveryK() throws {
        for d in [1e4, 1e6] {
            let problem = try Problem(dimension: FlowModel.Dimension(d), p: 0.8, sigma: 1)
            for (schedule, evenOnly) in try schedules(problem) {
                let field = ExactField(problem: problem, schedule: schedule)
                var worst = 0.0
                for count in 2...1200 where !evenOnly || count % 2 == 0 {
                    let euler = try GridFlow(field: field, scheme: .euler, steps: count).steps
                    let x1 = try GridFlow(field: field, scheme: .x1Prediction, steps: count).steps
                    for (e, x) in zip(euler, x1) {
                        // Relative to the summands: Euler's a = 1 + ΔA cancels to O(σ²/v) on the
                        // last ve step, so a is compared on the scale max(|a|, 1).
                        worst = max(worst, abs(e.a - x.a) / max(abs(x.a), 1), abs(e.b - x.b) / max(abs(x.b), 1e-300))
                        XCTAssertEqual(e.g, x.g)
                    }
                }
                // Rounding of a handful of operations on numbers of order 1 (relative).
                XCTAssertLessThan(worst, 1e-11, "\(schedule.name) d = \(d)")
            }
        }
    }

    /// The issue's case: d = 10⁶, K = 98 on the dilated clock, where τ_49 = 49·(2/98) rounds below 1.
    func testIssueCaseK98() throws {
        let problem = try Problem(dimension: .finite(1_000_000), p: 0.8, sigma: 1)
        let field = ExactField(problem: problem, schedule: try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(1_000_000)))
        let euler = try GridFlow(field: field, scheme: .euler, steps: 98).generatedModeProbability()
        let x1 = try GridFlow(field: field, scheme: .x1Prediction, steps: 98).generatedModeProbability()
        XCTAssertEqual(euler, x1, accuracy: 1e-10)
        // The rate of the step leaving τ = 1 is the second half's.
        let s = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(1_000_000))
        XCTAssertEqual(s.values(atStep: 49, of: 98).betaDot, 1 - s.kappaOne)
        XCTAssertEqual(s.values(atStep: 48, of: 98).betaDot, s.kappaOne)
        XCTAssertEqual(s.interpolantTime(atStep: 49, of: 98), s.kappaOne)
    }

    /// At n = ∞ the learned grid is the exact-field x₁-prediction grid (AT.8 is the exact denoiser at
    /// every signal, so nothing is replaced by the saturated form).
    func testInfiniteNGridIsTheExactFieldGrid() throws {
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: .infinity), penaltyU: 2, penaltyW: 2)
        let schedule = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(1_000_000))
        let learned = try LearnedFlow.grid(problem, schedule: schedule, dimension: .finite(1_000_000), steps: 100, moments: TanhMoments())
        let field = ExactField(problem: try Problem(dimension: .finite(1_000_000), p: 0.8, sigma: 1), schedule: schedule)
        let exact = try GridFlow(field: field, scheme: .x1Prediction, steps: 100)
        XCTAssertEqual(learned.pHat, try exact.generatedModeProbability(), accuracy: 1e-9)
        XCTAssertEqual(learned.sigmaHat, try exact.generatedSpread(), accuracy: 1e-12)
    }

    /// The τ = 1 row of the d = ∞ table is labelled by the problem its values solve (phase 1, S = k).
    func testTauOneRowIsPhaseOne() throws {
        let theory = try AutoencoderTheory(problem: AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: .infinity), penaltyU: 2, penaltyW: 2))
        let row = try theory.parameters(at: 1)
        XCTAssertEqual(row.phase, 1)
        XCTAssertEqual(row.omega, 2, accuracy: 1e-14)   // kτ (AT.13)
        XCTAssertEqual(row.b, 0.5 * log(4), accuracy: 1e-14)
    }
}
