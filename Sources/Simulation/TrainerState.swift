import Foundation
import BLASKit
import FlowModel

/// Everything a `Trainer` carries from one epoch to the next: the epoch, the noise streams of every
/// grid time, the bank, Adam's moments, the loss buffer and the online loss count. Restoring it into
/// a trainer built with the same problem, n, k, K, options and seed continues training bit for bit
/// as if it had never stopped (the data, the Gram basis and the grid are recomputed from the seed).
///
///     let state = trainer.state()            // after some epochs
///     let again = try Trainer<Double>(problem: problem, n: 16, k: 2, steps: 4, options: options, seed: 1)
///     try again.restore(state)               // again.step() now gives what trainer.step() gives
public struct TrainerState: Sendable {
    public var epoch: Int
    /// The streams' 4 × 64-bit states, little-endian, grid time by grid time.
    public var randomState: [UInt8]
    /// Named arrays (parameters, moments, loss), values widened to Double (exact for Float).
    public var arrays: [(name: String, values: [Double])]

    public init(epoch: Int, randomState: [UInt8], arrays: [(name: String, values: [Double])]) {
        self.epoch = epoch; self.randomState = randomState; self.arrays = arrays
    }
}

extension NormalStream {
    /// The generator's state words (for checkpoints).
    public var stateWords: [UInt64] { [s0, s1, s2, s3] }

    /// A stream continuing from saved state words.
    public init(stateWords w: [UInt64]) {
        self.init(seed: 0)
        s0 = w[0]; s1 = w[1]; s2 = w[2]; s3 = w[3]
    }
}

extension Trainer {
    /// The saved arrays: UnsafeMutableBufferPointer<Double> or <T>.
    private func named() -> [(String, Any)] {
        func all<X>(_ b: Buffer<X>) -> UnsafeMutableBufferPointer<X> { UnsafeMutableBufferPointer(start: b.pointer, count: b.count) }
        var list: [(String, Any)] = [("c", all(bank.c)), ("b", all(bank.b)), ("u", all(bank.u)), ("w", all(bank.w)), ("loss", all(loss))]
        if let adamWeights, let adamScalars {
            let K = grid.steps, dK = problem.d * K
            func halves<X>(_ x: UnsafeMutableBufferPointer<X>, _ half: Int) -> [UnsafeMutableBufferPointer<X>] {
                [UnsafeMutableBufferPointer(rebasing: x[0..<half]), UnsafeMutableBufferPointer(rebasing: x[half..<(2 * half)])]
            }
            let mc = halves(adamScalars.m, K), vc = halves(adamScalars.v, K), mu = halves(adamWeights.m, dK), vu = halves(adamWeights.v, dK)
            list += [("adam_m_c", mc[0]), ("adam_m_b", mc[1]), ("adam_m_u", mu[0]), ("adam_m_w", mu[1]),
                     ("adam_v_c", vc[0]), ("adam_v_b", vc[1]), ("adam_v_u", vu[0]), ("adam_v_w", vu[1])]
        }
        return list
    }

    /// The whole training state (see `TrainerState`).
    public func state() -> TrainerState {
        var bytes = [UInt8]()
        for j in 0..<grid.steps {
            for word in context.streams[j].stateWords { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
        }
        var arrays: [(name: String, values: [Double])] = named().map { name, buffer in
            if let b = buffer as? UnsafeMutableBufferPointer<Double> { return (name, Array(b)) }
            let b = buffer as! UnsafeMutableBufferPointer<T>
            return (name, b.map { Double($0) })
        }
        arrays.append(("online_count", [Double(onlineCount)]))
        return TrainerState(epoch: epoch, randomState: bytes, arrays: arrays)
    }

    /// Continues from `state` (taken from a trainer of the same configuration and seed).
    public func restore(_ state: TrainerState) throws {
        guard state.randomState.count == 32 * grid.steps else {
            throw InputError("checkpoint: \(state.randomState.count) random-state bytes, expected \(32 * grid.steps)")
        }
        let values = Dictionary(state.arrays.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        for (name, buffer) in named() {
            guard let v = values[name] else { throw InputError("checkpoint: no array '\(name)'") }
            if let b = buffer as? UnsafeMutableBufferPointer<Double> {
                guard v.count == b.count else { throw InputError("checkpoint: array '\(name)' has \(v.count) values, expected \(b.count)") }
                for i in 0..<v.count { b[i] = v[i] }
            } else {
                let b = buffer as! UnsafeMutableBufferPointer<T>
                guard v.count == b.count else { throw InputError("checkpoint: array '\(name)' has \(v.count) values, expected \(b.count)") }
                for i in 0..<v.count { b[i] = T(v[i]) }
            }
        }
        guard let count = values["online_count"]?.first else { throw InputError("checkpoint: no array 'online_count'") }
        onlineCount = Int(count)
        for j in 0..<grid.steps {
            let words = (0..<4).map { k in
                state.randomState[(32 * j + 8 * k)..<(32 * j + 8 * k + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            }
            context.streams[j] = NormalStream(stateWords: words)
        }
        epoch = state.epoch
    }
}
