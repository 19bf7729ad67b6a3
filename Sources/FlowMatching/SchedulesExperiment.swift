import Foundation
import FlowModel
import GSLKit
import RealData

/// The data of a schedules experiment, already in the model's space (e.g. PCA coordinates):
/// training rows, held-out rows, and a classifier that says which rows show the majority class.
public struct SchedulesData: Sendable {
    public let dimension: Int
    public let train: [Double], trainCount: Int
    public let heldOut: [Double], heldOutCount: Int
    /// Rows → whether each is classified as the majority class.
    public let isMajority: @Sendable ([Double], Int) throws -> [Bool]

    public init(dimension: Int, train: [Double], trainCount: Int, heldOut: [Double], heldOutCount: Int,
                isMajority: @escaping @Sendable ([Double], Int) throws -> [Bool]) throws {
        guard dimension >= 1, trainCount >= 2, heldOutCount >= 2,
              train.count == dimension * trainCount, heldOut.count == dimension * heldOutCount else {
            throw InputError("schedules data: \(trainCount) training and \(heldOutCount) held-out rows of dimension \(dimension) do not match the arrays")
        }
        self.dimension = dimension
        self.train = train
        self.trainCount = trainCount
        self.heldOut = heldOut
        self.heldOutCount = heldOutCount
        self.isMajority = isMajority
    }
}

/// The knobs of a schedules experiment (defaults: the MNIST configuration).
public struct SchedulesSettings: Sendable {
    public var seeds: [UInt64] = [1, 2, 3, 4, 5]
    /// Checkpoints (training steps), increasing; each run trains to the last and is evaluated at each.
    public var budgets: [Int] = [100, 300, 1000, 3000]
    public var training = TrainingSettings()
    /// Generated samples per evaluation.
    public var samples = 1000
    /// Probability-flow steps (RealData's log-SNR-uniform grid).
    public var samplerSteps = 32
    public var swDirections = 64
    /// The feature error a schedule must reach (steps-to-target).
    public var targetError = 0.05
    /// Worker threads over (seed, schedule) runs; each run is single-threaded and seeded, so the
    /// result does not depend on this.
    public var threads = 2
    public init() {}
}

/// One run's measurement at one checkpoint.
public struct ScheduleMeasurement: Sendable {
    public let schedule: String
    public let budget: Int
    public let seed: UInt64
    /// Fraction of generated samples classified as the majority class.
    public let generatedFraction: Double
    /// The classifier's majority fraction on this seed's training rows (the target; TS.17).
    public let dataFraction: Double
    /// |generated fraction − data fraction| (TS.17).
    public let featureError: Double
    /// √(p̂(1 − p̂)/n) of the generated fraction (TS.18).
    public let binomialSE: Double
    public let slicedWasserstein: Double
    /// SW between this seed's training and held-out rows (TS.19).
    public let swFloor: Double
    /// Mean batch loss (TS.13) over the last min(100, budget) steps before the checkpoint.
    public let recentLoss: Double

    public init(schedule: String, budget: Int, seed: UInt64, generatedFraction: Double, dataFraction: Double,
                binomialSE: Double, slicedWasserstein: Double, swFloor: Double, recentLoss: Double) {
        self.schedule = schedule; self.budget = budget; self.seed = seed; self.generatedFraction = generatedFraction
        self.dataFraction = dataFraction; self.featureError = abs(generatedFraction - dataFraction); self.binomialSE = binomialSE
        self.slicedWasserstein = slicedWasserstein; self.swFloor = swFloor; self.recentLoss = recentLoss
    }

    /// The signed majority bias, generated fraction − data fraction (TS.27); featureError is its size.
    public var majorityBias: Double { generatedFraction - dataFraction }
}

/// The summary over seeds of one schedule at one budget (TS.20–TS.21).
public struct ScheduleSummary: Sendable {
    public let schedule: String
    public let budget: Int
    public let errorMean, errorSE, binomialSEMean: Double
    /// The signed majority bias (TS.27), mean ± SE over seeds, and its paired difference vs uniform.
    public let biasMean, biasSE, biasDiffMean, biasDiffSE: Double
    public let swMean, swSE: Double
    /// Paired differences against the reference (uniform) schedule, same seeds (TS.21).
    public let errorDiffMean, errorDiffSE, swDiffMean, swDiffSE: Double
}

/// The result: every measurement, the summaries, the reference levels and steps to target.
public struct SchedulesResult: Sendable {
    public let measurements: [ScheduleMeasurement]
    public let summaries: [ScheduleSummary]
    /// The classifier's majority fraction on the training rows (the target of the generated
    /// fraction); with a split per seed, its mean over the seeds.
    public let dataFraction: Double
    /// SW between the training and held-out rows (the finite-sample floor of the SW column); with a
    /// split per seed, its mean over the seeds.
    public let swFloor: Double
    /// Whether each seed drew its own train/held-out split (so the SE over seeds covers the choice
    /// of images as well as training; TS.20).
    public let splitPerSeed: Bool
    /// Per schedule, the first budget whose mean feature error is ≤ the target (nil: none).
    public let stepsToTarget: [(schedule: String, steps: Int?)]
    public let seconds: Double
    /// The first generated samples of the first seed's runs done in this call (`run(keepSamples:)`).
    public var keptSamples: [GeneratedSamples] = []
}

/// The first `count` generated samples of one (seed, schedule) run at every budget, in the model's
/// space; every schedule and budget of a seed starts from the same noise, so sample j of two
/// schedules differs only by the model that carried it.
public struct GeneratedSamples: Sendable {
    public let schedule: String
    public let seed: UInt64
    public let budgets: [Int]
    /// Per budget, `count` rows (row-major).
    public let samples: [[Double]]
    public let count: Int
}

/// Trains the same model under each training-time density at equal budgets with paired seeds
/// (same initialisation, data order, noise and uniforms; TS.15), generates samples with the
/// probability-flow ODE from the same noise at each checkpoint, and measures the majority-fraction
/// error and the sliced Wasserstein distance to held-out data (derivations/training-schedules.md §5).
///
///     let result = try SchedulesExperiment(data: data, densities: [UniformDensity(), LogitNormalDensity.sd3],
///                                          settings: SchedulesSettings()).run { done, total, label in }
public struct SchedulesExperiment: Sendable {
    /// The training and held-out rows of a seed.
    public let data: @Sendable (UInt64) throws -> SchedulesData
    /// Whether `data` depends on the seed (a train/held-out split per seed).
    public let splitPerSeed: Bool
    public let densities: [any TrainingDensity]
    public let settings: SchedulesSettings

    /// One train/held-out split for every seed: the SE over seeds covers training noise only.
    public init(data: SchedulesData, densities: [any TrainingDensity], settings: SchedulesSettings) throws {
        try self.init(dataBySeed: { _ in data }, splitPerSeed: false, densities: densities, settings: settings)
    }

    /// A split per seed (`dataBySeed(seed)`, called once per seed and schedule, so it should be
    /// cheap, e.g. a lookup): the SE over seeds covers the choice of images as well.
    public init(dataBySeed: @escaping @Sendable (UInt64) throws -> SchedulesData, splitPerSeed: Bool = true,
                densities: [any TrainingDensity], settings: SchedulesSettings) throws {
        guard !densities.isEmpty else { throw InputError("no training densities given") }
        guard Set(densities.map(\.name)).count == densities.count else { throw InputError("training density names must differ") }
        guard !settings.seeds.isEmpty else { throw InputError("at least one seed is needed") }
        guard let first = settings.budgets.first, first >= 1, zip(settings.budgets, settings.budgets.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InputError("budgets must be increasing positive step counts; got \(settings.budgets)")
        }
        guard settings.samples >= 10 else { throw InputError("samples must be ≥ 10; got \(settings.samples)") }
        guard settings.samplerSteps >= 2 else { throw InputError("sampler steps must be ≥ 2; got \(settings.samplerSteps)") }
        guard settings.threads >= 1 else { throw InputError("threads must be ≥ 1; got \(settings.threads)") }
        self.data = dataBySeed
        self.splitPerSeed = splitPerSeed
        self.densities = densities
        self.settings = settings
    }

    /// The classifier's majority fraction on a seed's training rows and the SW floor (training vs held out).
    public func referenceLevels(seed: UInt64) throws -> (dataFraction: Double, swFloor: Double) {
        let data = try data(seed)
        let reference = try data.isMajority(data.train, data.trainCount)
        return (Double(reference.filter { $0 }.count) / Double(data.trainCount),
                try slicedWasserstein(data).distance(data.train, count: data.trainCount, data.heldOut, count: data.heldOutCount))
    }

    /// The SW estimator of TS.19 (its directions fixed, the same for every seed).
    private func slicedWasserstein(_ data: SchedulesData) throws -> SlicedWasserstein {
        try SlicedWasserstein(dimension: data.dimension, directions: settings.swDirections, seed: 0x5157)
    }

    /// Runs every (seed, schedule) pair; `progress(done, total, label)` is called after each.
    /// Resuming and sharding: `known` holds the measurements of pairs already done (not rerun),
    /// `wanted` says which of the other pairs to run, and `record` receives each new pair's
    /// measurements as it finishes (from a worker thread). The result lists the measurements in the
    /// canonical order (seed-major, then density), whatever was known or new.
    /// `keepSamples` > 0 keeps the first that many generated samples of each first-seed run done here.
    public func run(known: [ScheduleMeasurement] = [], keepSamples: Int = 0,
                    wanted: @escaping @Sendable (UInt64, String) -> Bool = { _, _ in true },
                    record: @escaping @Sendable (UInt64, String, [ScheduleMeasurement]) throws -> Void = { _, _, _ in },
                    progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) throws -> SchedulesResult {
        let start = Date()
        let levels = try settings.seeds.map { try referenceLevels(seed: $0) }
        let dataFraction = levels.map(\.dataFraction).reduce(0, +) / Double(levels.count)
        let swFloor = levels.map(\.swFloor).reduce(0, +) / Double(levels.count)
        let grid = try SamplingGrid.logSNRUniform(schedule: LinearSchedule(), from: 0, steps: settings.samplerSteps)

        let all = settings.seeds.flatMap { seed in densities.indices.map { (seed, $0) } }
        let done = Set(known.map { "\($0.seed) \($0.schedule)" })
        let jobs = all.filter { !done.contains("\($0.0) \(densities[$0.1].name)") && wanted($0.0, densities[$0.1].name) }
        let board = JobBoard(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: min(settings.threads, jobs.count)) { _ in
            while let index = board.next() {
                let (seed, which) = jobs[index]
                let outcome = Result {
                    let run = try runOne(seed: seed, density: densities[which], grid: grid,
                                         keep: seed == settings.seeds[0] ? keepSamples : 0)
                    try record(seed, densities[which].name, run.rows)
                    return run
                }
                progress(board.finish(index, with: outcome), jobs.count, "seed \(seed) \(densities[which].name)")
            }
        }
        var byPair = Dictionary(grouping: known) { "\($0.seed) \($0.schedule)" }
        var kept = [GeneratedSamples]()
        for (job, outcome) in zip(jobs, board.results) {
            let run = try outcome!.get()
            byPair["\(job.0) \(densities[job.1].name)"] = run.rows
            if let samples = run.samples { kept.append(samples) }
        }
        let measurements = all.flatMap { byPair["\($0.0) \(densities[$0.1].name)"] ?? [] }
        let summaries = summarise(measurements)
        let steps = densities.map { density in
            (density.name, summaries.first { $0.schedule == density.name && $0.errorMean <= settings.targetError }?.budget)
        }
        return SchedulesResult(measurements: measurements, summaries: summaries, dataFraction: dataFraction, swFloor: swFloor,
                               splitPerSeed: splitPerSeed, stepsToTarget: steps, seconds: Date().timeIntervalSince(start),
                               keptSamples: kept)
    }

    /// Trains one (seed, density) run again and returns its first `count` generated samples at every
    /// budget: bit for bit those of `run(keepSamples:)` (same seed, same training and noise), for a
    /// run whose measurements were resumed from disk.
    public func samples(seed: UInt64, density: any TrainingDensity, count: Int) throws -> GeneratedSamples {
        guard count >= 1, count <= settings.samples else { throw InputError("kept samples must be in 1…\(settings.samples); got \(count)") }
        let grid = try SamplingGrid.logSNRUniform(schedule: LinearSchedule(), from: 0, steps: settings.samplerSteps)
        return try runOne(seed: seed, density: density, grid: grid, keep: count).samples!
    }

    /// One training run with checkpoints. The generation noise depends on the seed only, so every
    /// schedule and budget of a seed starts from the same z (paired).
    private func runOne(seed: UInt64, density: any TrainingDensity, grid: SamplingGrid, keep: Int) throws -> RunOutcome {
        let data = try data(seed)
        let (dataFraction, swFloor) = try referenceLevels(seed: seed)
        let sw = try slicedWasserstein(data)
        var training = settings.training
        training.seed = seed
        let trainer = try FlowMatchingTrainer(data: data.train, count: data.trainCount, settings: training)
        let n = settings.samples
        let noiseStream = try RandomStream(seed: seed &+ 7_000_001)
        let z = (0..<(n * data.dimension)).map { _ in noiseStream.gaussian() }
        var rows = [ScheduleMeasurement](), kept = [[Double]]()
        let keep = min(keep, n)
        for budget in settings.budgets {
            try trainer.train(steps: budget - trainer.stepsDone, density: density)
            let generated = try FlowSamplers.probabilityFlow(denoiser: trainer.model, schedule: LinearSchedule(), grid: grid,
                                                             start: z, count: n)
            guard generated.allSatisfy(\.isFinite) else {
                throw InputError("generation diverged for \(density.name), seed \(seed), \(budget) steps")
            }
            if keep > 0 { kept.append(Array(generated[0..<(keep * data.dimension)])) }
            let majority = try data.isMajority(generated, n)
            let p = Double(majority.filter { $0 }.count) / Double(n)
            let recent = trainer.losses.suffix(min(100, budget))
            rows.append(ScheduleMeasurement(
                schedule: density.name, budget: budget, seed: seed, generatedFraction: p,
                dataFraction: dataFraction, binomialSE: (p * (1 - p) / Double(n)).squareRoot(),
                slicedWasserstein: sw.distance(generated, count: n, data.heldOut, count: data.heldOutCount), swFloor: swFloor,
                recentLoss: recent.reduce(0, +) / Double(recent.count)))
        }
        return RunOutcome(rows: rows, samples: keep > 0 ? GeneratedSamples(schedule: density.name, seed: seed, budgets: settings.budgets,
                                                                           samples: kept, count: keep) : nil)
    }

    /// One run's measurements and, when asked, its first generated samples.
    struct RunOutcome: Sendable {
        let rows: [ScheduleMeasurement]
        let samples: GeneratedSamples?
    }

    /// Means ± SE over seeds and paired differences against the first density (TS.20, TS.21).
    private func summarise(_ m: [ScheduleMeasurement]) -> [ScheduleSummary] {
        let referenceName = densities[0].name
        var out = [ScheduleSummary]()
        for density in densities {
            for budget in settings.budgets {
                let mine = settings.seeds.compactMap { s in m.first { $0.schedule == density.name && $0.budget == budget && $0.seed == s } }
                let ref = settings.seeds.compactMap { s in m.first { $0.schedule == referenceName && $0.budget == budget && $0.seed == s } }
                let e = meanAndStandardError(mine.map(\.featureError)), w = meanAndStandardError(mine.map(\.slicedWasserstein))
                let de = meanAndStandardError(zip(mine, ref).map { $0.featureError - $1.featureError })
                let b = meanAndStandardError(mine.map(\.majorityBias))
                let db = meanAndStandardError(zip(mine, ref).map { $0.majorityBias - $1.majorityBias })
                let dw = meanAndStandardError(zip(mine, ref).map { $0.slicedWasserstein - $1.slicedWasserstein })
                out.append(ScheduleSummary(schedule: density.name, budget: budget, errorMean: e.mean, errorSE: e.standardError,
                                           binomialSEMean: mine.map(\.binomialSE).reduce(0, +) / Double(mine.count),
                                           biasMean: b.mean, biasSE: b.standardError, biasDiffMean: db.mean, biasDiffSE: db.standardError,
                                           swMean: w.mean, swSE: w.standardError,
                                           errorDiffMean: de.mean, errorDiffSE: de.standardError,
                                           swDiffMean: dw.mean, swDiffSE: dw.standardError))
            }
        }
        return out
    }
}

/// Hands out job indices to worker threads and stores results by index (so the output order does
/// not depend on scheduling).
private final class JobBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var doneCount = 0
    var results: [Result<SchedulesExperiment.RunOutcome, Error>?]
    private let count: Int

    init(count: Int) {
        self.count = count
        results = Array(repeating: nil, count: count)
    }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        defer { nextIndex += 1 }
        return nextIndex
    }
    /// Stores a result; returns how many jobs are done.
    func finish(_ index: Int, with result: Result<SchedulesExperiment.RunOutcome, Error>) -> Int {
        lock.lock(); defer { lock.unlock() }
        results[index] = result
        doneCount += 1
        return doneCount
    }
}
