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

    @Option(help: FlagHelp.sigma) var sigma: Double = 0.5
    @Option(help: FlagHelp.penalty) var penalty: Double = 0.1
    @Option(parsing: .upToNextOption, help: FlagHelp.ns) var ns: [Int] = [2, 4, 6, 8, 16, 32, 64, 128, 256, 512, 1024]
    @Option(help: FlagHelp.steps) var steps: Int = 0
    @Option(parsing: .upToNextOption, help: "Simulate at these n (needs --steps > 0).") var simulate: [Int] = []
    @Option(help: FlagHelp.d) var d: Int = 8000
    @Option(help: FlagHelp.seeds) var seeds: Int = 5
    @Option(help: FlagHelp.samples) var samples: Int = 16
    @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out/precursor"
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws {
        try requireDistinct("ns", ns)
        try requireDistinct("simulate", simulate)
        try setup.validate()
    }

    var setup: PrecursorExperiment.Setup {
        var s = PrecursorExperiment.Setup()
        s.sigma = sigma; s.penalty = penalty; s.ns = ns; s.steps = steps; s.simulateNs = simulate
        s.dimension = .finite(d); s.seeds = seeds; s.samples = samples; s.seed = seed
        return s
    }

    func run() throws {
        let (rows, fit) = try PrecursorExperiment.report(setup, to: URL(fileURLWithPath: out, isDirectory: true)) {
            FileHandle.standardError.write(Data("\($0)\n".utf8))
        }
        try printRows(rows, format)
        FileHandle.standardError.write(Data("phaseflow: \(fit)\n".utf8))
    }
}
