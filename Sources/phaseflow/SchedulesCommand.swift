import ArgumentParser
import Foundation
import Experiments
import FlowMatching
import FlowModel
import RunStore

/// `phaseflow schedules`: the same flow-matching model trained under uniform, logit-normal, EDM and
/// the feature-adaptive training-time densities at equal budgets and paired seeds; feature error,
/// sliced Wasserstein and paired differences vs uniform (derivations/training-schedules.md).
///
///     phaseflow schedules --dataset mnist --classes 0 1 --majority 0.8 --seed 1 --seeds 5 --resample-split --out out/schedules
struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Compare training-time densities (uniform, logit-normal, EDM, Laplace log-SNR, adaptive) on real data: feature error and sliced W2 vs steps.")

    @OptionGroup var data: RealDataOptions
    @Option(help: FlagHelp.seeds) var seeds = 5
    @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
    @Flag(name: .customLong("resample-split"), help: FlagHelp.resampleSplit)
    var resampleSplit = false
    @Option(name: .customLong("export-density"), help: FlagHelp.exportDensity, transform: outputFilePath) var exportDensity: String?
    @Option(parsing: .upToNextOption, help: FlagHelp.budgets) var budgets = [100, 300, 1000, 3000]
    @Option(parsing: .upToNextOption, help: "Training-time densities to train with, uniform first (the paired reference): uniform logit-normal edm laplace adaptive.")
    var densities = ["uniform", "logit-normal", "edm", "laplace", "adaptive"]
    @Option(help: "Adaptive interval: zero-shot, trained or T_LO,T_HI.") var interval = "zero-shot"
    @Option(help: FlagHelp.fraction) var fraction = 0.5
    @Option(help: FlagHelp.samples) var samples = 1000
    @Option(name: .customLong("sampler-steps"), help: FlagHelp.samplerSteps) var samplerSteps = 32
    @Option(help: "Hidden width of the MLP.") var hidden = 256
    @Option(help: "Minibatch size.") var batch = 128
    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.") var learningRate = 1e-3
    @Option(help: "Target feature error for steps-to-target.") var target = 0.05
    @Option(name: .customLong("sample-grid"), help: "Also draw samples_budget<B>.png (with its .dat and .gp) in --out for every budget: this many images per row, the first seed's generated samples of each schedule decoded from PCA, below held-out images (0: none).")
    var sampleGrid = 0
    @Option(name: .customLong("threads"), help: FlagHelp.threads) var workerThreads: WorkerThreads = .allCores
    var threads: Int { workerThreads.count }
    @Option(help: FlagHelp.out, transform: outputPath) var out: String?
    @Flag(help: FlagHelp.resume) var resume = false
    @Option(help: FlagHelp.shard, transform: { try Shard(parsing: $0) })
    var shard: Shard = .whole
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    /// Every flag checked before any work or output.
    func validate() throws {
        try requireCount("seeds", seeds, atMost: SchedulesRun.largestSeedCount)
        guard let first = budgets.first, first >= 1, zip(budgets, budgets.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("budgets must be increasing positive step counts; got \(budgets.map(String.init).joined(separator: " "))")
        }
        try require("fraction", fraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("learning-rate", learningRate, "> 0") { $0 > 0 }
        try require("target", target, "> 0") { $0 > 0 }
        for (name, value, least) in [("samples", samples, 10), ("sampler-steps", samplerSteps, 2), ("hidden", hidden, 1), ("batch", batch, 1),
                                     ("pilot-seeds", data.pilotSeeds, 1), ("pilot-steps", data.pilotSteps, 1)] where value < least {
            throw ValidationError("\(name) must be ≥ \(least); got \(value)")
        }
        try experiment().validate()
        if resume || shard.count > 1, out == nil { throw ValidationError("--resume and --shard need --out (the run directory)") }
        try requireRunToResume(resume, out: out)
    }

    func experiment() throws -> SchedulesRun {
        var run = SchedulesRun(window: try data.configuration(), densities: densities, interval: interval)
        run.fraction = fraction
        var training = TrainingSettings(hidden: hidden, batch: batch, learningRate: learningRate)
        run.pilots = try PilotSettings(count: data.pilotSeeds, steps: data.pilotSteps)
        run.pilots.training = training
        run.pilots.threads = threads
        training.seed = 1
        run.settings.training = training
        run.settings.seeds = try seedRange(first: seed, count: seeds, largestCount: SchedulesRun.largestSeedCount)
        run.splitPerSeed = resampleSplit
        run.exportDensity = exportDensity.map { URL(fileURLWithPath: $0) }
        run.settings.budgets = budgets
        run.settings.samples = samples
        run.settings.samplerSteps = samplerSteps
        run.settings.targetError = target
        run.settings.threads = threads
        run.sampleGrid = sampleGrid
        return run
    }

    func run() throws {
        let (rows, result) = try experiment().run(out: out.map { URL(fileURLWithPath: $0, isDirectory: true) }, resume: resume, shard: shard)
        if result != nil { try printRows(rows, format) }
    }
}
