import Foundation
import BLASKit

/// The dense reference path: draws every z_ν ∈ ℝ^d and evaluates the loss and its gradient
/// directly from the residuals r_ν = f(x_ν) − x₁^ν (SIM.5), without the algebra of the fast path.
public final class DenseBlock<T: BLASScalar>: GradientBlock {
    public typealias Scalar = T
    public let times: Range<Int>
    let ctx: GradientContext<T>
    let z: Buffer<T>, x: Buffer<T>, res: Buffer<T>
    var phi: Buffer<T>, gam: Buffer<T>, pre: Buffer<T>, rho: Buffer<T>

    public init(context: GradientContext<T>, times: Range<Int>) {
        ctx = context
        self.times = times
        let d = context.d, n = context.n
        z = Buffer(repeating: 0, count: d * n); x = Buffer(repeating: 0, count: d * n); res = Buffer(repeating: 0, count: d * n)
        phi = Buffer(repeating: 0, count: n); gam = Buffer(repeating: 0, count: n)
        pre = Buffer(repeating: 0, count: n); rho = Buffer(repeating: 0, count: n)
    }

    /// The gradient is written whole: the parts are its columns with no vector terms.
    public func parts(_ k: Int, gradient: Bank<T>) -> GradientParts<T> {
        let j = times.lowerBound + k, d = ctx.d
        let u = gradient.u.pointer + j * d, w = gradient.w.pointer + j * d, v = UnsafePointer(u)
        return GradientParts(baseU: u, baseW: w, v0: v, v1: v, v2: v, v3: v, u: .zero, w: .zero)
    }

    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func evaluateParts(bank: Bank<T>, gradient: Bank<T>, loss: Buffer<Double>) {
        let d = ctx.d, n = ctx.n, dn = d * n, sqrtD = Double(d).squareRoot()
        for j in times {
            var stream = ctx.streams[j]
            stream.fill(z.pointer, count: dn)
            ctx.streams[j] = stream
            let alpha = T(ctx.grid.alpha[j]), beta = T(ctx.grid.beta[j]), c = T(bank.c[j])
            let up = bank.u.pointer + j * d, wp = bank.w.pointer + j * d
            for i in 0..<dn { x[i] = alpha * z[i] + beta * ctx.x1[i] }                    // x_ν = αz_ν + βx₁^ν
            T.gemv(.transpose, m: d, n: n, alpha: 1 / sqrtD, a: x.pointer, lda: d, x: wp, incx: 1, beta: 0, y: pre.pointer, incy: 1)
            for nu in 0..<n { phi[nu] = T(tanh(bank.b[j] + Double(pre[nu]))) }
            for i in 0..<dn { res[i] = c * x[i] - ctx.x1[i] }
            T.ger(m: d, n: n, alpha: 1, x: up, incx: 1, y: phi.pointer, incy: 1, a: res.pointer, lda: d)  // r_ν = c x_ν + u φ_ν − x₁^ν
            loss[j] = T.dot(dn, res.pointer, 1, res.pointer, 1)
            gradient.c[j] = 2 * T.dot(dn, res.pointer, 1, x.pointer, 1)
            T.gemv(.transpose, m: d, n: n, alpha: 1, a: res.pointer, lda: d, x: up, incx: 1, beta: 0, y: rho.pointer, incy: 1)
            var db = 0.0
            for nu in 0..<n {
                let p = Double(phi[nu]), g = Double(rho[nu]) * (1 - p * p)
                gam[nu] = T(g); db += 2 * g
            }
            gradient.b[j] = db
            T.gemv(.none, m: d, n: n, alpha: 2, a: res.pointer, lda: d, x: phi.pointer, incx: 1, beta: 0, y: gradient.u.pointer + j * d, incy: 1)
            T.gemv(.none, m: d, n: n, alpha: 2 / sqrtD, a: x.pointer, lda: d, x: gam.pointer, incx: 1, beta: 0, y: gradient.w.pointer + j * d, incy: 1)
        }
    }
}
