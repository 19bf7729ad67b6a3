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
/// the n = ∞ minimiser is the exact denoiser (AT.8) at every d; at d = ∞ they are 1.
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

    /// `skipWeight`: c to use (e.g. the stationary c of CV.7 in a self-consistent solve); nil = the
    /// AT.20 form.
    public init(problem: AutoencoderProblem, signal: Double, alpha: Double = 1, beta: Double = 0, moments: TanhMoments,
                skipWeight: Double? = nil) {
        self.problem = problem
        self.signal = signal
        let sigma2 = problem.sigma * problem.sigma
        noiseScale = (alpha * alpha + beta * beta * sigma2).squareRoot()
        let d = problem.believedVariance
        let c = skipWeight ?? (beta > 0 ? beta * d / (alpha * alpha + beta * beta * d) : 0)
        self.c = c
        shrink = 1 - c * beta
        self.moments = moments
    }

    /// The class moments (Φ1_+, Φ2_+, Φ1_−, Φ2_−).
    public func classMoments(halfGap w: Double, bias: Double) -> (p1: Double, p2: Double, m1: Double, m2: Double) {
        let scale = noiseScale * problem.widthFactor.squareRoot() * abs(w)
        let plus = moments.moments(mean: bias + signal * w, scale: scale)
        let minus = moments.moments(mean: bias - signal * w, scale: scale)
        return (plus.first, plus.second, minus.first, minus.second)
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

    /// F/n at (W, b_eff) (AT.31 divided by n).
    public func value(halfGap w: Double, bias: Double) -> Double {
        let g = explained(classMoments(halfGap: w, bias: bias)).g
        let penalty = problem.isInfinite ? 0 : problem.penaltyW * problem.widthFactor * w * w / problem.n
        return -shrink * shrink * g + penalty
    }

    /// F/n on the trivial branch W = 0, |b_eff| = ∞ (AT.36 divided by n).
    public var trivialValue: Double {
        let e = problem.imbalance
        let g: Double = problem.isInfinite ? e * e
            : (problem.n * e * e + problem.sigma * problem.sigma) / (problem.penaltyU + problem.n)
        return -shrink * shrink * g
    }

    /// The order parameters at (W, b_eff), AT.33 and AT.34 with the finite-d factor 1 − cβ.
    public func parameters(halfGap w: Double, bias: Double) -> LearnedParameters {
        var out = LearnedParameters()
        let mo = classMoments(halfGap: w, bias: bias)
        let (_, p1, r2) = explained(mo)
        fill(&out, w: w, bias: bias, p1: p1, r2: r2, phi1Plus: mo.p1, phi1Minus: mo.m1)
        out.objective = value(halfGap: w, bias: bias)
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
        out.r = out.omega * w
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
            out.q = out.m * out.m + pr.nPlus * out.rhoPlus * out.rhoPlus + pr.nMinus * out.rhoMinus * out.rhoMinus
        }
        // u·w/d = mω + Σ_ν ρ_ν π_ν = mω + σω(ρ₊ − ρ₋)/2.
        out.uw = out.m * out.omega + pr.nPlus * out.rhoPlus * out.piPlus + pr.nMinus * out.rhoMinus * out.piMinus
    }
}
