import ArgumentParser
import Foundation
import FlowModel
import Simulation

extension TrainingProtocol: ExpressibleByArgument {}
extension Initialisation: ExpressibleByArgument {}
extension GradientPathChoice: ExpressibleByArgument {}
extension SimulationPrecision: ExpressibleByArgument {}
extension GenerationScheme: ExpressibleByArgument {}

/// `phaseflow simulate`: train the bank of K networks at finite d for several seeds in parallel,
/// record the order parameters per grid time, generate and measure p̂, σ̂
/// (derivations/simulation-fast-path.md). Rows are appended to <out>/simulate.csv as each
/// snapshot finishes; `--resume` skips the seeds already complete and the snapshots already written.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Monte Carlo: train the per-time networks, generate, measure p̂ and σ̂.")

    @Option(help: "Dimension d.") var d: Double = 5000
    @Option(help: "Training points n (adam, gd).") var n: Int = 128
    @Option(help: "Dilation constant k.") var k: Double = 2
    @Option(help: "Probability p of the + mode.") var p: Double = 0.8
    @Option(help: "Within-mode standard deviation σ.") var sigma: Double = 1
    @Option(help: "Grid times K on the dilated clock (even).") var steps: Int = 80
    @Option(help: "Epochs (adam, gd: full-batch steps; online: SGD steps, time = epochs/d).") var epochs: Int = 40_000
    @Option(help: "Number of seeds, run in parallel.") var seeds: Int = 1
    @Option(help: "First seed; seeds are seed, seed+1, ….") var seed: UInt64 = 1
    @Option(name: .customLong("protocol"), help: "Training protocol: adam, gd or online.")
    var trainingProtocol: TrainingProtocol = .adam
    @Option(help: "Learning rate (default: adam 0.01, gd 0.05, online 0.5).") var lr: Double?
    @Option(name: .customLong("weight-decay"), help: "Adam weight decay λ on u and w (L = Kλd/2).") var weightDecay: Double = 1e-5
    @Option(name: .customLong("penalty-u"), help: "L_u of the static theory (gd); per-sample ℓ_u (online).") var penaltyU: Double = 0
    @Option(name: .customLong("penalty-w"), help: "L_w of the static theory (gd); per-sample ℓ_w (online).") var penaltyW: Double = 0
    @Option(help: "Initialisation: paper (all N(0,1)) or theory (c = b = 0).") var `init`: Initialisation = .paper
    @Option(help: "Gradient path: fast or dense.") var path: GradientPathChoice = .fast
    @Option(help: "Precision: double or float.") var precision: SimulationPrecision = .double
    @Option(help: "Generated samples per snapshot.") var samples: Int = 256
    @Option(help: "Generation scheme: x1-pred or euler.") var scheme: GenerationScheme = .x1Pred
    @Option(name: .customLong("record-every"), help: "Snapshot every this many epochs (0: only the last).")
    var recordEvery: Int = 0
    @Option(help: "Worker threads (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Output directory.") var out: String = "out"
    @Flag(help: "Keep the rows of an interrupted run and compute only the rest.") var resume = false
    @Option(help: "Summary format on stdout: json, csv or table.") var format: OutputFormat = .table

    func validate() throws {
        try require("n", Double(n), "a whole number ≥ 1") { $0 >= 1 }
        try require("epochs", Double(epochs), "≥ 1") { $0 >= 1 }
        try require("seeds", Double(seeds), "≥ 1") { $0 >= 1 }
        try require("samples", Double(samples), "≥ 2") { $0 >= 2 }
        try require("record-every", Double(recordEvery), "≥ 0") { $0 >= 0 }
        try require("threads", Double(threads), "≥ 1") { $0 >= 1 }
        if let lr { try require("lr", lr, "> 0") { $0 > 0 } }
        try require("weight-decay", weightDecay, "≥ 0") { $0 >= 0 }
        try require("penalty-u", penaltyU, "≥ 0") { $0 >= 0 }
        try require("penalty-w", penaltyW, "≥ 0") { $0 >= 0 }
        try require("k", k, "> 0") { $0 > 0 }
    }

    func configuration() throws -> SimulationConfiguration {
        let problem = try Problem(dimension: d, p: p, sigma: sigma)
        var training = TrainingOptions()
        training.trainingProtocol = trainingProtocol; training.epochs = epochs; training.learningRate = lr
        training.weightDecay = weightDecay; training.penaltyU = penaltyU; training.penaltyW = penaltyW
        training.initialisation = `init`; training.path = path
        var config = SimulationConfiguration(problem: problem, n: n, k: k, steps: steps, training: training)
        config.precision = precision; config.samples = samples; config.scheme = scheme
        if recordEvery > 0 { config.recordEpochs = Array(stride(from: 0, through: epochs, by: recordEvery)) }
        return config
    }

    static let header = ["seed", "epoch", "time", "tau", "t", "phase"] + OrderParameters.keys
        + ["loss", "p_hat", "p_hat_se", "sigma_hat", "sigma_hat_se", "magnetisation", "magnetisation_se", "p_train",
           "d", "n", "p", "sigma", "k", "steps", "epochs", "protocol", "lr", "weight_decay", "penalty_u", "penalty_w",
           "init", "path", "precision", "samples", "scheme"]

    func rows(_ s: Snapshot, _ config: SimulationConfiguration) -> [Row] {
        (0..<s.grid.steps).map { j in
            var row = Row()
            row.add("seed", Int(s.seed)); row.add("epoch", s.epoch); row.add("time", s.time)
            row.add("tau", s.grid.tau[j]); row.add("t", s.grid.t[j]); row.add("phase", s.grid.phase(j))
            for (key, value) in zip(OrderParameters.keys, s.orderParameters[j].values) { row.add(key, value) }
            row.add("loss", s.loss[j])
            let g = s.generation
            row.add("p_hat", g.pHat); row.add("p_hat_se", g.pHatSE); row.add("sigma_hat", g.sigmaHat)
            row.add("sigma_hat_se", g.sigmaHatSE); row.add("magnetisation", g.magnetisation); row.add("magnetisation_se", g.magnetisationSE)
            row.add("p_train", s.trainingFraction)
            addInputs(&row, config)
            return row
        }
    }

    func addInputs(_ row: inout Row, _ config: SimulationConfiguration) {
        row.add("d", config.problem.dimension); row.add("n", n); row.add("p", p); row.add("sigma", sigma); row.add("k", k)
        row.add("steps", steps); row.add("epochs", epochs); row.add("protocol", trainingProtocol.rawValue)
        row.add("lr", config.training.effectiveLearningRate); row.add("weight_decay", weightDecay)
        row.add("penalty_u", penaltyU); row.add("penalty_w", penaltyW); row.add("init", `init`.rawValue)
        row.add("path", path.rawValue); row.add("precision", precision.rawValue); row.add("samples", samples)
        row.add("scheme", scheme.rawValue)
    }

    func run() throws {
        let config = try configuration()
        // Validate everything that can fail before any work (grid, data, fast-path dimension).
        _ = try Trainer<Double>(problem: config.problem, n: n, k: k, steps: steps,
                                options: { var o = config.training; o.epochs = 0; return o }(), seed: seed)
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = try ResultFile(url: directory.appendingPathComponent("simulate.csv"), header: Self.header, resume: resume)
        let seedList = (0..<seeds).map { seed + UInt64($0) }
        // Rows already on disk: (seed, epoch) blocks with all K rows.
        var present: [String: Int] = [:]
        for row in file.existingRows { present["\(row["seed"] ?? "") \(row["epoch"] ?? "")", default: 0] += 1 }
        func done(_ s: UInt64, _ e: Int) -> Bool { present["\(s) \(e)"] == steps }
        let finalEpoch = config.snapshotEpochs.last!
        let toRun = seedList.filter { !done($0, finalEpoch) }
        let concurrent = max(1, min(toRun.count, threads))
        var perSeed = config
        perSeed.training.threads = max(1, threads / concurrent)
        let shared = SharedRun(file: file, present: present, steps: steps, progress: Progress(total: toRun.count * epochs))
        let runConfig = perSeed
        let box = CommandBox(command: self)
        DispatchQueue.concurrentPerform(iterations: toRun.count) { i in
            let s = toRun[i]
            do {
                try SimulationRunner.run(runConfig, seed: s, progress: { epoch in
                    shared.progressed(seed: s, epoch: epoch, label: "simulate \(toRun.count) seed(s)")
                }, record: { snapshot in
                    if shared.done(s, snapshot.epoch) { return }
                    try shared.append(box.command.rows(snapshot, runConfig))
                })
            } catch {
                shared.fail(error)
            }
        }
        let failure = shared.failure
        let progress = shared.progress
        if let failure { throw failure }
        if !toRun.isEmpty { progress.update(done: progress.total, label: "done") }
        try printSummary(directory.appendingPathComponent("simulate.csv"), config: config, seeds: seedList, finalEpoch: finalEpoch)
    }

    /// The final epoch's per-time means ± standard errors across seeds, and pooled p̂, σ̂,
    /// read back from the CSV (so a resumed run reports every seed).
    func printSummary(_ url: URL, config: SimulationConfiguration, seeds seedList: [UInt64], finalEpoch: Int) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let head = lines.first else { return }
        let index = Dictionary(uniqueKeysWithValues: head.enumerated().map { ($1, $0) })
        let grid = try TrainingGrid(problem: config.problem, k: k, steps: steps)
        var snapshots = [Snapshot]()
        for s in seedList {
            let mine = lines.dropFirst().filter { $0.count == head.count && $0[index["seed"]!] == "\(s)" && $0[index["epoch"]!] == "\(finalEpoch)" }
            guard mine.count == steps else { continue }
            func v(_ r: [String], _ key: String) -> Double { Double(r[index[key]!]) ?? .nan }
            let ops = mine.map { r in OrderParameters(c: v(r, "c"), b: v(r, "b"), m: v(r, "m"), omega: v(r, "omega"), q: v(r, "q"), r: v(r, "r"), uw: v(r, "uw")) }
            let r0 = mine[0]
            let g = GenerationStatistics(samples: samples, pHat: v(r0, "p_hat"), pHatSE: v(r0, "p_hat_se"), sigmaHat: v(r0, "sigma_hat"),
                                         sigmaHatSE: v(r0, "sigma_hat_se"), magnetisation: v(r0, "magnetisation"), magnetisationSE: v(r0, "magnetisation_se"))
            snapshots.append(Snapshot(seed: s, epoch: finalEpoch, time: v(r0, "time"), grid: grid, orderParameters: ops,
                                      loss: mine.map { v($0, "loss") }, generation: g, trainingFraction: v(r0, "p_train")))
        }
        guard let pooled = SimulationRunner.pooledGeneration(snapshots) else { return }
        var rows = [Row]()
        for summary in SimulationRunner.summarize(snapshots) {
            var row = Row()
            row.add("tau", summary.tau); row.add("t", summary.t); row.add("phase", summary.phase)
            for (key, (m, e)) in zip(OrderParameters.keys, zip(summary.mean.values, summary.standardError.values)) {
                row.add(key, m); row.add(key + "_se", e)
            }
            row.add("loss", summary.loss)
            row.add("p_hat", pooled.pHat); row.add("p_hat_se", pooled.pHatSE)
            row.add("sigma_hat", pooled.sigmaHat); row.add("sigma_hat_se", pooled.sigmaHatSE)
            row.add("p_train", snapshots.map(\.trainingFraction).reduce(0, +) / Double(snapshots.count))
            row.add("epoch", finalEpoch); row.add("seeds", snapshots.count)
            addInputs(&row, config)
            rows.append(row)
        }
        print(try render(rows, as: format), terminator: "")
        FileHandle.standardError.write(Data(String(format: "p_hat = %.4f ± %.4f, sigma_hat = %.4f ± %.4f over %d seed(s); rows in %@\n",
                                                   pooled.pHat, pooled.pHatSE, pooled.sigmaHat, pooled.sigmaHatSE,
                                                   snapshots.count, url.path).utf8))
    }
}

/// What the seed workers share: the results file, the progress line and the first error, behind a lock.
private final class SharedRun: @unchecked Sendable {
    let lock = NSLock()
    let file: ResultFile
    let present: [String: Int]
    let steps: Int
    let progress: Progress
    var finished = [UInt64: Int]()
    var lastPrint = Date.distantPast
    var failure: Error?

    init(file: ResultFile, present: [String: Int], steps: Int, progress: Progress) {
        self.file = file; self.present = present; self.steps = steps; self.progress = progress
    }

    func done(_ seed: UInt64, _ epoch: Int) -> Bool { present["\(seed) \(epoch)"] == steps }

    func append(_ rows: [Row]) throws {
        lock.lock(); defer { lock.unlock() }
        try file.append(rows)
    }

    func progressed(seed: UInt64, epoch: Int, label: String) {
        lock.lock(); defer { lock.unlock() }
        finished[seed] = epoch
        if Date().timeIntervalSince(lastPrint) > 1 {
            lastPrint = Date()
            progress.update(done: finished.values.reduce(0, +), label: label)
        }
    }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = error }
    }
}

/// Hands the (value-type) command to the worker closures.
private struct CommandBox: @unchecked Sendable { let command: SimulateCommand }
