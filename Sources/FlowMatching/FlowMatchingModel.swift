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

    /// The network's input columns [c_in (x − tμ); e(λ)] (TS.7, TS.12).
    func networkInput(_ x: UnsafeBufferPointer<Double>, times: [Double]) -> [Float] {
        let d = dimension, width = d + embedding.size
        var u = [Float](repeating: 0, count: width * times.count)
        for (b, t) in times.enumerated() {
            let c = preconditioning.coefficients(at: t)
            for i in 0..<d { u[b * width + i] = Float(c.input * (x[b * d + i] - t * dataMean[i])) }
            for (j, e) in embedding.features(at: t).enumerated() { u[b * width + d + j] = Float(e) }
        }
        return u
    }

    /// D(x, t) for `count` rows of `dimension` values (row-major), in blocks of at most 1024 rows.
    public func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double] {
        guard x.count == count * dimension else {
            throw InputError("predictData: \(x.count) values is not \(count) rows of dimension \(dimension)")
        }
        try require("t", t, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        let c = preconditioning.coefficients(at: t)
        var result = [Double](repeating: 0, count: x.count)
        let d = dimension
        var start = 0
        while start < count {
            let n = min(1024, count - start)
            let f = x.withUnsafeBufferPointer { X in
                network.forward(networkInput(UnsafeBufferPointer(rebasing: X[(start * d)..<((start + n) * d)]),
                                             times: [Double](repeating: t, count: n)), batch: n)
            }
            for b in 0..<n {
                for i in 0..<d {
                    let k = (start + b) * d + i
                    result[k] = dataMean[i] + c.skip * (x[k] - t * dataMean[i]) + c.out * Double(f[b * d + i])
                }
            }
            start += n
        }
        return result
    }

    /// The flow-matching loss (TS.13) on one batch: data rows x₁, noise rows z, one time per row,
    /// L = (1/(B d)) Σ_b ‖F_b − (x₁ − μ − c_skip (x_t − tμ))/c_out‖², i.e. ‖D − x₁‖²/c_out² averaged.
    /// With `gradient` non-nil, also ∂L/∂parameters.
    public func loss(data: [Double], noise: [Double], times: [Double], gradient: UnsafeMutablePointer<[Float]>? = nil) -> Double {
        let d = dimension, batch = times.count
        var xt = [Double](repeating: 0, count: d * batch)
        var target = [Double](repeating: 0, count: d * batch)
        for (b, t) in times.enumerated() {
            let c = preconditioning.coefficients(at: t)
            for i in 0..<d {
                let k = b * d + i
                xt[k] = (1 - t) * noise[k] + t * data[k]  // TS.1
                target[k] = (data[k] - dataMean[i] - c.skip * (xt[k] - t * dataMean[i])) / c.out
            }
        }
        let f = xt.withUnsafeBufferPointer { network.forward(networkInput($0, times: times), batch: batch) }
        var sum = 0.0
        var dOut = [Float](repeating: 0, count: d * batch)
        let scale = 2 / Double(d * batch)
        for k in 0..<(d * batch) {
            let r = Double(f[k]) - target[k]
            sum += r * r
            dOut[k] = Float(scale * r)
        }
        if let gradient { network.backward(dOut, into: &gradient.pointee) }
        return sum / Double(d * batch)
    }
}
