import Foundation
import GSLKit

/// Gaussian moments T_k = E_g[tanh^k(center + scale·g)], g ~ N(0, 1), k = 1…6 (TD.14).
///
/// Every expectation of the order-parameter equations is a polynomial in φ = tanh(λ) of degree ≤ 6
/// (φ' = 1 − φ², φ'' = −2φ + 2φ³, …), so these six numbers per class s are all the quadrature needed.
/// - scale ≤ 1: panelled Gauss–Legendre in g (the tanh poles sit ≥ π/2 from the real axis).
/// - scale > 1: panelled Gauss–Legendre in λ on [−Y, Y] against the normal density N(λ; center,
///   scale²), plus the exact tails, where tanh^k = (±1)^k to 1e-17 (Y = 20). This keeps the cost
///   fixed when scale grows like √d in phase 2.
public struct TanhMoments: Sendable {
    private let gNodes: [Double], gWeights: [Double]
    private let yNodes: [Double], yWeights: [Double]
    private let cut = 20.0

    public init() throws {
        let g = try PanelGaussLegendre(panelWidth: 0.5, nodesPerPanel: 8, halfWidth: 9)
        gNodes = g.nodes
        gWeights = g.weights
        let y = try PanelGaussLegendre(panelWidth: 0.5, nodesPerPanel: 8, halfWidth: cut)
        yNodes = y.nodes
        // Undo the standard-normal density: plain Gauss–Legendre weights on [−Y, Y].
        yWeights = zip(y.nodes, y.weights).map { x, w in w * (2 * Double.pi).squareRoot() * exp(0.5 * x * x) }
    }

    /// (T1, …, T6); element 0 is T0 = 1.
    public func moments(center: Double, scale: Double) -> [Double] {
        var t = [Double](repeating: 0, count: 7)
        t[0] = 1
        if scale <= 1 {
            for i in gNodes.indices {
                let phi = tanh(center + scale * gNodes[i])
                var power = gWeights[i]
                for k in 1...6 { power *= phi; t[k] += power }
            }
        } else {
            let norm = 1 / (scale * (2 * Double.pi).squareRoot())
            for i in yNodes.indices {
                let z = (yNodes[i] - center) / scale
                let density = 0.5 * z * z > 700 ? 0 : exp(-0.5 * z * z) * norm
                if density == 0 { continue }
                let phi = tanh(yNodes[i])
                var power = yWeights[i] * density
                for k in 1...6 { power *= phi; t[k] += power }
            }
            let upper = StandardNormal.upperTail((cut - center) / scale)
            let lower = StandardNormal.cdf((-cut - center) / scale)
            for k in 1...6 { t[k] += upper + (k % 2 == 0 ? lower : -lower) }
        }
        return t
    }
}
