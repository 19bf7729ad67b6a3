import Foundation
import FlowModel
import BLASKit
import GSLKit

/// A two-hidden-layer perceptron F(u) = W₃ s(W₂ s(W₁ u + b₁) + b₂) + b₃ with s the SiLU
/// a·sigmoid(a), on batches stored column-major (one column per example), with its exact
/// gradient by hand-written backprop on BLAS gemm (TS.9–TS.11). Single-threaded BLAS calls and
/// fixed-order bias sums make a forward/backward pass bit-reproducible.
///
///     let net = try MLPNetwork(input: 77, hidden: 256, output: 64, seed: 1)
///     let out = net.forward(u, batch: 128)          // 64 × 128
public final class MLPNetwork {
    public let input, hidden, output: Int
    /// W₁ (hidden × input), b₁, W₂ (hidden × hidden), b₂, W₃ (output × hidden), b₃, column-major.
    public var parameters: [Float]
    let w1, b1, w2, b2, w3, b3: Int
    private var cache = Workspace(batch: 0, input: 0, hidden: 0, output: 0)

    /// Weights N(0, 1/fan-in) from a seeded stream, biases 0.
    public init(input: Int, hidden: Int, output: Int, seed: UInt64) throws {
        self.input = input
        self.hidden = hidden
        self.output = output
        w1 = 0
        b1 = w1 + hidden * input
        w2 = b1 + hidden
        b2 = w2 + hidden * hidden
        w3 = b2 + hidden
        b3 = w3 + output * hidden
        parameters = [Float](repeating: 0, count: b3 + output)
        let stream = try RandomStream(seed: seed)
        for (start, count, fanIn) in [(w1, hidden * input, input), (w2, hidden * hidden, hidden), (w3, output * hidden, hidden)] {
            let scale = 1 / Double(fanIn).squareRoot()
            for i in start..<(start + count) { parameters[i] = Float(scale * stream.gaussian()) }
        }
        BLAS.singleThreaded()
    }

    public var parameterCount: Int { parameters.count }

    struct Workspace {
        var batch: Int
        var u, a1, h1, a2, h2, out: [Float]
        var dh: [Float], da: [Float], dInput: [Float]
        init(batch: Int, input: Int, hidden: Int, output: Int) {
            self.batch = batch
            u = [Float](repeating: 0, count: input * batch)
            a1 = [Float](repeating: 0, count: hidden * batch); h1 = a1; a2 = a1; h2 = a1; dh = a1; da = a1
            out = [Float](repeating: 0, count: output * batch)
            dInput = []
        }
    }

    /// F(u) for `batch` columns of `input` values; keeps the activations for `backward`.
    public func forward(_ u: [Float], batch: Int) -> [Float] {
        precondition(u.count == input * batch)
        if cache.batch != batch { cache = Workspace(batch: batch, input: input, hidden: hidden, output: output) }
        cache.u = u
        parameters.withUnsafeBufferPointer { p in
            let P = p.baseAddress!
            layer(P + w1, P + b1, rows: hidden, inner: input, from: cache.u, into: &cache.a1, batch: batch)
            activate(cache.a1, into: &cache.h1)
            layer(P + w2, P + b2, rows: hidden, inner: hidden, from: cache.h1, into: &cache.a2, batch: batch)
            activate(cache.a2, into: &cache.h2)
            layer(P + w3, P + b3, rows: output, inner: hidden, from: cache.h2, into: &cache.out, batch: batch)
        }
        return cache.out
    }

    /// The gradient of a scalar loss with respect to the parameters (same layout as `parameters`),
    /// given ∂loss/∂F for the batch of the last `forward` (TS.11).
    public func backward(_ dOut: [Float], into gradient: inout [Float]) {
        let batch = cache.batch
        precondition(dOut.count == output * batch && gradient.count == parameters.count)
        parameters.withUnsafeBufferPointer { p in
            let P = p.baseAddress!
            gradient.withUnsafeMutableBufferPointer { g in
                let G = g.baseAddress!
                // Layer 3: dW₃ = δ₃ h₂ᵀ, db₃ = Σ_b δ₃, δh₂ = W₃ᵀ δ₃.
                weightGradient(dOut, cache.h2, rows: output, inner: hidden, batch: batch, into: G + w3, bias: G + b3)
                backThrough(P + w3, rows: output, inner: hidden, delta: dOut, preActivation: cache.a2, batch: batch)
                let delta2 = cache.da
                weightGradient(delta2, cache.h1, rows: hidden, inner: hidden, batch: batch, into: G + w2, bias: G + b2)
                backThrough(P + w2, rows: hidden, inner: hidden, delta: delta2, preActivation: cache.a1, batch: batch)
                weightGradient(cache.da, cache.u, rows: hidden, inner: input, batch: batch, into: G + w1, bias: G + b1)
            }
        }
    }

    /// a = W x + b (W rows × inner, x inner × batch).
    private func layer(_ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, inner: Int, from x: [Float], into a: inout [Float], batch: Int) {
        a.withUnsafeMutableBufferPointer { A in
            for col in 0..<batch { for r in 0..<rows { A[col * rows + r] = b[r] } }
            x.withUnsafeBufferPointer { X in
                Float.gemm(.none, .none, m: rows, n: batch, k: inner, alpha: 1, a: w, lda: rows,
                       b: X.baseAddress!, ldb: inner, beta: 1, c: A.baseAddress!, ldc: rows)
            }
        }
    }

    /// h = SiLU(a) = a σ(a).
    private func activate(_ a: [Float], into h: inout [Float]) {
        for i in a.indices { let v = a[i]; h[i] = v / (1 + Float(exp(-Double(v)))) }
    }

    /// dW = δ xᵀ, db = Σ_columns δ (fixed order).
    private func weightGradient(_ delta: [Float], _ x: [Float], rows: Int, inner: Int, batch: Int,
                                into dw: UnsafeMutablePointer<Float>, bias db: UnsafeMutablePointer<Float>) {
        delta.withUnsafeBufferPointer { D in
            x.withUnsafeBufferPointer { X in
                Float.gemm(.none, .transpose, m: rows, n: inner, k: batch, alpha: 1, a: D.baseAddress!, lda: rows,
                       b: X.baseAddress!, ldb: inner, beta: 0, c: dw, ldc: rows)
            }
            for r in 0..<rows {
                var s: Float = 0
                for col in 0..<batch { s += D[col * rows + r] }
                db[r] = s
            }
        }
    }

    /// δ_prev = (Wᵀ δ) ⊙ SiLU′(a_prev), left in `cache.da` (TS.11).
    private func backThrough(_ w: UnsafePointer<Float>, rows: Int, inner: Int, delta: [Float], preActivation a: [Float], batch: Int) {
        cache.dh.withUnsafeMutableBufferPointer { H in
            delta.withUnsafeBufferPointer { D in
                Float.gemm(.transpose, .none, m: inner, n: batch, k: rows, alpha: 1, a: w, lda: rows,
                       b: D.baseAddress!, ldb: rows, beta: 0, c: H.baseAddress!, ldc: inner)
            }
        }
        for i in 0..<(inner * batch) {
            let v = Double(a[i])
            let s = 1 / (1 + exp(-v))
            cache.da[i] = cache.dh[i] * Float(s * (1 + v * (1 - s)))
        }
    }
}
