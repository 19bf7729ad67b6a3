import CGSL

/// Adaptive Gauss–Kronrod quadrature with known difficult points (`gsl_integration_qagp`):
/// ∫ₐᵇ f(x) dx, with the interval split at `points` (sharp steps, kinks) before bisection.
public enum AdaptiveIntegral {
    /// ∫ f over [lower, upper]; `points` strictly inside are used as initial breakpoints.
    /// Stops when the error estimate is below max(absolute, relative·|result|).
    public static func integrate(from lower: Double, to upper: Double, points: [Double] = [],
                                 absolute: Double = 0, relative: Double = 1e-10, limit: Int = 1000,
                                 _ f: @escaping (Double) throws -> Double) throws -> Double {
        _ = gslHandlerDisabled
        guard lower < upper, lower.isFinite, upper.isFinite else {
            throw GSLError(routine: "gsl_integration_qagp", status: Int(GSL_EINVAL), reason: "interval [\(lower), \(upper)]")
        }
        let inside = Array(Set(points.filter { $0 > lower && $0 < upper && $0.isFinite })).sorted()
        var knots = [lower] + inside + [upper]
        let box = CallbackBox<(Double) throws -> Double>(f)
        guard let workspace = gsl_integration_workspace_alloc(limit) else {
            throw GSLError(routine: "gsl_integration_workspace_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_integration_workspace_free(workspace) }
        return try box.withPointer { pointer in
            var function = gsl_function(function: scalarTrampoline, params: pointer)
            var result = 0.0, error = 0.0
            let status = gsl_integration_qagp(&function, &knots, knots.count, absolute, relative, limit, workspace, &result, &error)
            if let thrown = box.error { throw thrown }
            try check(status, "gsl_integration_qagp on [\(lower), \(upper)]")
            return result
        }
    }
}
