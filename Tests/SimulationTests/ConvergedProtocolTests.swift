@testable import Simulation
import FlowModel
import Foundation
import GSLKit
import Theory
import XCTest

/// The converged protocol (derivations/converged-protocol.md): the exact z-average (CV.2), its
/// gradient (CV.4, CV.5), the stopping rule (CV.6).
final class ConvergedProtocolTests: XCTestCase {
    /// A bank at a generic point: paper initialisation, then u, w shifted along μ (macroscopic m, ω).
    private func setting(d: Int, n: Int, steps: Int, seed: UInt64) throws -> (Bank<Double>, TrainingSet, TrainingGrid) {
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let data = try TrainingSet(problem: problem, n: n, seed: seed)
        let grid = try TrainingGrid(problem: problem, k: 2, steps: steps)
        let bank = Bank<Double>(d: d, steps: steps, initialisation: .paper, seed: seed)
        bank.plant(PlantedOverlap(m: 0.7, omega: 0.4), mean: data.mean)
        for j in 0..<steps { for i in 0..<d { bank.u[j * d + i] *= 0.8; bank.w[j * d + i] *= 0.9 } }
        return (bank, data, grid)
    }

    /// (CV.2): the closed-form z-average equals the Monte Carlo average of |f − x₁|²/d over fresh z
    /// (dense vectors in ℝ^d), within 4 standard errors, in both phases.
    func testExactObjectiveIsTheNoiseAverage() throws {
        let d = 300, n = 6
        let (bank, data, grid) = try setting(d: d, n: n, steps: 8, seed: 3)
        let moments = try TanhMoments()
        var rng = NormalStream(seed: 11)
        for j in [2, 6] {   // τ = 0.5 and 1.5
            let (objective, start, _) = ConvergedTraining.reduce(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                                 penaltyU: 0, penaltyW: 0, moments: moments)
            let exact = objective.dataLoss(start)
            let alpha = grid.alpha[j], beta = grid.beta[j], c = bank.c[j], b = bank.b[j], sd = Double(d).squareRoot()
            var samples = [Double]()
            for _ in 0..<4000 {
                var total = 0.0
                for nu in 0..<n {
                    let x1 = (0..<d).map { data.points[nu * d + $0] }
                    let x = x1.map { alpha * rng.gaussian() + beta * $0 }
                    var pre = b
                    for i in 0..<d { pre += bank.w[j * d + i] * x[i] / sd }
                    let phi = tanh(pre)
                    var loss = 0.0
                    for i in 0..<d { let r = c * x[i] + bank.u[j * d + i] * phi - x1[i]; loss += r * r }
                    total += loss / Double(d)
                }
                samples.append(total / Double(n))
            }
            let (mean, se) = meanAndStandardError(samples)
            XCTAssertEqual(mean, exact, accuracy: 4 * se, "grid time \(j): Monte Carlo \(mean) ± \(se), CV.2 \(exact)")
        }
    }

    /// (CV.4, CV.5): the analytic gradient equals central differences of (CV.3) for every kind of variable.
    func testExactGradientMatchesFiniteDifferences() throws {
        let (bank, data, grid) = try setting(d: 200, n: 5, steps: 8, seed: 5)
        let moments = try TanhMoments()
        for j in [1, 3, 6] {
            let (objective, start, _) = ConvergedTraining.reduce(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                                 penaltyU: 2, penaltyW: 1.5, moments: moments)
            var g = [Double](repeating: 0, count: objective.variables), scratch = g
            _ = objective.evaluate(start, gradient: &g)
            let m = objective.dimension
            for i in [0, 1, 2, 3, 2 + m - 1, 2 + m, 2 + m + 2, 2 + 2 * m - 2] {
                let h = 1e-6
                var plus = start, minus = start
                plus[i] += h; minus[i] -= h
                let numeric = (objective.evaluate(plus, gradient: &scratch) - objective.evaluate(minus, gradient: &scratch)) / (2 * h)
                XCTAssertEqual(g[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "grid time \(j), variable \(i)")
            }
        }
    }

    /// (CV.6): every grid time of a converged run meets the stopping rule, the stopping state is
    /// recorded, and the minimiser is a minimum: J/n does not decrease under small random moves.
    func testStoppingStateRecordedAndMinimum() throws {
        var options = TrainingOptions()
        options.trainingProtocol = .converged; options.penaltyU = 2; options.penaltyW = 2
        let trainer = try Trainer<Double>(problem: try Problem(dimension: .finite(400), p: 0.8, sigma: 1), n: 16, k: 2, steps: 8, options: options, seed: 2)
        trainer.train(epochs: 2)
        let stops = try XCTUnwrap(trainer.stopping)
        XCTAssertEqual(stops.count, 8)
        let moments = try TanhMoments()
        var rng = NormalStream(seed: 4)
        for (j, stop) in stops.enumerated() {
            XCTAssertTrue(stop.converged, "grid time \(j): \(stop)")
            XCTAssertLessThan(stop.gradientNorm, ConvergedTraining.tolerance)
            let (objective, x, _) = ConvergedTraining.reduce(bank: trainer.bank, time: j, data: trainer.data, alpha: trainer.grid.alpha[j],
                                                             beta: trainer.grid.beta[j], penaltyU: 2, penaltyW: 2, moments: moments)
            var g = [Double](repeating: 0, count: objective.variables)
            let value = objective.evaluate(x, gradient: &g)
            XCTAssertEqual(value, stop.objective, accuracy: 1e-9 * max(1, abs(value)), "the bank holds the minimiser")
            for _ in 0..<5 {
                let moved = x.map { $0 + 1e-3 * rng.gaussian() }
                XCTAssertGreaterThanOrEqual(objective.evaluate(moved, gradient: &g), value - 1e-12, "grid time \(j)")
            }
        }
    }
}
