@testable import Experiments
import FlowModel
import Foundation
import GSLKit
import Simulation
import Theory
import XCTest

/// The converged protocol against the finite-d theory (derivations/converged-protocol.md,
/// derivations/finite-d-corrections.md): within error bars in both phases, deviation shrinking with d.
final class ConvergedComparisonTests: XCTestCase {
    private func comparison(d: Double, n: Int, seeds: [UInt64], planted: PlantedOverlap? = nil) throws -> StaticComparison.Result {
        var training = TrainingOptions()
        training.trainingProtocol = .converged; training.epochs = 1; training.penaltyU = 2; training.penaltyW = 2
        training.planted = planted
        var config = SimulationConfiguration(problem: try Problem(dimension: d, p: 0.8, sigma: 1), n: n, k: 2, steps: 8, training: training)
        config.samples = 8
        let runs = try SimulationRunner.runSeeds(config, seeds: seeds, threads: 2)
        return try StaticComparison.compare(config, seeds.compactMap { runs[$0]?.last })
    }

    /// τ = 0, ¼ … 1¾ (K = 8): every determined order parameter within the 95 % point of the largest
    /// of the Student-t ratios at d = 1000 and 4000, and the largest deviation smaller at 4000.
    func testConvergedProtocolAgreesWithTheoryAndDeviationShrinks() throws {
        var deviations = [Double]()
        for d in [1000.0, 4000.0] {
            let result = try comparison(d: d, n: 32, seeds: Array(1...6))
 let threshold = result.summary.fields.first { $0.key == "max_z_95" }.map { "\($0.value)" } ?? "?"
            let agrees = result.summary.fields.first { $0.key == "agrees" }.map { "\($0.value)" } ?? "?"
            XCTAssertTrue(agrees.contains("1"), "d = \(d): max |z| = \(result.maxZ) (\(result.maxDeviation.key) at τ = \(result.maxDeviation.tau)), 95 % point \(threshold)")
            print("converged vs theory, d = \(Int(d)): max |z| = \(result.maxZ), 95 % point \(threshold), max |dev| = \(result.maxDeviation)")
            deviations.append(result.maxDeviation.value)
        }
        XCTAssertLessThan(deviations[1], deviations[0], "max |sim − theory| at d = 1000, 4000: \(deviations)")
    }
}
