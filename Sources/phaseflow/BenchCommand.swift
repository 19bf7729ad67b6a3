import ArgumentParser
import Foundation
import FlowModel
import Simulation

/// `phaseflow bench`: seconds per epoch of the fast and the dense gradient path in one process on
/// the authors' configuration, and the projected time of their 40 000-epoch protocol.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the fast and the dense training path (authors' configuration by default).")

    @Option(help: "Dimension d.") var d: Double = 5000
    @Option(help: "Training points n.") var n: Int = 128
    @Option(help: "Grid times K (even).") var steps: Int = 80
    @Option(help: "Dilation constant k.") var k: Double = 2
    @Option(help: "Probability p of the + mode.") var p: Double = 0.8
    @Option(help: "Within-mode standard deviation σ.") var sigma: Double = 1
    @Option(name: .customLong("fast-epochs"), help: "Timed epochs of the fast path (after one warm-up epoch).")
    var fastEpochs: Int = 10
    @Option(name: .customLong("dense-epochs"), help: "Timed epochs of the dense path (after one warm-up epoch).")
    var denseEpochs: Int = 2
    @Option(name: .customLong("protocol-epochs"), help: "Epochs of the protocol to project.")
    var protocolEpochs: Int = 40_000
    @Option(help: "Samples of the generation pass included in the projection.")
    var samples: Int = 256
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Precision of the fast path: double or float.")
    var precision: Precision = .double
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .json
    @Option(help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        try require("fast-epochs", Double(fastEpochs), "≥ 1") { $0 >= 1 }
        try require("dense-epochs", Double(denseEpochs), "≥ 1") { $0 >= 1 }
        try require("protocol-epochs", Double(protocolEpochs), "≥ 1") { $0 >= 1 }
        try require("threads", Double(threads), "≥ 1") { $0 >= 1 }
    }

    func run() throws {
        let problem = try Problem(dimension: d, p: p, sigma: sigma)
        var options = TrainingOptions()
        options.trainingProtocol = .adam
        options.threads = threads
        let total = 2 + fastEpochs + denseEpochs
        let progress = Progress(total: total)
        var done = 0
        func time(_ trainer: some EpochRunner, epochs: Int, label: String) -> Double {
            trainer.runEpoch()  // warm-up
            done += 1
            progress.update(done: done, label: label + " warm-up")
            let start = Date()
            for _ in 0..<epochs {
                trainer.runEpoch()
                done += 1
                progress.update(done: done, label: label)
            }
            return Date().timeIntervalSince(start) / Double(epochs)
        }
        options.path = .fast
        let fast: Double
        let generationSeconds: Double
        switch precision {
        case .double:
            let trainer = try Trainer<Double>(problem: problem, n: n, k: k, steps: steps, options: options, seed: seed)
            fast = time(trainer, epochs: fastEpochs, label: "fast")
            let start = Date()
            _ = try Generator.generate(bank: trainer.bank, grid: trainer.grid, mean: trainer.data.mean, samples: samples, seed: seed)
            generationSeconds = Date().timeIntervalSince(start)
        case .float:
            let trainer = try Trainer<Float>(problem: problem, n: n, k: k, steps: steps, options: options, seed: seed)
            fast = time(trainer, epochs: fastEpochs, label: "fast (float)")
            let start = Date()
            _ = try Generator.generate(bank: trainer.bank.inDouble(), grid: trainer.grid, mean: trainer.data.mean, samples: samples, seed: seed)
            generationSeconds = Date().timeIntervalSince(start)
        }
        options.path = .dense
        let denseTrainer = try Trainer<Double>(problem: problem, n: n, k: k, steps: steps, options: options, seed: seed)
        let dense = time(denseTrainer, epochs: denseEpochs, label: "dense")
        var row = Row()
        row.add("epoch_seconds", fast)
        row.add("dense_epoch_seconds", dense)
        row.add("speedup", dense / fast)
        row.add("protocol_minutes", (Double(protocolEpochs) * fast + generationSeconds) / 60)
        row.add("generation_seconds", generationSeconds)
        row.add("d", problem.dimension); row.add("n", n); row.add("steps", steps); row.add("k", k)
        row.add("p", p); row.add("sigma", sigma); row.add("epochs", protocolEpochs); row.add("samples", samples)
        row.add("threads", threads); row.add("precision", precision.rawValue)
        print(try render([row], as: format), terminator: "")
    }
}

enum Precision: String, ExpressibleByArgument, CaseIterable { case double, float }

/// Lets `bench` time trainers of either precision.
protocol EpochRunner { func runEpoch() }
extension Trainer: EpochRunner { func runEpoch() { step() } }
