@testable import Simulation
import FlowModel
import Foundation
import GSLKit
import Theory
import XCTest

/// CV.7 (derivations/converged-protocol.md §4): near τ = 2 J is flat in b and in the scale of w, and the
/// gradient-norm rule CV.6 alone can stop on a saddle; the restart leaves it.
final class ConvergedRestartTests: XCTestCase {
    /// The smallest eigenvalue of the Hessian of J/n (central differences of the analytic gradient CV.5).
    private func smallestCurvature(_ objective: ExactObjective, at x: [Double]) throws -> Double {
        let count = objective.variables, h = 1e-5
        var hessian = [Double](repeating: 0, count: count * count)
        var plus = [Double](repeating: 0, count: count), minus = plus
        for i in 0..<count {
            var a = x, b = x
            a[i] += h; b[i] -= h
            _ = objective.evaluate(a, gradient: &plus); _ = objective.evaluate(b, gradient: &minus)
            for k in 0..<count { hessian[i * count + k] = (plus[k] - minus[k]) / (2 * h) }
        }
        for i in 0..<count { for k in 0..<i {
            let mean = (hessian[i * count + k] + hessian[k * count + i]) / 2
            hessian[i * count + k] = mean; hessian[k * count + i] = mean
        } }
        return try SymmetricEigen(matrix: hessian, order: count).values.last!
    }

    /// d = 1000, n = 128, L = 2, seed 1, τ = 1.95 (K = 80): CV.6 alone stops where the Hessian has a negative
    /// eigenvalue and w has almost vanished (r ≪ the learned branch's ~3.6e-5); with CV.7 the stop has no
    /// negative eigenvalue (beyond the differencing error), J/n is lower, and r is on the learned branch.
    func testRestartLeavesTheFlatSaddleNearTauTwo() throws {
        let d = 1000, n = 128, K = 80, j = 78
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let data = try TrainingSet(problem: problem, n: n, seed: 1)
        let grid = try TrainingGrid(problem: problem, k: 2, steps: K)
        let moments = try TanhMoments()
        var found = [(curvature: Double, r: Double, value: Double)]()
        for restart in [false, true] {
            let bank = Bank<Double>(d: d, steps: K, initialisation: .paper, seed: 1)
            let (state, _) = try ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                            penaltyU: 2, penaltyW: 2, moments: moments, restart: restart)
            XCTAssertTrue(state.converged, "restart \(restart): \(state)")
            let (objective, x, _) = ConvergedTraining.reduce(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                             penaltyU: 2, penaltyW: 2, moments: moments)
            let m = objective.dimension
            let r = (0..<m).reduce(0.0) { $0 + x[2 + m + $1] * x[2 + m + $1] }
            found.append((try smallestCurvature(objective, at: x), r, state.objective))
            print("restart \(restart): smallest curvature \(found.last!.curvature), r = \(r), b = \(x[1]), J/n = \(state.objective)")
        }
        XCTAssertLessThan(found[0].curvature, -1e-8, "CV.6 alone: a saddle")
        XCTAssertLessThan(found[0].r, 1e-5)
        XCTAssertGreaterThan(found[1].curvature, -1e-9, "CV.7: no negative curvature")
        XCTAssertGreaterThan(found[1].r, 1e-5, "CV.7: on the learned branch")
        XCTAssertLessThan(found[1].value, found[0].value - 1e-8)
    }

    /// FD.4b (finite-d-corrections.md §3b): d = 1000, n = 128, L = 2, τ = 1.95 (K = 80), from the paper's start with
    /// CV.7. Of seeds 1–12, nine end within 2 % of their theory's learned r (FD.1–FD.12 at their n₊), seeds 7 and 11 on
    /// the flat approach to the trivial branch (r/r_theory = 1.4e-3, 1.9e-4, both r > 1e-9), and seed 3's theory row is
    /// itself trivial. Here seeds 2, 7, 11 (the 97 s of all twelve is too long for a unit test): the learned seed within
    /// 10 % of its theory's r, the others below 2 %; the relative label (r ≤ r_theory/10) marks exactly those, the
    /// absolute floor r ≤ 1e-9 neither (`compare` used to compare them with the learned branch).
    func testRelativeTrivialLabelSeparatesThePlateauFromTheLearnedBranch() throws {
        let d = 1000, n = 128, K = 80, j = 78
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let grid = try TrainingGrid(problem: problem, k: 2, steps: K)
        let found = try parallelMap([UInt64(2), 7, 11]) { seed -> (ratio: Double, r: Double) in
            let data = try TrainingSet(problem: problem, n: n, seed: seed)
            let bank = Bank<Double>(d: d, steps: K, initialisation: .paper, seed: seed)
            let moments = try TanhMoments()
            _ = try ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                               penaltyU: 2, penaltyW: 2, moments: moments)
            let r = (0..<d).reduce(0.0) { $0 + bank.w[j * d + $1] * bank.w[j * d + $1] } / Double(d)
            let nPlus = Double(data.signs.filter { $0 > 0 }.count)
            var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus, penaltyU: 2, penaltyW: 2),
                                               k: 2, dimension: problem.dimension)
            theory.finiteDReduced = true; theory.branchRule = .learnedIfExists
            return (r / (try theory.parameters(at: grid.tau[j])).r, r)
        }
        print("r/r_theory per seed: \(found.map(\.ratio)); r: \(found.map(\.r))")
        let learned = found.filter { $0.ratio > 0.5 }, plateau = found.filter { $0.ratio <= 0.5 }
        XCTAssertFalse(learned.isEmpty); XCTAssertFalse(plateau.isEmpty, "no seed on the plateau: the label is not tested")
        for seed in learned { XCTAssertEqual(seed.ratio, 1, accuracy: 0.1, "a learned seed's r is its theory's") }
        for seed in plateau { XCTAssertLessThan(seed.ratio, 0.02, "no seed between the branches") }
        for seed in found {
            var x = OrderParameters.zero; x.r = seed.r
            XCTAssertEqual(ConvergedProtocol().isTrivial(x, learnedWidth: seed.r / seed.ratio), seed.ratio <= 0.5)
        }
        XCTAssertTrue(plateau.contains { !ConvergedProtocol().isTrivial(OrderParameters(c: 0, b: 0, m: 0, q: 0, omega: 0, r: $0.r, uw: 0)) },
                      "some plateau seed above the absolute floor (what the relative label changes)")
    }
}
