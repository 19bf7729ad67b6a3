import Foundation
import FlowModel
import GSLKit

/// Cui, Krzakala, Vanden-Eijnden, Zdeborová (arXiv 2310.03575) as a special case of phaseflow's
/// theory (derivations/precursor.md): p = ½, tied weights w = u, sign activation, one fixed
/// base-noise draw per training point, ridge L on u, the linear clock x = (1 − t) z + t x₁ at d = ∞.
/// Every t > 0 is saturated (phase 2) and the learned (c, u) are AT.22 (PC.1–PC.3); the generated
/// samples' overlaps with μ, η̄ and ξ̄ follow PC.4 (continuous flow) or PC.5 (K Euler steps), and the
/// learned mean's error ‖μ̂ − μ‖²/d is PC.6.
///
///     let theory = try PrecursorTheory(sigma: 0.5, n: 64, penalty: 0.1)
///     let end = try theory.flow().last!          // t = 1
///     let error = theory.meanError(end)          // Θ(1/n), PC.7
public struct PrecursorTheory: Sendable {
    public let sigma: Double
    /// Training points n (.infinity: the exact denoiser).
    public let n: Double
    /// L of the ridge L|u|²/d (Cui et al.'s weight decay λ with their loss Σ|f − x₁|²/2: L = λ).
    public let penalty: Double

    public init(sigma: Double, n: Double, penalty: Double) throws {
        try require("sigma", sigma, "> 0 and finite") { $0 > 0 && $0.isFinite }
        guard !n.isNaN, n >= 1 else { throw InputError("n must be ≥ 1 or inf; got \(n)") }
        if n.isFinite { try require("n", n, "a whole number") { $0 == $0.rounded() } }
        try require("penalty", penalty, "≥ 0 and finite") { $0 >= 0 && $0.isFinite }
        self.sigma = sigma; self.n = n; self.penalty = penalty
    }

    /// The believed variance D and the base-noise factor k' = (n + L − 1)/(n + L) of PC.1.
    var believedVariance: Double { n.isFinite ? (penalty + sigma * sigma * (n + penalty - 1)) / (n + penalty) : sigma * sigma }
    var noiseFactor: Double { n.isFinite ? (n + penalty - 1) / (n + penalty) : 1 }
    /// 1/(n + L), 0 at n = ∞.
    var ridge: Double { n.isFinite ? 1 / (n + penalty) : 0 }

    /// The learned network at time t ∈ (0, 1] (PC.1–PC.3): skip c, overlaps of u with μ (m), with
    /// η̄ = Σ s^ν η^ν/n (`etaOverlap`, u·η̄/d) and with ξ̄ = Σ s^ν z^ν/n (`baseNoiseOverlap`, u·ξ̄/d),
    /// and q = |u|²/d.
    public struct Network: Sendable { public var t, c, m, etaOverlap, baseNoiseOverlap, q: Double }

    public func network(at t: Double) -> Network {
        let alpha = 1 - t, beta = t, dv = believedVariance, kp = noiseFactor
        let den = alpha * alpha * kp + beta * beta * dv
        let c = beta * dv / den                                               // PC.1
        let shrink = alpha * alpha * kp / den                                 // 1 − cβ
        let fraction = n.isFinite ? n / (n + penalty) : 1
        let q = fraction * fraction * (shrink * shrink * (1 + (n.isFinite ? sigma * sigma / n : 0))
                                       + (n.isFinite ? c * c * alpha * alpha / n : 0))   // PC.3
        return Network(t: t, c: c, m: fraction * shrink, etaOverlap: sigma * shrink * ridge,
                       baseNoiseOverlap: -c * alpha * ridge, q: q)
    }

    /// The generated samples' sign-aligned overlaps at time t: M = sX·μ/d, P_η = sX·η̄/d,
    /// P_ξ = sX·ξ̄/d, and the gain G of the part orthogonal to span(μ, η̄, ξ̄) (σ̂ = G(1)).
    public struct State: Sendable { public var t, m, etaOverlap, baseNoiseOverlap, gain: Double }

    /// The right-hand side of PC.4 divided out by α (regular at t = 1): the decay rate (c − 1)/α
    /// and the drives m/α, (u·η̄/d)/α, (u·ξ̄/d)/α.
    func rates(at t: Double) -> (decay: Double, m: Double, eta: Double, base: Double) {
        let alpha = 1 - t, beta = t, dv = believedVariance, kp = noiseFactor
        let den = alpha * alpha * kp + beta * beta * dv
        let c = beta * dv / den
        let shrinkOverAlpha = alpha * kp / den                                // (1 − cβ)/α
        let fraction = n.isFinite ? n / (n + penalty) : 1
        return ((beta * dv - alpha * kp) / den, fraction * shrinkOverAlpha, sigma * shrinkOverAlpha * ridge, -c * ridge)
    }

    /// PC.4 integrated by `gsl_odeiv2` (rk8pd) from t = 0 (all overlaps 0, G = 1) to each time in
    /// `times` (increasing, in [0, 1]; default the end).
    public func flow(times: [Double] = [1]) throws -> [State] {
        let integrator = try ODEIntegrator(dimension: 4) { t, y, dy in
            let r = self.rates(at: t)
            dy[0] = r.decay * y[0] + r.m
            dy[1] = r.decay * y[1] + r.eta
            dy[2] = r.decay * y[2] + r.base
            dy[3] = r.decay
        }
        var y = [0.0, 0, 0, 0], now = 0.0, out = [State]()
        for t in times {
            try require("t", t, "in [0, 1], increasing") { $0 >= now && $0 <= 1 }
            if t > now { try integrator.integrate(&y, from: now, to: t) }
            now = t
            out.append(State(t: t, m: y[0], etaOverlap: y[1], baseNoiseOverlap: y[2], gain: exp(y[3])))
        }
        return out
    }

    /// PC.5: K Euler steps of the flow on t_j = j/K (≡ x₁-prediction on this clock, EF.19), each with
    /// the network trained at t_j; states at j = 0 … K. The t = 0 network (PC.1 at β = 0) drives the
    /// first step.
    public func grid(steps: Int, start: State? = nil) throws -> [State] {
        try require("steps", Double(steps), "≥ 1") { $0 >= 1 }
        var s = start ?? State(t: 0, m: 0, etaOverlap: 0, baseNoiseOverlap: 0, gain: 1), out = [s]
        let delta = 1 / Double(steps)
        for j in 0..<steps {
            let r = rates(at: Double(j) / Double(steps))
            let a = 1 + delta * r.decay
            s = State(t: Double(j + 1) / Double(steps), m: a * s.m + delta * r.m, etaOverlap: a * s.etaOverlap + delta * r.eta,
                      baseNoiseOverlap: a * s.baseNoiseOverlap + delta * r.base, gain: a * s.gain)
            out.append(s)
        }
        return out
    }

    /// PC.9: the start at finite d. The sample's mode s_gen = sign(u₀·X₀) is chosen by its own
    /// initial projections g₁ = μ·X₀/√d ~ N(0, 1), g₂ = η̄·X₀/√d ~ N(0, 1/n) (u₀ ∝ μ + ση̄ at t = 0),
    /// so E[s_gen X₀·μ/d] = √(2/π)/√((1 + σ²/n) d) and E[s_gen X₀·η̄/d] = (σ/n) times that; the flow
    /// is linear in the state, so the start adds its homogeneous propagation (O(d^{-1/2})).
    public func finiteDimensionStart(dimension: FlowModel.Dimension) -> State {
        let d = dimension.value
        guard n.isFinite else { return State(t: 0, m: (2 / Double.pi / d).squareRoot(), etaOverlap: 0, baseNoiseOverlap: 0, gain: 1) }
        let m0 = (2 / Double.pi / ((1 + sigma * sigma / n) * d)).squareRoot()
        return State(t: 0, m: m0, etaOverlap: sigma / n * m0, baseNoiseOverlap: 0, gain: 1)
    }

    /// PC.6: ‖μ̂ − μ‖²/d = (M − 1)² + n(P_η² + P_ξ²) for the learned mean μ̂ = Mμ + nP_η η̄ + nP_ξ ξ̄.
    public func meanError(_ s: State) -> Double {
        (s.m - 1) * (s.m - 1) + (n.isFinite ? n * (s.etaOverlap * s.etaOverlap + s.baseNoiseOverlap * s.baseNoiseOverlap) : 0)
    }

    /// The rate of PC.7: ‖μ̂ − μ‖²/d of the continuous flow at each n, and the least-squares slope of
    /// its logarithm against log n (`gsl_fit_linear`).
    public static func rate(sigma: Double, penalty: Double, ns: [Int]) throws -> (errors: [Double], slope: Double, slopeStandardError: Double) {
        let errors = try ns.map { n -> Double in
            let theory = try PrecursorTheory(sigma: sigma, n: Double(n), penalty: penalty)
            return theory.meanError(try theory.flow().last!)
        }
        let fit = try LinearFit(x: ns.map { log(Double($0)) }, y: errors.map(log))
        return (errors, fit.slope, fit.slopeStandardError)
    }
}

extension PrecursorTheory {
    /// The constant of PC.7, lim n·‖μ̂ − μ‖²/d = σ² I_η² + I_ξ², with I_η = ∫₀¹ (1 − c∞β)/α Φ(s) ds and
    /// I_ξ = ∫₀¹ c∞ Φ(s) ds, Φ(s) = exp ∫ₛ¹ (c∞ − 1)/α, c∞ = βσ²/(α² + β²σ²): integrated backward
    /// by `gsl_odeiv2` from t = 1 as the adjoint of PC.4 at n = ∞ (independent of the forward flow).
    public func noiseConstant() throws -> Double {
        let exact = try PrecursorTheory(sigma: sigma, n: .infinity, penalty: 0)
        // y = (log Φ, I_η, I_ξ) along s from 1 down to 0: d log Φ/ds = −(c − 1)/α, dI/ds = −drive·Φ.
        let integrator = try ODEIntegrator(dimension: 3) { s, y, dy in
            let r = exact.rates(at: s), phi = exp(y[0])
            let alpha = 1 - s, v = alpha * alpha + s * s * exact.sigma * exact.sigma
            dy[0] = -r.decay
            dy[1] = -(alpha / v) * phi                       // (1 − c∞β)/α = α/v
            dy[2] = -(s * exact.sigma * exact.sigma / v) * phi
        }
        var y = [0.0, 0, 0]
        try integrator.integrate(&y, from: 1, to: 0)
        return sigma * sigma * y[1] * y[1] + y[2] * y[2]
    }
}
