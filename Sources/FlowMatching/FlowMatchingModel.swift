import FlowModel
import BLASKit
import Foundation
import GSLKit

/// A trained x₁-predictor D(x, t) ≈ E[x₁ | x_t = x] on the linear interpolant
/// x_t = (1 − t) z + t x₁: an MLP with a log-SNR embedding inside the skip/scale wrapping of
/// `Preconditioning` (TS.7–TS.12). The network computes in Float (sgemm, measured choice:
/// training-schedules.md §4); inputs, outputs and the loss are Double.
///
///     let model = try FlowMatchingModel(dataMean: mean, dataVariance: v, hidden: 256, seed: 1)
///     let x1 = try model.predictData(x, count: n, t: 0.3)
public final class FlowMatchingModel {
    public let dimension: Int
    public let dataMean: [Double]
    public let preconditioning: Preconditioning
    public let embedding: TimeEmbedding
    public let network: MLPNetwork
    /// The loss's per-batch scratch (regression target, ∂L/∂F), reused from step to step.
    private var target: [Double] = [], dOut: [Float] = []

    public init(dataMean: [Double], dataVariance: Double, hidden: Int = 256,
                embedding: TimeEmbedding = TimeEmbedding(), seed: UInt64) throws {
        guard !dataMean.isEmpty else { throw InputError("the model needs a dimension ≥ 1") }
        try require("data variance", dataVariance, "> 0") { $0 > 0 }
        guard hidden >= 1 else { throw InputError("hidden width must be ≥ 1; got \(hidden)") }
        dimension = dataMean.count
        self.dataMean = dataMean
        preconditioning = Preconditioning(dataVariance: dataVariance)
        self.embedding = embedding
        network = try MLPNetwork(input: dataMean.count + embedding.size, hidden: hidden, output: dataMean.count, seed: seed)
    }

    /// Writes the network's input column [c_in (x − tμ); e(λ)] of one row x at time t (TS.7, TS.12).
    private func writeInput(_ x: UnsafePointer<Double>, t: Double, input: Double, into u: UnsafeMutablePointer<Float>) {
        let d = dimension
        dataMean.withUnsafeBufferPointer { mean in
            for i in 0..<d { u[i] = Float(input * (x[i] - t * mean[i])) }
        }
        embedding.forEachFeature(at: t) { j, e in u[d + j] = Float(e) }
    }

    /// D(x, t) for `count` rows of `dimension` values (row-major), in blocks of at most 1024 rows.
    public func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double] {
        guard x.count == count * dimension else {
            throw InputError("predictData: \(x.count) values is not \(count) rows of dimension \(dimension)")
        }
        try require("t", t, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        let c = preconditioning.coefficients(at: t)
        var result = [Double](repeating: 0, count: x.count)
        let d = dimension, width = d + embedding.size
        var start = 0
        x.withUnsafeBufferPointer { X in
            while start < count {
                let n = min(1024, count - start)
                let u = network.inputBlock(batch: n)
                for b in 0..<n { writeInput(X.baseAddress! + (start + b) * d, t: t, input: c.input, into: u + b * width) }
                let f = network.forwardPass(keepDerivatives: false)
                for b in 0..<n {
                    for i in 0..<d {
                        let k = (start + b) * d + i
                        result[k] = dataMean[i] + c.skip * (x[k] - t * dataMean[i]) + c.out * Double(f[b * d + i])
                    }
                }
                start += n
            }
        }
        return result
    }

    /// The flow-matching loss (TS.13) on one batch: data rows x₁, noise rows z, one time per row,
    /// L = (1/(B d)) Σ_b ‖F_b − (x₁ − μ − c_skip (x_t − tμ))/c_out‖², i.e. ‖D − x₁‖²/c_out² averaged.
    /// With `gradient` non-nil, also ∂L/∂parameters.
    public func loss(data: [Double], noise: [Double], times: [Double], gradient: UnsafeMutablePointer<[Float]>? = nil) -> Double {
        let d = dimension, batch = times.count, width = d + embedding.size
        precondition(data.count == d * batch && noise.count == d * batch)
        if target.count != d * batch {
            target = [Double](repeating: 0, count: d * batch)
            dOut = [Float](repeating: 0, count: d * batch)
        }
        let u = network.inputBlock(batch: batch)
        let sum = target.withUnsafeMutableBufferPointer { target in
            dOut.withUnsafeMutableBufferPointer { dOut in
                data.withUnsafeBufferPointer { x1 in
                    noise.withUnsafeBufferPointer { z in
                        dataMean.withUnsafeBufferPointer { mean in
                            // The target's row holds x_t (TS.1) until the network's input is written.
                            for (b, t) in times.enumerated() {
                                let c = preconditioning.coefficients(at: t)
                                let row = b * d
                                for i in 0..<d {
                                    let k = row + i
                                    target[k] = (1 - t) * z[k] + t * x1[k]  // TS.1
                                }
                                writeInput(target.baseAddress! + row, t: t, input: c.input, into: u + b * width)
                                for i in 0..<d {
                                    let k = row + i
                                    target[k] = (x1[k] - mean[i] - c.skip * (target[k] - t * mean[i])) / c.out
                                }
                            }
                        }
                    }
                }
                let f = network.forwardPass(keepDerivatives: gradient != nil)
                var sum = 0.0
                let scale = 2 / Double(d * batch)
                for k in 0..<(d * batch) {
                    let r = Double(f[k]) - target[k]
                    sum += r * r
                    dOut[k] = Float(scale * r)
                }
                if let gradient {
                    precondition(gradient.pointee.count == network.parameterCount)
                    gradient.pointee.withUnsafeMutableBufferPointer { network.backwardPass(dOut.baseAddress!, into: $0.baseAddress!) }
                }
                return sum
            }
        }
        return sum / Double(d * batch)
    }
}
