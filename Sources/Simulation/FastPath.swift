import Foundation
import BLASKit

/// What both gradient paths share: the training set in precision T, the grid, and the per-time
/// random streams (one per grid time, so the result does not depend on the thread count).
public final class GradientContext<T: BLASScalar>: @unchecked Sendable {
    public let data: TrainingSet
    public let grid: TrainingGrid
    let d: Int, n: Int
    let q: Buffer<T>        // Q, d×n
    let x1: Buffer<T>       // X₁, d×n
    /// One stream per grid time (pointer access: no copy-on-write, no exclusivity checks).
    let streams: Buffer<NormalStream>

    public init(data: TrainingSet, grid: TrainingGrid, seed: UInt64) throws {
        self.data = data
        self.grid = grid
        d = data.d; n = data.n
        q = Buffer(repeating: 0, count: d * n)
        x1 = Buffer(repeating: 0, count: d * n)
        for i in 0..<(d * n) { q[i] = T(data.basis[i]); x1[i] = T(data.points[i]) }
        streams = Buffer((0..<grid.steps).map { NormalStream(seed: StreamSeed.derive(seed, .noise, $0)) })
    }
}

/// One block of consecutive grid times and its workspace. `evaluate` fills, for every time j of
/// the block, S_j = Σ_ν |f_j(α z_ν + β x₁^ν) − x₁^ν|² with fresh z (SIM.5) and its gradient.
public protocol GradientBlock<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    var times: Range<Int> { get }
    func evaluate(bank: Bank<Scalar>, gradient: Bank<Scalar>, loss: Buffer<Double>)
}

/// The fast path (derivations/simulation-fast-path.md §3): the noise is sampled only through its
/// projections on V_j = span(X₁, w_j, u_j) (SIM.7), a Bartlett-sampled Wishart Gram matrix of the
/// orthogonal part (SIM.9) and a uniformly random 2-frame of V_j⊥ (SIM.10).
public final class FastBlock<T: BLASScalar>: GradientBlock {
    public typealias Scalar = T
    public let times: Range<Int>
    let ctx: GradientContext<T>
    let width: Int
    let stack: Buffer<T>        // d×4B: [U_B, W_B, F] with F = f₁, f₂ per time
    let fresh: UnsafeMutablePointer<T>
    let out: Buffer<T>          // d×2B: Q · coefficients
    let proj: Buffer<T>         // n×4B: Qᵀ[U_B W_B F]
    let coef: Buffer<T>         // n×2B: Q-coefficients of ∂S/∂u, ∂S/∂w
    // per-time scratch (Double, sizes n² and n), as raw pointers: no copy-on-write and no dynamic
    // exclusivity checks in the O(n²) loops.
    let scratch: Buffer<Double>
    let gx: UnsafeMutablePointer<Double>, bart: UnsafeMutablePointer<Double>, gw: UnsafeMutablePointer<Double>
    let gu: UnsafeMutablePointer<Double>, yw: UnsafeMutablePointer<Double>, yu: UnsafeMutablePointer<Double>
    let yf1: UnsafeMutablePointer<Double>, yf2: UnsafeMutablePointer<Double>, wz: UnsafeMutablePointer<Double>
    let uz: UnsafeMutablePointer<Double>, phi: UnsafeMutablePointer<Double>, gam: UnsafeMutablePointer<Double>
    let t1: UnsafeMutablePointer<Double>, t2: UnsafeMutablePointer<Double>, s1: UnsafeMutablePointer<Double>
    let s2: UnsafeMutablePointer<Double>, rt: UnsafeMutablePointer<Double>, xx: UnsafeMutablePointer<Double>

    public init(context: GradientContext<T>, times: Range<Int>) {
        ctx = context
        self.times = times
        width = times.count
        let d = context.d, n = context.n
        stack = Buffer(repeating: 0, count: d * 4 * width)
        fresh = stack.pointer + 2 * d * width
        out = Buffer(repeating: 0, count: d * 2 * width)
        proj = Buffer(repeating: 0, count: n * 4 * width)
        coef = Buffer(repeating: 0, count: n * 2 * width)
        scratch = Buffer(repeating: 0, count: 3 * n * n + 16 * n)
        var next = scratch.pointer
        func take(_ count: Int) -> UnsafeMutablePointer<Double> { defer { next += count }; return next }
        gx = take(n * n); bart = take(n * n); rt = take(n * n)
        gw = take(n); gu = take(n); yw = take(n); yu = take(n); yf1 = take(n); yf2 = take(n); wz = take(n); uz = take(n)
        phi = take(n); gam = take(n); t1 = take(n); t2 = take(n); s1 = take(n); s2 = take(n); xx = take(n)
        for i in 0..<(n * n) { rt[i] = context.data.triangle[i] }
        for i in 0..<n { xx[i] = context.data.squaredNorms[i] }
    }

    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func evaluate(bank: Bank<T>, gradient: Bank<T>, loss: Buffer<Double>) {
        let d = ctx.d, n = ctx.n, B = width, j0 = times.lowerBound
        let dd = Double(d), sqrtD = dd.squareRoot()
        // Fresh Gaussian d-vectors for the orthogonal frame, drawn first from each time's stream.
        for (k, j) in times.enumerated() {
            var stream = ctx.streams[j]
            stream.fill(fresh + 2 * k * d, count: 2 * d)
            ctx.streams[j] = stream
        }
        // Qᵀ[U W F] for the whole block: three GEMMs batched over the block's times (SIM.12).
        let Q = UnsafePointer(ctx.q.pointer)
        // (One call with all 4B columns: OpenBLAS packs Q once per call.)
        stack.pointer.update(from: bank.u.pointer + j0 * d, count: d * B)
        (stack.pointer + d * B).update(from: bank.w.pointer + j0 * d, count: d * B)
        T.gemm(.transpose, .none, m: n, n: 4 * B, k: d, alpha: 1, a: Q, lda: d, b: stack.pointer, ldb: d,
               beta: 0, c: proj.pointer, ldc: n)
        var lambdas = [(u: [Double], w: [Double])]()
        lambdas.reserveCapacity(B)
        let tol = T.self == Float.self ? 1e-4 : 1e-10
        for (k, j) in times.enumerated() {
            var stream = ctx.streams[j]
            defer { ctx.streams[j] = stream }
            let up = bank.u.pointer + j * d, wp = bank.w.pointer + j * d
            let f1 = fresh + 2 * k * d, f2 = f1 + d
            for i in 0..<n {
                yu[i] = Double(proj[k * n + i]); yw[i] = Double(proj[(B + k) * n + i])
                yf1[i] = Double(proj[(2 * B + 2 * k) * n + i]); yf2[i] = Double(proj[(2 * B + 2 * k + 1) * n + i])
            }
            // Gram matrix of [w, u, f₁, f₂] minus its part in span(X₁); Cholesky = Gram–Schmidt (SIM.8).
            let vecs: [UnsafePointer<T>] = [UnsafePointer(wp), UnsafePointer(up), UnsafePointer(f1), UnsafePointer(f2)]
            let ys = [yw, yu, yf1, yf2]  // pointers
            var G = [[Double]](repeating: [0, 0, 0, 0], count: 4), full = [0.0, 0, 0, 0]
            for a in 0..<4 {
                for b2 in 0...a {
                    var s = T.dot(d, vecs[a], 1, vecs[b2], 1)
                    if a == b2 { full[a] = s }
                    for i in 0..<n { s -= ys[a][i] * ys[b2][i] }
                    G[a][b2] = s
                }
            }
            var L = [[Double]](repeating: [0, 0, 0, 0], count: 4), kept = [true, true, true, true]
            for a in 0..<4 {
                for b2 in 0..<a where kept[b2] {
                    var s = G[a][b2]
                    for e in 0..<b2 where kept[e] { s -= L[a][e] * L[b2][e] }
                    L[a][b2] = s / L[b2][b2]
                }
                var s = G[a][a]
                for e in 0..<a where kept[e] { s -= L[a][e] * L[a][e] }
                if s <= tol * full[a] || s <= 0 { kept[a] = false; L[a][a] = 0 } else { L[a][a] = s.squareRoot() }
            }
            let keptWU = (kept[0] ? 1 : 0) + (kept[1] ? 1 : 0)
            let dof = Double(d - n - keptWU)
            let lww = L[0][0], luw = L[1][0], luu = L[1][1]
            // Projections g_ν of z_ν on the basis [Q, e_w, e_u] (SIM.7), column ν of gx is g_ν's Q-part.
            stream.fill(gx, count: n * n)
            for i in 0..<n { gw[i] = stream.gaussian(); gu[i] = stream.gaussian() }
            if !kept[0] { for i in 0..<n { gw[i] = 0 } }
            if !kept[1] { for i in 0..<n { gu[i] = 0 } }
            // Bartlett factor of W = Z⊥ᵀZ⊥ ~ Wishart_n(d − n − |{w,u}|, I) (SIM.9): lower triangular,
            // stored column-major in `bart`.
            for i in 0..<n {
                bart[i * n + i] = stream.chiSquared(dof: dof - Double(i)).squareRoot()
                for e in 0..<i { bart[e * n + i] = stream.gaussian() }
            }
            let c = bank.c[j], bias = bank.b[j], alpha = ctx.grid.alpha[j], beta = ctx.grid.beta[j]
            let uu = full[1], R = rt
            // Per-point scalars (SIM.6).
            Double.gemv(.transpose, m: n, n: n, alpha: 1, a: gx, lda: n, x: yw, incx: 1, beta: 0, y: wz, incy: 1)
            Double.gemv(.transpose, m: n, n: n, alpha: 1, a: gx, lda: n, x: yu, incx: 1, beta: 0, y: uz, incy: 1)
            var S = 0.0, dc = 0.0, db = 0.0, sumPhi2 = 0.0
            for nu in 0..<n {
                var zxv = 0.0, wxv = 0.0, uxv = 0.0, gg = 0.0, wdiag = 0.0
                for i in 0...nu {
                    let rv = R[nu * n + i]
                    zxv += rv * gx[nu * n + i]; wxv += rv * yw[i]; uxv += rv * yu[i]
                }
                for i in 0..<n { gg += gx[nu * n + i] * gx[nu * n + i] }
                for e in 0...nu { wdiag += bart[e * n + nu] * bart[e * n + nu] }
                let zzv = gg + gw[nu] * gw[nu] + gu[nu] * gu[nu] + wdiag
                let wzv = wz[nu] + lww * gw[nu]
                let uzv = uz[nu] + luw * gw[nu] + luu * gu[nu]
                let a = bias + (alpha * wzv + beta * wxv) / sqrtD
                let ph = tanh(a), dph = 1 - ph * ph
                let cb1 = c * beta - 1
                S += c * c * alpha * alpha * zzv + cb1 * cb1 * xx[nu] + uu * ph * ph + 2 * c * alpha * cb1 * zxv
                    + 2 * c * alpha * ph * uzv + 2 * cb1 * ph * uxv
                dc += 2 * (c * alpha * alpha * zzv + (2 * c * alpha * beta - alpha) * zxv + cb1 * beta * xx[nu]
                           + ph * (alpha * uzv + beta * uxv))
                let rho = c * alpha * uzv + cb1 * uxv + uu * ph
                db += 2 * rho * dph
                phi[nu] = ph; gam[nu] = rho * dph; sumPhi2 += ph * ph
            }
            // Weighted sums Σ φ_ν g_ν, Σ γ_ν g_ν (Q-part), R φ, R γ, and the orthogonal pair (SIM.10).
            var gwPhi = 0.0, guPhi = 0.0, gwGam = 0.0, guGam = 0.0
            for nu in 0..<n { gwPhi += gw[nu] * phi[nu]; guPhi += gu[nu] * phi[nu]; gwGam += gw[nu] * gam[nu]; guGam += gu[nu] * gam[nu] }
            Double.gemv(.none, m: n, n: n, alpha: 1, a: gx, lda: n, x: phi, incx: 1, beta: 0, y: t1, incy: 1)
            Double.gemv(.none, m: n, n: n, alpha: 1, a: gx, lda: n, x: gam, incx: 1, beta: 0, y: t2, incy: 1)
            Double.gemv(.none, m: n, n: n, alpha: 1, a: R, lda: n, x: phi, incx: 1, beta: 0, y: s1, incy: 1)
            Double.gemv(.none, m: n, n: n, alpha: 1, a: R, lda: n, x: gam, incx: 1, beta: 0, y: s2, incy: 1)
            var a11 = 0.0, a12 = 0.0, a22 = 0.0
            for e in 0..<n {  // (Tᵀφ)_e, (Tᵀγ)_e with T lower triangular
                var tp = 0.0, tg = 0.0
                for i in e..<n { tp += bart[e * n + i] * phi[i]; tg += bart[e * n + i] * gam[i] }
                a11 += tp * tp; a12 += tp * tg; a22 += tg * tg
            }
            let l11 = a11.squareRoot(), l21 = l11 > 0 ? a12 / l11 : 0, l22 = max(a22 - l21 * l21, 0).squareRoot()
            // Gradient coordinates on [e_w, e_u, e₁, e₂] (SIM.11), then on [w, u, f₁, f₂] via Lᵀλ = κ.
            let ku = [2 * c * alpha * gwPhi, 2 * c * alpha * guPhi, 2 * c * alpha * l11, 0]
            let sw = 2 * alpha / sqrtD
            let kw = [sw * gwGam, sw * guGam, sw * l21, sw * l22]
            func solve(_ kappa: [Double]) -> [Double] {
                var lam = [0.0, 0, 0, 0]
                for a in stride(from: 3, through: 0, by: -1) where kept[a] {
                    var s = kappa[a]
                    for e in (a + 1)..<4 where kept[e] { s -= L[e][a] * lam[e] }
                    lam[a] = s / L[a][a]
                }
                return lam
            }
            var lu = solve(ku)
            let lw = solve(kw)
            let cu = coef.pointer + k * n, cw = coef.pointer + (B + k) * n
            for i in 0..<n {
                var vu = 2 * c * alpha * t1[i] + 2 * (c * beta - 1) * s1[i]
                var vw = sw * t2[i] + 2 * beta / sqrtD * s2[i]
                for a in 0..<4 { vu -= ys[a][i] * lu[a]; vw -= ys[a][i] * lw[a] }
                cu[i] = T(vu); cw[i] = T(vw)
            }
            lu[1] += 2 * sumPhi2
            lambdas.append((lu, lw))
            loss[j] = S
            gradient.c[j] = dc
            gradient.b[j] = db
        }
        // ∂S/∂u_j, ∂S/∂w_j = Q · coefficients (one GEMM each for the block) + the V-parts (SIM.12).
        T.gemm(.none, .none, m: d, n: 2 * B, k: n, alpha: 1, a: Q, lda: d, b: coef.pointer, ldb: n,
               beta: 0, c: out.pointer, ldc: d)
        (gradient.u.pointer + j0 * d).update(from: out.pointer, count: d * B)
        (gradient.w.pointer + j0 * d).update(from: out.pointer + d * B, count: d * B)
        for (k, j) in times.enumerated() {
            let vecs: [UnsafePointer<T>] = [UnsafePointer(bank.w.pointer + j * d), UnsafePointer(bank.u.pointer + j * d),
                                            UnsafePointer(fresh + 2 * k * d), UnsafePointer(fresh + (2 * k + 1) * d)]
            for a in 0..<4 {
                if lambdas[k].u[a] != 0 { T.axpy(d, lambdas[k].u[a], vecs[a], 1, gradient.u.pointer + j * d, 1) }
                if lambdas[k].w[a] != 0 { T.axpy(d, lambdas[k].w[a], vecs[a], 1, gradient.w.pointer + j * d, 1) }
            }
        }
    }
}
