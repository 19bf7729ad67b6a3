import ArgumentParser
import FlowModel
import Experiments
import RunStore
import Foundation

/// `phaseflow theory`: the learned parameters vs the dilated clock τ, both phases
/// (derivations/autoencoder-theory.md).
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Learned parameters c, b, m, ω, q, r, u·w/d of the one-unit autoencoder vs the dilated clock τ.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var training: AutoencoderOptions
    @Option(help: FlagHelp.points)
    var points: Int = 160
    @Option(help: FlagHelp.schedule)
    var schedule: ScheduleName = .dilated
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table
    @Option(help: "Base noise of the training loss: redrawn (default) or fixed (one draw per point, Cui et al.: phase-2 rows, AT.22).")
    var noise: TrainingNoise = .redrawn
    enum TrainingNoise: String, ExpressibleByArgument { case redrawn, fixed }
    @Flag(name: .customLong("finite-d-corrections"),
          help: "Finite d: the corrections FD.1–FD.8 and the learned branch wherever it exists (the theory compare tests; adds point_slope).")
    var finiteDCorrections = false
    @Option(name: .customLong("adam-lr"),
            help: "Finite d: the stationary state of the authors' Adam protocol at this learning rate instead of the minimiser of J (AD.4; adds bulk_r, bulk_q).")
    var adamLearningRate: Double?
    @OptionGroup var adamBulk: AdamBulkModelOption

    func validate() throws {
        try training.requireNPlusWithFiniteN()
        try requireCount("points", points, atMost: 10_000)
        // Adam's step is ~lr per coordinate: beyond 1 the stationary state's minimiser fails (1.8e308: a GSL error).
        if let adamLearningRate { try require("adam-lr", adamLearningRate, "in (0, 1]") { $0 > 0 && $0 <= 1 } }
        try adamBulk.require(adam: adamLearningRate != nil, needs: "--adam-lr")
        if adamLearningRate != nil && noise == .fixed { throw ValidationError("--adam-lr is for the redrawn noise; --noise fixed has its own rows") }
        if finiteDCorrections && noise == .fixed { throw ValidationError("--finite-d-corrections is for the redrawn noise; --noise fixed has its own rows") }
    }

    func run() throws {
        let started = Date()
        let setup = try setup.setup(n: training.trainingPoints)
        var experiment = AutoencoderExperiment(problem: try training.problem(setup), k: setup.k,
                                               dimension: setup.dimension, schedule: schedule)
        experiment.finiteDCorrections = finiteDCorrections
        experiment.adamLearningRate = adamLearningRate
        experiment.adamBulkModel = adamBulk.model
        let (table, rows) = noise == .fixed ? try experiment.fixedNoiseRows(points: points) : try experiment.theoryRows(points: points)
        try printRows(rows, format)
        let notConverged = table.filter { !$0.converged }.count
        if notConverged > 0 { warn("\(notConverged) phase-1 minimisations did not converge (column converged = 0)") }
        let worst = table.map(\.gradientNorm).max() ?? 0
        writeStandardError(String(format: "phaseflow: %d rows in %.3f s; largest gradient norm at a minimum %.1e\n",
                                                   rows.count, Date().timeIntervalSince(started), worst))
    }
}

/// `phaseflow predict`: p̂ and σ̂ of the generative flow driven by the learned networks
/// (derivations/autoencoder-theory.md §7).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Generated mode probability p̂ and spread σ̂ of the flow driven by the learned autoencoder.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var training: AutoencoderOptions
    @Option(help: FlagHelp.schedule)
    var schedule: ScheduleName = .dilated
    @Option(help: FlagHelp.steps)
    var steps: Int = 80
    @Option(help: FlagHelp.integrator)
    var integrator: AutoencoderExperiment.Integrator = .all
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table

    func validate() throws {
        try training.requireNPlusWithFiniteN()
        try requireCount("steps", steps, atMost: 10_000)
        if !setup.dimension.isFinite, integrator != .continuous {
            try require("steps", Double(steps), "even on the dilated clock at d = inf (τ = 1 on the grid)") { Int($0) % 2 == 0 }
        }
    }

    func run() throws {
        let setup = try setup.setup(n: training.trainingPoints)
        let experiment = AutoencoderExperiment(problem: try training.problem(setup), k: setup.k,
                                               dimension: setup.dimension, schedule: schedule)
        try printRows(try experiment.predictionRows(integrator: integrator, steps: steps), format)
    }
}

/// `phaseflow boundaries`: the phase-1 boundaries kτ*(n), L*(n) and the (n, p) boundary of
/// |p̂ − p| ≤ tolerance (derivations/autoencoder-theory.md §6, §7), at d = ∞.
struct BoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Phase-1 boundaries kτ*(n), L*(n) and the (n, p) boundary of |p̂ − p| ≤ tolerance; CSV and a gnuplot figure.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var training: AutoencoderOptions
    @Option(parsing: .upToNextOption, help: FlagHelp.ns)
    var ns: [SampleCount] = [16, 32, 64, 128, 256]
    @Option(parsing: .upToNextOption, help: "Mode probabilities p of the (n, p) boundary.")
    var ps: [Double] = [0.6, 0.7, 0.8, 0.9]
    @Option(help: FlagHelp.tolerance)
    var tolerance: Double = 0.01
    /// The generations `boundaries` offers (predict's `all` is not one: each boundary uses one).
    enum BoundaryIntegrator: String, ExpressibleByArgument, CaseIterable { case continuous, grid }
    @Option(help: FlagHelp.integrator)
    var integrator: BoundaryIntegrator = .continuous
    @Option(help: FlagHelp.steps)
    var steps: Int = 80
    @Option(help: FlagHelp.out, transform: outputPath)
    var out: String = "out/boundaries"
    @Flag(name: .customLong("no-p-boundary"), help: "Skip the (n, p) boundary (the slow part).")
    var noPBoundary = false
    @Flag(help: FlagHelp.resume)
    var resume = false
    @Option(help: FlagHelp.shard, transform: { try Shard(parsing: $0) })
    var shard: Shard = .whole

    func validate() throws {
        try setup.rejectDimension("the boundaries are at d = inf")
        if let n = training.n { throw ValidationError("--n \(n) is not used here: the boundaries take --ns") }
        if let nPlus = training.nPlus { throw ValidationError("--n-plus \(nPlus) is not used here: it needs one finite --n, and the boundaries take n₊ = p·n at each of --ns") }
        guard !ns.isEmpty else { throw ValidationError("--ns needs at least one n") }
        for n in ns { try require("ns", n.value, "in [2, 1e9]") { $0 >= 2 && $0 <= 1e9 } }
        try requireDistinct("ns", ns.map(\.value))
        try requireDistinct("ps", ps)
        try require("k", setup.k, "in (0, \(BoundarySearch.largestK)] (the continuation starts at kτ = max(k, 4))") { $0 > 0 && $0 <= BoundarySearch.largestK }
        for p in ps { try require("ps", p, "in (0, 1)") { $0 > 0 && $0 < 1 } }
        try require("tolerance", tolerance, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("steps", Double(steps), "even and in [2, 10000]") { $0 >= 2 && $0 <= 10_000 && Int($0) % 2 == 0 }
        try requireRunToResume(resume, out: out)
    }

    func run() throws {
        let started = Date()
        let setup = try setup.setup(n: training.trainingPoints, at: .infinite)
        var search = BoundarySearch(setup: setup, penaltyU: training.penaltyU, penaltyW: training.penaltyW, nPlus: training.nPlus)
        search.tolerance = tolerance; search.integrator = integrator == .grid ? .grid : .continuous; search.steps = steps
        let (nRows, pRows) = try search.run(ns: ns.map(\.value), ps: noPBoundary ? [] : ps, directory: URL(fileURLWithPath: out, isDirectory: true),
                                            resume: resume, shard: shard)
        guard shard.count == 1 else {
            return try note("shard \(shard) written to \(out); join the shards with `phaseflow merge`, then run boundaries with --resume on the merged directory")
        }
        try printRows(nRows, .table)
        if !pRows.isEmpty { try printRows(pRows, .table) }
        try note(String(format: "wrote %@/boundary_n.csv, boundary_p.csv, boundaries.gp%@ in %.1f s", out,
                     pngNote(out, "boundaries.png"), Date().timeIntervalSince(started)))
    }
}
