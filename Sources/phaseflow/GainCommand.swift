import ArgumentParser
import Foundation
import Experiments
import FlowModel

/// `phaseflow gain`: where the adaptive density's gain grows — per task the zero-shot window and its
/// share of [0, 1], uniform against adaptive at paired seeds, the gain ē_U/ē_A ± SE and MB.7's
/// prediction (derivations/training-schedules.md §8).
///
///     phaseflow gain --pairs fashion-mnist:1:9 fashion-mnist:7:9 mnist:0:1 mnist:4:9 --pca 256 --seeds 5 --resample-split --out out/gain
struct GainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gain",
        abstract: "Gain of the adaptive training-time density over uniform against the window's share of [0, 1], over several tasks; with --out, gain.csv and gain.png.")

    @Option(parsing: .upToNextOption, help: "Two-class tasks DATASET:A:B (A the majority), e.g. fashion-mnist:7:9 mnist:0:1 digits:3:8.")
    var pairs: [String] = ["fashion-mnist:1:9", "fashion-mnist:1:8", "fashion-mnist:7:9", "fashion-mnist:6:4", "fashion-mnist:5:7"]
    @Option(help: FlagHelp.majority) var majority: Double = 0.8
    @Option(help: FlagHelp.pca) var pca: Int?
    @Option(help: FlagHelp.seeds) var seeds = 5
    @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
    @Flag(name: .customLong("resample-split"), help: FlagHelp.resampleSplit) var resampleSplit = false
    @Option(parsing: .upToNextOption, help: FlagHelp.budgets) var budgets = [25, 50, 100, 300]
    @Option(help: FlagHelp.fraction) var fraction = 0.5
    @Option(help: FlagHelp.samples) var samples = 1000
    @Option(name: .customLong("threads"), help: FlagHelp.threads) var workerThreads: WorkerThreads = .allCores
    @Option(help: FlagHelp.out, transform: outputPath) var out: String?
    @Flag(help: FlagHelp.resume) var resume = false
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws {
        try require("majority", majority, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try requireCount("seeds", seeds, atLeast: 2, atMost: 1000)
        if resume, out == nil { throw ValidationError("--resume needs --out (the directory of the task runs)") }
        try experiment().validate()
    }

    func experiment() throws -> WindowGainRun {
        var run = WindowGainRun(tasks: try pairs.map(GainTask.init(parsing:)))
        run.window.majority = majority
        run.window.pcaDimension = pca
        run.settings.seeds = try seedRange(first: seed, count: seeds, largestCount: 1000)
        run.settings.budgets = budgets
        run.settings.samples = samples
        run.settings.threads = workerThreads.count
        run.settings.training.seed = 1
        run.splitPerSeed = resampleSplit
        run.fraction = fraction
        return run
    }

    func run() throws {
        let rows = try experiment().run(out: out.map { URL(fileURLWithPath: $0, isDirectory: true) }, resume: resume)
        try printRows(rows, format)
    }
}
