import GSLKit
import Foundation

/// The reduced phase-1 objective (AT.31) at one time, per training sample, as a function of the
/// half-gap W and the effective bias b_eff of the class pre-activations a_± = b_eff ± S W, after
/// u has been profiled out (AT.28–AT.30) and the memorisation in w solved (AT.32):
///
///   F/n = −(1 − cβ)² G(W, b_eff) + L_w ρ_w W²/n,   G = [n P1² + σ² Q1]/(L_u + n R2),
///   Φk_± = E_g tanh^k(b_eff ± S W + √v √ρ_w |W| g),
///
/// with G → P1²/R2 at n = ∞. S = β√d is the signal (kτ on the dilated clock at d = ∞). The factor
/// (1 − cβ)² and √v = √(α² + β²σ²) in the noise carry the finite-d corrections (AT.34): with them
/// the n = ∞ minimiser is the exact denoiser (AT.8) at every d; at d = ∞ they are 1. With
/// `perPointDimension` it is the per-point problem FD.7 (derivations/finite-d-corrections.md §3b'), a
/// function of (W, b_eff, κ).
///
///     let objective = PhaseOneObjective(problem: problem, signal: 1, moments: try TanhMoments())
///     let best = try PhaseOneSolver.solve(objective, start: (w: 1, bias: 0.7))
public struct PhaseOneObjective: Sendable {
    public let problem: AutoencoderProblem
    public let signal: Double
    /// √v, the scale of the fresh-noise part of the pre-activation per unit √r.
    public let noiseScale: Double
    /// 1 − cβ with c from the closed form (AT.20); 1 at d = ∞.
    public let shrink: Double
    /// c = βD/(α² + β²D) (AT.20 form; O(d^{-1/2}) in phase 1, exact AT.8 at n = ∞).
    public let c: Double
    public let moments: TanhMoments
    public let alpha: Double, beta: Double
    /// √d when each training point's own coordinate along μ is kept (FD.7: its quenched offset in the
    /// pre-activation, its coupling to the reconstruction, and w's per-point slope κ along it); nil for
    /// the exchangeable-points problem AT.31.
    public let perPointRootD: Double?
    /// The stationary fluctuations of Adam's bulk coordinates (derivations/adam-offset.md AD.4): w's
    /// add fresh pre-activation noise α²δr, u's add δq R2 to F/n; zero for a minimiser of J.
    public var bulk = AdamBulk.zero
    /// The data set's class means along μ beyond ±1 (FD.10); zero for the data-set average.
    public var classMeanOffsets = ClassMeanOffsets.zero

    /// r/W² at fixed half-gap W: ρ_w = 1/(1 + σ²γ_n) (AT.32), 1/((1 + e)² + σ²γ_n) with the class-mean
    /// offsets (FD.10b). Also λ/W, the Lagrange multiplier per unit W: π_s = sσλ/(2n_s), ω = (1 + e)λ.
    var widthFactor: Double {
        guard classMeanOffsets != .zero, !problem.isInfinite else { return problem.widthFactor }
        let e = 1 + classMeanOffsets.halfGap
        return 1 / (e * e + problem.sigma * problem.sigma * problem.gamma)
    }

    /// FD.10a: the class-mean offsets' share of u's overlap with μ, E_s Φ1_s ε_s, added to P1.
    func offsetSignal(phi1Plus: Double, phi1Minus: Double) -> Double {
        let f = problem.plusFraction
        return f * phi1Plus * classMeanOffsets.plus + (1 - f) * phi1Minus * classMeanOffsets.minus
    }

    /// FD.8 (finite-d-corrections.md §3d): w's per-point coefficients also respond to the quenched
    /// cross-overlap noise ε_ν of FD.7b, cancelling a fraction χ of it (held in `response`, FD.8d), with the
    /// Onsager terms of the random Gram matrix of the points' noise. Only with the per-point coordinates.
    public var crossResponse = false
    /// χ of FD.8, held fixed in F (with `crossResponse`): the solver's outer iteration sets it to the
    /// profiled χ of the previous minimiser until it stops moving (FD.8d, `profiledResponse`).
    public var response = 0.0
    /// FD.12 (`SteinCoupling.swift`): u's profile includes the Stein term's pull along w. Only with the per-point coordinates.
    public var steinCoupled = false

    /// `skipWeight`: c to use (e.g. the stationary c of CV.7 in a self-consistent solve); nil = the
    /// AT.20 form. `perPointDimension`: d for FD.7 (finite n and d, β > 0), nil for AT.31.
    public init(problem: AutoencoderProblem, signal: Double, alpha: Double = 1, beta: Double = 0, moments: TanhMoments,
                skipWeight: Double? = nil, perPointDimension: Double? = nil) {
        self.problem = problem
        self.signal = signal
        self.alpha = alpha
        self.beta = beta
        perPointRootD = perPointDimension.flatMap { $0.isFinite && beta > 0 && !problem.isInfinite ? $0.squareRoot() : nil }
        let sigma2 = problem.sigma * problem.sigma
        noiseScale = (alpha * alpha + beta * beta * sigma2).squareRoot()
        let d = problem.believedVariance
        let c = skipWeight ?? (beta > 0 ? beta * d / (alpha * alpha + beta * beta * d) : 0)
        self.c = c
        shrink = 1 - c * beta
        self.moments = moments
    }

    /// Whether the per-point coordinates along μ are kept (FD.7): only then does the slope κ enter.
    public var isPerPoint: Bool { perPointRootD != nil }

    /// The class moments (Φ1_+, Φ2_+, Φ1_−, Φ2_−), averaged over the fresh noise and (FD.7) the
    /// quenched per-point offsets.
    public func classMoments(halfGap w: Double, bias: Double, slope kappa: Double = 0, response chi: Double = 0) -> (p1: Double, p2: Double, m1: Double, m2: Double) {
        let scale = preActivationSpread(halfGap: w, slope: kappa, response: chi)
        let plus = moments.moments(mean: bias + signal * w, scale: scale)
        let minus = moments.moments(mean: bias - signal * w, scale: scale)
        return (plus.first, plus.second, minus.first, minus.second)
    }

    /// The standard deviation of a class's pre-activation about b_eff ± SW: √v √(ρ_w) |W| (AT.31), with
    /// the quenched per-point offsets (FD.7) and Adam's bulk noise α²δr (AD.4).
    func preActivationSpread(halfGap w: Double, slope kappa: Double, response chi: Double = 0) -> Double {
        isPerPoint ? split(halfGap: w, slope: kappa, response: chi).total
            : (noiseScale * noiseScale * widthFactor * w * w + alpha * alpha * bulk.noiseShare).squareRoot()
    }

    /// FD.7: r = ρ_w W² + nκ², ω = ρ_w W; the pre-activation of a point with μ-noise g is
    /// b_eff ± SW + λg + (quenched cross terms, variance β²σ²(r − ω²)) + (fresh, variance α²r), λ = βσω + Sσκ.
    /// FD.8 (crossResponse): κ is the effective slope of the pre-activation, a fraction χ of ε is cancelled,
    /// Var ε = β²σ²(1 − χ)² r_η, at the cost r = ρ_w W² + nκ² + χ² ν r_η, r_η = r_FD.7 − ω², ν = (n + 1)/d (FD.8b).
    func split(halfGap w: Double, slope kappa: Double, response chi: Double = 0) -> (r: Double, omega: Double, lambda: Double, fresh: Double, quenched: Double, total: Double) {
        let pr = problem, s2 = pr.sigma * pr.sigma
        let lambda0 = widthFactor * w, omega = (1 + classMeanOffsets.halfGap) * lambda0
        let reduced = lambda0 * w + pr.n * kappa * kappa
        let eta = max(reduced - omega * omega, 0), chi = crossResponse ? chi : 0
        let r = reduced + chi * chi * overlapRatio * eta
        let lambda = beta * pr.sigma * omega + signal * pr.sigma * kappa
        let fresh2 = alpha * alpha * (r + bulk.noiseShare), quenched2 = overlapScale * beta * beta * s2 * (1 - chi) * (1 - chi) * eta + lambda * lambda
        return (r, omega, lambda, fresh2.squareRoot(), quenched2.squareRoot(), (fresh2 + quenched2).squareRoot())
    }

    /// ν = (n + 1)/d: E(Δ²) = ν I for the Gram matrix I + Δ of the points' noise off μ (FD.8a).
    var overlapRatio: Double { orthonormalNoise ? 0 : overlapScale * (perPointRootD.map { (problem.n + 1) / ($0 * $0) } ?? 0) }
    /// ε² for points whose off-μ Gram matrix is I + εΔ (finite-d-corrections.md §3h): every FD.8 term is second order in Δ,
    /// so it scales ν and the cross-overlap noise's variance. 1 for the data's own Gram matrix.
    var overlapScale = 1.0
    /// Points whose noise off μ is orthonormal (Δ = 0): ν = 0 in FD.8; with χ = 1 no cross-overlap noise is left.
    var orthonormalNoise = false

    /// What the data term of F needs (AT.31; FD.7 at finite d): P1 + σC1/√d (the class-signed Φ1 with the
    /// points' own μ-coordinates), Q1 = E Φ1_ν² over points (fresh noise inside, quenched outside), R2.
    struct DataTerms { var p1: Double, q1: Double, r2: Double, phi1Plus: Double, phi1Minus: Double, c1: Double }

    func dataTerms(halfGap w: Double, bias: Double, slope kappa: Double, response chi: Double = 0) -> DataTerms {
        let mo = classMoments(halfGap: w, bias: bias, slope: kappa, response: chi)
        let f = problem.plusFraction
        let p1 = f * mo.p1 - (1 - f) * mo.m1 + offsetSignal(phi1Plus: mo.p1, phi1Minus: mo.m1)
        let r2 = f * mo.p2 + (1 - f) * mo.m2
        guard let rootD = perPointRootD else {   // AT.31: the points of a class exchangeable
            return DataTerms(p1: p1, q1: f * mo.p1 * mo.p1 + (1 - f) * mo.m1 * mo.m1, r2: r2, phi1Plus: mo.p1, phi1Minus: mo.m1, c1: 0)
        }
        let parts = split(halfGap: w, slope: kappa, response: chi)
        // C1 = E[Φ1 g] = λ E[1 − Φ2] (Stein over the quenched g), entering as P1 + σC1/√d.
        let c1 = parts.lambda * (1 - r2)
        var q1 = 0.0
        for (sign, weight) in [(1.0, f), (-1.0, 1 - f)] {
            q1 += weight * Self.hermite.expectation { g in
                let phi1 = moments.moments(mean: bias + sign * signal * w + parts.quenched * g, scale: parts.fresh).first
                return phi1 * phi1
            }
        }
        if crossResponse {   // FD.8c: E Φ1ᵀΔΦ1/n, the Onsager term of u's Gram form through the surviving ε
            let sigma = problem.sigma, omega = parts.omega
            let classMeans = f * mo.p1 * sigma * omega / (2 * problem.nPlus) - (1 - f) * mo.m1 * sigma * omega / (2 * problem.nMinus)
            q1 += 2 * (1 - chi) * signal * sigma * overlapRatio * (1 - r2) * (kappa * c1 + classMeans)
        }
        return DataTerms(p1: p1 + problem.sigma * c1 / rootD, q1: q1, r2: r2, phi1Plus: mo.p1, phi1Minus: mo.m1, c1: c1)
    }

    static let hermite = try! GaussHermite(order: 8)

    /// G of FD.7 from its data terms.
    func explained(_ t: DataTerms) -> Double {
        let denominator = problem.penaltyU + problem.n * t.r2
        return denominator > 0 ? (problem.n * t.p1 * t.p1 + problem.sigma * problem.sigma * t.q1) / denominator : 0
    }

    /// G of AT.31 (AT.30 divided by n), from the class moments.
    func explained(_ mo: (p1: Double, p2: Double, m1: Double, m2: Double)) -> (g: Double, p1: Double, r2: Double) {
        let f = problem.plusFraction
        let p1 = f * mo.p1 - (1 - f) * mo.m1 + offsetSignal(phi1Plus: mo.p1, phi1Minus: mo.m1)
        let q1 = f * mo.p1 * mo.p1 + (1 - f) * mo.m1 * mo.m1
        let r2 = f * mo.p2 + (1 - f) * mo.m2
        if problem.isInfinite { return (r2 > 0 ? p1 * p1 / r2 : 0, p1, r2) }
        let n = problem.n, s2 = problem.sigma * problem.sigma
        let denominator = problem.penaltyU + n * r2
        return (denominator > 0 ? (n * p1 * p1 + s2 * q1) / denominator : 0, p1, r2)
    }

    /// F/n at (W, b_eff) (AT.31 divided by n); with the per-point coordinates (FD.7) also at the slope κ.
    public func value(halfGap w: Double, bias: Double, slope kappa: Double = 0) -> Double {
        if isPerPoint { return perPointParameters(halfGap: w, bias: bias, slope: kappa).objective }
        let (g, _, r2) = explained(classMoments(halfGap: w, bias: bias))
        let penalty = problem.isInfinite ? 0 : problem.penaltyW * widthFactor * w * w / problem.n
        return -shrink * shrink * g + penalty + bulkExcess(r2: r2)
    }

    /// F/n on the trivial branch W = 0, |b_eff| = ∞ (AT.36 divided by n).
    public var trivialValue: Double {
        let e = problem.imbalance + offsetSignal(phi1Plus: 1, phi1Minus: 1)   // P1 with φ ≡ 1 (FD.10a)
        let g: Double = problem.isInfinite ? e * e
            : (problem.n * e * e + problem.sigma * problem.sigma) / (problem.penaltyU + problem.n)
        return -shrink * shrink * g
    }

    /// The order parameters at (W, b_eff), AT.33 and AT.34 with the finite-d factor 1 − cβ; FD.7 with
    /// the per-point coordinates.
    public func parameters(halfGap w: Double, bias: Double, slope kappa: Double = 0) -> LearnedParameters {
        if isPerPoint { return perPointParameters(halfGap: w, bias: bias, slope: kappa) }
        var out = LearnedParameters()
        let mo = classMoments(halfGap: w, bias: bias)
        let (_, p1, r2) = explained(mo)
        fill(&out, w: w, bias: bias, p1: p1, r2: r2, phi1Plus: mo.p1, phi1Minus: mo.m1)
        out.objective = value(halfGap: w, bias: bias)
        return out
    }

    /// AD.4: what the bulk fluctuations add to F/n: u's bulk δq R2 (|δu φ|² per sample) and both
    /// penalties on them (constant in (W, b_eff, κ)).
    func bulkExcess(r2: Double) -> Double {
        guard bulk != .zero, !problem.isInfinite else { return 0 }
        return bulk.q * r2 + (problem.penaltyU * bulk.q + problem.penaltyW * bulk.r) / problem.n
    }

    /// FD.7: m = (1 − cβ)n(P1 + σC1/√d)/A, q = m² + (1 − cβ)²σ² n Q1/A², r = ρ_w W² + nκ², and u·w/d
    /// gains the overlap of u's per-point part with w's slope, (1 − cβ)σκ n C1/A. FD.8 at the held χ (`response`).
    func perPointParameters(halfGap w: Double, bias: Double, slope kappa: Double) -> LearnedParameters {
        perPointParameters(halfGap: w, bias: bias, slope: kappa, response: crossResponse ? response : 0)
    }

    /// FD.8d: F is quadratic in χ to first order in ν (χ enters through (1 − χ)² and χ²), so three values
    /// (χ = 0, ½, 1) give its minimiser on [0, 1] and the minimum. Evaluated once per outer iteration of
    /// the solve (at the previous minimiser), not inside F.
    func profiledResponse(halfGap w: Double, bias: Double, slope kappa: Double) -> (chi: Double, objective: Double) {
        let f0 = perPointParameters(halfGap: w, bias: bias, slope: kappa, response: 0).objective
        let fh = perPointParameters(halfGap: w, bias: bias, slope: kappa, response: 0.5).objective
        let f1 = perPointParameters(halfGap: w, bias: bias, slope: kappa, response: 1).objective
        let a = 4 * fh - 3 * f0 - f1, b = 2 * (f0 + f1 - 2 * fh)
        let chi = b > 0 ? min(max(-a / (2 * b), 0), 1) : (f1 < f0 ? 1 : 0)
        return (chi, f0 + a * chi + b * chi * chi)
    }

    func perPointParameters(halfGap w: Double, bias: Double, slope kappa: Double, response chi: Double) -> LearnedParameters {
        var out = LearnedParameters()
        let pr = problem, sigma = pr.sigma, t = dataTerms(halfGap: w, bias: bias, slope: kappa, response: chi)
        let a = pr.penaltyU + pr.n * t.r2
        fill(&out, w: w, bias: bias, p1: t.p1, r2: t.r2, phi1Plus: t.phi1Plus, phi1Minus: t.phi1Minus)
        out.pointSlope = kappa
        out.r += pr.n * kappa * kappa
        if crossResponse {   // FD.8b, FD.8e: the cancellation's cost in r; u's response to the surviving ε overlaps w
            let eta = max(out.r - bulk.r - out.omega * out.omega, 0)
            out.noiseResponse = chi
            out.r += chi * chi * overlapRatio * eta
            out.uw += overlapScale * shrink * pr.n * (1 - t.r2) * (1 - chi) * (1 - chi) * beta * beta * sigma * sigma * eta / (a * signal)
        }
        out.q = out.m * out.m + shrink * shrink * sigma * sigma * pr.n * t.q1 / (a * a) + bulk.q
        out.uw += shrink * sigma * kappa * pr.n * t.c1 / a
        // F/n: the data term, the Stein term 2cα²(uw/√d)(1 − R2) of CV.2 (as large as the C1 term in
        // phase 2), and the penalty.
        let stein = 2 * c * alpha * alpha * out.uw / perPointRootD! * (1 - t.r2)
        out.objective = -shrink * shrink * explained(t) + stein + pr.penaltyW * (out.r - bulk.r) / pr.n + bulkExcess(r2: t.r2)
        if steinCoupled { applySteinCoupling(&out, r2: t.r2, a: a) }   // FD.12
        return out
    }

    /// The trivial branch's order parameters: φ ≡ sign(e), u = Σ x₁^ν/(L_u + n) (AT.36).
    public var trivialParameters: LearnedParameters {
        var out = LearnedParameters()
        let sign: Double = problem.imbalance < 0 ? -1 : 1
        fill(&out, w: 0, bias: sign * LearnedParameters.saturatedBias, p1: sign * (problem.imbalance + offsetSignal(phi1Plus: 1, phi1Minus: 1)), r2: 1,
             phi1Plus: sign, phi1Minus: sign)
        out.solution = .trivial
        out.saturated = true
        out.objective = trivialValue
        return out
    }

    private func fill(_ out: inout LearnedParameters, w: Double, bias: Double, p1: Double, r2: Double,
                      phi1Plus: Double, phi1Minus: Double) {
        let pr = problem, sigma = pr.sigma
        out.signal = signal
        out.c = c
        out.halfGap = w
        out.bEff = bias
        let lambda = widthFactor * w                                     // AT.32 (FD.10b with offsets)
        out.omega = (1 + classMeanOffsets.halfGap) * lambda              // AT.33
        out.r = lambda * w + bulk.r                                      // AD.4: the bulk's share
        out.bulk = bulk
        if pr.isInfinite {
            out.b = bias
            out.m = r2 > 0 ? shrink * p1 / r2 : 0
            out.q = out.m * out.m
        } else {
            let denominator = pr.penaltyU + pr.n * r2
            out.piPlus = sigma * lambda / (2 * pr.nPlus)
            out.piMinus = -sigma * lambda / (2 * pr.nMinus)
            // FD.10c: the class means' common μ-offset moves the pre-activations by Sω(ε₊ + ε₋)/2.
            out.b = bias - signal * (sigma * (out.piPlus + out.piMinus) / 2 + out.omega * classMeanOffsets.common)
            out.m = denominator > 0 ? shrink * pr.n * p1 / denominator : 0  // AT.34
            out.rhoPlus = denominator > 0 ? shrink * sigma * phi1Plus / denominator : 0
            out.rhoMinus = denominator > 0 ? shrink * sigma * phi1Minus / denominator : 0
            out.q = out.m * out.m + pr.nPlus * out.rhoPlus * out.rhoPlus + pr.nMinus * out.rhoMinus * out.rhoMinus + bulk.q
        }
        // u·w/d = mω + Σ_ν ρ_ν π_ν = mω + σω(ρ₊ − ρ₋)/2.
        out.uw = out.m * out.omega + pr.nPlus * out.rhoPlus * out.piPlus + pr.nMinus * out.rhoMinus * out.piMinus
    }
}
