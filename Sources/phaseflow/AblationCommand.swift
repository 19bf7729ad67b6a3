import ArgumentParser
import Experiments
import Foundation
import FlowModel

/// `phaseflow ablation`: the dilation ablation table (derivations/ablation.md) — per d and clock the
/// simulated and predicted p̂, the learned bias in the window, |∂J/∂b| — written to
/// <out>/ablation.csv with ablation.gp and, with gnuplot, ablation.png; the table on stdout.
///
///     phaseflow ablation --dims 500 2000 5000 20000 --seeds 4 --training-time 50 --out out/ablation
struct AblationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablation",
        abstract: "Dilated vs undilated training grid at several d: p̂, learned bias in the window, bias gradient.")

    @Option(parsing: .upToNextOption, help: FlagHelp.dims) var dims: [Int] = [500, 2000, 5000, 20000]
    @Option(parsing: .upToNextOption, help: FlagHelp.schedules) var schedules: [ScheduleName] = [.dilated, .linear]
    @Option(help: FlagHelp.n) var n: Int = 64
    @Option(help: FlagHelp.steps) var steps: Int = 40
    @Option(help: FlagHelp.seeds) var seeds: Int = 4
    @Option(help: "Training time η·epochs of each gd run.") var trainingTime: Double = 50
    @Option(help: FlagHelp.lr) var lr: Double = 0.02
    @Option(help: FlagHelp.penalty) var penalty: Double = AutoencoderOptions.defaultPenalty
    @Option(help: "Monte Carlo samples per grid time for ∂J/∂b (0: theory only).") var gradientSamples: Int = 400
    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out/ablation"
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws {
        try requireDistinct("dims", dims)
        try requireDistinct("schedules", schedules)
        try requireCount("n", n, atMost: 100_000)   // before the setup's own check of n, with the spec's bound
        try spec().validate(try setup())
    }

    /// The default target and clock with --n; d is each of --dims.
    func setup() throws -> Setup { try Setup(n: Double(n)) }

    func spec() -> LinearGridAblation.Spec {
        var s = LinearGridAblation.Spec()
        s.dims = dims.map { .finite($0) }   // checked in validate (≥ 2n + 4, then as d)
        s.schedules = schedules; s.steps = steps; s.seeds = seeds; s.trainingTime = trainingTime
        s.learningRate = lr; s.penalty = penalty; s.gradientSamples = gradientSamples
        return s
    }

    func run() throws {
        let rows = try LinearGridAblation.report(try setup(), spec(), to: URL(fileURLWithPath: out, isDirectory: true)) {
            FileHandle.standardError.write(Data("\($0)\n".utf8))
        }
        try printRows(rows, format)
    }
}
