import Foundation
import FlowModel
import GSLKit

/// The gradient of the time-averaged population loss J = (1/K) Σ_j L_j with respect to the biases,
/// at the exact network (AT.8) with every bias reset to b (derivations/ablation.md AB.3–AB.6).
/// It measures how hard the training pushes b towards its target h = atanh(2p − 1): O(1) on the
/// dilated clock, ∝ 1/√d on a linear grid that resolves the window (K ≫ √d), g(0)/K below that.
///
///     let g = try BiasGradient(setup: try Setup(dimension: .finite(10_000), p: 0.8, sigma: 1, k: 2))
///     let slope = g.timeAveraged(grid: [(alpha: 1, beta: 0.01)], dimension: .finite(10_000))   // AB.3
public struct BiasGradient: Sendable {
    /// p and σ of the target (d is given per call; k and n are not used).
    public let setup: Setup
    var p: Double { setup.p }
    var sigma: Double { setup.sigma }
    /// E over g ~ N(0, 1) when the preactivation's spread ω√v is at most 1 (smooth integrand).
    let normal: PanelGaussLegendre
    /// ∫ da over the preactivation a ∈ [−40, 40] otherwise: sech²(a) confines the integrand there,
    /// whatever the width of the density of a (AB.2 rewritten in a = b + ωζ).
    let preactivation: CompositeGaussLegendre

    public init(setup: Setup) throws {
        self.setup = setup
        normal = try PanelGaussLegendre(panelWidth: 0.5, nodesPerPanel: 10)
        preactivation = try CompositeGaussLegendre(from: -40, to: 40, panelWidth: 0.25, nodesPerPanel: 10)
    }

    var logOdds: Double { setup.logOdds }

    /// ∂L_j/∂b_j at one grid time (AB.2): 2 m² E[(tanh(b + ωζ) − tanh(h + ωζ)) sech²(b + ωζ)],
    /// ζ = sS + √v g, m = α²/v, ω = S/v, S = β√d.
    public func perTime(alpha: Double, beta: Double, dimension: FlowModel.Dimension, bias: Double = 0) -> Double {
        perTime(alpha: alpha, beta: beta, squareRootOfD: dimension.squareRoot, bias: bias)
    }

    /// AB.2 with √d given as a number (the window integral takes d = 10²⁴, beyond `Dimension`).
    func perTime(alpha: Double, beta: Double, squareRootOfD: Double, bias: Double) -> Double {
        let v = alpha * alpha + beta * beta * sigma * sigma, s = beta * squareRootOfD
        let m = alpha * alpha / v, omega = s / v, h = logOdds
        func integrand(_ a: Double) -> Double {   // a = b + ωζ
            let sech = 1 / cosh(a)
            return (tanh(a) - tanh(a - bias + h)) * sech * sech
        }
        let spread = omega * v.squareRoot()
        func branch(_ sign: Double) -> Double {
            if spread <= 1 { return normal.expectation { g in integrand(bias + omega * (sign * s + v.squareRoot() * g)) } }
            let center = bias + omega * sign * s
            return zip(preactivation.nodes, preactivation.weights).reduce(0.0) { sum, node in
                let z = (node.0 - center) / spread
                return sum + node.1 * integrand(node.0) * exp(-0.5 * z * z) / (spread * (2 * Double.pi).squareRoot())
            }
        }
        return 2 * m * m * (p * branch(1) + (1 - p) * branch(-1))
    }

    /// ∂J/∂b for a common shift of every bias (AB.3): the mean of AB.2 over the K grid times.
    public func timeAveraged(grid: [(alpha: Double, beta: Double)], dimension: FlowModel.Dimension, bias: Double = 0) -> Double {
        grid.map { perTime(alpha: $0.alpha, beta: $0.beta, dimension: dimension, bias: bias) }.reduce(0, +) / Double(grid.count)
    }

    /// Γ = ∫₀^∞ g(S) dS with g(S) = AB.2 at α = 1, β = S/√d → 0 (the window of a large d), by
    /// Gauss–Legendre panels on [0, 12] (g decays like e^{−S²/2}): the constant of AB.4.
    public func windowIntegral(bias: Double = 0) throws -> Double {
        let rule = try CompositeGaussLegendre(from: 0, to: 12, panelWidth: 0.25, nodesPerPanel: 10)
        return zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * perTime(alpha: 1, beta: $1.0 / 1e12, squareRootOfD: 1e12, bias: bias) }
    }

    /// A Monte Carlo estimate of AB.2 in d dimensions (independent of the ζ reduction): the exact
    /// network u = mμ, w = ωμ, c = βσ²/v with μ = (1, …, 1) and bias b, fresh (z, s, η) per sample,
    /// the sample mean of (2/d)(f − x₁)·u sech²(b + w·x/√d) and its standard error. Needs a finite d.
    public func monteCarlo(alpha: Double, beta: Double, dimension: FlowModel.Dimension, samples: Int, seed: UInt64,
                           bias: Double = 0) throws -> (mean: Double, standardError: Double) {
        guard let d = dimension.finite else { throw InputError("the Monte Carlo needs a finite d; got d = inf") }
        let rng = try RandomStream(seed: seed)
        let v = alpha * alpha + beta * beta * sigma * sigma, sqrtD = Double(d).squareRoot()
        let c = beta * sigma * sigma / v, m = alpha * alpha / v, omega = beta * sqrtD / v
        var values = [Double]()
        values.reserveCapacity(samples)
        var x = [Double](repeating: 0, count: d), x1 = [Double](repeating: 0, count: d)
        for _ in 0..<samples {
            let s: Double = rng.uniform() < p ? 1 : -1
            var projection = 0.0
            for i in 0..<d {
                x1[i] = s + sigma * rng.gaussian()
                x[i] = alpha * rng.gaussian() + beta * x1[i]
                projection += x[i]
            }
            let a = bias + omega * projection / sqrtD, t = tanh(a), sech = 1 / cosh(a)
            var dot = 0.0   // (f − x₁)·u with u_i = m
            for i in 0..<d { dot += (c * x[i] + m * t - x1[i]) * m }
            values.append(2 * dot / Double(d) * sech * sech)
        }
        return meanAndStandardError(values)
    }
}
