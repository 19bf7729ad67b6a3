import BLASKit
import FlowModel

/// Full-batch gradient descent on J/n with the static theory's penalties L_u, L_w (AT.2, SIM.14).
///
///     var options = TrainingOptions(); options.trainingProtocol = .gd; options.penaltyU = 2; options.penaltyW = 2
public struct GradientDescentProtocol: TrainingProtocol {
    public init() {}
    public var name: String { "gd" }
    public var defaultLearningRate: Double { 0.05 }
    /// Only the trained times' blocks are evaluated (`Trainer.trainedBlockRanges`).
    public var trainsSingleTimes: Bool { true }

    public func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T> { State(blocks: try trainer.gradientBlocks()) }

    final class State<T: BLASScalar>: TrainingState {
        let blocks: [any GradientBlock<T>]
        init(blocks: [any GradientBlock<T>]) { self.blocks = blocks }

        /// Gradient descent on J/n = (S_j + L_u|u|² + L_w|w|²)/(nd) with rate η·d for u, w and η for
        /// c, b (SIM.14).
        @_specialize(where T == Double)
        @_specialize(where T == Float)
        func step(_ trainer: Trainer<T>) {
            let d = trainer.problem.d, n = Double(trainer.data.n), lr = trainer.options.effectiveLearningRate
            let lu = trainer.options.penaltyU, lw = trainer.options.penaltyW
            let blocks = blocks, bank = trainer.bank, gradient = trainer.gradient, loss = trainer.loss
            let a = T(lr / n), shrinkU = T(1 - 2 * lr * lu / n), shrinkW = T(1 - 2 * lr * lw / n)
            trainer.forEachBlock(blocks.count) { bi in
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
    }
}

extension TrainingProtocol where Self == GradientDescentProtocol {
    /// Full-batch gradient descent on J/n.
    public static var gd: GradientDescentProtocol { GradientDescentProtocol() }
}
