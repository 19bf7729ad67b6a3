import ArgumentParser
import Foundation
import FlowModel
import GSLKit
import Simulation
import Theory

/// `phaseflow compare`: the finite-d theory (autoencoder-theory.md, evaluated at each seed's n₊)
/// against the Monte Carlo simulation, for every order parameter at every grid time and for p̂, σ̂,
/// at several d, with deviations in units of the standard error across seeds and a finite-size
/// fit max |deviation| ∝ d^a. Each d's simulation is written incrementally to <out>/d<d>/simulate.csv
/// and resumed with `--resume`; the comparison itself is recomputed from those files.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Theory vs simulation at several d: order parameters per grid time, p̂, σ̂, finite-size exponent.")

    @Option(parsing: .upToNextOption, help: "Dimensions d to simulate.") var dims: [Double] = [1000, 5000, 20000]
    @OptionGroup var simulation: SimulationOptions
    @Option(help: "Output directory.") var out: String = "out/compare"
    @Flag(help: "Keep the simulations of an interrupted run and compute only the rest.") var resume = false
    @Option(help: "Summary format on stdout: json, csv or table.") var format: OutputFormat = .table

    func validate() throws {
        guard !dims.isEmpty else { throw ValidationError("--dims needs at least one dimension") }
        try require("seeds", Double(simulation.seeds), "≥ 2 (standard errors are taken across seeds)") { $0 >= 2 }
        try require("samples", Double(simulation.samples), "≥ 2 (compare measures the generated p̂, σ̂)") { $0 >= 2 }
        guard simulation.trainingProtocol != .online else {
            throw ValidationError("compare takes --protocol adam or gd (the static theory is at fixed n; online SGD is compared by `dynamics`)")
        }
    }

    /// One d's comparison: per grid time the simulation's means and standard errors beside the
    /// theory, and the generated p̂, σ̂ beside their prediction.
    struct Result {
        let d: Int
        let seeds: Int
        let rows: [Row]
        let maxDeviation: (value: Double, key: String, tau: Double)
        let maxPerKey: [String: Double]
        let maxZ: Double
        let summary: Row
    }

    func run() throws {
        let (summaries, fit) = try comparison()
        print(try render(summaries, as: format), terminator: "")
        if let fit { print(fit) }
        print("wrote \(out)/compare.csv, summary.csv, compare.gp" + (FileManager.default.fileExists(atPath: out + "/compare.png") ? ", compare.png" : " (gnuplot not found: no PNG)"))
    }

    /// Simulates every d (resuming what is on disk), compares, writes compare.csv, summary.csv and
    /// the figure, and returns the per-d summary rows and the finite-size fit line.
    func comparison() throws -> (rows: [Row], fit: String?) {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var results = [Result]()
        for d in dims {
            let config = try simulation.configuration(dimension: d)
            let url = directory.appendingPathComponent("d\(config.problem.dimension)/simulate.csv")
            let snapshots = try SimulationRun(options: simulation, config: config, url: url)
                .run(resume: resume, label: "compare d=\(config.problem.dimension)")
            guard snapshots.count >= 2 else { throw InputError("d = \(config.problem.dimension): fewer than two complete seeds") }
            results.append(try compare(config, snapshots))
        }
        try writeAtomically(try render(results.flatMap(\.rows), as: .csv), to: directory.appendingPathComponent("compare.csv"))
        let summaries = results.map(\.summary)
        try writeAtomically(try render(summaries, as: .csv), to: directory.appendingPathComponent("summary.csv"))
        let script = directory.appendingPathComponent("compare.gp")
        try writeAtomically(Self.gnuplotScript(dims: results.map(\.d)), to: script)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("compare.png"))
        _ = renderWithGnuplot(script: script, in: directory)
        guard results.count >= 2 else { return (summaries, nil) }
        let logD = results.map { log(Double($0.d)) }
        func exponent(_ deviations: [Double]) throws -> String? {
            guard deviations.allSatisfy({ $0 > 0 }) else { return nil }
            let fit = try LinearFit(x: logD, y: deviations.map(log))
            return String(format: "a = %.3f", fit.slope) + (results.count > 2 ? String(format: " ± %.3f", fit.slopeStandardError) : "")
        }
        var lines = [String(format: "max |sim − theory| ∝ d^a with %@ over %d dimensions",
                            try exponent(results.map(\.maxDeviation.value)) ?? "no fit", results.count)]
        let perKey = try OrderParameters.keys.compactMap { key in
            try exponent(results.map { $0.maxPerKey[key] ?? 0 }).map { "\(key) \($0)" }
        }
        if !perKey.isEmpty { lines.append("per parameter: " + perKey.joined(separator: "; ")) }
        return (summaries, lines.joined(separator: "\n"))
    }

    /// The parameters the theory determines at a grid time: in the saturated regime (φ = sign)
    /// b, ω, r and u·w are free (AT §3), and on the trivial branch b is infinite (AT.36).
    static func determinedKeys(_ theory: LearnedParameters) -> [String] {
        if theory.saturated && theory.solution != .trivial { return ["c", "m", "q"] }
        return OrderParameters.keys.filter { $0 != "b" || theory.solution != .trivial }
    }

    func compare(_ config: SimulationConfiguration, _ snapshots: [Snapshot]) throws -> Result {
        let d = config.problem.dimension, K = simulation.steps
        let penalties = config.training.staticTheoryPenalties(dimension: d, steps: K)
        let grid = snapshots[0].grid, taus = Array(grid.tau[0..<K])
        let schedule = grid.schedule   // the training clock (dilated, or the linear/vp ablation)
        // The finite-n theory is conditional on the training set's n₊ (AT §4.3): evaluate it per
        // seed (once per distinct n₊) and average over seeds like the simulation.
        var theoryRows = [[LearnedParameters]](), predictions = [LearnedFlow.Prediction]()
        var cache = [Double: ([LearnedParameters], LearnedFlow.Prediction)]()
        for s in snapshots {
            let nPlus = (s.trainingFraction * Double(simulation.n)).rounded()
            if cache[nPlus] == nil {
                let problem = try AutoencoderProblem(p: simulation.p, sigma: simulation.sigma, n: Double(simulation.n),
                                                     nPlus: nPlus, penaltyU: penalties.u, penaltyW: penalties.w)
                let theory = simulation.schedule == .dilated
                    ? try AutoencoderTheory(problem: problem, k: simulation.k, dimension: Double(d))
                    : try AutoencoderTheory(problem: problem, schedule: schedule, dimension: d)
                cache[nPlus] = (try theory.table(at: taus),
                                try LearnedFlow.grid(problem, schedule: schedule, dimension: d, steps: K, moments: theory.moments))
            }
            theoryRows.append(cache[nPlus]!.0)
            predictions.append(cache[nPlus]!.1)
        }
        let S = Double(snapshots.count)
        func theoryMean(_ j: Int, _ key: String) -> Double {
            theoryRows.map { Self.value($0[j], key) }.reduce(0, +) / S
        }
        var rows = [Row](), worst = (value: 0.0, key: "", tau: 0.0), maxZ = 0.0
        var worstPerKey = [String: Double]()
        for summary in SimulationRunner.summarize(snapshots) {
            let j = summary.index
            let determined = OrderParameters.keys.filter { key in theoryRows.allSatisfy { Self.determinedKeys($0[j]).contains(key) } }
            var row = Row()
            row.add("d", d); row.add("tau", summary.tau); row.add("t", summary.t); row.add("phase", summary.phase)
            for (key, (mean, se)) in zip(OrderParameters.keys, zip(summary.mean.values, summary.standardError.values)) {
                let theory = theoryMean(j, key), deviation = mean - theory
                let z = deviation / max(se, 1e-300)
                row.add(key, mean); row.add(key + "_se", se)
                row.add(key + "_theory", theory)
                row.add(key + "_z", determined.contains(key) && z.isFinite ? z : 0)
                guard determined.contains(key) else { continue }
                worstPerKey[key] = max(worstPerKey[key] ?? 0, abs(deviation))
                if abs(deviation) > worst.value { worst = (abs(deviation), key, summary.tau) }
                if z.isFinite { maxZ = max(maxZ, abs(z)) }
            }
            row.add("determined", determined.joined(separator: " "))
            row.add("seeds", snapshots.count)
            simulation.addInputs(&row, config, dimension: false)
            rows.append(row)
        }
        let pooled = SimulationRunner.pooledGeneration(snapshots)!
        var summary = Row()
        summary.add("d", d); summary.add("seeds", snapshots.count); summary.add("epochs", simulation.epochs)
        summary.add("protocol", simulation.trainingProtocol.rawValue)
        summary.add("penalty_u", penalties.u); summary.add("penalty_w", penalties.w)
        summary.add("p_train", snapshots.map(\.trainingFraction).reduce(0, +) / S)
        summary.add("max_abs_dev", worst.value); summary.add("worst_key", worst.key); summary.add("worst_tau", worst.tau)
        summary.add("max_abs_z", maxZ)
        for key in OrderParameters.keys { summary.add("max_dev_" + key, worstPerKey[key] ?? 0) }
        summary.add("p_hat", pooled.pHat); summary.add("p_hat_se", pooled.pHatSE)
        summary.add("p_hat_theory", predictions.map(\.pHat).reduce(0, +) / S)
        summary.add("sigma_hat", pooled.sigmaHat); summary.add("sigma_hat_se", pooled.sigmaHatSE)
        summary.add("sigma_hat_theory", predictions.map(\.sigmaHat).reduce(0, +) / S)
        return Result(d: d, seeds: snapshots.count, rows: rows, maxDeviation: worst, maxPerKey: worstPerKey, maxZ: maxZ, summary: summary)
    }

    static func value(_ p: LearnedParameters, _ key: String) -> Double {
        switch key {
        case "c": p.c
        case "b": p.b
        case "m": p.m
        case "omega": p.omega
        case "q": p.q
        case "r": p.r
        default: p.uw
        }
    }

    /// Theory curves (lines) and simulation means with standard-error bars (points) against τ,
    /// one panel per order parameter, one colour per d: the layout of the paper's overlap figure.
    static func gnuplotScript(dims: [Int]) -> String {
        let columns = Dictionary(uniqueKeysWithValues: OrderParameters.keys.enumerated().map { ($1, 5 + 4 * $0) })
        var s = """
        # Theory (lines) vs simulation (points, ± one standard error across seeds) against the clock τ.
        set terminal pngcairo size 1200,720 font ",10"
        set output "compare.png"
        set datafile separator ","
        set key font ",7" samplen 1 spacing 0.8
        set xlabel "τ (dilated clock)"
        set multiplot layout 2,3

        """
        for key in ["m", "c", "omega", "q", "r", "b"] {
            let col = columns[key]!
            s += "set title \"\(key)\" noenhanced\nplot "
            s += dims.enumerated().map { i, d in
                let pick = "(column(1) == \(d) ? $2 : NaN)"
                return "\"compare.csv\" using \(pick):\(col + 2) with lines lc \(i + 1) title \"theory d=\(d)\", "
                    + "\"compare.csv\" using \(pick):\(col):\(col + 1) with yerrorbars pt 7 ps 0.5 lc \(i + 1) title \"sim d=\(d)\""
            }.joined(separator: ", \\\n     ") + "\n"
        }
        return s + "unset multiplot\n"
    }
}
