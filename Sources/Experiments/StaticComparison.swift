import Foundation
import FlowModel
import GSLKit
import RunStore
import Simulation
import Theory

/// The finite-d static theory (autoencoder-theory.md, evaluated at each seed's n₊) against the
/// Monte Carlo simulation, for every order parameter at every grid time and for p̂, σ̂, at several
/// d, with deviations in units of the standard error across seeds and a finite-size fit
/// max |deviation| ∝ d^a. The simulations of every d are one run directory (`SeedRun`: manifest,
/// rows.csv with the column d, checkpoints; resumable, shardable); the comparison is recomputed from it.
///
///     var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(200), n: 128),
///                                          steps: 4, training: TrainingOptions())
///     config.training.epochs = 100
///     let comparison = StaticComparison(configuration: config, dimensions: [.finite(200), .finite(400)], seeds: [1, 2], threads: 2,
///                                       directory: URL(fileURLWithPath: "out/compare"))
///     let result = try comparison.run(resume: false)   // result.summaries: one row per d; result.fit
public struct StaticComparison: Sendable {
    /// Everything but d (which each dimension replaces).
    public var configuration: SimulationConfiguration
    public var dimensions: [FlowModel.Dimension]
    public var seeds: [UInt64]
    public var threads: Int
    public var directory: URL
    /// Start even when the estimated simulation time exceeds a day (`--allow-long-run`).
    public var allowLongRun = false
    /// The Adam protocol's theory: how AD.4's fluctuations of w are split over its directions (`AdamBulk.Model`,
    /// `.standard` by default). Any other model is a setting of the run directory (a resume must repeat it)
    /// and is named in compare.csv and summary.csv (`adam_bulk_model`).
    public var adamBulkModel: AdamBulk.Model = .standard

    public init(configuration: SimulationConfiguration, dimensions: [FlowModel.Dimension], seeds: [UInt64], threads: Int, directory: URL) {
        self.configuration = configuration; self.dimensions = dimensions; self.seeds = seeds
        self.threads = threads; self.directory = directory
    }

    /// One d's comparison: per grid time the simulation's means and standard errors beside the
    /// theory, and the generated p̂, σ̂ beside their prediction.
    public struct Result: Sendable {
        public let d: Int
        public let rows: [Row]
        public let maxDeviation: (value: Double, key: String, tau: Double)
        public let maxPerKey: [OrderParameter: Double]
        public let maxZ: Double
        public let summary: Row
    }

    /// Simulates every d in one run directory (`SeedRun`, units `d=<d>,seed=<s>,epoch=<e>`,
    /// resuming what is on disk), compares, writes compare.csv, summary.csv and the figure beside
    /// it, and returns the per-d summary rows and the finite-size fit lines. A shard other than 1/1
    /// only simulates its seeds and returns no summaries (merge the shards, then run again with
    /// `resume` on the merged directory to compare).
    public func run(resume: Bool, shard: Shard = .whole, log: @escaping @Sendable (String) -> Void = { _ in }) throws -> (summaries: [Row], fit: String?) {
        let adam = configuration.training.trainingProtocol is AdamProtocol
        guard adam || adamBulkModel == .standard else {
            throw InputError("the Adam bulk model '\(adamBulkModel.name)' is for the adam protocol's theory, not \(configuration.training.trainingProtocol.name)")
        }
        var parts = [SeedRun.Part]()
        for d in dimensions {
            var config = configuration
            config.problem = try configuration.problem.at(d)
            parts.append(.init(configuration: config, seeds: seeds, name: "d=\(config.problem.d)"))
        }
        // Only a model other than the default is a setting (a resume must repeat it).
        let model = adamBulkModel == .standard ? [] : [Setting("adam_bulk_model", adamBulkModel.name)]
        var run = SeedRun(parts: parts, threads: threads, directory: directory, command: "compare", shard: shard,
                          extraSettings: [Setting("dims", parts.map { "\($0.configuration.problem.d)" }.joined(separator: " "))] + model, log: log)
        run.allowLongRun = allowLongRun
        let finals = try run.run(resume: resume)
        guard shard.count == 1 else { return ([], nil) }
        var results = [Result]()
        for (part, snapshots) in zip(parts, finals) {
            guard snapshots.count >= 2 else { throw InputError("d = \(part.configuration.problem.d): fewer than two complete seeds") }
            var config = part.configuration
            config.training.epochs = snapshots[0].epoch
            results.append(try Self.compare(config, snapshots, adamBulkModel: adamBulkModel))
        }
        try writeAtomically(try render(results.flatMap(\.rows), as: .csv), to: directory.appendingPathComponent("compare.csv"))
        let summaries = results.map(\.summary)
        try writeAtomically(try render(summaries, as: .csv), to: directory.appendingPathComponent("summary.csv"))
        let script = directory.appendingPathComponent("compare.gp")
        try writeAtomically(try Self.gnuplotScript(dims: results.map(\.d), header: results.first?.rows.first?.keys ?? []), to: script)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("compare.png"))
        _ = renderWithGnuplot(script: script, in: directory)
        guard results.count >= 2 else { return (summaries, nil) }
        let dims = results.map { FlowModel.Dimension.finite($0.d) }
        let overall = try FiniteSizeFit(dimensions: dims, deviations: results.map(\.maxDeviation.value))
        var lines = [String(format: "max |sim − theory| ∝ d^a with %@ over %d dimensions", overall?.text ?? "no fit", results.count)]
        let perKey = try OrderParameter.allCases.compactMap { key in
            try FiniteSizeFit(dimensions: dims, deviations: results.map { $0.maxPerKey[key] ?? 0 }).map { "\(key.rawValue) \($0.text)" }
        }
        if !perKey.isEmpty { lines.append("per parameter: " + perKey.joined(separator: "; ")) }
        // b is weakly determined near τ = 2 (J hardly depends on it as α → 0), where its standard error is
        // O(0.1–1); the largest deviation of the other parameters is the sharper finite-size measure.
        let withoutB = results.map { r in OrderParameter.allCases.filter { $0 != .b }.map { r.maxPerKey[$0] ?? 0 }.max() ?? 0 }
        if let fit = try FiniteSizeFit(dimensions: dims, deviations: withoutB) {
            lines.append("max |sim − theory| over c m omega q r uw ∝ d^a with \(fit.text)")
        }
        return (summaries, lines.joined(separator: "\n"))
    }

    /// The parameters the theory determines at a grid time: in the saturated regime (φ = sign)
    /// b, ω, r and u·w are free (AT §3), and on the trivial branch b is infinite (AT.36).
    /// `adam`: on the trivial plateau Adam's w sits at the floor of its own steps (r ≈ lr²/4 while b runs
    /// off, derivations/adam-offset.md §5), so there the theory fixes only c, m, q.
    public static func determinedKeys(_ theory: LearnedParameters, adam: Bool = false) -> [OrderParameter] {
        if theory.saturated && theory.solution != .trivial { return [.c, .m, .q] }
        if adam && theory.solution == .trivial { return [.c, .m, .q] }
        return OrderParameter.allCases.filter { $0 != .b || theory.solution != .trivial }
    }

    /// `adamBulkModel`: the split of w's fluctuations in the adam protocol's theory (AD.4; ignored by the others).
    public static func compare(_ config: SimulationConfiguration, _ snapshots: [Snapshot], adamBulkModel: AdamBulk.Model = .standard) throws -> Result {
        let d = config.problem.d, K = config.steps, n = config.n
        let penalties = config.training.staticTheoryPenalties(dimension: d, steps: K)
        let grid = snapshots[0].grid, taus = Array(grid.tau[0..<K])
        let schedule = grid.schedule   // the training clock (dilated, or the linear/vp ablation, AB.1)
        // The finite-n theory is conditional on the training set's n₊ (AT §4.3): evaluate it per
        // seed (once per distinct n₊) and average over seeds like the simulation.
        var theoryRows = [[LearnedParameters]](), predictions = [LearnedFlow.Prediction]()
        // FD.10: the converged protocol is deterministic per data set, so its theory is also conditional on the
        // data set's class means along μ (per seed); other protocols use the average over data sets (per n₊).
        let conditional = config.training.trainingProtocol is ConvergedProtocol
        let keys: [String] = snapshots.map { s in
            let nPlus = (s.trainingFraction * Double(n)).rounded()
            return conditional ? "\(nPlus) seed \(s.seed)" : "\(nPlus)"
        }
        // AD.5–AD.8: for Adam the branch at each phase-1 grid time is predicted per seed by its mean field.
        let branchIndices = AdamBranchPrediction.indices(config, taus: taus)
        let meanField = try parallelMap(snapshots.map(\.seed)) { try AdamBranchPrediction.endStates(config, seed: $0, indices: branchIndices) }
        func meanFieldLearned(_ i: Int, _ j: Int) -> Bool? {
            meanField[i][j].map { !AdamProtocol().isTrivial($0) }
        }
        // One theory per distinct key, solved on all cores (each solve is independent: same bits as in turn).
        let uniqueKeys = keys.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let solved = try parallelMap(uniqueKeys.map { snapshots[keys.firstIndex(of: $0)!] }) {
            s -> (theory: AutoencoderTheory, table: [LearnedParameters], prediction: LearnedFlow.Prediction) in
            let nPlus = (s.trainingFraction * Double(n)).rounded()
            let problem = try AutoencoderProblem(setup: Setup(p: config.problem.p, sigma: config.problem.sigma, n: Double(n)),
                                                 nPlus: nPlus, penaltyU: penalties.u, penaltyW: penalties.w)
            var theory = config.training.schedule == .dilated
                ? try AutoencoderTheory(problem: problem, k: config.k, dimension: config.problem.dimension)
                : try AutoencoderTheory(problem: problem, schedule: schedule, dimension: config.problem.dimension)
            theory.finiteDReduced = true   // FD.1–FD.8, FD.10: finite-d corrections at every τ
            if conditional {
                let offsets = try TrainingSet(problem: config.problem, n: n, seed: s.seed).classMeanOffsets
                theory.classMeanOffsets = ClassMeanOffsets(plus: offsets.plus, minus: offsets.minus)
            }
            // FD.4: a descent from the paper's start (r = O(1)) lands on the learned branch wherever it exists.
            if config.training.trainingProtocol is ConvergedProtocol { theory.branchRule = .learnedIfExists }
            // AD.4: the authors' Adam settles at its own stationary state (the learned part re-optimised
            // under the bulk noise of AD.3), not at the minimiser of J.
            if config.training.trainingProtocol is AdamProtocol {
                theory.adamLearningRate = config.training.effectiveLearningRate
                theory.adamBulkModel = adamBulkModel
                theory.branchRule = .learnedIfExists
            }
            // p̂ and σ̂ predicted by the flow of the same networks the comparison tests (FD.5).
            let table = try theory.table(at: taus)
            return (theory, table, try LearnedFlow.grid(problem, schedule: schedule, dimension: config.problem.dimension, networks: table))
        }
        let cache = Dictionary(uniqueKeysWithValues: zip(uniqueKeys, solved))
        for (i, s) in snapshots.enumerated() {
            let key = keys[i]
            // The branch each seed is compared with where its theory row is learned: for Adam at phase-1
            // times, the one its mean field ends on (AD.8, predicted); elsewhere the one its network sits
            // on (FD.4b: r ≤ max(1e-9, r_theory/10), or Adam's |b| ≥ 5; measured), counted in `learned_fraction_sim`.
            var mine = cache[key]!.table
            for j in 0..<K where mine[j].solution != .trivial
                && !(meanFieldLearned(i, j) ?? !config.training.trainingProtocol.isTrivial(s.orderParameters[j], learnedWidth: mine[j].r)) {
                mine[j] = cache[key]!.theory.trivialParameters(at: taus[j])
            }
            theoryRows.append(mine)
            predictions.append(cache[key]!.prediction)
        }
        let S = Double(snapshots.count)
        func theoryMean(_ j: Int, _ key: OrderParameter) -> Double {
            theoryRows.map { $0[j].orderParameters[key] }.reduce(0, +) / S
        }
        var rows = [Row](), worst = (value: 0.0, key: "", tau: 0.0), maxZ = 0.0
        var worstPerKey = [OrderParameter: Double](), comparedCount = 0
        let adam = config.training.trainingProtocol is AdamProtocol
        for summary in SimulationRunner.summarize(snapshots) {
            let j = summary.index
            let determined = OrderParameter.allCases.filter { key in theoryRows.allSatisfy { Self.determinedKeys($0[j], adam: adam).contains(key) } }
            var row = Row()
            row.add("d", d); row.add("tau", summary.tau); row.add("t", summary.t); row.add("phase", summary.phase)
            for key in OrderParameter.allCases {
                let mean = summary.mean[key], se = summary.standardError[key]
                let theory = theoryMean(j, key), deviation = mean - theory
                // The converged protocol resolves each parameter to ~1e-7 (CV.6); below that a
                // deviation is the solver's, not the theory's (e.g. ω ≈ 1e-9 on the trivial branch).
                let resolution = config.training.trainingProtocol.resolution
                let z = deviation / max((se * se + resolution * resolution).squareRoot(), 1e-300)
                row.add(Quantity(key.rawValue), mean); row.add(Quantity(key.rawValue + "_se"), se)
                row.add(Quantity(key.rawValue + "_theory"), theory)
                row.add(Quantity(key.rawValue + "_z"), determined.contains(key) && z.isFinite ? z : nil)
                guard determined.contains(key) else { continue }
                comparedCount += 1
                worstPerKey[key] = max(worstPerKey[key] ?? 0, abs(deviation))
                if abs(deviation) > worst.value { worst = (abs(deviation), key.rawValue, summary.tau) }
                if z.isFinite { maxZ = max(maxZ, abs(z)) }
            }
            row.add("determined", determined.map(\.rawValue).joined(separator: " "))
            // Branches (FD.4): the fraction of seeds whose theory row / trained network is on the learned
            // branch (simulation: FD.4b, r above a tenth of the learned theory's and 1e-9; the trivial branch stops at r ≈ 1e-13), and whether the theory predicts the mode unlearned at every seed.
            let theoryLearned = Double(cache.count == 0 ? 0 : keys.filter { cache[$0]!.table[j].solution != .trivial }.count) / S
            row.add("learned_fraction_theory", theoryLearned)
            let learnedSim = snapshots.indices.filter { i in
                !config.training.trainingProtocol.isTrivial(snapshots[i].orderParameters[j], learnedWidth: cache[keys[i]]!.table[j].r)
            }
            row.add("learned_fraction_sim", Double(learnedSim.count) / S)
            // Adam's mean field (AD.8): the fraction of seeds it predicts learned (empty where it is not run).
            let meanFieldFraction = branchIndices.contains(j)
                ? Double(snapshots.indices.filter { theoryRows[$0][j].solution != .trivial }.count) / S : nil
            row.add("learned_fraction_mean_field", meanFieldFraction)
            row.add("predicted_unlearned", (meanFieldFraction ?? theoryLearned) == 0 ? 1 : 0)
            row.add("seeds", snapshots.count)
            SnapshotRows.addInputs(config, to: &row, dimension: false)
            if adam, adamBulkModel != .standard { row.add("adam_bulk_model", adamBulkModel.name) }
            rows.append(row)
        }
        let pooled = SimulationRunner.pooledGeneration(snapshots)!
        var summary = Row()
        summary.add("d", d); summary.add("seeds", snapshots.count); summary.add("epochs", config.training.epochs)
        summary.add("protocol", config.training.trainingProtocol.name)
        if adam, adamBulkModel != .standard { summary.add("adam_bulk_model", adamBulkModel.name) }
        summary.add("penalty_u_effective", penalties.u); summary.add("penalty_w_effective", penalties.w)
        summary.add("n_plus_fraction", snapshots.map(\.trainingFraction).reduce(0, +) / S)
        summary.add("max_abs_dev", worst.value); summary.add("worst_key", worst.key); summary.add("worst_tau", worst.tau)
        summary.add("max_z", maxZ)
        // The 95 % point of the largest of that many Student-t ratios (seeds − 1 degrees of freedom) under agreement.
        let threshold = largestStudentTThreshold(count: max(comparedCount, 1), dof: max(snapshots.count - 1, 1))
        summary.add("max_z_95", threshold); summary.add("agrees", maxZ < threshold ? 1 : 0)
        // Converged protocol (CV.6): the largest stopping gradient norm and the fraction of (seed, τ) that met the rule.
        let stops = snapshots.compactMap(\.stopping).flatMap { $0 }
        summary.add("stop_gradient_norm_max", stops.map(\.gradientNorm).max())
        summary.add("stop_converged_fraction", stops.isEmpty ? nil : Double(stops.filter(\.converged).count) / Double(stops.count))
        for key in OrderParameter.allCases { summary.add(Quantity("max_dev_" + key.rawValue), worstPerKey[key]) }
        summary.add("p_hat", pooled.pHat); summary.add("p_hat_se", pooled.pHatSE)
        summary.add("p_hat_theory", predictions.map(\.pHat).reduce(0, +) / S)
        summary.add("sigma_hat", pooled.sigmaHat); summary.add("sigma_hat_se", pooled.sigmaHatSE)
        summary.add("sigma_hat_theory", predictions.map(\.sigmaHat).reduce(0, +) / S)
        return Result(d: d, rows: rows, maxDeviation: worst, maxPerKey: worstPerKey, maxZ: maxZ, summary: summary)
    }

    /// Theory curves (lines) and simulation means with standard-error bars (points) against τ,
    /// one panel per order parameter, one colour per d: the layout of the paper's overlap figure.
    /// Columns by name, looked up in compare.csv's header.
    static func gnuplotScript(dims: [Int], header: [String]) throws -> String {
        let (dColumn, tauColumn) = (try gnuplotColumn("d", in: header), try gnuplotColumn("tau", in: header))
        var s = """
        # Theory (lines) vs simulation (points, ± one standard error across seeds) against the clock τ.
        set terminal pngcairo size 1200,720 font ",10"
        set output "compare.png"
        set datafile separator ","
        set key font ",7" samplen 1 spacing 0.8
        set xlabel "τ (dilated clock)"
        set multiplot layout 2,3

        """
        for key in [OrderParameter.m, .c, .omega, .q, .r, .b] {
            let (mean, se, theory) = (try gnuplotColumn(key.rawValue, in: header), try gnuplotColumn(key.rawValue + "_se", in: header),
                                      try gnuplotColumn(key.rawValue + "_theory", in: header))
            s += "set title \"\(key.rawValue)\" noenhanced\nplot "
            s += dims.enumerated().map { i, d in
                let pick = "(column(\(dColumn)) == \(d) ? $\(tauColumn) : NaN)"
                return "\"compare.csv\" using \(pick):\(theory) with lines lc \(i + 1) title \"theory d=\(d)\", "
                    + "\"compare.csv\" using \(pick):\(mean):\(se) with yerrorbars pt 7 ps 0.5 lc \(i + 1) title \"sim d=\(d)\""
            }.joined(separator: ", \\\n     ") + "\n"
        }
        return s + "unset multiplot\n"
    }
}
