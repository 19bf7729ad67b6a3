import GSLKit
import Foundation
import BLASKit
import FlowModel
import Optimisers

/// The three training protocols of the issue (SIM.13–SIM.15).
public enum TrainingProtocol: String, Sendable, CaseIterable {
    /// The authors': full batch, base noise redrawn every epoch, loss n·MSE (mean over d, n, K),
    /// PyTorch Adam with coupled weight decay λ on u and w (L = Kλd/2, AT.5).
    case adam
    /// Full-batch gradient descent on J/n with the static theory's penalties L_u, L_w (AT.2).
    case gd
    /// Online SGD: one fresh sample per step and grid time, learning rate η for u, w and η/d for
    /// c, b, training time t = steps/d.
    case online
    /// The minimiser of the finite-d objective J (AT.2) with the z-average done exactly (Stein's
    /// lemma, CV.2–CV.5), reached by BFGS from the initialisation with a stopping rule on the
    /// gradient norm (CV.6); the first epoch does all the work, later epochs change nothing.
    case converged
}

/// Which estimator of the full-batch gradient.
public enum GradientPathChoice: String, Sendable, CaseIterable { case fast, dense }

/// Usage:
///
///     var options = TrainingOptions()
///     options.trainingProtocol = .gd; options.penaltyU = 2; options.penaltyW = 2; options.epochs = 500
public struct TrainingOptions: Sendable {
    public var trainingProtocol: TrainingProtocol = .adam
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
    /// Online protocol only: train just these grid times (nil: all). Every time has its own noise
    /// stream, so a trained time follows bit for bit the trajectory it has when all times are trained.
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
        switch trainingProtocol {
        case .adam: let L = Double(K) * weightDecay * Double(d) / 2; return (L, L)
        case .converged where convergedPenaltiesFromWeightDecay: let L = Double(K) * weightDecay * Double(d) / 2; return (L, L)
        case .gd, .online, .converged: return (penaltyU, penaltyW)
        }
    }

    public var effectiveLearningRate: Double {
        learningRate ?? [.adam: 0.01, .gd: 0.05, .online: 0.5, .converged: 1][trainingProtocol]!
    }
}

/// Number of grid times per block. Fixed (not derived from the thread count) so that every GEMM
/// has the same shape whatever the number of threads: bit-identical results (SIM.12).
public let timesPerBlock = 20

/// The overlaps m = u·μ/d and ω = w·μ/d of a planted start (TD.20).
public struct PlantedOverlap: Sendable, Equatable {
    public var m, omega: Double
    public init(m: Double, omega: Double) { self.m = m; self.omega = omega }
}

/// Trains the bank of one seed. Every random number comes from streams derived from `seed`
/// (data, initialisation, and one noise stream per grid time), so a seed gives bit-identical
/// results for any thread count.
///
///     let trainer = try Trainer<Double>(problem: try Problem(dimension: 500, p: 0.8, sigma: 1), n: 128, k: 2, steps: 80, options: TrainingOptions(), seed: 1)
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
    /// or the mean sample loss |f − x₁|²/d since the last call to `takeLoss` (online).
    public let loss: Buffer<Double>
    let gradient: Bank<T>
    let blocks: [any GradientBlock<T>]
    let context: GradientContext<T>
    /// Adam's moments (adam protocol only): of u then w (2dK entries, column j of u at jd, of w at
    /// dK + jd) and of c then b (2K entries, in Double). The step counter is the epoch.
    let adamWeights: AdamState<T>?, adamScalars: AdamState<Double>?
    // online
    /// Per grid time: whether it is trained (`TrainingOptions.trainedTimes`).
    let trained: [Bool]
    var onlineCount = 0
    let onlineScratch: [Buffer<Double>]
    /// Converged protocol: where the minimiser stopped at each grid time (nil before the first epoch).
    public private(set) var stopping: [StoppingState]? = nil

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
            guard options.trainingProtocol == .online || options.trainingProtocol == .converged else {
                throw InputError("training only some grid times needs the online or converged protocol")
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
            throw InputError(options.trainingProtocol == .online
                ? "online SGD steps = training time × d = \(options.epochs) at d = \(problem.d); at most \(Limits.epochs) (lower the time or d)"
                : "epochs must be in [1, \(Limits.epochs)]; got \(options.epochs)")
        }
        BLAS.singleThreaded()
        self.problem = problem
        self.options = options
        self.seed = seed
        grid = try TrainingGrid(problem: problem, k: k, steps: steps, schedule: options.schedule)
        data = try TrainingSet(problem: problem, n: n, seed: seed)
        if options.path == .fast && ![.online, .converged].contains(options.trainingProtocol) && problem.d < 2 * n + 4 {
            throw InputError("the fast path needs d ≥ 2n + 4 (a Wishart Gram matrix of full rank); got d = \(problem.d), n = \(n); use --path dense")
        }
        bank = Bank<T>(d: problem.d, steps: steps, initialisation: options.initialisation, seed: seed)
        if options.alignedStart { bank.alignStarts(mean: data.mean) }
        if let planted = options.planted { bank.plant(planted, mean: data.mean) }
        trained = options.trainedTimes.map { times in (0..<steps).map { times.contains($0) } } ?? [Bool](repeating: true, count: steps)
        gradient = Bank<T>(d: problem.d, steps: steps)
        loss = Buffer(repeating: 0, count: steps)
        context = try GradientContext<T>(data: data, grid: grid, seed: seed)
        let ranges = stride(from: 0, to: steps, by: timesPerBlock).map { $0..<min($0 + timesPerBlock, steps) }
        if options.trainingProtocol == .online || options.trainingProtocol == .converged {
            blocks = []
            onlineScratch = ranges.map { _ in Buffer(repeating: 0, count: 4 * problem.d) }
        } else {
            let ctx = context
            blocks = ranges.map { range -> any GradientBlock<T> in
                options.path == .fast ? FastBlock(context: ctx, times: range) : DenseBlock(context: ctx, times: range)
            }
            onlineScratch = []
        }
        if options.trainingProtocol == .adam {
            let settings = AdamSettings(learningRate: options.effectiveLearningRate)
            adamWeights = AdamState(count: 2 * problem.d * steps, settings: settings)
            adamScalars = AdamState(count: 2 * steps, settings: settings)
        } else {
            adamWeights = nil; adamScalars = nil
        }
    }

    /// The memory one trainer allocates, in bytes (an upper estimate, 8-byte numbers): the data and
    /// its basis (4dn), the bank, its gradient and Adam's moments (8dK), each block's d-dimensional
    /// scratch (fast: 6d per time; dense: 3dn), and the generation pass (2 × 256 samples).
    public static func estimatedBytes(d: Int, n: Int, steps: Int, options: TrainingOptions) -> Double {
        let blocks = Double((steps + timesPerBlock - 1) / timesPerBlock)
        let perBlock = options.path == .fast ? 6.0 * Double(timesPerBlock) : 3.0 * Double(n)
        return 8 * Double(d) * (4 * Double(n) + 8 * Double(steps) + blocks * perBlock + 512)
    }

    /// Runs `work` on every block, in parallel when threads > 1 (blocks are independent).
    private func forEachBlock(_ count: Int, _ work: (Int) -> Void) {
        if options.threads > 1 && count > 1 {
            withoutActuallyEscaping(work) { w in
                let box = UncheckedBox(value: w)
                DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
            }
        } else {
            for i in 0..<count { work(i) }
        }
    }

    /// One epoch (adam, gd: one full-batch step; online: one fresh-sample step at every grid time).
    public func step() {
        BLAS.singleThreaded()
        epoch += 1
        switch options.trainingProtocol {
        case .adam: adamStep()
        case .gd: gdStep()
        case .online: onlineStep()
        case .converged: try? convergedStep()
        }
    }

    public func train(epochs: Int, report: ((Int) -> Void)? = nil) {
        for _ in 0..<epochs {
            step()
            report?(epoch)
        }
    }

    private var rangeList: [Range<Int>] { stride(from: 0, to: grid.steps, by: timesPerBlock).map { $0..<min($0 + timesPerBlock, grid.steps) } }

    /// PyTorch Adam (β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸, Optimisers' `AdamCoefficients`) on the authors'
    /// loss Σ_j S_j/(dK), with λθ added to the gradient of u and w (SIM.13); c and b without decay,
    /// their second moment's correction divided out (`.divideByRoot`). The u, w gradient is completed
    /// in the block's workspace (`GradientParts.complete`) and the update reads it there: no d×K
    /// gradient copy.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    private func adamStep() {
        let d = problem.d, K = grid.steps, lambda = options.weightDecay
        let scale = 1 / (Double(d) * Double(K))
        let weights = adamWeights!, scalars = adamScalars!
        let coefficients = weights.settings.coefficients(step: epoch)
        let blocks = blocks, bank = bank, gradient = gradient, loss = loss, n = Double(data.n)
        let mw = weights.m.baseAddress!, vw = weights.v.baseAddress!, ms = scalars.m.baseAddress!, vs = scalars.v.baseAddress!
        forEachBlock(blocks.count) { bi in
            let block = blocks[bi]
            block.evaluateParts(bank: bank, gradient: gradient, loss: loss)
            for (k, j) in block.times.enumerated() {
                loss[j] /= n * Double(d)
                func scalar(_ theta: Buffer<Double>, _ g: Buffer<Double>, _ offset: Int) {
                    coefficients.update(parameters: theta.pointer + j, gradient: g.pointer + j, m: ms + offset, v: vs + offset, count: 1,
                                        gradientScale: scale, biasCorrection: .divideByRoot)
                }
                scalar(bank.c, gradient.c, j)
                scalar(bank.b, gradient.b, K + j)
                let p = block.parts(k, gradient: gradient)
                p.complete(d: d)
                func column(_ theta: Buffer<T>, _ g: UnsafePointer<T>, _ offset: Int) {
                    coefficients.update(parameters: theta.pointer + j * d, gradient: g, m: mw + offset, v: vw + offset, count: d,
                                        gradientScale: scale, weightDecay: lambda)
                }
                column(bank.u, p.baseU, j * d)
                column(bank.w, p.baseW, (K + j) * d)
            }
        }
    }

    /// Gradient descent on J/n = (S_j + L_u|u|² + L_w|w|²)/(nd) with rate η·d for u, w and η for
    /// c, b (SIM.14).
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    private func gdStep() {
        let d = problem.d, n = Double(data.n), lr = options.effectiveLearningRate
        let lu = options.penaltyU, lw = options.penaltyW
        let blocks = blocks, bank = bank, gradient = gradient, loss = loss
        let a = T(lr / n), shrinkU = T(1 - 2 * lr * lu / n), shrinkW = T(1 - 2 * lr * lw / n)
        forEachBlock(blocks.count) { bi in
            let block = blocks[bi]
            block.evaluateParts(bank: bank, gradient: gradient, loss: loss)
            for (k, j) in block.times.enumerated() {
                loss[j] /= n * Double(d)
                bank.c[j] -= lr * gradient.c[j] / (n * Double(d))
                bank.b[j] -= lr * gradient.b[j] / (n * Double(d))
                let p = block.parts(k, gradient: gradient)
                p.complete(d: d)
                func descend(_ theta: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ shrink: T) {
                    for i in 0..<d { theta[i] = shrink * theta[i] - a * g[i] }
                }
                descend(bank.u.pointer + j * d, p.baseU, shrinkU)
                descend(bank.w.pointer + j * d, p.baseW, shrinkW)
            }
        }
    }

    /// Online SGD (SIM.15): at each grid time one fresh (s, η, z); per-sample per-coordinate loss
    /// e = |f(x) − x₁|²/d + ℓ_u|u|²/d + ℓ_w|w|²/d; u, w move by −η∇e, c, b by −(η/d)∇e.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    private func onlineStep() {
        let d = problem.d, dd = Double(d), sqrtD = dd.squareRoot(), lr = options.effectiveLearningRate
        let lu = options.penaltyU, lw = options.penaltyW, p = problem.p, sigma = problem.sigma
        _ = sqrtD
        let ranges = rangeList, bank = bank, loss = loss, streams = context.streams, grid = grid, mean = data.mean
        let scratch = onlineScratch, trained = trained
        let count = Double(onlineCount)
        onlineCount += 1
        forEachBlock(ranges.count) { bi in
            let buf = scratch[bi].pointer
            let x1 = buf, x = buf + d, r = buf + 2 * d
            for j in ranges[bi] where trained[j] {
                var stream = streams[j]
                defer { streams[j] = stream }
                let s: Double = stream.uniform() < p ? 1 : -1
                let alpha = grid.alpha[j], beta = grid.beta[j]
                for i in 0..<d { x1[i] = s * mean[i] + sigma * stream.gaussian() }
                for i in 0..<d { x[i] = alpha * stream.gaussian() + beta * x1[i] }
                let up = bank.u.pointer + j * d, wp = bank.w.pointer + j * d
                let g = onlineGradient(c: bank.c[j], b: bank.b[j], u: up, w: wp, x1: x1, x: x, residual: r, d: d)
                loss[j] = (loss[j] * count + g.loss) / (count + 1)
                bank.c[j] -= lr / dd * g.c
                bank.b[j] -= lr / dd * g.b
                for i in 0..<d {
                    let ui = Double(up[i]), wi = Double(wp[i])
                    up[i] = T(ui - lr * (g.uResidual * r[i] + 2 / dd * lu * ui))
                    wp[i] = T(wi - lr * (g.wInput * x[i] + 2 / dd * lw * wi))
                }
            }
        }
    }

    /// The converged protocol (CV.6): on the first epoch, every grid time's J is minimised exactly
    /// from the current bank; later epochs leave the bank as it is. A failure of the minimiser
    /// (non-finite objective) leaves that time's stopping state unconverged.
    private func convergedStep() throws {
        guard stopping == nil else { return }
        let moments = try TanhMoments()
        let states = Buffer<StoppingState>(repeating: StoppingState(gradientNorm: .nan, iterations: 0, converged: false, objective: .nan),
                                           count: grid.steps)
        let penalties = options.staticTheoryPenalties(dimension: problem.d, steps: grid.steps)
        let bank = bank, data = data, grid = grid, loss = loss, lu = penalties.u, lw = penalties.w, trained = trained
        // One grid time per work item: the minimisations are independent (no shared state but disjoint columns).
        forEachBlock(grid.steps) { j in
            if trained[j], let (state, dataLoss) = try? ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                                       penaltyU: lu, penaltyW: lw, moments: moments) {
                states[j] = state
                loss[j] = dataLoss
            }
        }
        stopping = states.array
    }

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

    /// Restarts the running average of the online loss.
    public func resetLossAverage() { onlineCount = 0 }

    /// Order parameters of every grid time (SIM.3).
    public func orderParameters() -> [OrderParameters] {
        (0..<grid.steps).map { bank.orderParameters(at: $0, mean: data.mean) }
    }

    /// Online training time t = steps/d.
    public var onlineTime: Double { Double(epoch) / Double(problem.d) }
}

/// Hands a closure to `concurrentPerform`; the callers touch only disjoint columns per index.
struct UncheckedBox<V>: @unchecked Sendable { let value: V }

/// One sample's data loss e = |f(x) − x₁|²/d and its gradient (SIM.15 without the penalties):
/// ∂e/∂c = (2/d) r·x, ∂e/∂b = (2/d) ρφ', ∂e/∂u = uResidual · r, ∂e/∂w = wInput · x, with
/// r = f(x) − x₁ (written to `residual`), ρ = r·u, uResidual = 2φ/d, wInput = 2ρφ'/(d√d).
@_specialize(where T == Double)
@_specialize(where T == Float)
func onlineGradient<T: BLASScalar>(c: Double, b: Double, u: UnsafePointer<T>, w: UnsafePointer<T>,
                                    x1: UnsafePointer<Double>, x: UnsafePointer<Double>,
                                    residual r: UnsafeMutablePointer<Double>, d: Int)
    -> (loss: Double, c: Double, b: Double, uResidual: Double, wInput: Double) {
    let dd = Double(d), sqrtD = dd.squareRoot()
    var wx = 0.0
    for i in 0..<d { wx += Double(w[i]) * x[i] }
    let ph = tanh(b + wx / sqrtD), dph = 1 - ph * ph
    var rr = 0.0, rx = 0.0, rho = 0.0
    for i in 0..<d {
        let ri = c * x[i] + Double(u[i]) * ph - x1[i]
        r[i] = ri; rr += ri * ri; rx += ri * x[i]; rho += ri * Double(u[i])
    }
    return (rr / dd, 2 / dd * rx, 2 / dd * rho * dph, 2 / dd * ph, 2 / dd * rho * dph / sqrtD)
}
