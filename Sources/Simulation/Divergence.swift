import Foundation
import BLASKit
import FlowModel

/// Divergence of training: a parameter of the bank that is not finite or has exploded. The initial
/// entries are N(0, 1) and the trained ones O(1) (SIM.2), so |x| > `bound` only happens when the
/// learning rate is beyond the stable range and the iteration runs away.
///
///     try trainer.checkDivergence()   // throws "seed 1 diverged at epoch 12 (lr = 5): …"
public enum Divergence {
    /// Largest |entry| allowed for c, b, u, w.
    public static let bound = 1e6

    /// The largest |entry| of the bank, or NaN as soon as one entry is not finite.
    public static func largestMagnitude<T: BLASScalar>(_ bank: Bank<T>) -> Double {
        var largest = 0.0
        for buffer in [bank.c, bank.b] {
            for i in 0..<buffer.count {
                let x = abs(buffer.pointer[i])
                guard x.isFinite else { return .nan }
                largest = max(largest, x)
            }
        }
        for buffer in [bank.u, bank.w] {
            for i in 0..<buffer.count {
                let x = abs(Double(buffer.pointer[i]))
                guard x.isFinite else { return .nan }
                largest = max(largest, x)
            }
        }
        return largest
    }
}

extension Trainer {
    /// Throws one line naming the seed, the epoch and the learning rate when a parameter is
    /// non-finite or larger than `Divergence.bound`.
    public func checkDivergence() throws {
        let largest = Divergence.largestMagnitude(bank)
        guard largest.isNaN || largest > Divergence.bound else { return }
        let what = largest.isNaN ? "a parameter is not finite" : String(format: "a parameter reached %.1e", largest)
        throw InputError("seed \(seed) diverged at epoch \(epoch) (protocol \(options.trainingProtocol.name), lr = \(options.effectiveLearningRate)): \(what); lower --lr (no snapshot of this seed past the last finite one is written)")
    }
}
