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
///     phaseflow schedules --dataset mnist --classes 0 1 --majority 0.8 --seeds 5 --out out/schedules
struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Compare training-time densities (uniform, logit-normal, EDM, Laplace log-SNR, adaptive) on real data: feature error and sliced W2 vs steps.")

    @OptionGroup var data: RealDataOptions
    @Option(help: "Number of paired seeds (1…N).") var seeds = 5
    @Option(parsing: .upToNextOption, help: "Step budgets (checkpoints), increasing.") var budgets = [100, 300, 1000, 3000]
    @Option(parsing: .upToNextOption, help: "Schedules to train, uniform first (the paired reference): uniform logit-normal edm laplace adaptive.")
    var schedules = ["uniform", "logit-normal", "edm", "laplace", "adaptive"]
    @Option(help: "Adaptive interval: zero-shot, trained or T_LO,T_HI.") var interval = "zero-shot"
    @Option(help: "Mass of the adaptive density on its interval.") var fraction = 0.5
    @Option(help: "Generated samples per evaluation.") var samples = 1000
    @Option(name: .customLong("sampler-steps"), help: "Probability-flow steps (uniform in log-SNR).") var samplerSteps = 32
    @Option(help: "Hidden width of the MLP.") var hidden = 256
    @Option(help: "Minibatch size.") var batch = 128
    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.") var learningRate = 1e-3
    @Option(help: "Target feature error for steps-to-target.") var target = 0.05
    @Option(help: "Worker threads over (seed, schedule) runs; results do not depend on it.") var threads = 2
    @Option(help: "Run directory (manifest.json, rows.csv; summary CSVs, gnuplot script and PNG beside them).", transform: outputPath) var out: String?
    @Flag(help: "Continue the run in --out (same settings).") var resume = false
    @Option(help: "Train only shard i of N of the (seed, schedule) pairs; join with `phaseflow merge`, then `schedules --resume` on the merged directory.", transform: { try Shard(parsing: $0) })
    var shard: Shard = .whole
    @Option(help: "Output format: json, csv or table.") var format: OutputFormat = .table

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
                                     ("threads", threads, 1), ("pilot-seeds", data.pilotSeeds, 1), ("pilot-steps", data.pilotSteps, 1)] where value < least {
            throw ValidationError("\(name) must be ≥ \(least); got \(value)")
        }
        try experiment().validate()
    }

    func experiment() throws -> SchedulesRun {
        var run = SchedulesRun(window: try data.configuration(), densities: schedules, interval: interval)
        run.fraction = fraction
        var training = TrainingSettings(hidden: hidden, batch: batch, learningRate: learningRate)
        run.pilots = try PilotSettings(count: data.pilotSeeds, steps: data.pilotSteps)
        run.pilots.training = training
        run.pilots.threads = threads
        training.seed = 1
        run.settings.training = training
        run.settings.seeds = (1...seeds).map(UInt64.init)
        run.settings.budgets = budgets
        run.settings.samples = samples
        run.settings.samplerSteps = samplerSteps
        run.settings.targetError = target
        run.settings.threads = threads
        return run
    }

    func run() throws {
        let (rows, result) = try experiment().run(out: out.map { URL(fileURLWithPath: $0, isDirectory: true) }, resume: resume, shard: shard)
        if result != nil { try printRows(rows, format) }
    }
}
