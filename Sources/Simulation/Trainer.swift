import GSLKit
import Foundation
import BLASKit
import FlowModel

/// Which estimator of the full-batch gradient.
public enum GradientPathChoice: String, Sendable, CaseIterable { case fast, dense }

/// Usage:
///
///     var options = TrainingOptions()
///     options.trainingProtocol = .gd; options.penaltyU = 2; options.penaltyW = 2; options.epochs = 500
public struct TrainingOptions: Sendable {
    /// One of `TrainingProtocols.all` (adam, gd, online, converged).
    public var trainingProtocol: any TrainingProtocol = .adam
    public var epochs: Int = 40_000
    /// Learning rate; nil = the protocol's default (adam 0.01 as the authors, gd 0.05, online 0.5).
    public var learningRate: Double? = nil
    /// PyTorch weight_decay λ on u and w (adam).
    public var weightDecay: Double = 1e-5
    /// L_u, L_w of (AT.2) for gd; the per-sample ℓ_u, ℓ_w for online.
    public var penaltyU: Double = 0
    public var penaltyW: Double = 0
    /// Converged protocol: minimise J with the penalties of the authors' Adam run at the same d,
    /// L_u = L_w = Kλd/2 from `weightDecay` (AT.5), instead of `penaltyU`, `penaltyW` (the CLI sets
    /// this when neither --penalty-u nor --penalty-w is given), so that `compare` defaults to the
    /// objective whose stationary points the authors' protocol targets.
    public var convergedPenaltiesFromWeightDecay = false
    public var initialisation: Initialisation = .paper
    /// Condition the start on m·ω ≥ 0 at every grid time: w_j is negated where the initial u_j·μ and
    /// w_j·μ have opposite signs (TD.20). Applied before `planted`.
    public var alignedStart = false
    /// A macroscopic start (TD.20): after the initialisation, u_j and w_j of every grid time are
    /// shifted along μ so that m = u_j·μ/d and ω = w_j·μ/d equal these values.
    public var planted: PlantedOverlap? = nil
    /// Train just these grid times (nil: all); the others keep their initial state and cost nothing.
    /// Every time has its own noise stream (and the full-batch protocols one gradient block per run of
    /// consecutive trained times), so a trained time follows bit for bit the trajectory it has when
    /// all times are trained.
    public var trainedTimes: [Int]? = nil
    public var path: GradientPathChoice = .fast
    /// The clock of the K training times: dilated (the paper's), or the undilated linear or vp
    /// clock of the ablation (AB.1).
    public var schedule: ScheduleName = .dilated
    /// Worker threads inside one run (results do not depend on it).
    public var threads: Int = 1
    public init() {}

    /// The penalties (L_u, L_w) of the static theory's objective (AT.2) that this protocol's fixed
    /// points correspond to: adam, L = Kλd/2 (AT.5, SIM.13); gd, the flags themselves; online, the
    /// per-sample ℓ_u, ℓ_w (there is no n: compare with the n = ∞ penalised theory, AT.14/AT.15).
    public func staticTheoryPenalties(dimension d: Int, steps K: Int) -> (u: Double, w: Double) {
        trainingProtocol.staticTheoryPenalties(self, dimension: d, steps: K)
    }

    public var effectiveLearningRate: Double { learningRate ?? trainingProtocol.defaultLearningRate }
}

/// Number of grid times per block. Fixed (not derived from the thread count) so that every GEMM
/// has the same shape whatever the number of threads: bit-identical results (SIM.12).
public let timesPerBlock = 20

/// The overlaps m = u·μ/d and ω = w·μ/d of a planted start (TD.20).
public struct PlantedOverlap: Sendable, Equatable {
    public var m, omega: Double
    public init(m: Double, omega: Double) { self.m = m; self.omega = omega }
}

/// Trains the bank of one seed with the protocol of its options, which owns the state it carries
/// (e.g. Adam's moments) and its step. Every random number comes from streams derived from `seed`
/// (data, initialisation, and one noise stream per grid time), so a seed gives bit-identical
/// results for any thread count.
///
///     let trainer = try Trainer<Double>(problem: try Problem(dimension: .finite(500), p: 0.8, sigma: 1), n: 128, k: 2, steps: 80, options: TrainingOptions(), seed: 1)
///     trainer.train(epochs: 100)
///     let overlaps = trainer.orderParameters()   // one OrderParameters per grid time
public final class Trainer<T: BLASScalar>: @unchecked Sendable {
    public let problem: Problem
    public let data: TrainingSet
    public let grid: TrainingGrid
    public let options: TrainingOptions
    public let seed: UInt64
    public let bank: Bank<T>
    public internal(set) var epoch = 0
    /// Per grid time: the data loss per sample and coordinate S_j/(nd) of the last epoch (adam, gd)
    /// or the mean sample loss |f − x₁|²/d since the last call to `resetLossAverage` (online).
    public let loss: Buffer<Double>
    let gradient: Bank<T>
    let context: GradientContext<T>
    /// Per grid time: whether it is trained (`TrainingOptions.trainedTimes`).
    let trained: [Bool]
    /// The protocol's state (set last in the initialiser).
    private(set) var protocolState: (any TrainingState<T>)!

    public init(problem: Problem, n: Int, k: Double, steps: Int, options: TrainingOptions, seed: UInt64) throws {
        try require("epochs", Double(options.epochs), "≥ 0") { $0 >= 0 }
        // Before any size arithmetic (the memory estimate adds to steps): no Int can overflow.
        try requireCount("steps", steps, atMost: Limits.gridSteps)
        try requireCount("n", n, atMost: 1_000_000)
        try require("lr", options.effectiveLearningRate, "> 0") { $0 > 0 }
        try require("weight-decay", options.weightDecay, "≥ 0") { $0 >= 0 }
        try require("penalty-u", options.penaltyU, "≥ 0") { $0 >= 0 }
        try require("penalty-w", options.penaltyW, "≥ 0") { $0 >= 0 }
        try require("threads", Double(options.threads), "≥ 1") { $0 >= 1 }
        if let planted = options.planted {
            try require("planted m", planted.m, "finite") { _ in true }
            try require("planted omega", planted.omega, "finite") { _ in true }
        }
        if let times = options.trainedTimes {
            guard options.trainingProtocol.trainsSingleTimes else {
                throw InputError("the \(options.trainingProtocol.name) protocol trains every grid time; it cannot train only some")
            }
            guard !times.isEmpty, times.allSatisfy({ (0..<steps).contains($0) }) else {
                throw InputError("trained grid times must be indices in 0..<\(steps); got \(times)")
            }
        }
        let bytes = Self.estimatedBytes(d: problem.d, n: n, steps: steps, options: options)
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        if bytes > 0.8 * available {
            throw InputError("d = \(problem.d), n = \(n), K = \(steps) needs about " + String(format: "%.1f GiB of memory per seed; this machine has %.1f GiB",
                                    bytes / 1_073_741_824, available / 1_073_741_824))
        }
        // After the memory check, so that a d too large for memory is named as such first.
        guard options.epochs <= Limits.epochs else {
            throw InputError(options.trainingProtocol.epochLimitMessage(epochs: options.epochs, dimension: problem.d))
        }
        BLAS.singleThreaded()
        self.problem = problem
        self.options = options
        self.seed = seed
        grid = try TrainingGrid(problem: problem, k: k, steps: steps, schedule: options.schedule)
        data = try TrainingSet(problem: problem, n: n, seed: seed)
        bank = Bank<T>(d: problem.d, steps: steps, initialisation: options.initialisation, seed: seed)
        if options.alignedStart { bank.alignStarts(mean: data.mean) }
        if let planted = options.planted { bank.plant(planted, mean: data.mean) }
        trained = options.trainedTimes.map { times in (0..<steps).map { times.contains($0) } } ?? [Bool](repeating: true, count: steps)
        gradient = Bank<T>(d: problem.d, steps: steps)
        loss = Buffer(repeating: 0, count: steps)
        context = try GradientContext<T>(data: data, grid: grid, seed: seed)
        protocolState = try options.trainingProtocol.makeState(for: self)
    }

    /// The memory one trainer allocates, in bytes (an upper estimate, 8-byte numbers): the data and
    /// its basis (4dn), the bank, its gradient and Adam's moments (8dK), each block's d-dimensional
    /// scratch (fast: 6d per time; dense: 3dn), and the generation pass (2 × 256 samples).
    public static func estimatedBytes(d: Int, n: Int, steps: Int, options: TrainingOptions) -> Double {
        let blocks = Double((steps + timesPerBlock - 1) / timesPerBlock)
        let perBlock = options.path == .fast ? 6.0 * Double(timesPerBlock) : 3.0 * Double(n)
        return 8 * Double(d) * (4 * Double(n) + 8 * Double(steps) + blocks * perBlock + 512)
    }

    /// The grid times in blocks of `timesPerBlock`.
    var blockRanges: [Range<Int>] { stride(from: 0, to: grid.steps, by: timesPerBlock).map { $0..<min($0 + timesPerBlock, grid.steps) } }

    /// `blockRanges` cut to the trained times: each block's maximal runs of consecutive trained times
    /// (all of `blockRanges` when every time is trained).
    var trainedBlockRanges: [Range<Int>] {
        let trained = trained
        return blockRanges.flatMap { block -> [Range<Int>] in
            var runs = [Range<Int>](), start: Int? = nil
            for j in block {
                if trained[j] { start = start ?? j } else if let s = start { runs.append(s..<j); start = nil }
            }
            if let s = start { runs.append(s..<block.upperBound) }
            return runs
        }
    }

    /// The full-batch gradient blocks of the trained times (fast or dense path, `trainedBlockRanges`),
    /// for the protocols that step on S_j. The fast path needs d ≥ 2n + 4.
    func gradientBlocks() throws -> [any GradientBlock<T>] {
        if options.path == .fast && problem.d < 2 * data.n + 4 {
            throw InputError("the fast path needs d ≥ 2n + 4 (a Wishart Gram matrix of full rank); got d = \(problem.d), n = \(data.n); use --path dense")
        }
        let context = context, path = options.path
        return trainedBlockRanges.map { range -> any GradientBlock<T> in
            path == .fast ? FastBlock(context: context, times: range) : DenseBlock(context: context, times: range)
        }
    }

    /// Runs `work` on every block, in parallel when threads > 1 (blocks are independent).
    func forEachBlock(_ count: Int, _ work: (Int) -> Void) {
        if options.threads > 1 && count > 1 {
            withoutActuallyEscaping(work) { w in
                let box = UncheckedBox(value: w)
                DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
            }
        } else {
            for i in 0..<count { work(i) }
        }
    }

    /// One epoch of the protocol (adam, gd: one full-batch step; online: one fresh-sample step at
    /// every grid time; converged: the minimisation, then nothing).
    public func step() {
        BLAS.singleThreaded()
        epoch += 1
        protocolState.step(self)
    }

    public func train(epochs: Int, report: ((Int) -> Void)? = nil) {
        for _ in 0..<epochs {
            step()
            report?(epoch)
        }
    }

    /// Converged protocol: where the minimiser stopped at each grid time (nil before the first epoch
    /// and for the other protocols).
    public var stopping: [StoppingState]? { protocolState.stopping }

    /// Minimises the exact objective J (CV.2–CV.6) with penalties (L_u, L_w) at every grid time,
    /// starting from the bank as it is (e.g. after Adam), in place: the minimiser in the basin of the
    /// current state. Returns the stopping states. Used to split an Adam run into minimiser and
    /// offset (`AdamDecomposition`).
    public func polish(penaltyU: Double, penaltyW: Double) throws -> [StoppingState] {
        let moments = try TanhMoments()
        let states = Buffer<StoppingState>(repeating: StoppingState(gradientNorm: .nan, iterations: 0, converged: false, objective: .nan),
                                           count: grid.steps)
        let bank = bank, data = data, grid = grid
        forEachBlock(grid.steps) { j in
            if let (state, _) = try? ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                                penaltyU: penaltyU, penaltyW: penaltyW, moments: moments) {
                states[j] = state
            }
        }
        return states.array
    }

    /// Restarts the running average of the loss (online; nothing for the other protocols).
    public func resetLossAverage() { protocolState.lossAverageCount = 0 }

    /// Order parameters of every grid time (SIM.3).
    public func orderParameters() -> [OrderParameters] {
        (0..<grid.steps).map { bank.orderParameters(at: $0, mean: data.mean) }
    }

    /// The protocol's training time after `epoch` epochs (online: t = steps/d; otherwise epochs).
    public var time: Double { options.trainingProtocol.time(epoch: epoch, dimension: problem.d) }
}

/// Hands a closure to `concurrentPerform`; the callers touch only disjoint columns per index.
struct UncheckedBox<V>: @unchecked Sendable { let value: V }
