import ArgumentParser
import Experiments
import RunStore
import Foundation
import FlowModel
import Simulation
import Theory

/// `phaseflow simulate`: train the bank of K networks at finite d for several seeds in parallel,
/// record the order parameters per grid time, generate and measure p̂, σ̂
/// (derivations/simulation-fast-path.md). `--out` is a run directory (Experiments.SeedRun): each
/// snapshot is appended to <out>/rows.csv as it finishes, the trainer state to <out>/checkpoints;
/// `--resume` continues (or, with more `--epochs`, extends) it; `--shard i/N` trains every N-th seed.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Monte Carlo: train the per-time networks, generate, measure p̂ and σ̂.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var simulation: SimulationOptions
    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out/simulate"
    @Flag(help: FlagHelp.resume) var resume = false
    @OptionGroup var longRun: LongRunOption
    @Option(help: FlagHelp.shard, transform: { try Shard(parsing: $0) }) var shard: Shard = .whole
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws { try requireRunToResume(resume, out: out) }

    func run() throws {
        let config = try simulation.configuration(setup)
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        var run = SeedRun(parts: [.init(configuration: config, seeds: simulation.seedList)], threads: simulation.threads,
                          directory: directory, command: "simulate", shard: shard, log: { try? note($0) })
        run.allowLongRun = longRun.allowLongRun
        let snapshots = try run.run(resume: resume)[0]
        guard shard.count == 1 else {
            return try note("shard \(shard): \(snapshots.count) seed(s) in \(out)/rows.csv; join the shards with `phaseflow merge`")
        }
        guard !snapshots.isEmpty else { return }
        try printRows(SeedSummary.rows(snapshots, config), format)
        let generated = SimulationRunner.pooledGeneration(snapshots).map {
            String(format: "p_hat = %.4f ± %.4f, sigma_hat = %.4f ± %.4f", $0.pHat, $0.pHatSE, $0.sigmaHat, $0.sigmaHatSE)
        } ?? "no samples generated"
        try note("\(generated) over \(snapshots.count) seed(s); rows in \(out)/rows.csv")
    }
}

/// `phaseflow compare`: the finite-d theory against the Monte Carlo simulation at several d
/// (Experiments.StaticComparison).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Theory vs simulation at several d: order parameters per grid time, p̂, σ̂, finite-size exponent.")

    @Option(parsing: .upToNextOption, help: FlagHelp.dims) var dims: [Double] = [1000, 5000, 20000]
    @OptionGroup var setup: SetupOptions
    @OptionGroup var simulation: SimulationOptions
    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out/compare"
    @Flag(help: FlagHelp.resume) var resume = false
    @OptionGroup var longRun: LongRunOption
    @Option(help: FlagHelp.shard, transform: { try Shard(parsing: $0) })
    var shard: Shard = .whole
    @Flag(help: "With --protocol adam: split each d's Adam runs into the minimiser reached from the Adam state, Adam's offset from it, and the metastable times (decomposition.csv) instead of the comparison.")
    var decompose = false
    @OptionGroup var adamBulk: AdamBulkModelOption
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws {
        try setup.rejectDimension("compare takes --dims")
        guard simulation.trainingProtocol?.value.fixedTrainingSet != false else {
            throw ValidationError("compare takes --protocol converged, adam or gd, not online (the static theory is at fixed n; online SGD is compared by `dynamics`)")
        }
        guard !dims.isEmpty else { throw ValidationError("--dims needs at least one dimension") }
        for d in dims { try require("dims", d, "a whole number in [1, 1e12]") { $0 >= 1 && $0 <= 1e12 && $0 == $0.rounded() } }
        try requireDistinct("dims", dims)
        // The static theory compared needs both modes in the training set: n₊ = round(p·n) in [1, n − 1].
        let plus = (setup.p * Double(simulation.n)).rounded()
        guard plus >= 1, plus <= Double(simulation.n) - 1 else {
            throw ValidationError("--n \(simulation.n) with --p \(setup.p) leaves a mode without training points (n₊ = \(Int(plus)) of \(simulation.n)); the theory compared needs training points in both modes")
        }
        try require("seeds", Double(simulation.seeds), "≥ 2 (standard errors are taken across seeds)") { $0 >= 2 }
        try require("samples", Double(simulation.samples), "≥ 2 (compare measures the generated p̂, σ̂)") { $0 >= 2 }
        if decompose && !(simulation.trainingProtocol?.value is AdamProtocol) { throw ValidationError("--decompose needs --protocol adam") }
        try adamBulk.require(adam: simulation.trainingProtocol?.value is AdamProtocol, needs: "--protocol adam")
        if decompose, let model = adamBulk.value { throw ValidationError("--adam-bulk-model \(model.name) sets the comparison's theory; --decompose builds none") }
        try requireRunToResume(resume, out: out)
    }

    func run() throws {
        let config = try simulation.configuration(setup, dimension: dims[0], defaultProtocol: .converged)
        if decompose {
            var rows = [Row]()
            for d in dims {
                var c = config
                c.problem = try config.problem.at(Dimension(d))
                rows += try AdamDecomposition(configuration: c, seeds: simulation.seedList, threads: simulation.threads).rows()
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try writeAtomically(try render(rows, as: .csv), to: URL(fileURLWithPath: out).appendingPathComponent("decomposition.csv"))
            try printRows(rows, format)
            return
        }
        var comparison = StaticComparison(configuration: config, dimensions: try dims.map { try Dimension($0) }, seeds: simulation.seedList,
                                          threads: simulation.threads, directory: URL(fileURLWithPath: out, isDirectory: true))
        comparison.allowLongRun = longRun.allowLongRun
        comparison.adamBulkModel = adamBulk.model
        let (summaries, fit) = try comparison.run(resume: resume, shard: shard, log: { try? note($0) })
        guard shard.count == 1 else {
            return try note("shard \(shard) written to \(out); join the shards with `phaseflow merge`, then run compare with --resume --out on the merged directory")
        }
        try printRows(summaries, format)
        if let fit { try note(fit) }
        try note("wrote \(out)/compare.csv, summary.csv, compare.gp" + pngNote(out, "compare.png"))
    }
}
