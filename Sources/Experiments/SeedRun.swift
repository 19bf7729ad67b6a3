import Foundation
import FlowModel
import Simulation

/// A resumable seed-parallel Monte Carlo run: `SimulationRunner.runSeeds` (the one seed runner)
/// with every snapshot appended to a CSV file as it is taken (one row per seed, snapshot epoch and
/// grid time). `simulate` and `compare` use it; an interrupted run resumes where it stopped.
///
///     var config = SimulationConfiguration(problem: try Problem(dimension: 200, p: 0.8, sigma: 1), n: 16, k: 2,
///                                          steps: 4, training: TrainingOptions())
///     config.training.epochs = 50
///     let run = SeedRun(configuration: config, seeds: [1, 2], threads: 2, url: URL(fileURLWithPath: "out/simulate.csv"))
///     let finals = try run.run(resume: false, label: "simulate")   // the last snapshot of each seed
public struct SeedRun: Sendable {
    public let configuration: SimulationConfiguration
    public let seeds: [UInt64]
    public let threads: Int
    public let url: URL

    public init(configuration: SimulationConfiguration, seeds: [UInt64], threads: Int, url: URL) {
        self.configuration = configuration; self.seeds = seeds; self.threads = threads; self.url = url
    }

    public static let header = ["seed", "epoch", "time", "tau", "t", "phase"] + OrderParameters.keys
        + ["loss", "p_hat", "p_hat_se", "sigma_hat", "sigma_hat_se", "magnetisation", "magnetisation_se"]
        + SnapshotRows.trainingSetKeys + SnapshotRows.protocolKeys + SnapshotRows.inputKeys

    public var finalEpoch: Int { configuration.snapshotEpochs.last! }

    /// Trains every seed not already complete in the file (all seeds unless `resume`), appending each
    /// snapshot's rows as it finishes, and returns the final-epoch snapshots of every seed, read back
    /// from the file so that a resumed run reports all of them.
    public func run(resume: Bool, label: String) throws -> [Snapshot] {
        let config = configuration
        // Validate everything that can fail before any work (grid, data, fast-path dimension).
        _ = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                options: { var o = config.training; o.epochs = 0; return o }(), seed: seeds.first ?? 1)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let file = try ResultFile(url: url, header: Self.header, resume: resume)
        var present: [String: Int] = [:]
        for row in file.existingRows { present["\(row["seed"] ?? "") \(row["epoch"] ?? "")", default: 0] += 1 }
        let steps = config.steps, finalEpoch = finalEpoch
        let toRun = seeds.filter { present["\($0) \(finalEpoch)"] != steps }
        let shared = SharedFile(file: file, present: present, steps: steps)
        let progress = Progress(total: toRun.count * config.training.epochs), text = "\(label): \(toRun.count) seed(s)"
        let throttle = Throttle()
        try SimulationRunner.runSeeds(config, seeds: toRun, threads: threads, progress: { done in
            if throttle.due() { progress.update(done: done, label: text) }
        }, record: { snapshot in
            if shared.done(snapshot.seed, snapshot.epoch) { return }
            try shared.append(SnapshotRows.rows(snapshot, config))
        })
        if !toRun.isEmpty { progress.update(done: progress.total, label: "done") }
        return try SnapshotRows.finalSnapshots(in: url, configuration: config, seeds: seeds, epoch: finalEpoch)
    }
}

/// The results file the seed workers share, behind a lock.
private final class SharedFile: @unchecked Sendable {
    let lock = NSLock()
    let file: ResultFile
    let present: [String: Int]
    let steps: Int

    init(file: ResultFile, present: [String: Int], steps: Int) {
        self.file = file; self.present = present; self.steps = steps
    }

    func done(_ seed: UInt64, _ epoch: Int) -> Bool { present["\(seed) \(epoch)"] == steps }

    func append(_ rows: [Row]) throws {
        lock.lock(); defer { lock.unlock() }
        try file.append(rows)
    }
}

/// At most one progress line per second (called under the runner's lock).
private final class Throttle: @unchecked Sendable {
    var last = Date.distantPast
    func due() -> Bool {
        guard Date().timeIntervalSince(last) > 1 else { return false }
        last = Date()
        return true
    }
}
