import Dynamics
import FlowModel
import Foundation
import GSLKit
import Simulation
import XCTest

/// The order-parameter ODEs against the Simulation module's online protocol (TD §7, SIM.15), and
/// the simulation options that comparison uses: planted and aligned starts (TD.20), training one
/// grid time, grids containing a given τ, snapshots without generation.
final class DynamicsSimulationTests: XCTestCase {
    /// An online-protocol configuration at one τ of the dilated grid, training only that time.
    private func onlineConfiguration(_ st: TrainingSetting, epochs: [Int], planted: Double? = nil, aligned: Bool = true)
        throws -> (SimulationConfiguration, index: Int) {
        try XCTUnwrap(SimulationConfiguration.onlineTrajectory(
            setup: st.setup, tau: st.tau,
            learningRate: st.learningRate, planted: planted.map { PlantedOverlap(m: $0, omega: $0) },
            alignedStart: aligned, epochs: epochs))
    }

    /// The finite-d online-SGD equations against the simulation, from a planted macroscopic overlap
    /// m = ω = 0.3: the seed-averaged difference stays within its error bars, and the per-seed
    /// maximal deviation shrinks with d (d^{-1/2} predicts a factor 2 from 250 to 1000).
    func testAgreementWithOnlineSimulation() throws {
        var deviations: [Double] = []
        for d in [250.0, 1000.0] {
            let st = try TrainingSetting(setup: try Setup(dimension: try FlowModel.Dimension(d), p: 0.8, sigma: 1, k: 2), tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
            let epochs = (0...12).map { $0 * Int(d) }   // training time 0, 1, …, 12
            let (config, index) = try onlineConfiguration(st, epochs: epochs, planted: 0.3)
            let runs = try SimulationRunner.orderParameterTrajectories(config, seeds: Array(1...8), index: index, threads: 2)
            let comparison = try SimulationComparison(setting: st, times: epochs.map { Double($0) / d }, trajectories: runs)
            for (i, time) in comparison.times.enumerated() {
                for j in [1, 2, 3, 4, 5] {  // b, m, ω, q, r (column order)
                    let diff = comparison.meanDifference[i][j], se = comparison.standardError[i][j]
                    XCTAssertLessThan(abs(diff), 4 * se + 0.01,
                                      "d = \(d), time = \(time), \(OrderParameters.keys[j]): sim − ODE = \(diff) ± \(se)")
                }
            }
            deviations.append(comparison.meanMaxDeviation)
        }
        let ratio = deviations[0] / deviations[1]
        XCTAssertGreaterThan(ratio, 1.3, "deviation must shrink with d: \(deviations)")
        XCTAssertLessThan(ratio, 3.0, "deviations \(deviations)")
        XCTAssertLessThan(deviations[1], 0.1, "deviations \(deviations)")
    }

    /// Four dimensions d = 500, 1000, 2000, 4000 (planted m = ω = 0.3, τ = 0.5, η = 0.5, time ≤ 8,
    /// 16 seeds): every seed-averaged difference within its error bars, i.e. the largest
    /// |mean(sim − ODE)|/SE over the 7 order parameters and 8 times below its 95 % point under
    /// agreement, and the largest deviation falling like d^a with a = −1/2 (TD §7).
    ///
    /// The tolerance of a: a is the least-squares slope of y_i = log D_i on x_i = log d_i, linear in the
    /// y_i, and Var(log D_i) ≈ (SE_i/D_i)², so its standard error from the seeds is
    /// √(Σ (x_i − x̄)² (SE_i/D_i)²) / S_xx, 0.055 here. The tolerance stays the former 0.15 (2.7 SE, so
    /// an exponent off by more than 0.15 fails as before), and SE < 0.075 is asserted so that it is never
    /// below 2 SE. (The d = 1000, 5000, 20000 at 8 seeds gave a = −0.52, SE 0.045, in about
    /// 170 s, 94 % of it at d = 20000; these four span a factor 8 in d in about 17 s. d = 250 is left
    /// out: there the deviation is still above the asymptotic law, and 250–2000 gives a = −0.60.)
    func testDeviationWithinErrorBarsAndFallsLikeInverseRootD() throws {
        var logD: [Double] = [], logDeviation: [Double] = [], relativeError: [Double] = []
        for d in [500.0, 1000, 2000, 4000] {
            let st = try TrainingSetting(setup: try Setup(dimension: try FlowModel.Dimension(d), p: 0.8, sigma: 1, k: 2), tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
            let epochs = (0...8).map { $0 * Int(d) }
            let (config, index) = try onlineConfiguration(st, epochs: epochs, planted: 0.3)
            let runs = try SimulationRunner.orderParameterTrajectories(config, seeds: Array(1...16), index: index, threads: 2)
            let comparison = try SimulationComparison(setting: st, times: epochs.map { Double($0) / d }, trajectories: runs)
            print("d = \(Int(d)): largest deviation \(comparison.meanMaxDeviation) ± \(comparison.maxDeviationError), max z \(comparison.maxStandardizedDifference) (95 % point \(comparison.maxStandardizedThreshold))")
            XCTAssertLessThan(comparison.maxStandardizedDifference, comparison.maxStandardizedThreshold, "d = \(d)")
            logD.append(log(d))
            logDeviation.append(log(comparison.meanMaxDeviation))
            relativeError.append(comparison.maxDeviationError / comparison.meanMaxDeviation)
        }
        let fit = try LinearFit(x: logD, y: logDeviation)
        let mean = logD.reduce(0, +) / Double(logD.count), sxx = logD.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let slopeError = zip(logD, relativeError).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 * $1.1 }.squareRoot() / sxx
        print("largest deviation ∝ d^a, a = \(fit.slope) ± \(slopeError) (seeds; residual SE \(fit.slopeStandardError))")
        XCTAssertLessThan(slopeError, 0.075, "too few seeds for the tolerance 0.15 (2 SE)")
        XCTAssertEqual(fit.slope, -0.5, accuracy: 0.15)
    }

    /// From theory init (aligned), the escape times of the simulation follow the law predicted by the
    /// plateau SDE and the ODE (PE.9): median within 3 standard errors, interquartile ranges within a
    /// factor 1.6, and the mean trajectories after the switch within their combined error bars. The
    /// deterministic ODE from the typical start (TD.19) has no spread at all.
    func testEscapeLawFromTheoryInit() throws {
        let d = 1000.0
        let st = try TrainingSetting(setup: try Setup(dimension: try FlowModel.Dimension(d), p: 0.8, sigma: 1, k: 2), tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
        let epochs = (0...56).map { $0 * Int(d) / 4 }   // training time 0, 0.25, …, 14
        let times = epochs.map { Double($0) / d }
        let (config, index) = try onlineConfiguration(st, epochs: epochs)
        let runs = try SimulationRunner.orderParameterTrajectories(config, seeds: Array(1...32), index: index, threads: 2)
        let flow = try OrderParameterFlow(setting: st)
        let ensemble = try EscapeEnsemble(escape: try PlateauEscape(flow: flow), start: .theoryInit, members: 160,
                                          times: times, seed: 5)
        let comparison = try EnsembleComparison(ensemble: ensemble, times: times, simulated: runs)
        let sim = comparison.simulatedEscapes, pred = comparison.predictedEscapes
        let iqr = { (x: [Double]) in quantile(x, 0.75) - quantile(x, 0.25) }
        print("escape: simulation median \(quantile(sim, 0.5)), IQR \(iqr(sim)); ensemble median \(quantile(pred, 0.5)), IQR \(iqr(pred)); z = \(comparison.escapeZ); trajectories max z = \(comparison.maxStandardizedDifference)")
        XCTAssertEqual(sim.count, 32)
        XCTAssertLessThan(abs(comparison.escapeZ), 3)
        XCTAssertGreaterThan(iqr(sim) / iqr(pred), 1 / 1.6)
        XCTAssertLessThan(iqr(sim) / iqr(pred), 1.6)
        XCTAssertLessThan(comparison.maxStandardizedDifference, 4.5)
    }

    /// A planted start has m and ω exactly at the planted values at every grid time, the rest of
    /// theory init (c = b = 0, q, r ≈ 1 + 0.3²); an aligned start has m·ω ≥ 0 at every time and
    /// differs from the plain one only by the sign of some w_j (TD.20).
    func testPlantedAndAlignedStarts() throws {
        let problem = try Problem(dimension: .finite(400), p: 0.8, sigma: 1)
        func start(planted: PlantedOverlap?, aligned: Bool) throws -> Trainer<Double> {
            var options = TrainingOptions()
            options.trainingProtocol = .online; options.initialisation = .theory
            options.planted = planted; options.alignedStart = aligned
            return try Trainer<Double>(problem: problem, n: 1, k: 2, steps: 40, options: options, seed: 3)
        }
        let planted = try start(planted: PlantedOverlap(m: 0.3, omega: -0.2), aligned: false).orderParameters()
        for (j, o) in planted.enumerated() {
            XCTAssertEqual(o.m, 0.3, accuracy: 1e-13, "time \(j)")
            XCTAssertEqual(o.omega, -0.2, accuracy: 1e-13, "time \(j)")
            XCTAssertEqual(o.c, 0); XCTAssertEqual(o.b, 0)
            XCTAssertEqual(o.q, 1.09, accuracy: 0.25); XCTAssertEqual(o.r, 1.04, accuracy: 0.25)
        }
        let plain = try start(planted: nil, aligned: false), aligned = try start(planted: nil, aligned: true)
        let before = plain.orderParameters(), after = aligned.orderParameters()
        XCTAssertTrue(before.contains { $0.m * $0.omega < 0 }, "some time must start misaligned (each with probability ½)")
        for j in 0..<40 {
            XCTAssertGreaterThanOrEqual(after[j].m * after[j].omega, 0, "time \(j)")
            XCTAssertEqual(after[j].m, before[j].m); XCTAssertEqual(after[j].q, before[j].q); XCTAssertEqual(after[j].r, before[j].r)
            XCTAssertEqual(abs(after[j].omega), abs(before[j].omega))
        }
        XCTAssertEqual(aligned.bank.u.array, plain.bank.u.array)
    }

    /// Training one grid time gives, at that time, the bits of a run of all times (each time has its
    /// own noise stream); a seed's trajectory is bit-identical run to run and for any thread count.
    func testOnlineTrajectoriesAreBitReproducible() throws {
        let st = try TrainingSetting(setup: try Setup(dimension: .finite(300), p: 0.8, sigma: 1, k: 2), tau: 0.75, learningRate: 0.5, rule: .onlineSGD)
        let (config, index) = try onlineConfiguration(st, epochs: [0, 150, 600], planted: 0.3)
        XCTAssertEqual(config.steps, 8); XCTAssertEqual(index, 3)
        func bits(_ runs: [[OrderParameters]]) -> [UInt64] { runs.joined().flatMap(\.values).map(\.bitPattern) }
        let a = try SimulationRunner.orderParameterTrajectories(config, seeds: [4, 5], index: index, threads: 2)
        let b = try SimulationRunner.orderParameterTrajectories(config, seeds: [4, 5], index: index, threads: 1)
        var all = config
        all.training.trainedTimes = nil
        let c = try SimulationRunner.orderParameterTrajectories(all, seeds: [4, 5], index: index, threads: 2)
        XCTAssertEqual(bits(a), bits(b))
        XCTAssertEqual(bits(a), bits(c))
        XCTAssertNotEqual(a[0], a[1], "different seeds")
        XCTAssertNotEqual(a[0][0], a[0][2], "training must move the network")
    }

    /// The smallest even grid containing τ (SIM.1), and snapshots without generation.
    func testGridContainingTauAndSnapshotsWithoutSamples() throws {
        XCTAssertEqual(TrainingGrid.smallestSteps(containing: 0.5)?.steps, 4)
        XCTAssertEqual(TrainingGrid.smallestSteps(containing: 0)?.index, 0)
        XCTAssertEqual(TrainingGrid.smallestSteps(containing: 1.5).map { [$0.steps, $0.index] }, [4, 3])
        XCTAssertEqual(TrainingGrid.smallestSteps(containing: 0.37).map { [$0.steps, $0.index] }, [200, 37])
        XCTAssertEqual(TrainingGrid.smallestSteps(containing: 1.0 / 3).map { [$0.steps, $0.index] }, [6, 1])
        XCTAssertNil(TrainingGrid.smallestSteps(containing: 0.3333))
        XCTAssertNil(TrainingGrid.smallestSteps(containing: 2))
        let st = try TrainingSetting(setup: try Setup(dimension: .finite(100), p: 0.8, sigma: 1, k: 2), tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
        let (config, _) = try onlineConfiguration(st, epochs: [0, 10])
        let runs = try SimulationRunner.runSeeds(config, seeds: [1, 2], threads: 2)
        XCTAssertTrue(runs.values.joined().allSatisfy { $0.generation == nil })
        XCTAssertNil(SimulationRunner.pooledGeneration(runs[1]!))
    }
}
