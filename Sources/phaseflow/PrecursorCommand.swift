import ArgumentParser
import Experiments
import Foundation
import FlowModel

/// `phaseflow precursor`: Cui, Krzakala, Vanden-Eijnden, Zdeborová as a special case
/// (derivations/precursor.md): per n the generated overlaps and ‖μ̂ − μ‖²/d, the fitted 1/n slope
/// (stderr), optionally the d-dimensional simulation; <out>/precursor.csv, .gp and .png.
///
///     phaseflow precursor --steps 20 --simulate 4 16 64 --d 8000 --seeds 5
struct PrecursorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precursor",
        abstract: "Cui et al.'s tied sign autoencoder with fixed noise: the learned mean's 1/n rate, theory and simulation.")

    @Option(help: "Within-mode standard deviation σ.") var sigma: Double = 0.5
    @Option(help: "Ridge L on u (Cui et al.'s weight decay λ).") var penalty: Double = 0.1
    @Option(parsing: .upToNextOption, help: "Training-set sizes n.") var ns: [Int] = [2, 4, 6, 8, 16, 32, 64, 128, 256, 512, 1024]
    @Option(help: "Euler steps K (0: the continuous flow).") var steps: Int = 0
    @Option(parsing: .upToNextOption, help: "Simulate at these n (needs --steps > 0).") var simulate: [Int] = []
    @Option(help: "Dimension d of the simulation.") var d: Int = 8000
    @Option(help: "Data sets (seeds) per simulated n.") var seeds: Int = 5
    @Option(help: "Generated samples per data set.") var samples: Int = 16
    @Option(help: "First seed.") var seed: UInt64 = 1
    @Option(help: "Output directory.") var out: String = "out/precursor"
    @Option(help: "Table format on stdout: json, csv or table.") var format: OutputFormat = .table

    func validate() throws {
        guard ns.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--ns must be ≥ 1; got \(ns)") }
        guard Set(simulate).isSubset(of: Set(ns)) else { throw ValidationError("--simulate must be a subset of --ns; got \(simulate)") }
        try require("d", Double(d), "≥ 2") { $0 >= 2 }
        try require("seeds", Double(seeds), "≥ 2") { $0 >= 2 }
        try require("samples", Double(samples), "≥ 1") { $0 >= 1 }
    }

    var setup: PrecursorExperiment.Setup {
        var s = PrecursorExperiment.Setup()
        s.sigma = sigma; s.penalty = penalty; s.ns = ns; s.steps = steps; s.simulateNs = simulate
        s.dimension = d; s.seeds = seeds; s.samples = samples; s.seed = seed
        return s
    }

    func run() throws {
        let (text, fit) = try table()
        print(text, terminator: "")
        FileHandle.standardError.write(Data("phaseflow: \(fit)\n".utf8))
    }

    /// The rows rendered as `format`, and the fit line; writes precursor.csv, .gp, .png.
    func table() throws -> (String, String) {
        let result = try PrecursorExperiment.run(setup) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let rows = result.rows.map { r -> Row in
            var row = Row()
            row.add("n", r.n); row.add("gen_m", r.state.m); row.add("gen_eta_overlap", r.state.etaOverlap)
            row.add("gen_base_noise_overlap", r.state.baseNoiseOverlap); row.add("sigma_hat", r.state.gain)
            row.add("n_mean_error", Double(r.n) * r.meanError); row.add("mean_error", r.meanError)
            let c = r.comparison
            func cell(_ x: Double?) -> Value { x.map { .double($0) } ?? .string("") }
            row.add("mean_error_sim", cell(c?.simulated["mean_error"]!.mean)); row.add("mean_error_sim_se", cell(c?.simulated["mean_error"]!.standardError))
            for key in ["gen_m", "gen_eta_overlap", "gen_base_noise_overlap", "sigma_hat"] {
                row.add(key + "_sim", cell(c?.simulated[key]!.mean)); row.add(key + "_sim_se", cell(c?.simulated[key]!.standardError))
                row.add(key + "_theory_d", cell(c?.theory[key]!))
            }
            row.add("mean_error_theory_d", cell(c?.theory["mean_error"]!))
            row.add("sign_inconsistent_fraction", cell(c?.inconsistentFraction))
            row.add("sigma", sigma); row.add("penalty_u", penalty); row.add("steps", steps)
            row.add("d", r.comparison == nil ? "inf" : "\(d)")
            return row
        }
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The csv carries the columns of the figure only in their first 9 places: n … mean_error_sim_se.
        try writeAtomically(try render(rows.map { Row(fields: Array($0.fields.prefix(9))) }, as: .csv), to: directory.appendingPathComponent("precursor.csv"))
        let script = directory.appendingPathComponent("precursor.gp")
        try writeAtomically(PrecursorExperiment.gnuplotScript(simulation: !simulate.isEmpty, sigma: sigma), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        let fit = String(format: "‖μ̂ − μ‖²/d ∝ n^a with a = %.4f ± %.4f over n = %d … %d", result.slope, result.slopeStandardError,
                         ns.min()!, ns.max()!)
        return (try render(rows, as: format), fit)
    }
}
