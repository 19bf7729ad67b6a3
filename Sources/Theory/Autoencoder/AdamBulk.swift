import GSLKit
import Foundation

/// The stationary fluctuations that the authors' Adam protocol (one noise draw per point and step)
/// leaves in the coordinates of u and w along which J is flat but for its noise (derivations/adam-offset.md):
/// per coordinate Adam divides by the gradient noise s, so it is SGD at rate lr/s, and a coordinate of
/// curvature h fluctuates with variance lr s/(2h) (AD.3). δr = |δw|²/d and δq = |δu|²/d are those
/// variances; at a fixed point of Adam they feed back into the learned part (AD.4).
///
///     let bulk = AdamBulk.stationary(learned, objective: objective, learningRate: 0.01, dimension: 1000)
///     bulk.r   // ≈ 0.026 at τ = ½, n = 128, L = 0.4 (measured 0.023–0.026)
public struct AdamBulk: Sendable, Equatable {
    /// δr: what w's fluctuations add to r = |w|²/d (all d directions); δq: u's, to q.
    public var r: Double, q: Double
    /// The variance per direction of w outside span(μ, X₁) (AD.9; AD.3's δr in its isotropic form).
    public var bulkDirection: Double
    /// The variance per direction of w along span(X₁) ⊥ μ (AD.10; AD.3's δr in its isotropic form).
    public var dataDirection: Double
    public init(r: Double, q: Double, bulkDirection: Double? = nil, dataDirection: Double? = nil) {
        self.r = r; self.q = q
        self.bulkDirection = bulkDirection ?? r; self.dataDirection = dataDirection ?? r
    }
    public static let zero = AdamBulk(r: 0, q: 0)
    /// The fresh pre-activation noise the fluctuations add, in units of α²: all of δr, span(X₁)'s share included
    /// (its α z·δw/√d is redrawn every step like the bulk's: AD.19), and in AD.15 also the offsets β x₁^ν·δw/√d
    /// of span(μ, X₁).
    public var noiseShare: Double { r + offsetShare }
    /// n σ_X²/d, the share of span(X₁) ⊥ μ in r (0 unless AD.10 set it); reported, it does not act on the state (AD.19).
    public var dataShare: Double = 0
    /// AD.15: β²(1 + σ²)σ_X²/α², the per-point offsets of w's span(μ, X₁) fluctuations as fresh noise (0 unless `.offsets` or `.preconditioned`).
    public var offsetShare: Double = 0

    /// How w's fluctuations are split over its directions.
    public enum Model: Sendable, Equatable {
        /// AD.3: every direction at the bulk curvature, driven by the whole noise (the trace), the class
        /// pre-activation's whole spread counted as redrawn every step.
        case isotropic
        /// AD.9: as AD.3, but the β x₁ part of the noise is the draw-to-draw variance only: per point over
        /// the fresh part of its pre-activation (α²r), its quenched offsets (FD.7b) held fixed.
        case fresh
        /// AD.9–AD.10: AD.9's draw-to-draw noise; the d − n − 1 bulk directions driven by its α z part
        /// alone; the n directions of span(X₁) ⊥ μ each by its own point's β x₁ part too, held by that
        /// point's curvature. Both count in r and in the fresh pre-activation noise α²δr (AD.19); the offsets
        /// β x₁^ν·δw/√d of span(X₁) do not (§9 measures that they do act: `.offsets`).
        case split
        /// AD.14–AD.15: as `.split`, with u·e/d's draw-to-draw part cα u·z/d in w's noise (variance c²α²q φ'²/d,
        /// which dominates the β x₁ part in phase 2, where the fresh pre-activation noise α²r is tiny), and w's
        /// fluctuations along span(μ, X₁) entering each point's pre-activation as β x₁^ν·δw/√d, variance
        /// β²(1 + σ²)σ_X², counted as fresh noise (measured, derivations/adam-offset.md §9).
        case offsets
        /// AD.14–AD.18: as `.offsets`, with Adam's v on w the noise plus the mean gradient along μ (AD.16), which
        /// at the end of phase 2 is ≈ 3–4 times the noise and divides all of w's variances by ρ = √v/√V_w ≈ 2; each
        /// direction's variance times the momentum's 1/(1 − κηh), w's variance along μ in the offsets in its own right
        /// (AD.17); and v_u with u's own mean gradient, δq divided by ρ_u ≈ 1.05–1.08 (AD.18).
        case preconditioned
        /// AD.14–AD.15's pieces (`.offsets` and `.preconditioned`).
        var hasOffsets: Bool { self == .offsets || self == .preconditioned }
    }

    /// AD.3 (or AD.9–AD.10, `model`) at the state `x` (the learned network with its own bulk) of the reduced
    /// objective at that time: per class s, φ = tanh of the class pre-activation with its fresh noise,
    /// ε = qφ − (1 − cβ)P_s, P_s = s m + σρ_s,
    ///
    ///   δr = lr √(nd) √V_w / (2(α² n E[qφ'² + εφ''] + L_w)),  V_w = α² E[ε²φ'²] + β²(1 + σ²) Var(εφ'),
    ///   δq = lr √n √V_u / (2(n R2 + L_u)),  V_u = E[c²α²φ² + (1 − cβ)²(1 + σ²)Var φ − 2(1 − cβ)P_s Cov(φ, φ²) + q Var φ²],
    /// V a coordinate's gradient noise, so that d V is the trace of the noise covariance. `.split`:
    ///
    ///   δr_b = δr α²E[ε²φ'²]/V_w,   σ_X² = lr √(nd) (α²E[ε²φ'²] + (d/n)β²σ² Var(εφ')) / (2√V_w (α²nE_h + L_w + dβ²σ²E_h)),
    ///   r share ((d − n − 1)δr_b + nσ_X²)/d, all of it fresh pre-activation noise (AD.19)   (E_h = E[qφ'² + εφ'']).
    public static func stationary(_ x: LearnedParameters, objective: PhaseOneObjective, learningRate lr: Double,
                                  dimension d: Double, model: Model = .isotropic) -> AdamBulk {
        let a = Parts(x, objective: objective, learningRate: lr, dimension: d, model: model)
        let pr = objective.problem, n = pr.n, s2 = pr.sigma * pr.sigma
        let alpha = objective.alpha, beta = objective.beta
        let dr = a.hw > 0 ? lr * (n * d).squareRoot() * max(a.varW, 0).squareRoot() / (2 * a.hw * a.rho) : 0
        // AD.18: u's rate is lr/(ρ_u √V_u), its variance the momentum's factor above η s²/(2h).
        let dq = lr * n.squareRoot() * max(a.varU, 0).squareRoot() * a.uFactor / (2 * (n * a.r2 + pr.penaltyU) * a.rhoU)
        guard model == .split || model.hasOffsets, a.varW > 0, a.hw > 0 else { return AdamBulk(r: dr, q: dq) }
        // AD.9: the bulk directions see only the α z part of the noise, at the common rate lr/√V_w.
        // AD.17 (`.preconditioned`): each direction's variance with the momentum's factor at its own η h.
        let rate = model == .preconditioned ? lr / (a.rho * (n * d * a.varW).squareRoot()) : 0
        let bulk = dr * max(a.fresh, 0) / a.varW * momentumFactor(rate * a.hw)
        // AD.10: a direction of span(X₁) ⊥ μ along point ν's own noise η^ν carries that point's β x₁ part
        // of the noise and its curvature, d β²σ² times the per-point E[(εφ')²]-type moments.
        let own = d * beta * beta * s2
        let hx = a.hw + own * a.curvature
        let data = hx > 0 ? lr * (n * d).squareRoot() * max(a.fresh + own / n * max(a.drawn, 0), 0) * momentumFactor(rate * hx)
            / (2 * a.varW.squareRoot() * hx * a.rho) : 0
        let share = (max(d - n - 1, 0) * bulk + n * data) / d
        var out = AdamBulk(r: share, q: dq, bulkDirection: bulk, dataDirection: data)
        out.dataShare = n * data / d
        // AD.15: along μ and each η^ν the same σ_X² (the point's own term dominates both), so a point's offset
        // β x₁^ν·δw/√d has variance β²(1 + σ²)σ_X².
        // AD.17 (`.preconditioned`): along μ its own variance σ_μ² (s^ν√d δω: weight 1), along η^ν σ_X² (weight σ²).
        let muPart = model == .preconditioned ? a.muDirection : data
        if model.hasOffsets, alpha > 0 { out.offsetShare = beta * beta * (muPart + s2 * data) / (alpha * alpha) }
        return out
    }

    /// AD.3's ingredients at one state, summed over the classes (weights n_s/n): the noise of a coordinate of w
    /// (V_w) and u (V_u) in units of (2/(K√d))²n and (2/(dK))²n of the authors' loss, the bulk's curvature h_w =
    /// α²nE_h + L_w (units 2/(dK)), and Adam's preconditioner ratio ρ = √v/√V_w on w (AD.16; 1 unless `.preconditioned`).
    struct Parts {
        /// E_h = E[qφ'² + εφ''].
        var curvature = 0.0
        /// V_w, and its parts: the α z part α²E[ε²φ'²] (with AD.14's redrawn part) and the β x₁ part's variance of εφ'.
        var varW = 0.0, fresh = 0.0, drawn = 0.0
        /// R2 = E φ² and V_u.
        var r2 = 0.0, varU = 0.0
        var hw = 0.0, rho = 1.0
        /// AD.17: η h along μ (Adam's rate lr/√v times the curvature h_μ), and the heavy-ball factor of its variance.
        var stiffnessMu = 0.0, muFactor = 1.0
        /// AD.18: Adam's ratio √v_u/√V_u on u (u's own mean gradient, in every direction), η_u h_u, and its factor.
        var rhoU = 1.0, stiffnessU = 0.0, uFactor = 1.0
        /// σ_μ²: the variance of w along μ̂ in its own right (AD.16's s_μ², h_μ; AD.17's factor), per direction as σ_X².
        var muDirection = 0.0

        init(_ x: LearnedParameters, objective: PhaseOneObjective, learningRate lr: Double, dimension d: Double, model: Model) {
            let pr = objective.problem, f = pr.plusFraction, s2 = pr.sigma * pr.sigma
            let alpha = objective.alpha, beta = objective.beta, shrink = 1 - x.c * beta
            let scale = objective.preActivationSpread(halfGap: x.halfGap, slope: x.pointSlope, response: x.noiseResponse)
            // On the trivial branch φ ≡ sign b, so E φ^k = (sign b)^k.
            let trivialPowers: [Double]? = x.solution == .trivial ? (0...6).map { pow(x.b < 0 ? -1 : 1, Double($0)) } : nil
            let spread = AdamBulk.freshAndQuenched(x, objective: objective)
            for (sign, weight, rho) in [(1.0, f, x.rhoPlus), (-1.0, 1 - f, x.rhoMinus)] where weight > 0 {
                let t = trivialPowers
                    ?? objective.moments.powers(center: x.bEff + sign * objective.signal * x.halfGap, scale: scale, upTo: 6)
                let pTilde = sign * x.m + pr.sigma * rho, p = shrink * pTilde, q = x.q
                curvature += weight * (q * (1 - 4 * t[2] + 3 * t[4]) + 2 * p * (t[1] - t[3]))
                varW += weight * AdamBulk.wNoise(t, q: q, bias: p, alpha: alpha, beta: beta, squaredNorm: 1 + s2)
                let slope = AdamBulk.slopeMoments(t, q: q, bias: p)
                // AD.14: u·e/d = ε + cα u·z/d; the second part, O(d^{-1/2}), is redrawn every step.
                let redrawn = model.hasOffsets ? x.c * x.c * alpha * alpha * q * (1 - 2 * t[2] + t[4]) / d : 0
                fresh += weight * alpha * alpha * (slope.square + redrawn)
                if model == .isotropic || trivialPowers != nil {
                    drawn += weight * (slope.square - slope.mean * slope.mean)
                } else {
                    // AD.9: E_g Var_ξ(εφ') = E(εφ')² − E_g (E_ξ εφ')², ξ the fresh part, g the quenched offset.
                    let center = x.bEff + sign * objective.signal * x.halfGap
                    let meanSquare = PhaseOneObjective.hermite.expectation { g in
                        let tf = objective.moments.powers(center: center + spread.quenched * g, scale: spread.fresh, upTo: 3)
                        let m = q * (tf[1] - tf[3]) - p * (1 - tf[2])
                        return m * m
                    }
                    drawn += weight * (max(slope.square - meanSquare, 0) + redrawn)
                }
                r2 += weight * t[2]
                varU += weight * AdamBulk.uNoise(t, c: x.c, alpha: alpha, shrink: shrink, squaredNorm: 1 + s2, overlap: pTilde, q: q)
            }
            // The variances summed over all d directions: the trace of the noise covariance, d V (AD.3).
            let n = pr.n
            if model != .isotropic { varW = fresh + beta * beta * (1 + s2) * drawn }
            hw = alpha * alpha * n * curvature + pr.penaltyW
            // AD.16 (`.preconditioned`): Adam's v on w is the noise plus the mean gradient along μ, where the n points'
            // own terms add coherently (noise and curvature n/σ² times a point direction's); ρ = √v/√V_w.
            if model == .preconditioned, varW > 0, hw > 0 {
                let hMu = hw + n * d * beta * beta * curvature, noiseMu = fresh + d * beta * beta * max(drawn, 0)
                // AD.17: with β₁'s momentum, ḡ_μ² = h_μ²σ_μ² = (η h_μ/2) s_μ²/(1 − κ η h_μ); B = η h_μ at ρ = 1.
                let stiffness = lr * hMu / (n * d * varW).squareRoot()
                rho = AdamBulk.preconditionerRatio(meanGradientShare: lr * hMu * noiseMu / (2 * d * (n * d).squareRoot() * pow(varW, 1.5)),
                                                   stiffness: stiffness)
                stiffnessMu = stiffness / rho
                muFactor = AdamBulk.momentumFactor(stiffnessMu)
                muDirection = lr * (n * d).squareRoot() * noiseMu * muFactor / (2 * varW.squareRoot() * hMu * rho)
            }
            // AD.18 (`.preconditioned`): u's own mean gradient in v_u, ḡ_u² = (η_u h_u/2) s_u²/(1 − κ η_u h_u) per coordinate
            // (J is quadratic in u: h_u = 2(n R2 + L_u)/(dK) in every direction); B_u = η_u h_u at ρ_u = 1.
            if model == .preconditioned, varU > 0 {
                let b = lr * (n * r2 + pr.penaltyU) / (n * varU).squareRoot()
                rhoU = AdamBulk.preconditionerRatio(meanGradientShare: b / 2, stiffness: b)
                stiffnessU = b / rhoU
                uFactor = AdamBulk.momentumFactor(stiffnessU)
            }
        }
    }

    /// AD.16: ρ = √v/√V_w solving ρ² = 1 + A/ρ (the mean gradient's share of v falls as 1/ρ with the
    /// fluctuations it comes from), A the share at ρ = 1: the largest root of ρ³ − ρ − A, in closed form
    /// (x = (3√3/2)A: (2/√3) cos(arccos(x)/3) for x ≤ 1, where the cubic has three real roots, else
    /// (2/√3) cosh(arccosh(x)/3)).
    static func preconditionerRatio(meanGradientShare a: Double) -> Double {
        guard a > 0, a.isFinite else { return 1 }
        let x = 1.5 * 3.0.squareRoot() * a
        return 2 / 3.0.squareRoot() * (x <= 1 ? cos(acos(x) / 3) : cosh(acosh(x) / 3))
    }

    /// AD.17: as `preconditionerRatio(meanGradientShare:)` with the momentum's factor on the mean gradient's share,
    /// ρ² = 1 + (A/ρ)/(1 − κB/ρ), B = η h at ρ = 1 (`stiffness`): the root of (ρ² − 1)(ρ − κB) = A above max(1, κB),
    /// bracketed by the root ρ₀ without momentum and ρ₀ + κB.
    static func preconditionerRatio(meanGradientShare a: Double, stiffness b: Double) -> Double {
        let rho0 = preconditionerRatio(meanGradientShare: a), shift = momentumWeight * b
        guard shift > 0, shift.isFinite, a > 0 else { return rho0 }
        var lower = max(rho0, shift), upper = rho0 + shift
        // (ρ² − 1)(ρ − κB) increases above max(1, κB): bisection to the last bit.
        while upper - lower > 1e-15 * upper {
            let mid = (lower + upper) / 2
            if (mid * mid - 1) * (mid - shift) < a { lower = mid } else { upper = mid }
            if mid == lower && mid == upper { break }
        }
        return (lower + upper) / 2
    }

    /// Adam's β₁ in the authors' protocol.
    static let momentum = 0.9
    /// κ = (1 − β₁)/(2(1 + β₁)), AD.17's weight of η h.
    static let momentumWeight = (1 - momentum) / (2 * (1 + momentum))
    /// AD.17: the stationary variance of a direction of curvature h under Adam's momentum (heavy ball at rate η(1 − β₁),
    /// momentum β₁) against plain SGD's η s²/(2h): 1/(1 − κ η h), for η h below the stability limit 1/κ.
    static func momentumFactor(_ etaH: Double) -> Double {
        let x = momentumWeight * etaH
        return x < 1 ? 1 / (1 - x) : .infinity
    }

    /// The standard deviations of the fresh (redrawn every step: α²(r + δr)) and quenched (fixed
    /// per point: FD.7b's β²σ²(r − ω²) + λ², or AT.31's β²σ²ρ_wW²) parts of a class pre-activation.
    static func freshAndQuenched(_ x: LearnedParameters, objective: PhaseOneObjective) -> (fresh: Double, quenched: Double) {
        if objective.isPerPoint {
            let parts = objective.split(halfGap: x.halfGap, slope: x.pointSlope)
            return (parts.fresh, parts.quenched)
        }
        let pr = objective.problem, a2 = objective.alpha * objective.alpha, width = pr.widthFactor * x.halfGap * x.halfGap
        let fresh2 = a2 * width + a2 * objective.bulk.noiseShare
        let quenched2 = objective.beta * objective.beta * pr.sigma * pr.sigma * width
        return (max(fresh2, 0).squareRoot(), max(quenched2, 0).squareRoot())
    }

    /// E[εφ'] and E[(εφ')²] for ε = qφ − P (P = `bias`), φ' = 1 − φ², from T_k = E tanh^k, k ≤ 6 (AD.2):
    /// (εφ')² = (qφ − P)²(1 − 2φ² + φ⁴).
    public static func slopeMoments(_ t: [Double], q: Double, bias p: Double) -> (mean: Double, square: Double) {
        (q * (t[1] - t[3]) - p * (1 - t[2]),
         q * q * (t[2] - 2 * t[4] + t[6]) - 2 * q * p * (t[1] - 2 * t[3] + t[5]) + p * p * (1 - 2 * t[2] + t[4]))
    }

    /// A coordinate of w's one-draw gradient noise from one point or class (AD.2): α² E(εφ')² + β² X Var(εφ'),
    /// X = |x₁|²/d.
    public static func wNoise(_ t: [Double], q: Double, bias: Double, alpha: Double, beta: Double, squaredNorm x: Double) -> Double {
        let slope = slopeMoments(t, q: q, bias: bias)
        return alpha * alpha * slope.square + beta * beta * x * (slope.square - slope.mean * slope.mean)
    }

    /// A coordinate of u's one-draw gradient noise from one point or class (AD.2):
    /// c²α² Eφ² + (1 − cβ)² X Var φ − 2(1 − cβ) U Cov(φ, φ²) + q Var φ², U = u·x₁/d (`overlap`).
    public static func uNoise(_ t: [Double], c: Double, alpha: Double, shrink: Double, squaredNorm x: Double,
                              overlap: Double, q: Double) -> Double {
        c * c * alpha * alpha * t[2] + shrink * shrink * x * (t[2] - t[1] * t[1])
            - 2 * shrink * overlap * (t[3] - t[1] * t[2]) + q * (t[4] - t[2] * t[2])
    }
}
