import Foundation
import FlowModel
import Simulation

extension LinearGridAblation {
    /// Runs the ablation and writes `ablation.csv`, `ablation.gp` and, with gnuplot, `ablation.png`
    /// into `directory`; returns the table as output rows, grouped by clock (then d) so that the
    /// figure's theory lines join consecutive rows (derivations/ablation.md).
    ///
    ///     var spec = LinearGridAblation.Spec(); spec.dims = [.finite(500), .finite(2000)]
    ///     let rows = try LinearGridAblation.report(try Setup(n: 64), spec, to: URL(fileURLWithPath: "out/ablation"))
    public static func report(_ setup: Setup, _ spec: Spec, to directory: URL, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> [Row] {
        let entries = try run(setup, spec, progress: progress).sorted {
            (spec.schedules.firstIndex(of: $0.schedule) ?? 0, $0.dimension.value) < (spec.schedules.firstIndex(of: $1.schedule) ?? 0, $1.dimension.value)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let table = entries.map { Row(fields: Array(zip(columns, cells($0)))) }
        try writeAtomically(try render(table, as: .csv), to: directory.appendingPathComponent("ablation.csv"))
        let script = directory.appendingPathComponent("ablation.gp")
        try writeAtomically(gnuplotScript(), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        return entries.map { entry in
            var row = Row()
            for (key, cell) in zip(columns, cells(entry)) { row.add(Quantity(key), cell) }
            row.add("n", Int(setup.n)); row.add("steps", spec.steps); row.add("seeds", spec.seeds)
            row.add("training_time", spec.trainingTime); row.add("lr", spec.learningRate)
            row.add("penalty_u", spec.penalty); row.add("penalty_w", spec.penalty)
            return row
        }
    }
}

extension PrecursorExperiment {
    /// Runs the precursor's rate and writes `precursor.csv` (the figure's columns), `precursor.gp` and,
    /// with gnuplot, `precursor.png` into `directory`; returns the output rows and the fitted slope
    /// line (derivations/precursor.md, PC.7).
    ///
    ///     let (rows, fit) = try PrecursorExperiment.report(.init(), to: URL(fileURLWithPath: "out/precursor"))
    public static func report(_ setup: Setup, to directory: URL, progress: (String) -> Void = { _ in }) throws -> (rows: [Row], fit: String) {
        let result = try run(setup, progress: progress)
        let rows = result.entries.map { r -> Row in
            var row = Row()
            row.add("n", r.n); row.add("gen_m", r.state.m); row.add("gen_eta_overlap", r.state.etaOverlap)
            row.add("gen_base_noise_overlap", r.state.baseNoiseOverlap); row.add("sigma_hat", r.state.gain)
            row.add("n_mean_error", Double(r.n) * r.meanError); row.add("mean_error", r.meanError)
            let c = r.comparison
            func cell(_ x: Double?) -> Value { x.map { .double($0) } ?? .missing }
            row.add("mean_error_sim", cell(c?.simulated["mean_error"]?.mean)); row.add("mean_error_sim_se", cell(c?.simulated["mean_error"]?.standardError))
            for key in ["gen_m", "gen_eta_overlap", "gen_base_noise_overlap", "sigma_hat"] {
                row.add(Quantity(key + "_sim"), cell(c?.simulated[key]?.mean)); row.add(Quantity(key + "_sim_se"), cell(c?.simulated[key]?.standardError))
                row.add(Quantity(key + "_theory_d"), cell(c?.theory[key]))
            }
            row.add("mean_error_theory_d", cell(c?.theory["mean_error"]))
            row.add("sign_inconsistent_fraction", cell(c?.inconsistentFraction))
            row.add("sigma", setup.sigma); row.add("penalty_u", setup.penalty); row.add("steps", setup.steps)
            row.add("d", r.comparison == nil ? "inf" : "\(setup.dimension)")
            return row
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The csv carries the figure's columns, selected by name.
        let figure = rows.map { row in Row(fields: figureColumns.map { ($0, row[$0] ?? .missing) }) }
        try writeAtomically(try render(figure, as: .csv), to: directory.appendingPathComponent("precursor.csv"))
        let script = directory.appendingPathComponent("precursor.gp")
        try writeAtomically(gnuplotScript(simulation: !setup.simulateNs.isEmpty, sigma: setup.sigma), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        // Two distinct n determine the line: no standard error (it would be ±inf or NaN); say so instead.
        let distinct = Set(setup.ns).count
        let error = distinct > 2 && result.slopeStandardError.isFinite
            ? String(format: " ± %.4f", result.slopeStandardError) : " (\(distinct) distinct values of n determine the line: no standard error)"
        let fit = String(format: "‖μ̂ − μ‖²/d ∝ n^a with a = %.4f", result.slope) + error
            + " over n = \(setup.ns.min() ?? 0) … \(setup.ns.max() ?? 0)"
        return (rows, fit)
    }
}

extension LinearGridAblation.Spec {
    /// Every check before any work: n of the setup, sizes, seeds, the step count of each gd run, and
    /// each (d, clock) configuration's grid and memory (the trainer's own checks, with no epoch run).
    public func validate(_ setup: Setup) throws {
        guard !dims.isEmpty, !schedules.isEmpty else { throw InputError("the ablation needs at least one d and one clock") }
        let n = try LinearGridAblation.trainingPoints(setup)
        try requireCount("steps", steps, atLeast: 2, atMost: Limits.gridSteps)
        try requireCount("seeds", seeds, atLeast: 2, atMost: 10_000)
        _ = try seedRange(first: firstSeed, count: seeds)
        try requireCount("gradient-samples", gradientSamples, atLeast: 0, atMost: Limits.samples)
        try require("training-time", trainingTime, "in (0, \(Limits.trainingTime)]") { $0 > 0 && $0 <= Limits.trainingTime }
        try require("penalty", penalty, "≥ 0") { $0 >= 0 }
        try require("lr", learningRate, "in (0, 10]") { $0 > 0 && $0 <= 10 }
        let epochs = trainingTime / (learningRate / 2)
        guard epochs <= 1e8 else { throw InputError("training-time / lr asks for \(epochs) gd epochs; at most 1e8") }
        // The run at η trains round(training-time/η) epochs: none would report untrained networks.
        guard (trainingTime / learningRate).rounded() >= 1 else {
            throw InputError("training-time \(trainingTime) at lr \(learningRate) rounds to 0 gd epochs; training-time must be ≥ lr/2 (at least one epoch)")
        }
        for d in dims {
            guard d.value >= Double(2 * n + 4) else { throw InputError("dims must be ≥ 2n + 4 = \(2 * n + 4); got \(d)") }
            for schedule in schedules {
                let config = try LinearGridAblation.configuration(try setup.at(d), self, schedule: schedule, learningRate: learningRate)
                _ = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                        options: { var o = config.training; o.epochs = 0; return o }(), seed: firstSeed)
            }
        }
    }
}

extension PrecursorExperiment.Setup {
    /// Every check before any work: the n list, the grid, the simulation's sizes and seeds.
    public func validate() throws {
        guard Set(ns).count >= 2 else { throw InputError("ns: the rate needs at least two distinct n; got \(ns)") }
        for n in ns { try requireCount("ns", n, atMost: 1_000_000) }
        try requireCount("steps", steps, atLeast: 0, atMost: Limits.gridSteps)
        try requireSigma(sigma)
        try require("penalty", penalty, "≥ 0") { $0 >= 0 }
        try requireCount("samples", samples, atMost: Limits.samples)
        try requireCount("seeds", seeds, atLeast: 2, atMost: 10_000)
        _ = try seedRange(first: seed, count: seeds)
        guard Set(simulateNs).isSubset(of: Set(ns)) else { throw InputError("simulate must be a subset of ns; got \(simulateNs)") }
        guard simulateNs.isEmpty || steps > 0 else { throw InputError("the simulation needs a grid: give steps > 0") }
        let d = try simulationDimension()
        try requireCount("d", d, atLeast: 2, atMost: 10_000_000)
        if let n = simulateNs.max(), Double(d) * Double(n + samples) * 8 > 8e9 {
            throw InputError("d = \(d) with n = \(n) needs more than 8 GB for the simulation")
        }
    }
}
