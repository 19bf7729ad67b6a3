import CGSL
import Foundation

/// Expectations over a standard normal Z by composite Gauss–Legendre on [−L, L], with
/// `gsl_integration_glfixed` nodes on each panel. For integrands such as tanh(b + wZ), whose
/// complex poles lie π/(2w) from the real axis, Gauss–Hermite converges slowly once w ≳ 1 (order
/// 40 → 80 changes E[tanh²(1 + 2Z)] by 8e-4); panels narrower than that distance converge
/// geometrically instead (machine precision for w ≤ 8 with 8 nodes per panel of width 0.6/w).
///
///     let rule = try PanelGaussLegendre(panelWidth: 0.5)
///     rule.expectation { tanh(1 + $0) }   // E[tanh(1 + Z)], Z ~ N(0, 1)
public struct PanelGaussLegendre: Sendable {
    public let nodes: [Double]
    /// Weights including the normal density, so E[g(Z)] = Σ weights·g(nodes).
    public let weights: [Double]

    /// - Parameters:
    ///   - panelWidth: width of each panel in Z (take ≲ 0.6/w for tanh(b + wZ)).
    ///   - nodesPerPanel: Gauss–Legendre order on each panel.
    ///   - halfWidth: L; the normal mass beyond ±L is neglected (2.2e-19 for L = 9).
    public init(panelWidth: Double, nodesPerPanel: Int = 8, halfWidth: Double = 9) throws {
        _ = gslHandlerDisabled
        guard panelWidth > 0, panelWidth.isFinite, nodesPerPanel >= 1, halfWidth > 0 else {
            throw GSLError(routine: "gsl_integration_glfixed_table_alloc", status: Int(GSL_EINVAL),
                           reason: "panel width \(panelWidth), nodes \(nodesPerPanel), half width \(halfWidth)")
        }
        guard let table = gsl_integration_glfixed_table_alloc(nodesPerPanel) else {
            throw GSLError(routine: "gsl_integration_glfixed_table_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_integration_glfixed_table_free(table) }
        let panels = Int((2 * halfWidth / panelWidth).rounded(.up))
        let h = 2 * halfWidth / Double(panels)
        var x = [Double](), w = [Double]()
        x.reserveCapacity(panels * nodesPerPanel)
        w.reserveCapacity(panels * nodesPerPanel)
        for panel in 0..<panels {
            let a = -halfWidth + Double(panel) * h
            for i in 0..<nodesPerPanel {
                var xi = 0.0, wi = 0.0
                try check(gsl_integration_glfixed_point(a, a + h, i, &xi, &wi, table), "gsl_integration_glfixed_point")
                x.append(xi)
                w.append(wi * exp(-0.5 * xi * xi) / (2 * Double.pi).squareRoot())
            }
        }
        nodes = x
        weights = w
    }

    /// E[g(Z)], Z ~ N(0, 1).
    public func expectation(_ g: (Double) throws -> Double) rethrows -> Double {
        var sum = 0.0
        for i in nodes.indices { sum += weights[i] * (try g(nodes[i])) }
        return sum
    }
}
