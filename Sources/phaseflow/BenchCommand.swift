import ArgumentParser
import FlowModel
import Experiments
import Foundation
import Simulation

/// `phaseflow bench`: seconds per epoch of the fast and the dense gradient path in one process on
/// the authors' configuration, and the projected time of their 40 000-epoch protocol.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the fast and the dense training path (authors' configuration by default).")

    @OptionGroup var setup: SetupOptions
    @Option(help: FlagHelp.n) var n: Int = 128
    @Option(help: FlagHelp.steps) var steps: Int = 80
    @Option(name: .customLong("fast-epochs"), help: "Timed epochs of the fast path (after one warm-up epoch).")
    var fastEpochs: Int = 10
    @Option(name: .customLong("dense-epochs"), help: "Timed epochs of the dense path (after one warm-up epoch).")
    var denseEpochs: Int = 2
    @Option(name: .customLong("protocol-epochs"), help: "Epochs of the protocol to project.")
    var protocolEpochs: Int = 40_000
    @Option(help: FlagHelp.samples)
    var samples: Int = 256
    @Option(name: .customLong("threads"), help: FlagHelp.threads)
    var workerThreads: WorkerThreads = .allCores
    var threads: Int { workerThreads.count }
    @Option(help: FlagHelp.precision)
    var precision: SimulationPrecision = .double
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .json
    @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
    @Flag(name: .customLong("phase-diagram"), help: "Instead: time the 100 × 100 phase-1 diagram over (n, kτ) at d = inf (phase-diagram --grid 100x100); the training flags are not used then.")
    var phaseDiagram = false
    @OptionGroup var mlpBench: MLPBenchOptions
    @Flag(help: "Also report instructions_per_epoch of the fast path, counted by valgrind's callgrind (runs of this binary with 1 and 3 epochs; omitted with a note if valgrind is absent), and its split: gemm, Gaussian draws, other BLAS, elementwise.")
    var instructions = false
    @Option(name: .customLong("count-epochs"), help: .hidden) var countEpochs: Int?

    func validate() throws {
        try require("fast-epochs", Double(fastEpochs), "≥ 1") { $0 >= 1 }
        try require("dense-epochs", Double(denseEpochs), "≥ 1") { $0 >= 1 }
        try require("protocol-epochs", Double(protocolEpochs), "≥ 1") { $0 >= 1 }
        try requireCount("fast-epochs", fastEpochs, atMost: 1_000_000)
        try requireCount("dense-epochs", denseEpochs, atMost: 1_000_000)
        // The benchmark times generation too, and the generator measures p̂ on ≥ 2 samples.
        try requireCount("samples", samples, atLeast: 2, atMost: Limits.samples)
        try requireCount("steps", steps, atLeast: 2, atMost: Limits.gridSteps)
        try requireCount("n", n, atMost: 1_000_000)
        if let countEpochs { try requireCount("count-epochs", countEpochs, atLeast: 1, atMost: 1_000_000) }
        // One mode per run: --mlp and --phase-diagram each replace the training benchmark.
        if mlpBench.mlp && phaseDiagram { throw ValidationError("--mlp and --phase-diagram are two different benchmarks; give one") }
        if instructions && (mlpBench.mlp || phaseDiagram) {
            throw ValidationError("--instructions counts the training benchmark's epochs; with \(mlpBench.mlp ? "--mlp the count is --callgrind-steps (0: none)" : "--phase-diagram there is no count")")
        }
    }

    func run() throws {
        if mlpBench.mlp { return try mlpBench.run(seed: seed, format: format) }
        if phaseDiagram {
            var diagram = PhaseDiagram(setup: try setup.setup(at: .infinite), penaltyU: 2, penaltyW: 2)
            diagram.threads = threads
            let started = Date()
            let (cells, _) = try diagram.run()
            var row = Row()
            row.add("cells", cells.count); row.add("threads", threads); row.add("seconds", Date().timeIntervalSince(started))
            try printRows([row], format)
            return
        }
        var bench = TrainingBenchmark(setup: try setup.setup(n: Double(n)))
        bench.steps = steps; bench.fastEpochs = fastEpochs; bench.denseEpochs = denseEpochs
        bench.protocolEpochs = protocolEpochs; bench.samples = samples; bench.threads = threads
        bench.precision = precision; bench.seed = seed
        if let countEpochs { return try bench.trainEpochs(countEpochs) }  // the run counted under callgrind
        if instructions {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            bench.instructionCount = (executable, Array(CommandLine.arguments.dropFirst()).filter { $0 != "--instructions" })
        }
        try printRows([try bench.run()], format)
    }
}

/// `phaseflow reproduce`: a reduced but faithful run of the whole story (Experiments.Report).
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Exact-flow diagram, theory table, training dynamics, simulation vs theory at several d; Markdown report in ./out.")

    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out"
    @Option(parsing: .upToNextOption, help: FlagHelp.dims) var dims: [Double] = [500, 2000, 8000]
    @Option(name: .customLong("converged-dims"), parsing: .upToNextOption,
            help: "The dimensions of the converged-protocol comparison (report §3c).") var convergedDims: [Double] = [1000, 4000]
    @Option(help: FlagHelp.seeds) var seeds: Int = 4
    @Option(help: FlagHelp.epochs) var epochs: Int = 16_000
    @Flag(help: FlagHelp.resume) var resume = false
    @OptionGroup var longRun: LongRunOption
    @Flag(help: "Every stage on its smallest configuration (seconds; a check of the pipeline, not the science).") var smoke = false

    func validate() throws {
        try require("seeds", Double(seeds), "≥ 2") { $0 >= 2 }
        try requireCount("epochs", epochs, atMost: Limits.epochs)
        // Two or more whole d in [2n + 4, 1e7] per comparison (the finite-size fit; the authors' n = 128 on the fast path).
        for (flag, values, why) in [("dims", dims, " (the authors' n = 128 on the fast path needs d ≥ 2n + 4)"), ("converged-dims", convergedDims, "")] {
            guard values.count >= 2 else { throw ValidationError("--\(flag) needs at least two dimensions (for the finite-size fit)") }
            for d in values { try require(flag, d, "a whole number in [\(Report.smallestDimension), 1e7]" + why) {
                $0 >= Double(Report.smallestDimension) && $0 <= 1e7 && $0 == $0.rounded() } }
            try requireDistinct(flag, values)
        }
        _ = try seedRange(first: 1, count: seeds)
        if resume { try Report.requireRunToResume(at: URL(fileURLWithPath: out, isDirectory: true)) }
    }

    func run() throws {
        var report = Report(directory: URL(fileURLWithPath: out, isDirectory: true), dimensions: try dims.map { try Dimension($0) }, seeds: seeds, epochs: epochs)
        report.convergedDimensions = try convergedDims.map { try Dimension($0) }
        report.allowLongRun = longRun.allowLongRun
        try report.requireShortRun()
        report.smoke = smoke
        let seconds = try report.write(resume: resume)
        try note("wrote \(out)/report.md in \(String(format: "%.0f", seconds)) s")
    }
}
