@testable import Experiments
import FlowModel
import Foundation
import GSLKit
import Simulation
import Theory
import XCTest

/// The converged protocol at L_u = L_w = 2, p = 0.8, σ = 1, k = 2: the configuration and each seed's last snapshot.
/// `trainedTimes`: only those grid times are minimised (the others keep the initialisation).
func convergedRuns(d: Double, n: Int, steps: Int, samples: Int, seeds: [UInt64], planted: PlantedOverlap? = nil,
                   trainedTimes: [Int]? = nil) throws
    -> (configuration: SimulationConfiguration, snapshots: [Snapshot]) {
    var training = TrainingOptions()
    training.trainingProtocol = .converged; training.epochs = 1; training.penaltyU = 2; training.penaltyW = 2
    training.planted = planted; training.trainedTimes = trainedTimes
    var config = try SimulationConfiguration(setup: try Setup(dimension: FlowModel.Dimension(d), n: Double(n)), steps: steps, training: training)
    config.samples = samples
    let runs = try SimulationRunner.runSeeds(config, seeds: seeds, threads: 2)
    return (config, seeds.compactMap { runs[$0]?.last })
}

/// The converged protocol against the finite-d theory (derivations/converged-protocol.md,
/// derivations/finite-d-corrections.md): within error bars in both phases, deviation shrinking with d.
final class ConvergedComparisonTests: XCTestCase {
    private func comparison(d: Double, n: Int, seeds: [UInt64], planted: PlantedOverlap? = nil) throws -> StaticComparison.Result {
        let (config, snapshots) = try convergedRuns(d: d, n: n, steps: 8, samples: 8, seeds: seeds, planted: planted)
        return try StaticComparison.compare(config, snapshots)
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

/// Each finite-d theory term (derivations/finite-d-corrections.md) against the converged simulation,
/// next to the form it replaces: FD.1's skip weight in phase 1 vs the AT.20 form; the reduced problem
/// at saturated times (FD.3: m, q corrections, predicted ω, r, uw, b) vs the closed form AT.20/21.
final class FiniteDCorrectionTests: XCTestCase {
    func testEachCorrectionAgreesWhereTheFormItReplacesDoesNot() throws {
        let d = 1000.0, n = 32, seeds: [UInt64] = Array(1...6)
        let snapshots = try convergedRuns(d: d, n: n, steps: 8, samples: 0, seeds: seeds).snapshots
        let taus = Array(snapshots[0].grid.tau[0..<8])
        // Per seed, the theory at the seed's n₊, with (FD) and without (published) the corrections: each
        // (n₊, corrected) table is solved once (the solve is deterministic), the distinct ones on all cores.
        let nPlus = snapshots.map { ($0.trainingFraction * Double(n)).rounded() }, keys = Array(Set(nPlus)).sorted()
        let tables = try parallelMap(keys.flatMap { [($0, false), ($0, true)] }) { nPlus, finiteD -> [LearnedParameters] in
            var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus, penaltyU: 2, penaltyW: 2),
                                               k: 2, dimension: try FlowModel.Dimension(d))
            theory.finiteDReduced = finiteD
            return try theory.table(at: taus)
        }
        let published = nPlus.map { tables[2 * keys.firstIndex(of: $0)!] }, corrected = nPlus.map { tables[2 * keys.firstIndex(of: $0)! + 1] }
        func z(_ table: [[LearnedParameters]], _ j: Int, _ key: OrderParameter) -> Double {
            let sim = snapshots.map { $0.orderParameters[j][key] }, (mean, se) = meanAndStandardError(sim)
            let theory = table.map { $0[j].orderParameters[key] }.reduce(0, +) / Double(table.count)
            return (mean - theory) / se
        }
        let bound = largestStudentTThreshold(count: 10, dof: seeds.count - 1)
        // Phase 1 (τ = ¼, ½): the skip weight c (FD.1).
        for j in [1, 2] {
            XCTAssertLessThan(abs(z(corrected, j, .c)), bound, "FD.1 c at τ = \(taus[j])")
            XCTAssertGreaterThan(abs(z(published, j, .c)), bound, "AT.20-form c at τ = \(taus[j]) should be excluded")
        }
        // Phase 2 (τ = 1.5, 1.75): m, q (FD.3) and the w-side, which the closed form reports as 0.
        for j in [6, 7] {
            for key in [OrderParameter.m, .q, .omega, .r, .uw, .b] {
                XCTAssertLessThan(abs(z(corrected, j, key)), bound, "FD.3 \(key) at τ = \(taus[j])")
            }
            for key in [OrderParameter.m, .omega] {
                XCTAssertGreaterThan(abs(z(published, j, key)), bound, "closed-form \(key) at τ = \(taus[j]) should be excluded")
            }
        }
    }
}

/// σ̂ as measured (SIM.18, the spread about the μ axis) includes the memorised class means (FD.5):
/// at n = 16, L = 2 the term n σ²/(n + L)² ≈ 0.049 moves σ̂ by ≈ 2.5 %, many standard errors.
final class MemorisedSpreadTests: XCTestCase {
    func testGeneratedSpreadIncludesTheMemorisedClassMeans() throws {
        let d = 1000.0, n = 16, seeds: [UInt64] = Array(1...4)
        let snapshots = try convergedRuns(d: d, n: n, steps: 16, samples: 256, seeds: seeds).snapshots
        let measured = meanAndStandardError(snapshots.map { $0.generation!.sigmaHat })
        // Per seed at its n₊ (each distinct n₊ solved once, deterministic; the distinct ones on all cores):
        // the flow of the networks compare tests, the finite-d table (FD.1–FD.8) at the 16 grid times.
        let nPlus = snapshots.map { ($0.trainingFraction * Double(n)).rounded() }, keys = Array(Set(nPlus)).sorted()
        let grid = snapshots[0].grid
        let predictions = try parallelMap(keys) { nPlus -> LearnedFlow.Prediction in
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus, penaltyU: 2, penaltyW: 2)
            var theory = try AutoencoderTheory(problem: problem, k: 2, dimension: .finite(Int(d)))
            theory.finiteDReduced = true; theory.branchRule = .learnedIfExists
            let table = try theory.table(at: Array(grid.tau[0..<16]))
            return try LearnedFlow.grid(problem, schedule: grid.schedule, dimension: .finite(Int(d)), networks: table)
        }
        let perSeed = nPlus.map { predictions[keys.firstIndex(of: $0)!] }
        let withMeans = perSeed.map(\.sigmaHat), modeOnly = perSeed.map(\.modeSpread)
        let fd5 = withMeans.reduce(0, +) / 4, gain = modeOnly.reduce(0, +) / 4
        let bound = largestStudentTThreshold(count: 1, dof: seeds.count - 1)
        print("σ̂ = \(measured.mean) ± \(measured.standardError); FD.5 \(fd5), mode spread alone \(gain)")
        XCTAssertLessThan(abs(measured.mean - fd5) / measured.standardError, bound, "FD.5")
        XCTAssertGreaterThan(abs(measured.mean - gain) / measured.standardError, bound, "the mode spread alone should be excluded")
    }
}
