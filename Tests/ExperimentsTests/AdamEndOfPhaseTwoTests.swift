import FlowModel
import Foundation
import GSLKit
import Simulation
import Theory
import XCTest

/// derivations/adam-offset.md §9–§10 (AD.14–AD.18): Adam's stationary state at the end of phase 2 (τ = 1.75, K = 8,
/// λ = 10⁻⁴, n = 128, lr 0.01, 16 000 epochs, that grid time trained alone) at d = 500, 1000 and 2000, 4 seeds,
/// against the preconditioned model (theory at each seed's n₊, averaged as `compare` averages it). AD.4's isotropic
/// bulk, which misses w's offsets along span(μ, X₁), is excluded at every d: the test separates the two.
final class AdamEndOfPhaseTwoTests: XCTestCase {
    func testPreconditionedModelAgreesAtThreeDimensionsWhereAD4DoesNot() throws {
        let dims = [500, 1000, 2000], seeds: [UInt64] = [1, 2, 3, 4], j = 7, epochs = 16_000
        let keys: [OrderParameter] = [.m, .q, .omega, .r]
        let bound = largestStudentTThreshold(count: dims.count * keys.count, dof: seeds.count - 1)
        var options = TrainingOptions()
        options.learningRate = AdamPhaseTwoStateTests.lr; options.weightDecay = AdamPhaseTwoStateTests.lambda
        options.epochs = epochs; options.trainedTimes = [j]; options.threads = 1
        for d in dims {
            let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
            struct Seed: Sendable { var sim: OrderParameters, model: [OrderParameters] }   // model: preconditioned, isotropic
            let runs = try parallelMap(seeds) { [options] seed -> Seed in
                let trainer = try Trainer<Double>(problem: problem, n: AdamPhaseTwoStateTests.n, k: 2, steps: AdamPhaseTwoStateTests.steps,
                                                  options: options, seed: seed)
                trainer.train(epochs: epochs)
                var theory = try AdamPhaseTwoStateTests.theory(d: d, seed: seed)
                theory.adamLearningRate = AdamPhaseTwoStateTests.lr
                let model = try [AdamBulk.Model.preconditioned, .isotropic].map { kind in
                    theory.adamBulkModel = kind
                    return try theory.table(at: [AdamPhaseTwoStateTests.tau])[0].orderParameters
                }
                return Seed(sim: trainer.orderParameters()[j], model: model)
            }
            var excluded = false
            for key in keys {
                let (mean, se) = meanAndStandardError(runs.map { $0.sim[key] })
                let z = { (i: Int) in (mean - runs.map { $0.model[i][key] }.reduce(0, +) / Double(seeds.count)) / se }
                print(String(format: "d %d τ 1.75 %@: Adam %.5f ± %.5f, preconditioned z %.1f, AD.4 z %.1f", d, key.rawValue, mean, se,
                             z(0), z(1)))
                XCTAssertLessThan(abs(z(0)), bound, "AD.14–AD.18 \(key.rawValue) at d = \(d)")
                if abs(z(1)) > bound { excluded = true }
            }
            XCTAssertTrue(excluded, "AD.4 should be excluded at d = \(d)")
        }
    }
}
