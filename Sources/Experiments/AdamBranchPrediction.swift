import Dynamics
import FlowModel
import Foundation
import Simulation

/// Which branch the authors' Adam reaches, predicted per seed: Adam's mean field (AD.5–AD.8,
/// `AdamMeanField`) integrated from the seed's own start (its training set and initial bank, rebuilt
/// from the seed) over the run's epochs (derivations/adam-offset.md §5).
///
///     let ends = try AdamBranchPrediction.endStates(config, seed: 1, indices: [1, 2, 3])
///     StaticComparison.isTrivial(ends[1]!, .adam)   // true: predicted on the plateau at that grid time
public enum AdamBranchPrediction {
    /// The grid times where the branch is in question: phase 1 (0 < τ ≤ 1) on the dilated clock (at τ = 0
    /// there is no signal, and in phase 2 Adam landed on the learned branch in every run measured).
    public static func indices(_ config: SimulationConfiguration, taus: [Double]) -> [Int] {
        guard config.training.trainingProtocol == .adam, config.training.schedule == .dilated else { return [] }
        return taus.indices.filter { taus[$0] > 0 && DilatedClock.phase(at: taus[$0]) == 1 }
    }

    /// Per grid index: the mean field's order parameters (sign fixed, m ≥ 0) at the configuration's epochs.
    public static func endStates(_ config: SimulationConfiguration, seed: UInt64, indices: [Int]) throws -> [Int: FlowModel.OrderParameters] {
        try trajectories(config, seed: seed, indices: indices, epochs: [0, Double(config.training.epochs)]).mapValues { $0[1] }
    }

    /// Per grid index: the mean field's order parameters (sign fixed) at each of `epochs` (increasing, the first 0).
    public static func trajectories(_ config: SimulationConfiguration, seed: UInt64, indices: [Int],
                                    epochs: [Double]) throws -> [Int: [FlowModel.OrderParameters]] {
        guard !indices.isEmpty else { return [:] }
        let d = config.problem.d, n = config.n, sigma = config.problem.sigma
        let trainer = try Trainer<Double>(problem: config.problem, n: n, k: config.k, steps: config.steps,
                                          options: config.training, seed: seed)
        let set = trainer.data, mean = set.mean
        let noise = (0..<n).map { nu in (0..<d).map { (set.points[nu * d + $0] - set.signs[nu] * mean[$0]) / sigma } }
        let data = try FiniteSampleData(signs: set.signs, sigma: sigma, mean: mean, noise: noise)
        let penalties = config.training.staticTheoryPenalties(dimension: d, steps: config.steps)
        var runs: [Int: [FlowModel.OrderParameters]] = [:]
        for j in indices {
            let u = (0..<d).map { trainer.bank.u[j * d + $0] }, w = (0..<d).map { trainer.bank.w[j * d + $0] }
            let start = FiniteSampleState(c: trainer.bank.c[j], b: trainer.bank.b[j], u: u, w: w, mean: mean, noise: noise)
            let setting = try TrainingSetting(p: config.problem.p, sigma: sigma, k: config.k, tau: trainer.grid.tau[j],
                                              dimension: .finite(d), learningRate: 1, penaltyU: penalties.u,
                                              penaltyW: penalties.w, rule: .gradientFlow)
            let adam = try AdamMeanField(flow: try FiniteSampleFlow(setting: setting, data: data),
                                         learningRate: config.training.effectiveLearningRate,
                                         lossScale: Double(n) / Double(config.steps))
            runs[j] = try adam.integrate(from: start, epochs: epochs).points.map { $0.state.order.signFixed }
        }
        return runs
    }
}
