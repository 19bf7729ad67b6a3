import Foundation
import FlowModel
import GSLKit

/// The U-turn of the two-mode mixture in closed form (derivations/mixture-uturn.md): a sample of
/// mode s is noised to clock time τ by the forward interpolant, carried back to the data end by the
/// exact probability-flow ODE or the exact reverse SDE, and classified by the sign of μ·x (UT.3).
/// Every curve depends on τ only through the signal a(τ) = β√d/√(α² + β²σ²) (UT.2).
///
///     let problem = try Problem(dimension: .finite(1000), p: 0.8, sigma: 1)
///     let uturn = MixtureUTurn(problem: problem, schedule: LinearSchedule())
///     let curve = UTurnCurve(.ode, start: .plus)
///     let flip = try uturn.flip(curve, at: 0.05)          // P(end in − | start in +) at t = 0.05
///     let window = try uturn.window(curve)                 // t10, t50, t90 (UT.13)
///     print(flip, window.points.map(\.t))
public struct MixtureUTurn: Sendable {
    public let problem: Problem
    public let schedule: any Schedule
    /// a₁ = √d/σ, the signal at the data end (UT.2).
    public let endSignal: Double

    public init(problem: Problem, schedule: any Schedule) {
        self.problem = problem
        self.schedule = schedule
        endSignal = problem.sqrtD / problem.sigma
    }

    /// a(τ) = β√d/√(α² + β²σ²) (UT.2).
    public func signal(at tau: Double) -> Double {
        let s = schedule.values(at: tau)
        return s.beta * problem.sqrtD / (s.alpha * s.alpha + s.beta * s.beta * problem.sigma * problem.sigma).squareRoot()
    }

    /// λ = 2 log(β/α) at clock τ (+∞ at the data end).
    public func logSNR(at tau: Double) -> Double { schedule.logSNR(at: tau) }

    /// λ of a signal a < a₁: λ = log(a²/(d − σ²a²)) = 2 log a − log(σ²(a₁ − a)(a₁ + a)) (UT.2).
    public func logSNR(signal a: Double) -> Double {
        let s = problem.sigma
        return 2 * log(a) - log(s * s * (endSignal - a) * (endSignal + a))
    }

    /// The curve at clock time τ.
    public func flip(_ curve: UTurnCurve, at tau: Double) throws -> Double {
        try flip(curve, signal: signal(at: tau))
    }

    /// The curve at signal a ∈ [0, a₁]: UT.7 (ODE) or UT.10 (SDE).
    public func flip(_ curve: UTurnCurve, signal a: Double) throws -> Double {
        try Self.flip(curve, signal: a, endSignal: endSignal, p: problem.p)
    }

    /// The d → ∞ curve (a₁ = ∞, UT.12) at signal a, for the law of the window (UT.14).
    public static func limitFlip(_ curve: UTurnCurve, signal a: Double, p: Double) throws -> Double {
        try flip(curve, signal: a, endSignal: .infinity, p: p)
    }

    /// The stochastic curve as the posterior's impurity, the Gaussian–logistic integral
    /// E_Z σ(−2(s h + a² + aZ)) of UT.11 (the latent mode at the end; equal to UT.10 up to
    /// Φ(−a₁)/min(p, 1 − p)), by panelled Gauss–Legendre quadrature.
    public static func impurityFlip(start: UTurnCurve.StartMode, signal a: Double, p: Double) throws -> Double {
        let h = 0.5 * log(p / (1 - p))
        let rule = try PanelGaussLegendre(panelWidth: min(0.5, 0.3 / max(a, 1e-3)), nodesPerPanel: 8, halfWidth: 12)
        return rule.expectation { z in logistic(-2 * (start.sign * h + a * a + a * z)) }
    }

    static func flip(_ curve: UTurnCurve, signal a: Double, endSignal a1: Double, p: Double) throws -> Double {
        // Start − is start + of the mirrored mixture (x → −x, p → 1 − p), UT.5.
        let pPlus = curve.start == .plus ? p : 1 - p
        switch curve.dynamics {
        case .ode: return try odeFlipFromPlus(signal: a, endSignal: a1, p: pPlus)
        case .sde: return try sdeFlipFromPlus(signal: a, endSignal: a1, p: pPlus)
        }
    }

    /// q* = P(sign(μ·x₁) < 0) = pΦ(−a₁) + (1 − p)Φ(a₁) (UT.4).
    static func endMinusFraction(endSignal a1: Double, p: Double) -> Double {
        a1.isInfinite ? 1 - p : p * StandardNormal.cdf(-a1) + (1 - p) * StandardNormal.cdf(a1)
    }

    /// UT.7: Φ(u* − a), u* the root of pΦ(u − a) + (1 − p)Φ(u + a) = q* (UT.6), solved in the
    /// cancellation-free form p[Φ(u − a) − Φ(−a₁)] = (1 − p)[Q(u + a) − Q(a₁)].
    static func odeFlipFromPlus(signal a: Double, endSignal a1: Double, p: Double) throws -> Double {
        if a >= a1 { return StandardNormal.cdf(-a1) }
        let lowTail = a1.isInfinite ? 0 : StandardNormal.cdf(-a1), highTail = a1.isInfinite ? 0 : StandardNormal.upperTail(a1)
        let uStar = try RootFinder.brent(in: -a - 40, a + 40, absolute: 1e-13, relative: 1e-13) { u in
            p * (StandardNormal.cdf(u - a) - lowTail) - (1 - p) * (StandardNormal.upperTail(u + a) - highTail)
        }
        return StandardNormal.cdf(uStar - a)
    }

    /// UT.10: E over u ~ N(a, 1) of Σ_{s′} P(s′ | u) P(sign(μ·x₁′) < 0 | s′, u), with
    /// P(s′ = ± | u) = σ(±2(h + a u)) and y₁′/σ | s′, u ~ N(s′a₁(1 − ρ²) + ρu, 1 − ρ²), ρ = a/a₁ (UT.9),
    /// by adaptive quadrature split at the posterior's and the classifier's steps.
    static func sdeFlipFromPlus(signal a: Double, endSignal a1: Double, p: Double) throws -> Double {
        let h = 0.5 * log(p / (1 - p))
        if a == 0 { return endMinusFraction(endSignal: a1, p: p) }
        if a >= a1 { return StandardNormal.cdf(-a1) }
        let rho = a1.isInfinite ? 0 : a / a1
        let spread = a1.isInfinite ? 1 : ((a1 - a) * (a1 + a)).squareRoot() / a1   // √(1 − ρ²)
        let shift = a1.isInfinite ? Double.infinity : a1 * spread * spread          // a₁(1 − ρ²)
        let normal = 1 / (2 * Double.pi).squareRoot()
        var points = [a, -h / a]
        if rho > 0 { points += [shift / rho, -shift / rho] }
        return try AdaptiveIntegral.integrate(from: -a - 12, to: a + 12, points: points, absolute: 0, relative: 1e-11) { u in
            let endMinusGivenPlus = StandardNormal.cdf(-(shift + rho * u) / spread)
            let endMinusGivenMinus = StandardNormal.cdf((shift - rho * u) / spread)
            let posteriorPlus = logistic(2 * (h + a * u))
            let posteriorMinus = logistic(-2 * (h + a * u))
            let g = posteriorPlus * endMinusGivenPlus + posteriorMinus * endMinusGivenMinus
            return normal * exp(-0.5 * (u - a) * (u - a)) * g
        }
    }
}

/// σ(x) = 1/(1 + e^{−x}) without overflow.
@inline(__always)
func logistic(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}
