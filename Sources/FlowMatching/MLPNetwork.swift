import Foundation
import FlowModel
import BLASKit
import GSLKit

/// A two-hidden-layer perceptron F(u) = W₃ s(W₂ s(W₁ u + b₁) + b₂) + b₃ with s the SiLU
/// a·sigmoid(a), on batches stored column-major (one column per example), with its exact
/// gradient by hand-written backprop on BLAS sgemm (TS.9–TS.11). Transposes are gemm flags, the
/// bias add is fused into the activation pass, which also keeps s′ for the backward pass, and all
/// buffers live in a workspace reused from step to step. Single-threaded BLAS calls and fixed-order
/// bias sums make a forward/backward pass bit-reproducible.
///
///     let net = try MLPNetwork(input: 77, hidden: 256, output: 64, seed: 1)
///     let out = net.forward(u, batch: 128)          // 64 × 128
public final class MLPNetwork {
    public let input, hidden, output: Int
    /// W₁ (hidden × input), b₁, W₂ (hidden × hidden), b₂, W₃ (output × hidden), b₃, column-major.
    public var parameters: [Float]
    let w1, b1, w2, b2, w3, b3: Int
    private var work: Workspace

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
        work = Workspace(batch: 0, input: input, hidden: hidden, output: output)
        BLAS.singleThreaded()
    }

    public var parameterCount: Int { parameters.count }

    /// The activations of one batch, allocated once per batch size: the input u, h₁, h₂, the
    /// output, s′(a₁), s′(a₂), and two hidden-sized scratch blocks for the backward pass.
    final class Workspace {
        let batch: Int
        let u, h1, h2, out, ds1, ds2, dh, delta: UnsafeMutablePointer<Float>
        init(batch: Int, input: Int, hidden: Int, output: Int) {
            self.batch = batch
            func block(_ n: Int) -> UnsafeMutablePointer<Float> {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
                p.initialize(repeating: 0, count: max(n, 1))
                return p
            }
            u = block(input * batch)
            h1 = block(hidden * batch); h2 = block(hidden * batch)
            ds1 = block(hidden * batch); ds2 = block(hidden * batch)
            dh = block(hidden * batch); delta = block(hidden * batch)
            out = block(output * batch)
        }
        deinit { for p in [u, h1, h2, out, ds1, ds2, dh, delta] { p.deallocate() } }
    }

    /// The input block (input × batch) of the next `forwardPass`, resized for `batch` if needed.
    func inputBlock(batch: Int) -> UnsafeMutablePointer<Float> {
        if work.batch != batch { work = Workspace(batch: batch, input: input, hidden: hidden, output: output) }
        return work.u
    }

    /// F of the input block; `keepDerivatives` keeps s′ for `backwardPass`. The result
    /// (output × batch) stays valid until the next pass.
    func forwardPass(keepDerivatives: Bool) -> UnsafePointer<Float> {
        let batch = work.batch, w = work
        parameters.withUnsafeBufferPointer { p in
            let P = p.baseAddress!
            // a₁ = W₁u (into h₁), h₁ = s(a₁ + b₁); the same for layer 2; F = W₃h₂ + b₃ (TS.9).
            Float.gemm(.none, .none, m: hidden, n: batch, k: input, alpha: 1, a: P + w1, lda: hidden,
                       b: w.u, ldb: input, beta: 0, c: w.h1, ldc: hidden)
            SiLU.biasActivate(w.h1, bias: P + b1, rows: hidden, columns: batch, into: w.h1, derivative: keepDerivatives ? w.ds1 : nil)
            Float.gemm(.none, .none, m: hidden, n: batch, k: hidden, alpha: 1, a: P + w2, lda: hidden,
                       b: w.h1, ldb: hidden, beta: 0, c: w.h2, ldc: hidden)
            SiLU.biasActivate(w.h2, bias: P + b2, rows: hidden, columns: batch, into: w.h2, derivative: keepDerivatives ? w.ds2 : nil)
            Float.gemm(.none, .none, m: output, n: batch, k: hidden, alpha: 1, a: P + w3, lda: output,
                       b: w.h2, ldb: hidden, beta: 0, c: w.out, ldc: output)
            let bias = P + b3
            for col in 0..<batch {
                let o = w.out + col * output
                for r in 0..<output { o[r] += bias[r] }
            }
        }
        return UnsafePointer(w.out)
    }

    /// The gradient of a scalar loss with respect to the parameters (same layout as `parameters`),
    /// given ∂loss/∂F (output × batch) for the batch of the last `forwardPass(keepDerivatives: true)` (TS.11).
    func backwardPass(_ dOut: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        let batch = work.batch, w = work
        parameters.withUnsafeBufferPointer { p in
            let P = p.baseAddress!, G = gradient
            // Layer 3: ∂W₃ = δ₃ h₂ᵀ, ∂b₃ = Σ_cols δ₃, δ₂ = (W₃ᵀ δ₃) ⊙ s′(a₂).
            weightGradient(dOut, w.h2, rows: output, inner: hidden, batch: batch, into: G + w3, bias: G + b3)
            backThrough(P + w3, rows: output, inner: hidden, delta: dOut, derivative: w.ds2, batch: batch, into: w.delta)
            // Layers 2 and 1 (δ₂ in `delta`; δ₁ overwrites s′(a₁) in `ds1`, read only there).
            weightGradient(w.delta, w.h1, rows: hidden, inner: hidden, batch: batch, into: G + w2, bias: G + b2)
            backThrough(P + w2, rows: hidden, inner: hidden, delta: w.delta, derivative: w.ds1, batch: batch, into: w.ds1)
            weightGradient(w.ds1, w.u, rows: hidden, inner: input, batch: batch, into: G + w1, bias: G + b1)
        }
    }

    /// dW = δ xᵀ (gemm with xᵀ by flag), db = Σ_columns δ (columns in order: fixed per-row order).
    private func weightGradient(_ delta: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, inner: Int, batch: Int,
                                into dw: UnsafeMutablePointer<Float>, bias db: UnsafeMutablePointer<Float>) {
        Float.gemm(.none, .transpose, m: rows, n: inner, k: batch, alpha: 1, a: delta, lda: rows,
                   b: x, ldb: inner, beta: 0, c: dw, ldc: rows)
        db.update(repeating: 0, count: rows)
        for col in 0..<batch {
            let D = delta + col * rows
            for r in 0..<rows { db[r] += D[r] }
        }
    }

    /// δ_prev = (Wᵀ δ) ⊙ s′(a_prev) into `result` (may be `derivative` itself) (TS.11).
    private func backThrough(_ w: UnsafePointer<Float>, rows: Int, inner: Int, delta: UnsafePointer<Float>,
                             derivative: UnsafePointer<Float>, batch: Int, into result: UnsafeMutablePointer<Float>) {
        Float.gemm(.transpose, .none, m: inner, n: batch, k: rows, alpha: 1, a: w, lda: rows,
                   b: delta, ldb: rows, beta: 0, c: work.dh, ldc: inner)
        let dh = work.dh
        for i in 0..<(inner * batch) { result[i] = dh[i] * derivative[i] }
    }

    /// F(u) for `batch` columns of `input` values (a copy; keeps s′ for `backward`).
    public func forward(_ u: [Float], batch: Int) -> [Float] {
        precondition(u.count == input * batch)
        let block = inputBlock(batch: batch)
        u.withUnsafeBufferPointer { block.update(from: $0.baseAddress!, count: u.count) }
        return Array(UnsafeBufferPointer(start: forwardPass(keepDerivatives: true), count: output * batch))
    }

    /// The gradient for ∂loss/∂F of the last `forward` (array form of `backwardPass`).
    public func backward(_ dOut: [Float], into gradient: inout [Float]) {
        precondition(dOut.count == output * work.batch && gradient.count == parameters.count)
        dOut.withUnsafeBufferPointer { d in gradient.withUnsafeMutableBufferPointer { backwardPass(d.baseAddress!, into: $0.baseAddress!) } }
    }
}
