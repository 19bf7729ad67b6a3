import Foundation
import FlowModel
import Simulation

/// One seed-parallel Monte Carlo run written incrementally to a CSV file (one row per seed,
/// snapshot epoch and grid time), shared by `simulate` and `compare`.
struct SimulationRun {
    let options: SimulationOptions
    let config: SimulationConfiguration
    let url: URL

    static let header = ["seed", "epoch", "time", "tau", "t", "phase"] + OrderParameters.keys
        + ["loss", "p_hat", "p_hat_se", "sigma_hat", "sigma_hat_se", "magnetisation", "magnetisation_se", "p_train",
           "d", "n", "p", "sigma", "k", "steps", "epochs", "protocol", "lr", "weight_decay", "penalty_u", "penalty_w",
           "init", "path", "precision", "samples", "scheme", "aligned_start", "planted", "schedule"]

    var finalEpoch: Int { config.snapshotEpochs.last! }

    /// Trains every seed not already complete in the file (all seeds unless `resume`), appending each
    /// snapshot's rows as it finishes, and returns the final-epoch snapshots of every seed, read back
    /// from the file so that a resumed run reports all of them.
    func run(resume: Bool, label: String) throws -> [Snapshot] {
        // Validate everything that can fail before any work (grid, data, fast-path dimension).
        _ = try Trainer<Double>(problem: config.problem, n: options.n, k: options.k, steps: options.steps,
                                options: { var o = config.training; o.epochs = 0; return o }(), seed: options.seed)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let file = try ResultFile(url: url, header: Self.header, resume: resume)
        var present: [String: Int] = [:]
        for row in file.existingRows { present["\(row["seed"] ?? "") \(row["epoch"] ?? "")", default: 0] += 1 }
        let steps = options.steps, finalEpoch = finalEpoch
        let toRun = options.seedList.filter { present["\($0) \(finalEpoch)"] != steps }
        let concurrent = max(1, min(toRun.count, options.threads))
        var perSeed = config
        perSeed.training.threads = max(1, options.threads / concurrent)
        let shared = SharedRun(file: file, present: present, steps: steps, progress: Progress(total: toRun.count * options.epochs))
        let runConfig = perSeed, me = self
        DispatchQueue.concurrentPerform(iterations: toRun.count) { i in
            let s = toRun[i]
            do {
                try SimulationRunner.run(runConfig, seed: s, progress: { epoch in
                    shared.progressed(seed: s, epoch: epoch, label: "\(label): \(toRun.count) seed(s)")
                }, record: { snapshot in
                    if shared.done(s, snapshot.epoch) { return }
                    try shared.append(me.rows(snapshot))
                })
            } catch {
                shared.fail(error)
            }
        }
        if let failure = shared.failure { throw failure }
        if !toRun.isEmpty { shared.progress.update(done: shared.progress.total, label: "done") }
        return try finalSnapshots()
    }

    func rows(_ s: Snapshot) -> [Row] {
        (0..<s.grid.steps).map { j in
            var row = Row()
            row.add("seed", Int(s.seed)); row.add("epoch", s.epoch); row.add("time", s.time)
            row.add("tau", s.grid.tau[j]); row.add("t", s.grid.t[j]); row.add("phase", s.grid.phase(j))
            for (key, value) in zip(OrderParameters.keys, s.orderParameters[j].values) { row.add(key, value) }
            row.add("loss", s.loss[j])
            // Without generation (--samples 0) these cells are left empty.
            let g = s.generation
            for (key, value) in [("p_hat", g?.pHat), ("p_hat_se", g?.pHatSE), ("sigma_hat", g?.sigmaHat), ("sigma_hat_se", g?.sigmaHatSE),
                                 ("magnetisation", g?.magnetisation), ("magnetisation_se", g?.magnetisationSE)] {
                if let value { row.add(key, value) } else { row.add(key, "") }
            }
            row.add("p_train", s.trainingFraction)
            options.addInputs(&row, config)
            return row
        }
    }

    /// The final epoch's snapshot of every seed that has all K rows in the file.
    func finalSnapshots() throws -> [Snapshot] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let head = lines.first else { return [] }
        let index = Dictionary(uniqueKeysWithValues: head.enumerated().map { ($1, $0) })
        let grid = try TrainingGrid(problem: config.problem, k: options.k, steps: options.steps, schedule: options.schedule)
        var snapshots = [Snapshot]()
        for s in options.seedList {
            let mine = lines.dropFirst().filter { $0.count == head.count && $0[index["seed"]!] == "\(s)" && $0[index["epoch"]!] == "\(finalEpoch)" }
            guard mine.count == options.steps else { continue }
            func v(_ r: [String], _ key: String) -> Double { Double(r[index[key]!]) ?? .nan }
            let ops = mine.map { r in OrderParameters(c: v(r, "c"), b: v(r, "b"), m: v(r, "m"), omega: v(r, "omega"), q: v(r, "q"), r: v(r, "r"), uw: v(r, "uw")) }
            let r0 = mine[0]
            let g = r0[index["p_hat"]!].isEmpty ? nil : GenerationStatistics(samples: options.samples, pHat: v(r0, "p_hat"), pHatSE: v(r0, "p_hat_se"), sigmaHat: v(r0, "sigma_hat"),
                                         sigmaHatSE: v(r0, "sigma_hat_se"), magnetisation: v(r0, "magnetisation"), magnetisationSE: v(r0, "magnetisation_se"))
            snapshots.append(Snapshot(seed: s, epoch: finalEpoch, time: v(r0, "time"), grid: grid, orderParameters: ops,
                                      loss: mine.map { v($0, "loss") }, generation: g, trainingFraction: v(r0, "p_train")))
        }
        return snapshots
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
