import BuildInfo
import Foundation
import FlowModel
import RunStore
import Simulation

/// A resumable, shardable seed-parallel Monte Carlo run in a run directory (`RunStore`):
/// `SimulationRunner.runSeeds` (the one seed runner) with every snapshot appended to `rows.csv` as
/// one checksummed block (unit `seed=<s>,epoch=<e>`, or `d=<d>,seed=<s>,epoch=<e>` in `compare`),
/// the whole trainer state saved after it in `checkpoints/`, and `manifest.json` recording the
/// settings and the build. `--resume` refuses other settings, recomputes a torn tail and continues
/// each seed from its checkpoint; a larger `epochs` extends the run bit for bit. A shard `i/N`
/// trains every N-th seed (`phaseflow merge` joins the shards).
///
///     var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(200), n: 16),
///                                          steps: 4, training: TrainingOptions())
///     config.training.epochs = 50
///     let run = SeedRun(parts: [.init(configuration: config, seeds: [1, 2])], threads: 2,
///                       directory: URL(fileURLWithPath: "out/simulate"), command: "simulate")
///     let finals = try run.run(resume: false)   // per part, the last snapshot of each seed of the shard
public struct SeedRun: Sendable {
    /// One simulation configuration and its seeds; `name` (e.g. "d=500") prefixes its units.
    public struct Part: Sendable {
        public var configuration: SimulationConfiguration
        public var seeds: [UInt64]
        public var name: String
        public init(configuration: SimulationConfiguration, seeds: [UInt64], name: String = "") {
            self.configuration = configuration; self.seeds = seeds; self.name = name
        }
        func unit(_ seed: UInt64, _ epoch: Int) -> String { (name.isEmpty ? "" : name + ",") + "seed=\(seed),epoch=\(epoch)" }
        func checkpointName(_ seed: UInt64) -> String { (name.isEmpty ? "" : name + ".") + "seed=\(seed)" }
    }

    public var parts: [Part]
    public var threads: Int
    public var directory: URL
    public var command: String
    public var shard: Shard
    /// Settings besides the configuration's (e.g. compare's `dims`), recorded in the manifest.
    public var extraSettings: [Setting]
    /// Called with one line for stderr (progress, a cut torn tail).
    public var log: @Sendable (String) -> Void
    /// Start even when the estimated time exceeds a day (`RunTimeEstimate`, `--allow-long-run`).
    public var allowLongRun = false

    public init(parts: [Part], threads: Int, directory: URL, command: String, shard: Shard = .whole,
                extraSettings: [Setting] = [], log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.parts = parts; self.threads = threads; self.directory = directory; self.command = command
        self.shard = shard; self.extraSettings = extraSettings; self.log = log
    }

    public static let header = ["seed", "epoch", "time", "tau", "t", "phase"] + OrderParameters.keys
        + ["loss", "p_hat", "p_hat_se", "sigma_hat", "sigma_hat_se", "magnetisation", "magnetisation_se"]
        + SnapshotRows.trainingSetKeys + SnapshotRows.protocolKeys + SnapshotRows.inputKeys

    /// Settings a resume may change: more epochs (and so more snapshot epochs) extend the run.
    public static let extendable: Set<String> = ["epochs", "record_epochs"]

    /// The settings of a configuration as the manifest records them (everything the rows depend on).
    public static func settings(_ config: SimulationConfiguration, seeds: [UInt64], dimension: Bool = true) -> [Setting] {
        let t = config.training
        var s = [Setting]()
        if dimension { s.append(Setting("d", "\(config.problem.d)")) }
        s += [Setting("n", "\(config.n)"), Setting("p", "\(config.problem.p)"), Setting("sigma", "\(config.problem.sigma)"),
              Setting("k", "\(config.k)"), Setting("steps", "\(config.steps)"), Setting("epochs", "\(t.epochs)"),
              Setting("seeds", seeds.map(String.init).joined(separator: " ")),
              Setting("protocol", t.trainingProtocol.name), Setting("lr", "\(t.effectiveLearningRate)"),
              Setting("weight_decay", "\(t.weightDecay)"), Setting("penalty_u", "\(t.penaltyU)"), Setting("penalty_w", "\(t.penaltyW)"),
              Setting("init", t.initialisation.rawValue), Setting("aligned_start", t.alignedStart ? "1" : "0"),
              Setting("planted", t.planted.map { "\($0.m) \($0.omega)" } ?? "none"),
              Setting("trained_times", t.trainedTimes.map { $0.map(String.init).joined(separator: " ") } ?? "all"),
              Setting("schedule", t.schedule.rawValue),
              Setting("converged_penalties_from_weight_decay", t.convergedPenaltiesFromWeightDecay ? "1" : "0"),
              Setting("path", t.path.rawValue), Setting("precision", config.precision.rawValue),
              Setting("samples", "\(config.samples)"), Setting("scheme", config.scheme.rawValue),
              Setting("record_epochs", config.snapshotEpochs.map(String.init).joined(separator: " "))]
        return s
    }

    /// Opens the run directory and trains what is pending; returns, per part, the final-epoch
    /// snapshot of every seed of this shard, read back from `rows.csv` (so a resumed run reports all).
    public func run(resume: Bool) throws -> [[Snapshot]] {
        var parts = try extendedParts(resume: resume)
        for part in parts {
            // Validate everything that can fail before any work (grid, data, fast-path dimension).
            let config = part.configuration
            _ = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                    options: { var o = config.training; o.epochs = 0; return o }(), seed: part.seeds.first ?? 1)
        }
        // The time at the measured speed, before any work (this shard's seeds of every part).
        if !allowLongRun {
            for part in parts {
                let seeds = (part.seeds.count + shard.count - 1) / shard.count
                try RunTimeEstimate.requireShort(part.configuration, seeds: seeds, threads: threads, allowed: false)
            }
        }
        let settings = [Setting("command", command)] + extraSettings
            + (parts.count == 1 ? Self.settings(parts[0].configuration, seeds: parts[0].seeds)
                                : Self.settings(parts[0].configuration, seeds: parts[0].seeds, dimension: false))
        let groups = parts.flatMap { part in part.seeds.map { s in part.configuration.snapshotEpochs.map { part.unit(s, $0) } } }
        let manifest = Manifest(settings: settings, columns: Self.header, unitGroups: groups, shard: shard,
                                toolVersion: BuildInfo.version, buildCommit: BuildInfo.commit)
        let store = try openRunDirectory(at: directory, manifest: manifest, resume: resume, extendable: Self.extendable)
        defer { store.close() }
        if let cut = store.cutTail { log("\(cut)") }
        let pending = Set(store.pendingUnits)
        let mine = Set(shard.units(of: groups).flatMap { $0 })
        for i in parts.indices { parts[i].seeds = parts[i].seeds.filter { s in mine.contains(parts[i].unit(s, parts[i].configuration.snapshotEpochs[0])) } }
        for part in parts {
            let config = part.configuration
            let toRun = part.seeds.filter { s in config.snapshotEpochs.contains { pending.contains(part.unit(s, $0)) } }
            guard !toRun.isEmpty else { continue }
            let plan = SeedPlan(start: { seed in
                guard let saved = try store.loadCheckpoint(part.checkpointName(seed)) else { return nil }
                // Usable only if no pending snapshot lies at or before it.
                let firstPending = config.snapshotEpochs.first { pending.contains(part.unit(seed, $0)) } ?? Int.max
                guard saved.epoch < firstPending else { return nil }
                return TrainerState(epoch: saved.epoch, randomState: saved.randomState, arrays: saved.arrays.map { ($0.name, $0.values) })
            }, wanted: { seed, epoch in pending.contains(part.unit(seed, epoch)) },
               checkpoint: { seed, state in
                try store.save(Checkpoint(epoch: state.epoch, randomState: state.randomState,
                                          arrays: state.arrays.map { NamedArray($0.name, $0.values) }), as: part.checkpointName(seed))
            })
            let label = "\(command)\(part.name.isEmpty ? "" : " " + part.name): \(toRun.count) seed(s)"
            let progress = Progress(total: toRun.count * config.training.epochs)
            let throttle = Throttle()
            try SimulationRunner.runSeeds(config, seeds: toRun, threads: threads, plan: plan, progress: { done in
                if throttle.due() { progress.update(done: done, label: label) }
            }, record: { snapshot in
                try store.append(unit: part.unit(snapshot.seed, snapshot.epoch),
                                 rows: try SnapshotRows.rows(snapshot, config).map { try RowCodec.cells($0) })
            })
            progress.update(done: progress.total, label: "done")
        }
        if store.isComplete { try store.compact() }
        return try parts.map { part in
            let final = part.configuration.snapshotEpochs.last!
            return try part.seeds.compactMap { seed in
                try store.rows(of: part.unit(seed, final)).map {
                    try SnapshotRows.snapshot(rows: $0, columns: Self.header, configuration: part.configuration, seed: seed, epoch: final)
                }
            }
        }
    }

    /// With `resume` and a run on disk: every snapshot epoch the directory already records is kept
    /// in the parts' snapshot epochs, so that `--epochs` larger than the directory's extends it.
    private func extendedParts(resume: Bool) throws -> [Part] {
        let url = directory.appendingPathComponent(RunDirectory.manifestName)
        guard resume, FileManager.default.fileExists(atPath: url.path) else { return parts }
        let old = try Manifest.read(from: url)
        return parts.map { part in
            var part = part
            let prefix = part.name.isEmpty ? "seed=" : part.name + ",seed="
            let epochs = old.units.filter { $0.hasPrefix(prefix) }.compactMap { unit in
                unit.split(separator: ",").last.flatMap { $0.hasPrefix("epoch=") ? Int($0.dropFirst(6)) : nil }
            }
            let kept = epochs.filter { $0 <= part.configuration.training.epochs }
            if kept.contains(where: { !part.configuration.snapshotEpochs.contains($0) }) {
                part.configuration.recordEpochs = Array(Set(part.configuration.recordEpochs + kept)).sorted()
            }
            return part
        }
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
