import Dynamics
import FlowModel
import Foundation
import Simulation

/// Which branch the authors' Adam reaches, predicted per seed: Adam's mean field (AD.5–AD.8,
/// `AdamMeanField`) integrated from the seed's own start (its training set and initial bank, rebuilt
/// from the seed) over the run's epochs (derivations/adam-offset.md §5).
///
///     let ends = try AdamBranchPrediction.endStates(config, seed: 1, indices: [1, 2, 3])
///     AdamProtocol().isTrivial(ends[1]!)   // true: predicted on the plateau at that grid time
public enum AdamBranchPrediction {
    /// The grid times where the branch is in question: phase 1 (0 < τ ≤ 1) on the dilated clock (at τ = 0
    /// there is no signal, and in phase 2 Adam landed on the learned branch in every run measured).
    public static func indices(_ config: SimulationConfiguration, taus: [Double]) -> [Int] {
        guard config.training.trainingProtocol is AdamProtocol, config.training.schedule == .dilated else { return [] }
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
            let setting = try TrainingSetting(setup: try Setup(dimension: .finite(d), p: config.problem.p, sigma: sigma, k: config.k), tau: trainer.grid.tau[j],
                                              learningRate: 1, penaltyU: penalties.u,
                                              penaltyW: penalties.w, rule: .gradientFlow)
            let adam = try AdamMeanField(flow: try FiniteSampleFlow(setting: setting, data: data),
                                         learningRate: config.training.effectiveLearningRate,
                                         lossScale: Double(n) / Double(config.steps))
            runs[j] = try adam.integrate(from: start, epochs: epochs).points.map { $0.state.order.signFixed }
        }
        return runs
    }

    /// The grid indices of `taus` (each must be a grid time τ_j = 2j/K > 0); nil: `indices(config, taus:)` of the grid.
    public static func gridIndices(_ config: SimulationConfiguration, taus: [Double]?) throws -> [Int] {
        // What can fail before any work (grid size, memory, d ≥ n + 4), as `simulate` checks it.
        var training = config.training
        training.epochs = 0
        _ = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps, options: training, seed: 1)
        let grid = try TrainingGrid(problem: config.problem, k: config.k, steps: config.steps, schedule: config.training.schedule)
        let all = Array(grid.tau[0..<config.steps])
        guard let taus else { return indices(config, taus: all) }
        return try taus.map { tau in
            guard tau > 0, let j = all.firstIndex(where: { abs($0 - tau) < 1e-9 }) else {
                throw InputError("tau \(tau) is not a grid time τ_j = 2j/K > 0 of --steps \(config.steps)")
            }
            return j
        }
    }

    /// Rows per seed, grid time and epoch (the configuration's record epochs, or 0 and the last): the
    /// mean field's order parameters, `plateau` (|b| ≥ 5, as `compare` counts Adam's trivial branch)
    /// and the inputs under their flag names.
    public static func rows(_ config: SimulationConfiguration, seeds: [UInt64], indices: [Int]) throws -> [Row] {
        guard config.training.trainingProtocol is AdamProtocol, config.training.schedule == .dilated else {
            throw InputError("Adam's mean field is for --protocol adam on the dilated clock")
        }
        let epochs = (config.recordEpochs.isEmpty ? [0] : config.recordEpochs.filter { $0 < config.training.epochs }) + [config.training.epochs]
        let grid = try TrainingGrid(problem: config.problem, k: config.k, steps: config.steps, schedule: config.training.schedule)
        let runs = try parallelMap(seeds) { try trajectories(config, seed: $0, indices: indices, epochs: epochs.map(Double.init)) }
        var rows = [Row]()
        for (seed, run) in zip(seeds, runs) {
            for (e, epoch) in epochs.enumerated() {
                for j in indices {
                    let x = run[j]![e]
                    var row = Row()
                    row.add("seed", Int(seed)); row.add("epoch", epoch)
                    row.add("tau", grid.tau[j]); row.add("t", grid.t[j]); row.add("phase", DilatedClock.phase(at: grid.tau[j]))
                    for key in OrderParameter.allCases { row.add(Quantity(key.rawValue), x[key]) }
                    row.add("plateau", AdamProtocol().isTrivial(x) ? 1 : 0)
                    SnapshotRows.addInputs(config, to: &row)
                    rows.append(row)
                }
            }
        }
        return rows
    }
}
