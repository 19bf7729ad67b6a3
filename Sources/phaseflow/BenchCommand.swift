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
    @Option(help: "Training points n.") var n: Int = 128
    @Option(help: "Grid times K (even).") var steps: Int = 80
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
    var precision: SimulationPrecision = .double
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .json
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Flag(name: .customLong("phase-diagram"), help: "Instead: time the 100 × 100 phase-1 diagram over (n, kτ) at d = inf (phase-diagram --grid 100x100); the training flags are not used then.")
    var phaseDiagram = false

    func validate() throws {
        try require("fast-epochs", Double(fastEpochs), "≥ 1") { $0 >= 1 }
        try require("dense-epochs", Double(denseEpochs), "≥ 1") { $0 >= 1 }
        try require("protocol-epochs", Double(protocolEpochs), "≥ 1") { $0 >= 1 }
        try require("threads", Double(threads), "≥ 1") { $0 >= 1 }
        try requireCount("fast-epochs", fastEpochs, atMost: 1_000_000)
        try requireCount("dense-epochs", denseEpochs, atMost: 1_000_000)
        try requireCount("samples", samples, atLeast: 0, atMost: Limits.samples)
    }

    func run() throws {
        if phaseDiagram {
            var diagram = PhaseDiagram(p: setup.p, sigma: setup.sigma, penaltyU: 2, penaltyW: 2)
            diagram.threads = threads
            let started = Date()
            let (cells, _) = try diagram.run()
            var row = Row()
            row.add("cells", cells.count); row.add("threads", threads); row.add("seconds", Date().timeIntervalSince(started))
            try printRows([row], format)
            return
        }
        var bench = TrainingBenchmark(problem: try setup.problem())
        bench.n = n; bench.steps = steps; bench.k = setup.k; bench.fastEpochs = fastEpochs; bench.denseEpochs = denseEpochs
        bench.protocolEpochs = protocolEpochs; bench.samples = samples; bench.threads = threads
        bench.precision = precision; bench.seed = seed
        try printRows([try bench.run()], format)
    }
}

/// `phaseflow reproduce`: a reduced but faithful run of the whole story (Experiments.Report).
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Exact-flow diagram, theory table, training dynamics, simulation vs theory at two d; Markdown report in ./out.")

    @Option(help: "Output directory (the report is <out>/report.md).") var out: String = "out"
    @Option(parsing: .upToNextOption, help: "The dimensions of the simulation-vs-theory comparison.") var dims: [Double] = [500, 2000]
    @Option(name: .customLong("converged-dims"), parsing: .upToNextOption,
            help: "The dimensions of the converged-protocol comparison (report §3c).") var convergedDims: [Double] = [1000, 4000]
    @Option(help: "Seeds per dimension.") var seeds: Int = 4
    @Option(help: "Epochs of the authors' Adam protocol per seed (report §4: K = 8, stationary from ~10⁴ epochs).") var epochs: Int = 16_000
    @Flag(help: "Keep the simulations of an interrupted run and compute only the rest.") var resume = false
    @Flag(help: "Every stage on its smallest configuration (seconds; a check of the pipeline, not the science).") var smoke = false

    func validate() throws {
        try require("seeds", Double(seeds), "≥ 2") { $0 >= 2 }
        try require("epochs", Double(epochs), "≥ 1") { $0 >= 1 }
        // Two or more whole d in [2n + 4, 1e7] per comparison (the finite-size fit; the authors' n = 128 on the fast path).
        for (flag, values, why) in [("dims", dims, " (the authors' n = 128 on the fast path needs d ≥ 2n + 4)"), ("converged-dims", convergedDims, "")] {
            guard values.count >= 2 else { throw ValidationError("--\(flag) needs at least two dimensions (for the finite-size fit)") }
            for d in values { try require(flag, d, "a whole number in [\(Report.smallestDimension), 1e7]" + why) {
                $0 >= Double(Report.smallestDimension) && $0 <= 1e7 && $0 == $0.rounded() } }
        }
        _ = try seedRange(first: 1, count: seeds)
    }

    func run() throws {
        var report = Report(directory: URL(fileURLWithPath: out, isDirectory: true), dimensions: dims, seeds: seeds, epochs: epochs)
        report.convergedDimensions = convergedDims
        report.smoke = smoke
        let seconds = try report.write(resume: resume)
        try note("wrote \(out)/report.md in \(String(format: "%.0f", seconds)) s")
    }
}
