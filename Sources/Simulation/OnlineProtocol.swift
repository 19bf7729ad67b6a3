import Foundation
import BLASKit
import FlowModel

/// Online SGD (SIM.15): one fresh sample per step and grid time (no fixed training set), learning
/// rate η for u, w and η/d for c, b, per-sample penalties ℓ_u, ℓ_w, training time t = steps/d.
/// Its fixed points are those of the n = ∞ penalised theory (AT.14/AT.15) with L = ℓ.
///
///     var options = TrainingOptions(); options.trainingProtocol = .online; options.epochs = 200 * d   // t = 200
public struct OnlineProtocol: TrainingProtocol {
    public init() {}
    public var name: String { "online" }
    public var defaultLearningRate: Double { 0.5 }
    public var fixedTrainingSet: Bool { false }
    public var trainsSingleTimes: Bool { true }
    /// A step is O(dK) like the check itself.
    public var divergenceCheckInterval: Int { 64 }
    /// t = steps/d.
    public func time(epoch: Int, dimension d: Int) -> Double { Double(epoch) / Double(d) }
    public func epochLimitMessage(epochs: Int, dimension d: Int) -> String {
        "online SGD steps = training time × d = \(epochs) at d = \(d); at most \(Limits.epochs) (lower the time or d)"
    }

    public func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T> { State(trainer) }

    /// One 4d scratch per block of grid times and the count of the running loss average.
    final class State<T: BLASScalar>: TrainingState {
        let scratch: [Buffer<Double>]
        var lossAverageCount = 0

        init(_ trainer: Trainer<T>) {
            scratch = trainer.blockRanges.map { _ in Buffer(repeating: 0, count: 4 * trainer.problem.d) }
        }

        /// At each trained grid time one fresh (s, η, z); per-sample per-coordinate loss
        /// e = |f(x) − x₁|²/d + ℓ_u|u|²/d + ℓ_w|w|²/d; u, w move by −η∇e, c, b by −(η/d)∇e. The loss
        /// is the running mean of e's data part since the last `resetLossAverage`.
        @_specialize(where T == Double)
        @_specialize(where T == Float)
        func step(_ trainer: Trainer<T>) {
            let problem = trainer.problem, d = problem.d, dd = Double(d), lr = trainer.options.effectiveLearningRate
            let lu = trainer.options.penaltyU, lw = trainer.options.penaltyW, p = problem.p, sigma = problem.sigma
            let ranges = trainer.blockRanges, bank = trainer.bank, loss = trainer.loss, streams = trainer.context.streams
            let grid = trainer.grid, mean = trainer.data.mean, scratch = scratch, trained = trainer.trained
            let count = Double(lossAverageCount)
            lossAverageCount += 1
            trainer.forEachBlock(ranges.count) { bi in
                let buf = scratch[bi].pointer
                let x1 = buf, x = buf + d, r = buf + 2 * d
                for j in ranges[bi] where trained[j] {
                    var stream = streams[j]
                    defer { streams[j] = stream }
                    let s: Double = stream.uniform() < p ? 1 : -1
                    let alpha = grid.alpha[j], beta = grid.beta[j]
                    // The draws of 2d calls to gaussian(), in that order, filled in bulk (tables hoisted, state in registers).
                    stream.fill(x1, count: d)
                    for i in 0..<d { x1[i] = s * mean[i] + sigma * x1[i] }
                    stream.fill(x, count: d)
                    for i in 0..<d { x[i] = alpha * x[i] + beta * x1[i] }
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
    }
}

extension TrainingProtocol where Self == OnlineProtocol {
    /// Online SGD.
    public static var online: OnlineProtocol { OnlineProtocol() }
}

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
