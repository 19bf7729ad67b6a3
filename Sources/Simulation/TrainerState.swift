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
    /// The saved arrays: the bank, the loss, then the protocol's (e.g. Adam's moments).
    private func named() -> [(name: String, values: SavedValues<T>)] {
        func all<X>(_ b: Buffer<X>) -> UnsafeMutableBufferPointer<X> { UnsafeMutableBufferPointer(start: b.pointer, count: b.count) }
        return [("c", .double(all(bank.c))), ("b", .double(all(bank.b))), ("u", .scalar(all(bank.u))), ("w", .scalar(all(bank.w))),
                ("loss", .double(all(loss)))] + protocolState.savedArrays
    }

    /// The whole training state (see `TrainerState`).
    public func state() -> TrainerState {
        var bytes = [UInt8]()
        for j in 0..<grid.steps {
            for word in context.streams[j].stateWords { withUnsafeBytes(of: word.littleEndian) { bytes += $0 } }
        }
        var arrays: [(name: String, values: [Double])] = named().map { name, values in
            switch values {
            case .double(let b): return (name, Array(b))
            case .scalar(let b): return (name, b.map { Double($0) })
            }
        }
        arrays.append(("online_count", [Double(protocolState.lossAverageCount)]))
        return TrainerState(epoch: epoch, randomState: bytes, arrays: arrays)
    }

    /// Continues from `state` (taken from a trainer of the same configuration and seed).
    public func restore(_ saved: TrainerState) throws {
        guard saved.randomState.count == 32 * grid.steps else {
            throw InputError("checkpoint: \(saved.randomState.count) random-state bytes, expected \(32 * grid.steps)")
        }
        let values = Dictionary(saved.arrays.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        func fill<X>(_ name: String, _ target: UnsafeMutableBufferPointer<X>, _ convert: (Double) -> X) throws {
            guard let v = values[name] else { throw InputError("checkpoint: no array '\(name)'") }
            guard v.count == target.count else { throw InputError("checkpoint: array '\(name)' has \(v.count) values, expected \(target.count)") }
            for i in 0..<v.count { target[i] = convert(v[i]) }
        }
        for (name, target) in named() {
            switch target {
            case .double(let b): try fill(name, b) { $0 }
            case .scalar(let b): try fill(name, b) { T($0) }
            }
        }
        guard let count = values["online_count"]?.first else { throw InputError("checkpoint: no array 'online_count'") }
        protocolState.lossAverageCount = Int(count)
        for j in 0..<grid.steps {
            let words = (0..<4).map { k in
                saved.randomState[(32 * j + 8 * k)..<(32 * j + 8 * k + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            }
            context.streams[j] = NormalStream(stateWords: words)
        }
        epoch = saved.epoch
    }
}
