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
    public func classMoments(halfGap w: Double, bias: Double, slope kappa: Double = 0) -> (p1: Double, p2: Double, m1: Double, m2: Double) {
        let scale = preActivationSpread(halfGap: w, slope: kappa)
        let plus = moments.moments(mean: bias + signal * w, scale: scale)
        let minus = moments.moments(mean: bias - signal * w, scale: scale)
        return (plus.first, plus.second, minus.first, minus.second)
    }

    /// The standard deviation of a class's pre-activation about b_eff ± SW: √v √(ρ_w) |W| (AT.31), with
    /// the quenched per-point offsets (FD.7) and Adam's bulk noise α²δr (AD.4).
    func preActivationSpread(halfGap w: Double, slope kappa: Double) -> Double {
        isPerPoint ? split(halfGap: w, slope: kappa).total
            : (noiseScale * noiseScale * problem.widthFactor * w * w + alpha * alpha * bulk.noiseShare).squareRoot()
    }

    /// FD.7: r = ρ_w W² + nκ², ω = ρ_w W; the pre-activation of a point with μ-noise g is
    /// b_eff ± SW + λg + (quenched cross terms, variance β²σ²(r − ω²)) + (fresh, variance α²r), λ = βσω + Sσκ.
    func split(halfGap w: Double, slope kappa: Double) -> (r: Double, omega: Double, lambda: Double, fresh: Double, quenched: Double, total: Double) {
        let pr = problem, s2 = pr.sigma * pr.sigma
        let omega = pr.widthFactor * w, r = omega * w + pr.n * kappa * kappa
        let lambda = beta * pr.sigma * omega + signal * pr.sigma * kappa
        let fresh2 = alpha * alpha * (r + bulk.noiseShare), quenched2 = beta * beta * s2 * max(r - omega * omega, 0) + lambda * lambda
        return (r, omega, lambda, fresh2.squareRoot(), quenched2.squareRoot(), (fresh2 + quenched2).squareRoot())
    }

    /// What the data term of F needs (AT.31; FD.7 at finite d): P1 + σC1/√d (the class-signed Φ1 with the
    /// points' own μ-coordinates), Q1 = E Φ1_ν² over points (fresh noise inside, quenched outside), R2.
    struct DataTerms { var p1: Double, q1: Double, r2: Double, phi1Plus: Double, phi1Minus: Double, c1: Double }

    func dataTerms(halfGap w: Double, bias: Double, slope kappa: Double) -> DataTerms {
        let mo = classMoments(halfGap: w, bias: bias, slope: kappa)
        let f = problem.plusFraction
        let p1 = f * mo.p1 - (1 - f) * mo.m1
        let r2 = f * mo.p2 + (1 - f) * mo.m2
        guard let rootD = perPointRootD else {   // AT.31: the points of a class exchangeable
            return DataTerms(p1: p1, q1: f * mo.p1 * mo.p1 + (1 - f) * mo.m1 * mo.m1, r2: r2, phi1Plus: mo.p1, phi1Minus: mo.m1, c1: 0)
        }
        let parts = split(halfGap: w, slope: kappa)
        // C1 = E[Φ1 g] = λ E[1 − Φ2] (Stein over the quenched g), entering as P1 + σC1/√d.
        let c1 = parts.lambda * (1 - r2)
        var q1 = 0.0
        for (sign, weight) in [(1.0, f), (-1.0, 1 - f)] {
            q1 += weight * Self.hermite.expectation { g in
                let phi1 = moments.moments(mean: bias + sign * signal * w + parts.quenched * g, scale: parts.fresh).first
                return phi1 * phi1
            }
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
        let p1 = f * mo.p1 - (1 - f) * mo.m1
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
        let penalty = problem.isInfinite ? 0 : problem.penaltyW * problem.widthFactor * w * w / problem.n
        return -shrink * shrink * g + penalty + bulkExcess(r2: r2)
    }

    /// F/n on the trivial branch W = 0, |b_eff| = ∞ (AT.36 divided by n).
    public var trivialValue: Double {
        let e = problem.imbalance
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
    /// gains the overlap of u's per-point part with w's slope, (1 − cβ)σκ n C1/A.
    func perPointParameters(halfGap w: Double, bias: Double, slope kappa: Double) -> LearnedParameters {
        var out = LearnedParameters()
        let pr = problem, sigma = pr.sigma, t = dataTerms(halfGap: w, bias: bias, slope: kappa)
        let a = pr.penaltyU + pr.n * t.r2
        fill(&out, w: w, bias: bias, p1: t.p1, r2: t.r2, phi1Plus: t.phi1Plus, phi1Minus: t.phi1Minus)
        out.pointSlope = kappa
        out.r += pr.n * kappa * kappa
        out.q = out.m * out.m + shrink * shrink * sigma * sigma * pr.n * t.q1 / (a * a) + bulk.q
        out.uw += shrink * sigma * kappa * pr.n * t.c1 / a
        // F/n: the data term, the Stein term 2cα²(uw/√d)(1 − R2) of CV.2 (as large as the C1 term in
        // phase 2), and the penalty.
        let stein = 2 * c * alpha * alpha * out.uw / perPointRootD! * (1 - t.r2)
        out.objective = -shrink * shrink * explained(t) + stein + pr.penaltyW * (out.r - bulk.r) / pr.n + bulkExcess(r2: t.r2)
        return out
    }

    /// The trivial branch's order parameters: φ ≡ sign(e), u = Σ x₁^ν/(L_u + n) (AT.36).
    public var trivialParameters: LearnedParameters {
        var out = LearnedParameters()
        let sign: Double = problem.imbalance < 0 ? -1 : 1
        fill(&out, w: 0, bias: sign * LearnedParameters.saturatedBias, p1: sign * problem.imbalance, r2: 1,
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
        out.omega = pr.widthFactor * w                                   // AT.33
        out.r = out.omega * w + bulk.r                                   // AD.4: the bulk's share
        out.bulk = bulk
        if pr.isInfinite {
            out.b = bias
            out.m = r2 > 0 ? shrink * p1 / r2 : 0
            out.q = out.m * out.m
        } else {
            let denominator = pr.penaltyU + pr.n * r2
            out.piPlus = sigma * out.omega / (2 * pr.nPlus)
            out.piMinus = -sigma * out.omega / (2 * pr.nMinus)
            out.b = bias - signal * sigma * (out.piPlus + out.piMinus) / 2
            out.m = denominator > 0 ? shrink * pr.n * p1 / denominator : 0  // AT.34
            out.rhoPlus = denominator > 0 ? shrink * sigma * phi1Plus / denominator : 0
            out.rhoMinus = denominator > 0 ? shrink * sigma * phi1Minus / denominator : 0
            out.q = out.m * out.m + pr.nPlus * out.rhoPlus * out.rhoPlus + pr.nMinus * out.rhoMinus * out.rhoMinus + bulk.q
        }
        // u·w/d = mω + Σ_ν ρ_ν π_ν = mω + σω(ρ₊ − ρ₋)/2.
        out.uw = out.m * out.omega + pr.nPlus * out.rhoPlus * out.piPlus + pr.nMinus * out.rhoMinus * out.piMinus
    }
}
