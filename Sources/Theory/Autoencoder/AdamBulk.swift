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
    /// δr: w's stationary bulk variance per coordinate; δq: u's.
    public var r: Double, q: Double
    public init(r: Double, q: Double) { self.r = r; self.q = q }
    public static let zero = AdamBulk(r: 0, q: 0)

    /// AD.3 at the state `x` (the learned network with its own bulk) of the reduced objective at that
    /// time: per class s, φ = tanh of the class pre-activation with its fresh noise, ε = qφ − (1 − cβ)P_s,
    /// P_s = s m + σρ_s,
    ///
    ///   δr = lr √(nd) √V_w / (2(α² n E[qφ'² + εφ''] + L_w)),  V_w = α² E[ε²φ'²] + β²(1 + σ²) Var(εφ'),
    ///   δq = lr √n √V_u / (2(n R2 + L_u)),  V_u = E[c²α²φ² + (1 − cβ)²(1 + σ²)Var φ − 2(1 − cβ)P_s Cov(φ, φ²) + q Var φ²],
    /// V a coordinate's gradient noise, so that d V is the trace of the noise covariance.
    public static func stationary(_ x: LearnedParameters, objective: PhaseOneObjective, learningRate lr: Double,
                                  dimension d: Double) -> AdamBulk {
        let pr = objective.problem, f = pr.plusFraction, s2 = pr.sigma * pr.sigma
        let alpha = objective.alpha, beta = objective.beta, shrink = 1 - x.c * beta
        let scale = objective.preActivationSpread(halfGap: x.halfGap, slope: x.pointSlope, response: x.noiseResponse)
        // On the trivial branch φ ≡ sign b, so E φ^k = (sign b)^k.
        let trivialPowers: [Double]? = x.solution == .trivial ? (0...6).map { pow(x.b < 0 ? -1 : 1, Double($0)) } : nil
        var curvature = 0.0, varW = 0.0, r2 = 0.0, varU = 0.0
        for (sign, weight, rho) in [(1.0, f, x.rhoPlus), (-1.0, 1 - f, x.rhoMinus)] where weight > 0 {
            let t = trivialPowers
                ?? objective.moments.powers(center: x.bEff + sign * objective.signal * x.halfGap, scale: scale, upTo: 6)
            let pTilde = sign * x.m + pr.sigma * rho, p = shrink * pTilde, q = x.q
            curvature += weight * (q * (1 - 4 * t[2] + 3 * t[4]) + 2 * p * (t[1] - t[3]))
            varW += weight * Self.wNoise(t, q: q, bias: p, alpha: alpha, beta: beta, squaredNorm: 1 + s2)
            r2 += weight * t[2]
            varU += weight * Self.uNoise(t, c: x.c, alpha: alpha, shrink: shrink, squaredNorm: 1 + s2, overlap: pTilde, q: q)
        }
        // The variances summed over all d directions: the trace of the noise covariance, d V (AD.3).
        let n = pr.n
        let hw = alpha * alpha * n * curvature + pr.penaltyW
        let dr = hw > 0 ? lr * (n * d).squareRoot() * max(varW, 0).squareRoot() / (2 * hw) : 0
        let dq = lr * n.squareRoot() * max(varU, 0).squareRoot() / (2 * (n * r2 + pr.penaltyU))
        return AdamBulk(r: dr, q: dq)
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
