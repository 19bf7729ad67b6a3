import Foundation
import FlowModel
import Simulation

/// The CSV rows of simulation snapshots (one per grid time) and their read-back into snapshots.
///
///     let rows = SnapshotRows.rows(snapshot, configuration)          // K rows: seed, epoch, tau, c … uw, p_hat, …
///     let back = try SnapshotRows.snapshot(rows: cells, columns: SeedRun.header, configuration: configuration, seed: 1, epoch: 50)
public enum SnapshotRows {
    /// The training set of a seed: n₊/n (the fraction the finite-n theory uses in place of p).
    public static let trainingSetKeys = ["n_plus_fraction", "n_plus"]
    /// The converged protocol's stopping state per grid time (CV.6; empty cells for the other
    /// protocols) and the penalties of the static theory the run is matched to (L_u, L_w of AT.2).
    public static let protocolKeys = ["stop_gradient_norm", "stop_iterations", "stop_converged", "objective_per_sample",
                                      "penalty_u_effective", "penalty_w_effective"]
    /// The inputs of a simulation under their flag names (d first).
    public static let inputKeys = ["d", "n", "p", "sigma", "k", "steps", "epochs", "protocol", "lr", "weight_decay",
                                   "penalty_u", "penalty_w", "sample_penalty_u", "sample_penalty_w", "init", "path", "precision", "samples", "scheme",
                                   "aligned_start", "planted", "schedule"]

    public static func rows(_ s: Snapshot, _ config: SimulationConfiguration) -> [Row] {
        (0..<s.grid.steps).map { j in
            var row = Row()
            row.add("seed", Int(s.seed)); row.add("epoch", s.epoch); row.add("time", s.time)
            row.add("tau", s.grid.tau[j]); row.add("t", s.grid.t[j]); row.add("phase", s.grid.phase(j))
            for key in OrderParameter.allCases { row.add(Quantity(key.rawValue), s.orderParameters[j][key]) }
            row.add("loss", s.loss[j])
            // Without generation (--samples 0) these cells are left empty.
            let g = s.generation
            for (key, value) in [("p_hat", g?.pHat), ("p_hat_se", g?.pHatSE), ("sigma_hat", g?.sigmaHat), ("sigma_hat_se", g?.sigmaHatSE),
                                 ("magnetisation", g?.magnetisation), ("magnetisation_se", g?.magnetisationSE)] {
                row.add(Quantity(key), value)
            }
            row.add("n_plus_fraction", s.trainingFraction)
            row.add("n_plus", Int((s.trainingFraction * Double(config.n)).rounded()))
            // Converged protocol (CV.6): the stopping state; empty for the other protocols.
            let stop = s.stopping?[j]
            row.add("stop_gradient_norm", stop?.gradientNorm); row.add("stop_iterations", stop.map { .int($0.iterations) } ?? .missing)
            row.add("stop_converged", stop.map { .int($0.converged ? 1 : 0) } ?? .missing); row.add("objective_per_sample", stop?.objective)
            let penalties = config.training.staticTheoryPenalties(dimension: config.problem.d, steps: config.steps)
            row.add("penalty_u_effective", penalties.u); row.add("penalty_w_effective", penalties.w)
            addInputs(config, to: &row)
            return row
        }
    }

    /// The inputs of `config` under their flag names (d too unless the row already leads with it).
    public static func addInputs(_ config: SimulationConfiguration, to row: inout Row, dimension: Bool = true) {
        let t = config.training
        if dimension { row.add("d", config.problem.d) }
        row.add("n", config.n); row.add("p", config.problem.p); row.add("sigma", config.problem.sigma); row.add("k", config.k)
        row.add("steps", config.steps); row.add("epochs", t.epochs); row.add("protocol", t.trainingProtocol.name)
        row.add("lr", t.effectiveLearningRate); row.add("weight_decay", t.weightDecay)
        // The L of J (adam, gd, converged) or online SGD's per-sample ℓ: the other pair is missing.
        let online = !t.trainingProtocol.fixedTrainingSet
        row.add("penalty_u", online ? .missing : .double(t.penaltyU)); row.add("penalty_w", online ? .missing : .double(t.penaltyW))
        row.add("sample_penalty_u", online ? .double(t.penaltyU) : .missing); row.add("sample_penalty_w", online ? .double(t.penaltyW) : .missing)
        row.add("init", t.initialisation.rawValue)
        row.add("path", t.path.rawValue); row.add("precision", config.precision.rawValue); row.add("samples", config.samples)
        row.add("scheme", config.scheme.rawValue)
        row.add("aligned_start", t.alignedStart ? 1 : 0); row.add("planted", t.planted.map { String($0.m) } ?? "none")
        row.add("schedule", t.schedule.rawValue)
    }

    /// The snapshot of one seed and epoch from its K rows (one block of a run directory's rows.csv,
    /// cells under `columns`); the inverse of `rows` for everything a summary needs.
    public static func snapshot(rows: [[String]], columns: [String], configuration config: SimulationConfiguration,
                                seed: UInt64, epoch: Int) throws -> Snapshot {
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        guard rows.count == config.steps, rows.allSatisfy({ $0.count == columns.count }) else {
            throw InputError("seed \(seed), epoch \(epoch): \(rows.count) rows of the run directory, expected \(config.steps)")
        }
        let grid = try TrainingGrid(problem: config.problem, k: config.k, steps: config.steps, schedule: config.training.schedule)
        // Decoded through the one decoder: a malformed or missing number is an error naming its column.
        let decoded = try rows.map { try RowCodec.row(cells: $0, columns: columns) }
        func v(_ r: Row, _ key: String) throws -> Double { try r.number(key) }
        let ops = try decoded.map { r in try OrderParameters { try v(r, $0.rawValue) } }
        let r0 = decoded[0]
        let g = r0["p_hat"] == .missing ? nil : GenerationStatistics(samples: config.samples, pHat: try v(r0, "p_hat"), pHatSE: try v(r0, "p_hat_se"), sigmaHat: try v(r0, "sigma_hat"),
                                     sigmaHatSE: try v(r0, "sigma_hat_se"), magnetisation: try v(r0, "magnetisation"), magnetisationSE: try v(r0, "magnetisation_se"))
        // The converged protocol's stopping state (CV.6), when the rows carry it.
        var stopping: [StoppingState]? = nil
        if index["stop_gradient_norm"] != nil, r0["stop_gradient_norm"] != .missing {
            stopping = try decoded.map { r in StoppingState(gradientNorm: try v(r, "stop_gradient_norm"), iterations: Int(try v(r, "stop_iterations")),
                                                            converged: try v(r, "stop_converged") == 1, objective: try v(r, "objective_per_sample")) }
        }
        return Snapshot(seed: seed, epoch: epoch, time: try v(r0, "time"), grid: grid, orderParameters: ops,
                        loss: try decoded.map { try v($0, "loss") }, generation: g, trainingFraction: try v(r0, "n_plus_fraction"), stopping: stopping)
    }
}

/// The final epoch across seeds: per grid time the means ± standard errors of the order
/// parameters and the loss, the pooled p̂, σ̂, and the inputs (the stdout table of `simulate`).
///
///     let rows = SeedSummary.rows(try run.run(resume: false)[0], configuration)
public enum SeedSummary {
    public static func rows(_ snapshots: [Snapshot], _ config: SimulationConfiguration) -> [Row] {
        let pooled = SimulationRunner.pooledGeneration(snapshots)   // nil without generation
        let fraction = snapshots.map(\.trainingFraction).reduce(0, +) / Double(snapshots.count)
        return SimulationRunner.summarize(snapshots).map { summary in
            var row = Row()
            row.add("tau", summary.tau); row.add("t", summary.t); row.add("phase", summary.phase)
            for key in OrderParameter.allCases {
                row.add(Quantity(key.rawValue), summary.mean[key]); row.add(Quantity(key.rawValue + "_se"), summary.standardError[key])
            }
            row.add("loss", summary.loss)
            if let pooled {
                row.add("p_hat", pooled.pHat); row.add("p_hat_se", pooled.pHatSE)
                row.add("sigma_hat", pooled.sigmaHat); row.add("sigma_hat_se", pooled.sigmaHatSE)
            }
            row.add("n_plus_fraction", fraction)
            row.add("epoch", snapshots[0].epoch); row.add("seeds", snapshots.count)
            SnapshotRows.addInputs(config, to: &row)
            return row
        }
    }
}
