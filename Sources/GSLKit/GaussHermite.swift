import CGSL

/// Fixed-order Gauss–Hermite rule for expectations over a standard normal variable,
/// built with `gsl_integration_fixed` (weight exp(−x²/2)) and normalised so the weights sum to 1.
///
///     let rule = try GaussHermite(order: 20)
///     rule.expectation { $0 * $0 }   // E[Z²] = 1 for Z ~ N(0, 1)
public struct GaussHermite: Sendable {
    public let order: Int
    public let nodes: [Double]
    public let weights: [Double]

    public init(order: Int) throws {
        _ = gslHandlerDisabled
        guard order >= 1 else {
            throw GSLError(routine: "gsl_integration_fixed_alloc", status: Int(GSL_EINVAL), reason: "order must be ≥ 1, got \(order)")
        }
        // Weight (x − a)^α exp(−b (x − a)²) with a = 0, α = 0, b = 1/2: the standard normal kernel.
        guard let workspace = gsl_integration_fixed_alloc(cgsl_fixed_hermite(), order, 0, 0.5, 0, 0) else {
            throw GSLError(routine: "gsl_integration_fixed_alloc", status: Int(GSL_EINVAL), reason: "cannot build order-\(order) rule")
        }
        defer { gsl_integration_fixed_free(workspace) }
        let x = gsl_integration_fixed_nodes(workspace)!, w = gsl_integration_fixed_weights(workspace)!
        let total = (0..<order).reduce(0.0) { $0 + w[$1] }
        self.order = order
        nodes = (0..<order).map { x[$0] }
        weights = (0..<order).map { w[$0] / total }
    }

    /// E[g(Z)], Z ~ N(0, 1).
    public func expectation(_ g: (Double) throws -> Double) rethrows -> Double {
        var sum = 0.0
        for i in 0..<order { sum += weights[i] * (try g(nodes[i])) }
        return sum
    }
}
