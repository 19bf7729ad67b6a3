import Experiments
import FlowModel
import Foundation
import GSLKit
import Simulation
import XCTest

/// Adam's mean field (derivations/adam-offset.md §5, AD.5–AD.8) against the authors' Adam protocol, seed
/// by seed from the same start: d = 3000, n = 128, K = 8 with k = 0.4 (the signal β√d = kτ of τ = ¼, ½, ¾
/// is that of τ = 0.05, 0.1, 0.15 at the paper's k = 2), L = Kλd/2 = 2, 8000 epochs, 3 seeds. At τ = ¼
/// the runs collapse to the trivial plateau, at τ = ½ and ¾ they learn (one seed at τ = ½ only after
/// 4000 epochs): the prediction is tested on both sides of the branch boundary.
final class AdamBranchTests: XCTestCase {
    func testMeanFieldPredictsEachSeedsBranchAndTrajectory() throws {
        let d = 3000, K = 8, penalty = 2.0, seeds: [UInt64] = [1, 2, 3], indices = [1, 2, 3], epochs = [2000, 8000]
        var training = TrainingOptions()
        training.trainingProtocol = .adam
        training.weightDecay = 2 * penalty / Double(K * d)          // L = Kλd/2 (AT.5)
        training.epochs = epochs.last!
        training.trainedTimes = indices   // the other 5 grid times are not read (a trained time has the bits of an all-times run)
        let options = training
        let config = try SimulationConfiguration(setup: try Setup(dimension: .finite(d), k: 0.4, n: 128),
                                             steps: K, training: options)
        XCTAssertEqual(AdamBranchPrediction.indices(config, taus: [0, 0.25, 0.5, 0.75, 1, 1.25]), indices + [4])   // τ = 1 closes phase 1
        // simulated[seed][epoch][grid index] and predicted[seed][grid index][0, epochs…], both sign fixed;
        // the 3 runs and the 3 predictions as one parallel map, so that both cores stay busy throughout.
        enum Outcome: Sendable { case simulated([[OrderParameters]]), predicted([Int: [OrderParameters]]) }
        let outcomes = try parallelMap(Array(0..<2 * seeds.count)) { i -> Outcome in
            let seed = seeds[i % seeds.count]
            guard i < seeds.count else {
                return .predicted(try AdamBranchPrediction.trajectories(config, seed: seed, indices: indices, epochs: [0] + epochs.map(Double.init)))
            }
            let trainer = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: K, options: options, seed: seed)
            return .simulated(epochs.map { epoch in
                trainer.train(epochs: epoch - trainer.epoch)
                return trainer.orderParameters().map(\.signFixed)
            })
        }
        let simulated = outcomes.compactMap { if case .simulated(let s) = $0 { s } else { nil } }
        let predicted = outcomes.compactMap { if case .predicted(let p) = $0 { p } else { nil } }
        XCTAssertEqual(simulated.count, seeds.count); XCTAssertEqual(predicted.count, seeds.count)
        // The branch: a collapsed unit (r < 0.01; learned phase-1 states have r > 0.1) or not, seed by seed.
        var collapsed = 0
        for s in seeds.indices {
            for j in indices {
                let sim = simulated[s][1][j], theory = predicted[s][j]![2]
                XCTAssertEqual(sim.r < 0.01, theory.r < 0.01, "branch of seed \(seeds[s]) at τ = \(Double(j) / 4): sim r = \(sim.r), mean field r = \(theory.r)")
                if sim.r < 0.01 { collapsed += 1 }
            }
        }
        XCTAssertTrue(collapsed > 0 && collapsed < seeds.count * indices.count, "both branches should occur; \(collapsed) collapsed")
        // The trajectory: per epoch and parameter, the mean over the 9 (seed, τ) pairs of simulation − mean field.
        let keys: [OrderParameter] = [.b, .m, .omega, .q, .r]
        let bound = largestStudentTThreshold(count: epochs.count * keys.count, dof: seeds.count * indices.count - 1)
        for (e, epoch) in epochs.enumerated() {
            for key in keys {
                let differences = seeds.indices.flatMap { s in indices.map { simulated[s][e][$0][key] - predicted[s][$0]![e + 1][key] } }
                let (mean, se) = meanAndStandardError(differences)
                print(String(format: "epoch %d %@: sim − mean field %+.4f ± %.4f (largest |difference| %.4f)", epoch, key.rawValue,
                             mean, se, differences.map(abs).max()!))
                XCTAssertLessThan(abs(mean) / se, bound, "\(key.rawValue) at epoch \(epoch)")
            }
        }
    }
}
