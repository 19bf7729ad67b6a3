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

/// The gradient of u_j and w_j of one grid time as a block leaves it for the optimiser:
/// ∂S/∂u_j = base_u + Σ_a λ_u[a] v_a and ∂S/∂w_j = base_w + Σ_a λ_w[a] v_a, with v = [w_j, u_j, f₁, f₂]
/// as they were when the gradient was evaluated (SIM.8, SIM.11). `complete` adds the vector terms
/// in place (one pass per column, in the block's own workspace), so the optimiser updates the bank
/// straight from the base columns and no d×K gradient is copied.
public struct GradientParts<T: BLASScalar> {
    public let baseU: UnsafeMutablePointer<T>, baseW: UnsafeMutablePointer<T>
    public let v0: UnsafePointer<T>, v1: UnsafePointer<T>, v2: UnsafePointer<T>, v3: UnsafePointer<T>
    public let u: SIMD4<Double>, w: SIMD4<Double>

    /// base_u += Σ_a λ_u[a] v_a, base_w += Σ_a λ_w[a] v_a over d entries (nothing when all λ are 0).
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func complete(d: Int) {
        if u != .zero { combine(baseU, u, from: 0, count: d, into: baseU) }
        if w != .zero { combine(baseW, w, from: 0, count: d, into: baseW) }
    }

    /// Entries start..<start + count of ∂S/∂u_j (`ofU`) or ∂S/∂w_j, the values `complete` leaves in
    /// the base column (the same operations in T, in the same order), for an optimiser that reads the
    /// gradient a chunk at a time: written to `scratch` (≥ count entries), the base left as it is; with
    /// all λ of the column 0, the base's own entries (nothing written).
    @inline(__always)
    func gradient(ofU: Bool, from start: Int, count: Int, scratch: UnsafeMutablePointer<T>) -> UnsafePointer<T> {
        let base = ofU ? baseU : baseW, lambda = ofU ? u : w
        guard lambda != .zero else { return UnsafePointer(base + start) }
        combine(base, lambda, from: start, count: count, into: scratch)
        return UnsafePointer(scratch)
    }

    /// into[i − start] = base[i] + λ[0] v₀[i] + λ[1] v₁[i] + λ[2] v₂[i] + λ[3] v₃[i] for i in start..<start + count
    /// (λ rounded to T; `into` may be base + start).
    @inline(__always)
    func combine(_ base: UnsafeMutablePointer<T>, _ lambda: SIMD4<Double>, from start: Int, count: Int, into: UnsafeMutablePointer<T>) {
        let l0 = T(lambda[0]), l1 = T(lambda[1]), l2 = T(lambda[2]), l3 = T(lambda[3])
        let b = base + start, x0 = v0 + start, x1 = v1 + start, x2 = v2 + start, x3 = v3 + start
        for i in 0..<count { into[i] = b[i] + l0 * x0[i] + l1 * x1[i] + l2 * x2[i] + l3 * x3[i] }
    }
}

/// One block of consecutive grid times and its workspace. `evaluateParts` fills, for every time j
/// of the block, S_j = Σ_ν |f_j(α z_ν + β x₁^ν) − x₁^ν|² with fresh z (SIM.5), ∂S/∂c, ∂S/∂b, and
/// leaves ∂S/∂u, ∂S/∂w as `parts`; `evaluate` (an extension) writes the whole gradient.
public protocol GradientBlock<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    var times: Range<Int> { get }
    func evaluateParts(bank: Bank<Scalar>, gradient: Bank<Scalar>, loss: Buffer<Double>)
    /// The u, w gradient of the block's k-th time after `evaluateParts` (valid until the next call).
    func parts(_ k: Int, gradient: Bank<Scalar>) -> GradientParts<Scalar>
}

extension GradientBlock {
    /// S_j, ∂S/∂c, ∂S/∂b and the full ∂S/∂u, ∂S/∂w of every time of the block in `gradient`.
    public func evaluate(bank: Bank<Scalar>, gradient: Bank<Scalar>, loss: Buffer<Double>) {
        evaluateParts(bank: bank, gradient: gradient, loss: loss)
        let d = bank.d
        for (k, j) in times.enumerated() {
            let p = parts(k, gradient: gradient)
            p.complete(d: d)
            for (base, target) in [(p.baseU, gradient.u.pointer + j * d), (p.baseW, gradient.w.pointer + j * d)] where base != target {
                target.update(from: base, count: d)
            }
        }
    }
}

/// The fast path (derivations/simulation-fast-path.md §3): the noise is sampled only through its
/// projections on V_j = span(X₁, w_j, u_j) (SIM.7), a Bartlett-sampled Wishart Gram matrix of the
/// orthogonal part (SIM.9) and a uniformly random 2-frame of V_j⊥ (SIM.10). All d-dimensional
/// products are two GEMMs per block (SIM.12); the per-time algebra is O(n²) with its n×n
/// products in BLAS, and allocates nothing.
public final class FastBlock<T: BLASScalar>: GradientBlock {
    public typealias Scalar = T
    public let times: Range<Int>
    let ctx: GradientContext<T>
    let width: Int
    let stack: Buffer<T>        // d×4B: [U_B, W_B, F] with F = f₁, f₂ per time (copies of u, w: v of the parts)
    let fresh: UnsafeMutablePointer<T>
    let out: Buffer<T>          // d×2B: Q · coefficients (the bases of the parts)
    let proj: Buffer<T>         // n×4B: Qᵀ[U_B W_B F]
    let coef: Buffer<T>         // n×2B: Q-coefficients of ∂S/∂u, ∂S/∂w
    let lambdas: Buffer<Double> // 8 per time: λ_u[0..<4], λ_w[0..<4]
    // per-time scratch (Double), as raw pointers: no copy-on-write and no dynamic exclusivity checks.
    let scratch: Buffer<Double>
    let gx: UnsafeMutablePointer<Double>, bart: UnsafeMutablePointer<Double>, rt: UnsafeMutablePointer<Double>
    let gw: UnsafeMutablePointer<Double>, gu: UnsafeMutablePointer<Double>
    let yw: UnsafeMutablePointer<Double>, yu: UnsafeMutablePointer<Double>   // adjacent: [y_w y_u] is n×2
    let yf1: UnsafeMutablePointer<Double>, yf2: UnsafeMutablePointer<Double>
    let wz: UnsafeMutablePointer<Double>, uz: UnsafeMutablePointer<Double>   // adjacent: G_Xᵀ[y_w y_u]
    let wx: UnsafeMutablePointer<Double>, ux: UnsafeMutablePointer<Double>   // adjacent: Rᵀ[y_w y_u]
    let phi: UnsafeMutablePointer<Double>, gam: UnsafeMutablePointer<Double> // adjacent: [φ γ]
    let t1: UnsafeMutablePointer<Double>, t2: UnsafeMutablePointer<Double>   // adjacent: G_X[φ γ]
    let s1: UnsafeMutablePointer<Double>, s2: UnsafeMutablePointer<Double>   // adjacent: R[φ γ]
    let tp: UnsafeMutablePointer<Double>, tg: UnsafeMutablePointer<Double>   // adjacent: Tᵀ[φ γ]
    let xx: UnsafeMutablePointer<Double>, gg: UnsafeMutablePointer<Double>, wdiag: UnsafeMutablePointer<Double>
    let small: UnsafeMutablePointer<Double>  // G (16), L (16), full (4), kept (4), κ_u, κ_w (8)

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
        lambdas = Buffer(repeating: 0, count: 8 * width)
        scratch = Buffer(repeating: 0, count: 3 * n * n + 21 * n + 48)
        var next = scratch.pointer
        func take(_ count: Int) -> UnsafeMutablePointer<Double> { defer { next += count }; return next }
        gx = take(n * n); bart = take(n * n); rt = take(n * n)
        gw = take(n); gu = take(n); yw = take(n); yu = take(n); yf1 = take(n); yf2 = take(n); wz = take(n); uz = take(n)
        wx = take(n); ux = take(n); phi = take(n); gam = take(n); t1 = take(n); t2 = take(n); s1 = take(n); s2 = take(n)
        tp = take(n); tg = take(n); xx = take(n); gg = take(n); wdiag = take(n)
        small = take(48)
        for i in 0..<(n * n) { rt[i] = context.data.triangle[i] }  // upper triangular, zeros below
        for i in 0..<n { xx[i] = context.data.squaredNorms[i] }
    }

    public func parts(_ k: Int, gradient: Bank<T>) -> GradientParts<T> {
        let d = ctx.d, B = width, l = lambdas.pointer + 8 * k
        let f1 = UnsafePointer(fresh + 2 * k * d)
        return GradientParts(baseU: out.pointer + k * d, baseW: out.pointer + (B + k) * d,
                             v0: UnsafePointer(stack.pointer + (B + k) * d), v1: UnsafePointer(stack.pointer + k * d),
                             v2: f1, v3: f1 + d,
                             u: SIMD4(l[0], l[1], l[2], l[3]), w: SIMD4(l[4], l[5], l[6], l[7]))
    }

    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func evaluateParts(bank: Bank<T>, gradient: Bank<T>, loss: Buffer<Double>) {
        let d = ctx.d, n = ctx.n, B = width, j0 = times.lowerBound
        let dd = Double(d), sqrtD = dd.squareRoot()
        // Fresh Gaussian d-vectors for the orthogonal frame, drawn first from each time's stream,
        // and copies of u, w: the stack [U_B W_B F] (the copies stay valid while the optimiser
        // updates the bank in place).
        for (k, j) in times.enumerated() {
            ctx.streams.pointer[j].fill(fresh + 2 * k * d, count: 2 * d)
        }
        stack.pointer.update(from: bank.u.pointer + j0 * d, count: d * B)
        (stack.pointer + d * B).update(from: bank.w.pointer + j0 * d, count: d * B)
        // Qᵀ[U W F] for the whole block: one GEMM with all 4B columns (OpenBLAS packs Q once) (SIM.12).
        let Q = UnsafePointer(ctx.q.pointer)
        T.gemm(.transpose, .none, m: n, n: 4 * B, k: d, alpha: 1, a: Q, lda: d, b: stack.pointer, ldb: d,
               beta: 0, c: proj.pointer, ldc: n)
        let tol = T.self == Float.self ? 1e-4 : 1e-10
        let G = small, L = small + 16, full = small + 32, kept = small + 36, ku = small + 40, kw = small + 44
        for (k, j) in times.enumerated() {
            let up = UnsafePointer(stack.pointer + k * d), wp = UnsafePointer(stack.pointer + (B + k) * d)
            let f1 = UnsafePointer(fresh + 2 * k * d), f2 = f1 + d
            for i in 0..<n {
                yu[i] = Double(proj[k * n + i]); yw[i] = Double(proj[(B + k) * n + i])
                yf1[i] = Double(proj[(2 * B + 2 * k) * n + i]); yf2[i] = Double(proj[(2 * B + 2 * k + 1) * n + i])
            }
            // Gram matrix of v = [w, u, f₁, f₂] minus its part in span(X₁); Cholesky = Gram–Schmidt (SIM.8).
            let vecs = (wp, up, f1, f2), ys = (yw, yu, yf1, yf2)
            func vec(_ a: Int) -> UnsafePointer<T> { a == 0 ? vecs.0 : a == 1 ? vecs.1 : a == 2 ? vecs.2 : vecs.3 }
            func y(_ a: Int) -> UnsafeMutablePointer<Double> { a == 0 ? ys.0 : a == 1 ? ys.1 : a == 2 ? ys.2 : ys.3 }
            for a in 0..<4 {
                for b2 in 0...a {
                    var s = T.dot(d, vec(a), 1, vec(b2), 1)
                    if a == b2 { full[a] = s }
                    let ya = y(a), yb = y(b2)
                    for i in 0..<n { s -= ya[i] * yb[i] }
                    G[4 * a + b2] = s
                }
            }
            for a in 0..<4 {
                for b2 in 0..<a where kept[b2] != 0 {
                    var s = G[4 * a + b2]
                    for e in 0..<b2 where kept[e] != 0 { s -= L[4 * a + e] * L[4 * b2 + e] }
                    L[4 * a + b2] = s / L[4 * b2 + b2]
                }
                for b2 in 0..<a where kept[b2] == 0 { L[4 * a + b2] = 0 }
                var s = G[4 * a + a]
                for e in 0..<a where kept[e] != 0 { s -= L[4 * a + e] * L[4 * a + e] }
                if s <= tol * full[a] || s <= 0 { kept[a] = 0; L[4 * a + a] = 0 } else { kept[a] = 1; L[4 * a + a] = s.squareRoot() }
            }
            let keptWU = Int(kept[0] + kept[1])
            let dof = Double(d - n - keptWU)
            let lww = L[0], luw = L[4], luu = L[5]
            // Projections g_ν of z_ν on the basis [Q, e_w, e_u] (SIM.7), column ν of gx is g_ν's Q-part;
            // |g_{X,ν}|² accumulated as drawn.
            let stream = ctx.streams.pointer + j
            for nu in 0..<n { gg[nu] = stream.pointee.fillSummingSquares(gx + nu * n, count: n) }
            for i in 0..<n { gw[i] = stream.pointee.gaussian(); gu[i] = stream.pointee.gaussian() }
            if kept[0] == 0 { for i in 0..<n { gw[i] = 0 } }
            if kept[1] == 0 { for i in 0..<n { gu[i] = 0 } }
            // Bartlett factor of W = Z⊥ᵀZ⊥ ~ Wishart_n(d − n − |{w,u}|, I) (SIM.9): lower triangular,
            // stored column-major in `bart` (zeros above the diagonal); W_νν = Σ_e T_νe² as drawn.
            for i in 0..<n {
                let diagonal = stream.pointee.chiSquared(dof: dof - Double(i)).squareRoot()
                let w2 = stream.pointee.fillSummingSquares(bart + i, count: i, stride: n)
                bart[i * n + i] = diagonal
                wdiag[i] = w2 + diagonal * diagonal
            }
            let c = bank.c[j], bias = bank.b[j], alpha = ctx.grid.alpha[j], beta = ctx.grid.beta[j]
            let uu = full[1], R = UnsafePointer(rt)
            // Per-point scalars (SIM.6): G_Xᵀy_w, G_Xᵀy_u, Rᵀy_w, Rᵀy_u, and diag(RᵀG_X).
            func product(_ t: Transpose, _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
                Double.gemv(t, m: n, n: n, alpha: 1, a: a, lda: n, x: x, incx: 1, beta: 0, y: y, incy: 1)
            }
            product(.transpose, gx, yw, wz); product(.transpose, gx, yu, uz)
            product(.transpose, R, yw, wx); product(.transpose, R, yu, ux)
            var S = 0.0, dc = 0.0, db = 0.0, sumPhi2 = 0.0
            let cb1 = c * beta - 1
            for nu in 0..<n {
                var zxv = 0.0
                let rc = R + nu * n, gc = gx + nu * n
                for i in 0...nu { zxv += rc[i] * gc[i] }
                let zzv = gg[nu] + gw[nu] * gw[nu] + gu[nu] * gu[nu] + wdiag[nu]
                let wzv = wz[nu] + lww * gw[nu]
                let uzv = uz[nu] + luw * gw[nu] + luu * gu[nu]
                let wxv = wx[nu], uxv = ux[nu]
                let a = bias + (alpha * wzv + beta * wxv) / sqrtD
                let ph = tanh(a), dph = 1 - ph * ph
                S += c * c * alpha * alpha * zzv + cb1 * cb1 * xx[nu] + uu * ph * ph + 2 * c * alpha * cb1 * zxv
                    + 2 * c * alpha * ph * uzv + 2 * cb1 * ph * uxv
                dc += 2 * (c * alpha * alpha * zzv + (2 * c * alpha * beta - alpha) * zxv + cb1 * beta * xx[nu]
                           + ph * (alpha * uzv + beta * uxv))
                let rho = c * alpha * uzv + cb1 * uxv + uu * ph
                db += 2 * rho * dph
                phi[nu] = ph; gam[nu] = rho * dph; sumPhi2 += ph * ph
            }
            // Weighted sums Σ φ_ν g_ν, Σ γ_ν g_ν (Q-part), R[φ γ], G_X[φ γ], Tᵀ[φ γ] (SIM.10).
            var gwPhi = 0.0, guPhi = 0.0, gwGam = 0.0, guGam = 0.0
            for nu in 0..<n { gwPhi += gw[nu] * phi[nu]; guPhi += gu[nu] * phi[nu]; gwGam += gw[nu] * gam[nu]; guGam += gu[nu] * gam[nu] }
            product(.none, gx, phi, t1); product(.none, gx, gam, t2)
            product(.none, R, phi, s1); product(.none, R, gam, s2)
            product(.transpose, bart, phi, tp); product(.transpose, bart, gam, tg)
            var a11 = 0.0, a12 = 0.0, a22 = 0.0
            for e in 0..<n { a11 += tp[e] * tp[e]; a12 += tp[e] * tg[e]; a22 += tg[e] * tg[e] }
            let l11 = a11.squareRoot(), l21 = l11 > 0 ? a12 / l11 : 0, l22 = max(a22 - l21 * l21, 0).squareRoot()
            // Gradient coordinates on [e_w, e_u, e₁, e₂] (SIM.11), then on [w, u, f₁, f₂] via Lᵀλ = κ.
            let sw = 2 * alpha / sqrtD
            ku[0] = 2 * c * alpha * gwPhi; ku[1] = 2 * c * alpha * guPhi; ku[2] = 2 * c * alpha * l11; ku[3] = 0
            kw[0] = sw * gwGam; kw[1] = sw * guGam; kw[2] = sw * l21; kw[3] = sw * l22
            let lu = lambdas.pointer + 8 * k, lw = lu + 4
            func solve(_ kappa: UnsafeMutablePointer<Double>, _ lam: UnsafeMutablePointer<Double>) {
                for a in stride(from: 3, through: 0, by: -1) {
                    guard kept[a] != 0 else { lam[a] = 0; continue }
                    var s = kappa[a]
                    for e in (a + 1)..<4 where kept[e] != 0 { s -= L[4 * e + a] * lam[e] }
                    lam[a] = s / L[4 * a + a]
                }
            }
            solve(ku, lu); solve(kw, lw)
            let cu = coef.pointer + k * n, cw = coef.pointer + (B + k) * n
            for i in 0..<n {
                let vu = 2 * c * alpha * t1[i] + 2 * cb1 * s1[i] - yw[i] * lu[0] - yu[i] * lu[1] - yf1[i] * lu[2] - yf2[i] * lu[3]
                let vw = sw * t2[i] + 2 * beta / sqrtD * s2[i] - yw[i] * lw[0] - yu[i] * lw[1] - yf1[i] * lw[2] - yf2[i] * lw[3]
                cu[i] = T(vu); cw[i] = T(vw)
            }
            lu[1] += 2 * sumPhi2
            loss[j] = S
            gradient.c[j] = dc
            gradient.b[j] = db
        }
        // The Q-parts of ∂S/∂u_j, ∂S/∂w_j of the whole block: Q · coefficients, one GEMM (SIM.12).
        T.gemm(.none, .none, m: d, n: 2 * B, k: n, alpha: 1, a: Q, lda: d, b: coef.pointer, ldb: n,
               beta: 0, c: out.pointer, ldc: d)
    }
}
