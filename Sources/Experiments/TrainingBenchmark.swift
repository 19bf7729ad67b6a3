import Foundation
import FlowModel
import Simulation

/// Seconds per epoch of the fast and the dense gradient path in one process on the authors'
/// configuration, the projected time of their 40 000-epoch protocol, and optionally the
/// instructions per epoch of the fast path (callgrind, `InstructionCount`) with their split into
/// gemm, Gaussian draws, other BLAS and the elementwise rest (`InstructionBreakdown`).
///
///     let bench = TrainingBenchmark(setup: try Setup(dimension: .finite(5000), n: 128))
///     let row = try bench.run()   // epoch_seconds, dense_epoch_seconds, speedup, protocol_minutes, …
public struct TrainingBenchmark: Sendable {
    /// d, p, σ, k and n (finite d, whole n).
    public var setup: Setup
    public var steps = 80
    public var fastEpochs = 10, denseEpochs = 2, protocolEpochs = 40_000, samples = 256
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var precision = SimulationPrecision.double
    public var seed: UInt64 = 1
    /// When set: count the fast path's instructions per epoch by running `executable arguments`
    /// under callgrind, with "--count-epochs E" appended (a run that calls `trainEpochs(E)`).
    public var instructionCount: (executable: String, arguments: [String])? = nil

    public init(setup: Setup) { self.setup = setup }

    /// The target, n and k of the trainers, checked (finite d, whole n).
    func configuration() throws -> SimulationConfiguration {
        try SimulationConfiguration(setup: setup, steps: steps, training: TrainingOptions())
    }

    /// Builds the fast-path trainer of this configuration and trains `epochs` epochs, nothing else
    /// (the program run under callgrind for `instructionCount`).
    public func trainEpochs(_ epochs: Int) throws {
        let c = try configuration()
        var options = TrainingOptions()
        options.trainingProtocol = .adam
        options.threads = threads
        options.path = .fast
        switch precision {
        case .double: try Trainer<Double>(problem: c.problem, n: c.n, k: c.k, steps: steps, options: options, seed: seed).train(epochs: epochs)
        case .float: try Trainer<Float>(problem: c.problem, n: c.n, k: c.k, steps: steps, options: options, seed: seed).train(epochs: epochs)
        }
    }

    public func run() throws -> Row {
        let c = try configuration()
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
            let trainer = try Trainer<Double>(problem: c.problem, n: c.n, k: c.k, steps: steps, options: options, seed: seed)
            fast = time(trainer, epochs: fastEpochs, label: "fast")
            let start = Date()
            _ = try Generator.generate(bank: trainer.bank, grid: trainer.grid, mean: trainer.data.mean, samples: samples, seed: seed)
            generationSeconds = Date().timeIntervalSince(start)
        case .float:
            let trainer = try Trainer<Float>(problem: c.problem, n: c.n, k: c.k, steps: steps, options: options, seed: seed)
            fast = time(trainer, epochs: fastEpochs, label: "fast (float)")
            let start = Date()
            _ = try Generator.generate(bank: trainer.bank.inDouble(), grid: trainer.grid, mean: trainer.data.mean, samples: samples, seed: seed)
            generationSeconds = Date().timeIntervalSince(start)
        }
        options.path = .dense
        let denseTrainer = try Trainer<Double>(problem: c.problem, n: c.n, k: c.k, steps: steps, options: options, seed: seed)
        let dense = time(denseTrainer, epochs: denseEpochs, label: "dense")
        var row = Row()
        row.add("epoch_seconds", fast)
        if let (executable, arguments) = instructionCount {
            if let counter = try? InstructionCount() {
                note("bench: counting instructions under callgrind (runs of 1 and 3 epochs)")
                let counted = try counter.splitPerRepetition(executable: executable, arguments: { arguments + ["--count-epochs", "\($0)"] },
                                                              base: 1, extra: 2)
                row.add("instructions_per_epoch", counted.total)
                // The floor made visible: gemm, the Gaussian draws and the other BLAS calls are the epoch's
                // irreducible work (SIM.12); the elementwise rest is Adam's one vectorised pass with the
                // gradient's completion, the block's copies of u, w (one gemm packs Q once) and the O(n²)
                // per-time algebra, each pass once.
                row.add("gemm_instructions_per_epoch", counted.gemm)
                row.add("gaussian_instructions_per_epoch", counted.gaussian)
                row.add("blas_other_instructions_per_epoch", counted.otherBLAS)
                row.add("elementwise_instructions_per_epoch", counted.rest)
            } else {
                note("bench: valgrind not found on PATH; instructions_per_epoch omitted")
            }
        }
        row.add("dense_epoch_seconds", dense)
        row.add("speedup", dense / fast)
        row.add("protocol_minutes", (Double(protocolEpochs) * fast + generationSeconds) / 60)
        row.add("generation_seconds", generationSeconds)
        row.add("d", c.problem.d); row.add("n", c.n); row.add("steps", steps); row.add("k", c.k)
        row.add("p", setup.p); row.add("sigma", setup.sigma); row.add("epochs", protocolEpochs); row.add("samples", samples)
        row.add("threads", threads); row.add("precision", precision.rawValue)
        return row
    }
}

/// Lets the benchmark time trainers of either precision.
protocol EpochRunner { func runEpoch() }
extension Trainer: EpochRunner { func runEpoch() { step() } }
