import Foundation

/// T_k = E_g tanh^k(a + s g), g ~ N(0, 1), k = 0…6: the Gaussian integrals of the autoencoder theory
/// (Φ1 = T1, Φ2 = T2 of AT.31) and of the training dynamics (TD.14, where every expectation is a
/// polynomial of degree ≤ 6 in tanh). Deterministic quadrature in two regimes:
/// - s ≤ 1: panelled Gauss–Legendre in g (8 nodes on panels of width 0.75, under half the distance
///   π/(2s) ≥ π/2 of the poles of tanh from the real axis, so convergence is geometric);
/// - s > 1: the integral is written in x = a + s g against N(x; a, s²), by composite Gauss–Legendre
///   (8 nodes on panels of width 0.5) on ±[0, 20] at nodes fixed in x, so tanh is tabulated once and
///   the cost does not grow with s (s grows like √d in phase 2); beyond |x| = 20, tanh^k = (±1)^k to
///   4e-17 and the tails are normal probabilities. For odd k, tanh^k − 1 (x > 0) is integrated and
///   the sign part added exactly, so nothing cancels when the mass sits far from 0.
/// Doubling the nodes per panel changes nothing at the 1e-13 level (`AutoencoderQuadratureTests`).
/// For s ≤ 1, tanh goes four nodes at a time (`VectorTanh`, within 2 ulp of libm's tanh), the sums
/// still node by node in order (sums per lane changed the minimiser's path on the flat objective).
///
///     let moments = try TanhMoments()
///     let (first, second) = moments.moments(mean: 0.5, scale: 1)   // E tanh(0.5 + Z), E tanh²(0.5 + Z)
public struct TanhMoments: Sendable {
    public static let maxPower = 6
    public let nodesPerPanel: Int
    typealias Vector = VectorTanh.Vector
    /// The nodes and weights of the s ≤ 1 rule, four to a vector (the last padded with weight 0).
    private let narrowNodes: [Vector], narrowWeights: [Vector]
    private let xNodes: [Double], xWeights: [Double]
    /// tanh(x)^k − 1 at the nodes x > 0, k = 1…6, from e^{−2x} without cancellation.
    private let powerMinusOne: [[Double]]

    public init(nodesPerPanel: Int = 8) throws {
        self.nodesPerPanel = nodesPerPanel
        let narrow = try PanelGaussLegendre(panelWidth: 0.75, nodesPerPanel: nodesPerPanel, halfWidth: 9)
        narrowNodes = Self.vectors(narrow.nodes)
        narrowWeights = Self.vectors(narrow.weights)
        let rule = try CompositeGaussLegendre(from: 0, to: 20, panelWidth: 0.5, nodesPerPanel: nodesPerPanel)
        xNodes = rule.nodes
        xWeights = rule.weights
        // tanh x = 1 − δ with δ = 2e^{−2x}/(1 + e^{−2x}); tanh^k − 1 = Σ_{j≥1} C(k, j)(−δ)^j.
        powerMinusOne = rule.nodes.map { x in
            let e = exp(-2 * x), delta = 2 * e / (1 + e)
            return (1...Self.maxPower).map { k in
                var sum = 0.0, term = 1.0
                for j in 1...k { term *= -delta * Double(k - j + 1) / Double(j); sum += term }
                return sum
            }
        }
    }

    /// `values` four to a vector, the last vector padded with zeros.
    static func vectors(_ values: [Double]) -> [Vector] {
        stride(from: 0, to: values.count, by: 4).map { i in
            var v = Vector.zero
            for lane in 0..<min(4, values.count - i) { v[lane] = values[i + lane] }
            return v
        }
    }

    /// (Φ1, Φ2) = (T1, T2) for mean a and scale s ≥ 0.
    public func moments(mean a: Double, scale s: Double) -> (first: Double, second: Double) {
        let t = powers(center: a, scale: s, upTo: 2)
        return (t[1], t[2])
    }

    /// [T0 = 1, T1, …, T_upTo] for center a and scale s ≥ 0 (upTo ≤ 6).
    public func powers(center a: Double, scale s: Double, upTo top: Int = TanhMoments.maxPower) -> [Double] {
        precondition(top >= 1 && top <= Self.maxPower, "powers up to \(Self.maxPower)")
        let s = abs(s)
        var t = [Double](repeating: 0, count: top + 1)
        t[0] = 1
        if s <= 1 {
            // Σ weight·tanh^k(a + s x), k = 1…top, node by node in order (tanh four nodes at a time).
            var sums = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            let center = Vector(repeating: a), scale = Vector(repeating: s)
            narrowNodes.withUnsafeBufferPointer { x in
                narrowWeights.withUnsafeBufferPointer { w in
                    for i in 0..<x.count {
                        let phis = VectorTanh.tanh(center + scale * x[i]), weights = w[i]
                        for lane in 0..<4 {
                            let phi = phis[lane]
                            var power = weights[lane] * phi
                            sums.0 += power
                            guard top >= 2 else { continue }
                            power *= phi; sums.1 += power
                            guard top >= 3 else { continue }
                            power *= phi; sums.2 += power
                            guard top >= 4 else { continue }
                            power *= phi; sums.3 += power
                            guard top >= 5 else { continue }
                            power *= phi; sums.4 += power
                            guard top >= 6 else { continue }
                            power *= phi; sums.5 += power
                        }
                    }
                }
            }
            let total = [sums.0, sums.1, sums.2, sums.3, sums.4, sums.5]
            for k in 1...top { t[k] = total[k - 1] }
            return t
        }
        // E tanh^k = P(x > 0) + (−1)^k P(x < 0) + ∫_{x>0} (tanh^k x − 1)[N(x) + (−1)^k N(−x)] dx.
        let norm = 1 / (s * (2 * Double.pi).squareRoot()), inv2s2 = 1 / (2 * s * s), reach = 9 * s
        var plus = [Double](repeating: 0, count: top + 1), minus = plus
        for i in xNodes.indices {
            let x = xNodes[i], dp = x - a, dm = -x - a
            let np = abs(dp) < reach ? exp(-dp * dp * inv2s2) : 0
            let nm = abs(dm) < reach ? exp(-dm * dm * inv2s2) : 0
            if np == 0 && nm == 0 { continue }
            for k in 1...top {
                let f = xWeights[i] * powerMinusOne[i][k - 1]
                plus[k] += f * np
                minus[k] += f * nm
            }
        }
        let positive = StandardNormal.upperTail(-a / s)   // P(x > 0)
        for k in 1...top {
            let even = k % 2 == 0
            t[k] = positive + (even ? 1 : -1) * (1 - positive) + norm * (plus[k] + (even ? minus[k] : -minus[k]))
        }
        return t
    }
}
