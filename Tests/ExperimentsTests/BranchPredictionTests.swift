import FlowModel
import Foundation
import Simulation
import Theory
import XCTest

/// FD.4 (derivations/finite-d-corrections.md): which branch the converged protocol lands on at small
/// τ, predicted by the theory's branch rule, against simulations started on either side:
/// - from the paper's start and from a planted learned start (m = ω = 1), the network is learned
///   where the learned branch exists clearly (τ = 0.15 … 0.25 at n = 32) and trivial where it does
///   not (τ = 0.05);
/// - from the trivial side (w → 0, b = 8) it stays trivial even where learning is the global
///   minimum: the gradient there is exponentially small in |b| (the plateau of the Adam runs).
/// τ = 0.1 is at the branch end and is only reported.
final class BranchPredictionTests: XCTestCase {
    func testBranchPredictionAgainstStartsOnEitherSide() throws {
        let d = 1000.0, n = 32, steps = 40, seeds: [UInt64] = [1, 2, 3], starts = ["paper", "planted", "near-trivial"]
        let times = [1, 2, 3, 5]   // τ = 0.05, 0.1, 0.15, 0.25: around the branch end at n = 32
        let problem = try Problem(dimension: FlowModel.Dimension(d), p: 0.8, sigma: 1)
        struct Outcome: Sendable { var tau: [Double], learned: [[Bool]], exists: [Bool], global: [Bool] }
        // Per seed (in parallel): the three starts, and the theory once (it depends on the seed's n₊ only).
        let outcomes = try parallelMap(seeds) { seed -> Outcome in
            var learned = [[Bool]](), tau = [Double](), nPlus = 0.0
            for start in starts {
                var options = TrainingOptions()
                options.trainingProtocol = .converged; options.penaltyU = 2; options.penaltyW = 2
                options.trainedTimes = times
                if start == "planted" { options.planted = PlantedOverlap(m: 1, omega: 1) }
                let trainer = try Trainer<Double>(problem: problem, n: n, k: 2, steps: steps, options: options, seed: seed)
                if start == "near-trivial" {   // w → 0, b large: the trivial branch's side
                    for j in times { trainer.bank.b[j] = 8; for i in 0..<Int(d) { trainer.bank.w[j * Int(d) + i] *= 1e-4 } }
                }
                trainer.step()
                nPlus = (trainer.data.positiveFraction * Double(n)).rounded()
                tau = times.map { trainer.grid.tau[$0] }
                learned.append(times.map { trainer.orderParameters()[$0].r > 1e-6 })
            }
            var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus, penaltyU: 2, penaltyW: 2),
                                               k: 2, dimension: try FlowModel.Dimension(d))
            theory.finiteDReduced = true
            theory.branchRule = .learnedIfExists
            let exists = try theory.table(at: tau).map { $0.solution != .trivial }
            theory.branchRule = .global
            let global = try theory.table(at: tau).map { $0.solution != .trivial }
            return Outcome(tau: tau, learned: learned, exists: exists, global: global)
        }
        for (seed, outcome) in zip(seeds, outcomes) {
            for (s, start) in starts.enumerated() {
                for (i, j) in times.enumerated() {
                    let learned = outcome.learned[s][i], branchExists = outcome.exists[i], tau = outcome.tau[i]
                    print("branch: start \(start) seed \(seed) τ = \(tau) sim learned \(learned), learned branch exists \(branchExists), global learned \(outcome.global[i])")
                    if j == 2 { continue }   // τ = 0.1: the branch end, reported only
                    XCTAssertEqual(learned, start == "near-trivial" ? false : branchExists, "start \(start), seed \(seed), τ = \(tau)")
                }
            }
        }
    }
}
