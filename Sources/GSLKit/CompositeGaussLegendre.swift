import CGSL

/// Composite Gauss–Legendre nodes and plain weights (no density) on [a, b], with
/// `gsl_integration_glfixed` on each of the panels, so ∫ₐᵇ g(x) dx ≈ Σ weights·g(nodes).
///
///     let rule = try CompositeGaussLegendre(from: 0, to: 1, panelWidth: 0.25)
///     let integral = rule.nodes.indices.reduce(0) { $0 + rule.weights[$1] * rule.nodes[$1] * rule.nodes[$1] }   // 1/3
public struct CompositeGaussLegendre: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(from a: Double, to b: Double, panelWidth: Double, nodesPerPanel: Int = 8) throws {
        _ = gslHandlerDisabled
        guard a < b, a.isFinite, b.isFinite, panelWidth > 0, panelWidth.isFinite, nodesPerPanel >= 1 else {
            throw GSLError(routine: "gsl_integration_glfixed_table_alloc", status: Int(GSL_EINVAL),
                           reason: "interval [\(a), \(b)], panel width \(panelWidth), nodes \(nodesPerPanel)")
        }
        guard let table = gsl_integration_glfixed_table_alloc(nodesPerPanel) else {
            throw GSLError(routine: "gsl_integration_glfixed_table_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_integration_glfixed_table_free(table) }
        let panels = Int(((b - a) / panelWidth).rounded(.up))
        let h = (b - a) / Double(panels)
        var x = [Double](), w = [Double]()
        for panel in 0..<panels {
            let lo = a + Double(panel) * h
            for i in 0..<nodesPerPanel {
                var xi = 0.0, wi = 0.0
                try check(gsl_integration_glfixed_point(lo, lo + h, i, &xi, &wi, table), "gsl_integration_glfixed_point")
                x.append(xi)
                w.append(wi)
            }
        }
        nodes = x
        weights = w
    }
}
