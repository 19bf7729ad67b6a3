import Foundation
import BLASKit
import FlowModel
import GSLKit

/// Floating-point precision of the bank and of the fast path's d-dimensional work.
public enum SimulationPrecision: String, Sendable, CaseIterable { case double, float }

/// One simulation configuration (everything except the seed).
///
///     var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(500), n: 128), steps: 80, training: TrainingOptions())
///     config.training.epochs = 2000; config.samples = 256
public struct SimulationConfiguration: Sendable {
    public var problem: Problem
    public var n: Int
    public var k: Double
    public var steps: Int
    public var training: TrainingOptions
    public var precision: SimulationPrecision = .double
    /// Generated samples per snapshot (the authors used 256); 0 skips generation (the snapshots
    /// then record only the order parameters and losses).
    public var samples: Int = 256
    public var scheme: GenerationScheme = .x1Pred
    /// Epochs at which a snapshot is taken (the last epoch is always included; 0 = initial bank).
    public var recordEpochs: [Int] = []

    /// The configuration of a setup (finite d, whole n).
    public init(setup: Setup, steps: Int, training: TrainingOptions) throws {
        let n = try setup.wholeN()
        self.problem = try setup.problem(); self.n = n; self.k = setup.k; self.steps = steps; self.training = training
    }

    /// Online SGD (SIM.15) from theory init at one time τ of the dilated grid, for following the
    /// order parameters of that time against their ODEs (TD §7): the smallest even K ≤ `maxSteps`
    /// whose grid contains τ, only τ's grid time trained, snapshots at `epochs` without generation.
    /// Returns the configuration and τ's grid index, or nil if no such K contains τ.
    /// Needs a finite d (the setup's n is not used).
    public static func onlineTrajectory(setup: Setup, tau: Double, learningRate: Double,
                                        penaltyU: Double = 0, penaltyW: Double = 0, planted: PlantedOverlap? = nil,
                                        alignedStart: Bool = true, epochs: [Int], maxSteps: Int = 200) throws
        -> (configuration: SimulationConfiguration, index: Int)? {
        guard let (steps, index) = TrainingGrid.smallestSteps(containing: tau, maxSteps: maxSteps) else { return nil }
        var training = TrainingOptions()
        training.trainingProtocol = .online
        training.epochs = epochs.max() ?? 0
        training.learningRate = learningRate
        training.penaltyU = penaltyU
        training.penaltyW = penaltyW
        training.initialisation = .theory
        training.alignedStart = alignedStart
        training.planted = planted
        training.trainedTimes = [index]
        // n is unused by the online protocol (fresh samples every step); 1 keeps the training set small.
        let setup = try setup.with(n: 1)
        var config = try SimulationConfiguration(setup: setup, steps: steps, training: training)
        config.samples = 0
        config.recordEpochs = epochs
        return (config, index)
    }

    public var snapshotEpochs: [Int] {
        Array(Set(recordEpochs.filter { $0 >= 0 && $0 <= training.epochs } + [training.epochs])).sorted()
    }
}

/// The state of one seed's run at one epoch: per grid time the order parameters and the
/// training loss, and the statistics of samples generated with the bank at that epoch.
public struct Snapshot: Sendable {
    public var seed: UInt64
    public var epoch: Int
    /// Online training time t = steps/d (online protocol); epochs otherwise.
    public var time: Double
    public var grid: TrainingGrid
    public var orderParameters: [OrderParameters]
    public var loss: [Double]
    /// nil when the configuration generates no samples.
    public var generation: GenerationStatistics?
    /// n₊/n of the seed's training set: the class fraction the finite-n theory uses in place of p.
    public var trainingFraction: Double
    /// Converged protocol: where the minimiser stopped at each grid time (nil for other protocols).
    public var stopping: [StoppingState]?

    public init(seed: UInt64, epoch: Int, time: Double, grid: TrainingGrid, orderParameters: [OrderParameters],
                loss: [Double], generation: GenerationStatistics?, trainingFraction: Double, stopping: [StoppingState]? = nil) {
        self.seed = seed; self.epoch = epoch; self.time = time; self.grid = grid
        self.orderParameters = orderParameters; self.loss = loss; self.generation = generation
        self.trainingFraction = trainingFraction; self.stopping = stopping
    }
}

/// Mean and standard error across seeds of every order parameter at one grid time.
public struct TimeSummary: Sendable {
    public var index: Int, tau: Double, t: Double, phase: Int
    public var mean: OrderParameters, standardError: OrderParameters
    public var loss: Double, lossSE: Double
    public var seeds: Int
}

/// Usage:
///
///     let snapshots = try SimulationRunner.runSeeds(config, seeds: [1, 2, 3, 4], threads: 2)   // [seed: [Snapshot]]
///     let perTime = SimulationRunner.summarize(snapshots.values.compactMap(\.last))
public enum SimulationRunner {
    /// Trains one seed, calling `record` at every snapshot epoch (in increasing order) and
    /// `progress` after every epoch. Bit-reproducible for a given seed whatever `training.threads`.
    /// Resuming: `plan.start` is a saved state to continue from (snapshots at or before its epoch are
    /// not taken again), `plan.wanted` skips snapshots already recorded (no generation; online
    /// training still restarts its loss average there), `plan.checkpoint` receives the whole state
    /// after each recorded snapshot.
    public static func run(_ config: SimulationConfiguration, seed: UInt64, plan: SeedPlan = SeedPlan(),
                           progress: (Int) -> Void = { _ in }, record: (Snapshot) throws -> Void) throws {
        switch config.precision {
        case .double: try run(Double.self, config, seed: seed, plan: plan, progress: progress, record: record)
        case .float: try run(Float.self, config, seed: seed, plan: plan, progress: progress, record: record)
        }
    }

    private static func run<T: BLASScalar>(_: T.Type, _ config: SimulationConfiguration, seed: UInt64, plan: SeedPlan,
                                           progress: (Int) -> Void, record: (Snapshot) throws -> Void) throws {
        let trainer = try Trainer<T>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                     options: config.training, seed: seed)
        var pending = config.snapshotEpochs
        if let start = try plan.start(seed) {
            try trainer.restore(start)
            pending = pending.filter { $0 > start.epoch }
        }
        let lastWanted = pending.last { plan.wanted(seed, $0) }
        pending = pending.filter { $0 <= (lastWanted ?? -1) }
        func snapshot() throws {
            defer { trainer.resetLossAverage() }
            guard plan.wanted(seed, trainer.epoch) else { return }
            var stats: GenerationStatistics? = nil
            if config.samples > 0 {
                stats = try Generator.generate(bank: trainer.bank.inDouble(), grid: trainer.grid, mean: trainer.data.mean,
                                               samples: config.samples, scheme: config.scheme,
                                               seed: StreamSeed.derive(seed, .generation, trainer.epoch))
            }
            let time = trainer.time
            try record(Snapshot(seed: seed, epoch: trainer.epoch, time: time, grid: trainer.grid,
                                orderParameters: trainer.orderParameters(), loss: trainer.loss.array, generation: stats,
                                trainingFraction: trainer.data.positiveFraction, stopping: trainer.stopping))
        }
        // The divergence check reads the bank (O(dK)): every epoch of the full-batch protocols
        // (an epoch is O(dnK)), every 64 steps of online SGD (a step is O(dK)), and before every snapshot.
        let checkEvery = config.training.trainingProtocol.divergenceCheckInterval
        while let next = pending.first {
            while trainer.epoch < next {
                trainer.step()
                if trainer.epoch % checkEvery == 0 || trainer.epoch == next { try trainer.checkDivergence() }
                progress(trainer.epoch)
            }
            try snapshot()
            if plan.wanted(seed, next) { try plan.checkpoint(seed, trainer.state()) }
            pending.removeFirst()
        }
    }

    /// The one seed-parallel runner: trains `seeds` in parallel (at most `threads` at once; each
    /// seed gets the remaining threads for its blocks) and hands every snapshot to `record` as it is
    /// taken (from the seed's thread). `progress` receives the total number of epochs done (from any
    /// thread, serialised). The first error of any seed is rethrown after all have stopped.
    ///
    ///     try SimulationRunner.runSeeds(config, seeds: [1, 2], threads: 2) { snapshot in print(snapshot.seed, snapshot.epoch) }
    public static func runSeeds(_ config: SimulationConfiguration, seeds: [UInt64], threads: Int, plan: SeedPlan = SeedPlan(),
                                progress: @escaping @Sendable (Int) -> Void = { _ in },
                                record: @escaping @Sendable (Snapshot) throws -> Void) throws {
        let concurrent = max(1, min(seeds.count, threads))
        var perSeed = config
        perSeed.training.threads = max(1, threads / concurrent)
        let state = SeedProgress()
        let runConfig = perSeed
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            let seed = seeds[i]
            do {
                try run(runConfig, seed: seed, plan: plan, progress: { epoch in state.progressed(seed, epoch, progress) }, record: record)
            } catch {
                state.fail(error)
            }
        }
        if let failure = state.failure { throw failure }
    }

    /// `runSeeds` collecting every seed's snapshots, in snapshot-epoch order.
    public static func runSeeds(_ config: SimulationConfiguration, seeds: [UInt64], threads: Int,
                                progress: @escaping @Sendable (Int) -> Void = { _ in }) throws -> [UInt64: [Snapshot]] {
        let collected = CollectedSnapshots()
        try runSeeds(config, seeds: seeds, threads: threads, progress: progress) { collected.add($0) }
        return collected.snapshots
    }

    /// Per seed (in the order of `seeds`), the order parameters of grid time `index` at every
    /// snapshot epoch: trajectories for comparing with the order-parameter ODEs (TD §7). Signs are
    /// resolved by m ≥ 0 at each snapshot (SIM.3).
    public static func orderParameterTrajectories(_ config: SimulationConfiguration, seeds: [UInt64], index: Int, threads: Int,
                                                  progress: @escaping @Sendable (Int) -> Void = { _ in }) throws -> [[OrderParameters]] {
        let runs = try runSeeds(config, seeds: seeds, threads: threads, progress: progress)
        return seeds.map { seed in (runs[seed] ?? []).map { $0.orderParameters[index] } }
    }

    /// Per grid time, the mean and standard error across seeds (snapshots of one epoch).
    public static func summarize(_ snapshots: [Snapshot]) -> [TimeSummary] {
        guard let first = snapshots.first else { return [] }
        return (0..<first.grid.steps).map { j in
            let stats = OrderParameters { key in meanAndStandardError(snapshots.map { $0.orderParameters[j][key] }).mean }
            let errors = OrderParameters { key in meanAndStandardError(snapshots.map { $0.orderParameters[j][key] }).standardError }
            let (lm, lse) = meanAndStandardError(snapshots.map { $0.loss[j] })
            return TimeSummary(index: j, tau: first.grid.tau[j], t: first.grid.t[j], phase: first.grid.phase(j),
                               mean: stats, standardError: errors, loss: lm, lossSE: lse, seeds: snapshots.count)
        }
    }

    /// p̂, σ̂ and the magnetisation averaged over seeds; the standard error is the spread across
    /// seeds when there are several (it then includes the training noise), else the sampling error.
    /// nil without snapshots or when a snapshot has no generation.
    public static func pooledGeneration(_ snapshots: [Snapshot]) -> GenerationStatistics? {
        let stats = snapshots.compactMap(\.generation)
        guard let first = stats.first, stats.count == snapshots.count else { return nil }
        if stats.count == 1 { return first }
        let ms = meanAndStandardError
        let p = ms(stats.map(\.pHat)), s = ms(stats.map(\.sigmaHat))
        let g = ms(stats.map(\.magnetisation))
        return GenerationStatistics(samples: stats.map(\.samples).reduce(0, +), pHat: p.0, pHatSE: p.1,
                                    sigmaHat: s.0, sigmaHatSE: s.1, magnetisation: g.0, magnetisationSE: g.1)
    }
}

/// How to resume seeds: a state to start each seed from, which snapshots are still wanted, and where
/// to save the state after each recorded snapshot (defaults: from scratch, all, nowhere).
///
///     let plan = SeedPlan(start: { seed in states[seed] }, wanted: { seed, epoch in !done.contains(epoch) },
///                         checkpoint: { seed, state in try save(state, seed) })
public struct SeedPlan: Sendable {
    public var start: @Sendable (UInt64) throws -> TrainerState?
    public var wanted: @Sendable (UInt64, Int) -> Bool
    public var checkpoint: @Sendable (UInt64, TrainerState) throws -> Void

    public init(start: @escaping @Sendable (UInt64) throws -> TrainerState? = { _ in nil },
                wanted: @escaping @Sendable (UInt64, Int) -> Bool = { _, _ in true },
                checkpoint: @escaping @Sendable (UInt64, TrainerState) throws -> Void = { _, _ in }) {
        self.start = start; self.wanted = wanted; self.checkpoint = checkpoint
    }
}

/// The progress and the first error of parallel seeds, behind a lock.
private final class SeedProgress: @unchecked Sendable {
    let lock = NSLock()
    var epochs = [UInt64: Int]()
    var failure: Error?
    func progressed(_ seed: UInt64, _ epoch: Int, _ report: (Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        epochs[seed] = epoch
        report(epochs.values.reduce(0, +))
    }
    func fail(_ error: Error) { lock.lock(); if failure == nil { failure = error }; lock.unlock() }
}

/// Snapshots of parallel seeds, behind a lock.
private final class CollectedSnapshots: @unchecked Sendable {
    let lock = NSLock()
    var snapshots = [UInt64: [Snapshot]]()
    func add(_ s: Snapshot) { lock.lock(); snapshots[s.seed, default: []].append(s); lock.unlock() }
}
