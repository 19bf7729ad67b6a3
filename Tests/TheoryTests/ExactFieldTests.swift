import Foundation
import XCTest
import FlowModel
import GSLKit
@testable import Theory

final class ExactFieldTests: XCTestCase {
    /// EF.5 against a brute-force posterior mean: draw x₁ from the prior, weight by the likelihood
    /// N(x; βx₁, α²I), and take the self-normalised average, with its delta-method standard error.
    func testDenoiserAgainstMonteCarlo() throws {
        let problem = try Problem(dimension: .finite(3), p: 0.8, sigma: 0.7)
        let mu = [1.0, 1.0, 1.0], x = [0.3, -0.2, 0.5]
        for (schedule, tau) in [(LinearSchedule() as any Schedule, 0.4), (VariancePreservingSchedule(), 0.6)] {
            let field = ExactField(problem: problem, schedule: schedule)
            let s = schedule.values(at: tau)
            let rng = try RandomStream(seed: 42)
            let n = 400_000
            var samples = [[Double]](), weights = [Double]()
            samples.reserveCapacity(n)
            for _ in 0..<n {
                let sign: Double = rng.uniform() < problem.p ? 1 : -1
                let x1 = mu.map { sign * $0 + problem.sigma * rng.gaussian() }
                let r2 = zip(x, x1).reduce(0.0) { $0 + pow($1.0 - s.beta * $1.1, 2) }
                samples.append(x1)
                weights.append(exp(-r2 / (2 * s.alpha * s.alpha)))
            }
            let total = weights.reduce(0, +)
            let formula = field.denoise(x, mean: mu, at: tau)
            // The same formula with the mode probabilities swapped: a wrong denoiser the test must reject.
            let wrong = ExactField(problem: try Problem(dimension: .finite(3), p: 1 - problem.p, sigma: problem.sigma), schedule: schedule)
                .denoise(x, mean: mu, at: tau)
            for i in 0..<3 {
                let estimate = zip(weights, samples).reduce(0.0) { $0 + $1.0 * $1.1[i] } / total
                let variance = zip(weights, samples).reduce(0.0) { $0 + $1.0 * $1.0 * pow($1.1[i] - estimate, 2) } / (total * total)
                let se = variance.squareRoot()
                XCTAssertLessThan(se, 0.01, "Monte Carlo too noisy to test anything")
                XCTAssertEqual(formula[i], estimate, accuracy: 4 * se, "\(schedule.name) coordinate \(i)")
                XCTAssertGreaterThan(abs(wrong[i] - estimate), 6 * se, "a wrong denoiser would pass")
            }
        }
    }

    /// EF.8: the A, B form of the velocity equals the x₁-prediction form (α̇/α)x + (β̇ − α̇β/α)E[x₁|x].
    func testVelocityFormsAgree() throws {
        let problem = try Problem(dimension: .finite(5), p: 0.3, sigma: 1.7)
        let mu = [1.0, -1, 1, 1, -1], x = [0.4, 1.1, -0.3, 2.0, 0.7]
        for schedule: any Schedule in [LinearSchedule(), VariancePreservingSchedule(), try VarianceExplodingSchedule(sigmaMax: 30),
                                       try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(5))] {
            let field = ExactField(problem: problem, schedule: schedule)
            for tau in stride(from: 0.05, to: schedule.clockEnd * 0.95, by: schedule.clockEnd / 7) {
                let c = field.coefficients(at: tau), s = c.values
                let f = field.denoise(x, mean: mu, at: tau)
                let zeta = zip(mu, x).reduce(0.0) { $0 + $1.0 * $1.1 } / problem.sqrtD
                let m = field.magnetisation(zeta: zeta, c)
                for i in 0..<5 {
                    let predictionForm = s.alphaDot / s.alpha * x[i] + (s.betaDot - s.alphaDot * s.beta / s.alpha) * f[i]
                    XCTAssertEqual(c.a * x[i] + c.b * mu[i] * m, predictionForm, accuracy: 1e-12 * max(1, abs(predictionForm)))
                }
                // EF.9: μ·b/√d equals the reduced ζ velocity.
                let projected = zip(mu, x).reduce(0.0) { $0 + $1.0 * (c.a * $1.1 + c.b * $1.0 * m) } / problem.sqrtD
                XCTAssertEqual(field.zetaVelocity(zeta: zeta, at: tau), projected, accuracy: 1e-12)
            }
        }
    }

    /// A = ½ d(log v)/dτ (EF.8), checked by a central difference of log v.
    func testOrthogonalRateIsHalfLogVarianceDerivative() throws {
        let problem = try Problem(dimension: .finite(100), p: 0.6, sigma: 0.5)
        let field = ExactField(problem: problem, schedule: try DilatedSchedule(base: VariancePreservingSchedule(), k: 3, dimension: .finite(100)))
        for tau in [0.2, 0.7, 1.3, 1.8] {
            let h = 1e-6
            let derivative = (log(field.coefficients(at: tau + h).v) - log(field.coefficients(at: tau - h).v)) / (2 * h)
            XCTAssertEqual(field.coefficients(at: tau).a, 0.5 * derivative, accuracy: 1e-7)
        }
    }
}
