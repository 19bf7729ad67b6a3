import BLASKit
import FlowModel
import Optimisers

/// The authors' protocol (SIM.13): full batch, base noise redrawn every epoch, loss n·MSE (mean over
/// d, n, K), PyTorch Adam (Optimisers' `AdamCoefficients`) with coupled weight decay λ on u and w
/// (L = Kλd/2, AT.5). A network is trivial when it sits on Adam's plateau, |b| ≥ `plateauBias`.
///
///     var options = TrainingOptions(); options.trainingProtocol = .adam; options.weightDecay = 1e-5
public struct AdamProtocol: TrainingProtocol {
    /// Adam's preconditioner on u and w: per coordinate (PyTorch's Adam, the default), or the mean of
    /// √v̂ over each column u_j, w_j (a diagnostic, not on the command line: SGD with momentum at one
    /// rate per column, derivations/adam-offset.md §7).
    public enum Preconditioner: Sendable { case perCoordinate, columnMean }
    public var preconditioner: Preconditioner
    public init(preconditioner: Preconditioner = .perCoordinate) { self.preconditioner = preconditioner }
    public var name: String { preconditioner == .perCoordinate ? "adam" : "adam-column-mean" }
    /// The authors' learning rate.
    public var defaultLearningRate: Double { 0.01 }
    /// Only the trained times' blocks are evaluated (`Trainer.trainedBlockRanges`).
    public var trainsSingleTimes: Bool { true }

    /// |b| at or above which an Adam network counts as on the trivial plateau: tanh' < 2·10⁻⁴, the unit is
    /// a constant; Adam's b then keeps running off (derivations/adam-offset.md §5), while its learned
    /// stationary states have |b| < 2.5 at every grid time measured.
    public static let plateauBias = 5.0

    /// L_u = L_w = Kλd/2 (AT.5).
    public func staticTheoryPenalties(_ options: TrainingOptions, dimension d: Int, steps K: Int) -> (u: Double, w: Double) {
        let L = Double(K) * options.weightDecay * Double(d) / 2
        return (L, L)
    }

    public func isTrivial(_ x: OrderParameters) -> Bool { abs(x.b) >= Self.plateauBias }

    public func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T> { try State(trainer) }

    /// The gradient blocks and Adam's moments: of u then w (2dK entries, column j of u at jd, of w at
    /// dK + jd) and of c then b (2K entries, in Double). The step counter is the trainer's epoch.
    final class State<T: BLASScalar>: TrainingState {
        let blocks: [any GradientBlock<T>]
        /// Per block: the chunk of gradient the step completes and consumes (`chunk` entries).
        let scratch: [Buffer<T>]
        let weights: AdamState<T>, scalars: AdamState<Double>
        let shared: Bool

        init(_ trainer: Trainer<T>) throws {
            blocks = try trainer.gradientBlocks()
            scratch = blocks.map { _ in Buffer(repeating: 0, count: Self.chunk) }
            shared = (trainer.options.trainingProtocol as? AdamProtocol)?.preconditioner == .columnMean
            let settings = AdamSettings(learningRate: trainer.options.effectiveLearningRate)
            weights = AdamState(count: 2 * trainer.problem.d * trainer.grid.steps, settings: settings)
            scalars = AdamState(count: 2 * trainer.grid.steps, settings: settings)
        }

        var savedArrays: [(name: String, values: SavedValues<T>)] {
            let K = scalars.count / 2, dK = weights.count / 2
            func half<X>(_ x: UnsafeMutableBufferPointer<X>, _ i: Int, _ size: Int) -> UnsafeMutableBufferPointer<X> {
                UnsafeMutableBufferPointer(rebasing: x[(i * size)..<((i + 1) * size)])
            }
            return [("adam_m_c", .double(half(scalars.m, 0, K))), ("adam_m_b", .double(half(scalars.m, 1, K))),
                    ("adam_m_u", .scalar(half(weights.m, 0, dK))), ("adam_m_w", .scalar(half(weights.m, 1, dK))),
                    ("adam_v_c", .double(half(scalars.v, 0, K))), ("adam_v_b", .double(half(scalars.v, 1, K))),
                    ("adam_v_u", .scalar(half(weights.v, 0, dK))), ("adam_v_w", .scalar(half(weights.v, 1, dK)))]
        }

        /// Adam on the authors' loss Σ_j S_j/(dK), with λθ added to the gradient of u and w (SIM.13);
        /// c and b without decay, their second moment's correction divided out (`.divideByRoot`).
        /// The u, w gradient is completed a chunk at a time (`GradientParts.gradient`) and the update
        /// reads it there: no d×K gradient is written (the column-mean diagnostic completes whole
        /// columns in the block's workspace, `GradientParts.complete`).
        @_specialize(where T == Double)
        @_specialize(where T == Float)
        func step(_ trainer: Trainer<T>) {
            let d = trainer.problem.d, K = trainer.grid.steps, lambda = trainer.options.weightDecay
            let scale = 1 / (Double(d) * Double(K))
            let coefficients = weights.settings.coefficients(step: trainer.epoch)
            let blocks = blocks, scratch = scratch, shared = shared, bank = trainer.bank, gradient = trainer.gradient, loss = trainer.loss, n = Double(trainer.data.n)
            let mw = weights.m.baseAddress!, vw = weights.v.baseAddress!, ms = scalars.m.baseAddress!, vs = scalars.v.baseAddress!
            trainer.forEachBlock(blocks.count) { bi in
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
                    if shared {
                        p.complete(d: d)
                        func column(_ theta: Buffer<T>, _ g: UnsafePointer<T>, _ offset: Int) {
                            coefficients.updateSharingDenominator(parameters: theta.pointer + j * d, gradient: g, m: mw + offset, v: vw + offset,
                                                                  count: d, gradientScale: scale, weightDecay: lambda)
                        }
                        column(bank.u, p.baseU, j * d)
                        column(bank.w, p.baseW, (K + j) * d)
                        continue
                    }
                    // The gradient completed a chunk at a time in the block's L1-sized scratch and consumed
                    // there (`GradientParts.gradient`): no pass writes a d-column of it back to memory. The
                    // parts read u_j, w_j from the block's copies, so updating u_j first leaves ∂S/∂w_j as it was.
                    let s = scratch[bi].pointer
                    var start = 0
                    while start < d {
                        let count = min(Self.chunk, d - start)
                        func column(ofU: Bool, _ theta: UnsafeMutablePointer<T>, _ offset: Int) {
                            coefficients.update(parameters: theta + j * d + start, gradient: p.gradient(ofU: ofU, from: start, count: count, scratch: s),
                                                m: mw + offset + start, v: vw + offset + start, count: count,
                                                gradientScale: scale, weightDecay: lambda)
                        }
                        column(ofU: true, bank.u.pointer, j * d)
                        column(ofU: false, bank.w.pointer, (K + j) * d)
                        start += count
                    }
                }
            }
        }

        /// Entries of a u or w column completed and updated at a time (8 KiB of scratch in Double).
        static var chunk: Int { 1024 }
    }
}

extension TrainingProtocol where Self == AdamProtocol {
    /// The authors' Adam protocol.
    public static var adam: AdamProtocol { AdamProtocol() }
}
