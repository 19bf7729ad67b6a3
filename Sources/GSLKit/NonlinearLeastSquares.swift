import CGSL

/// The outcome of a nonlinear least-squares fit.
public struct NonlinearFit: Sendable {
    public let parameters: [Double]
    /// Sum of squared residuals at the solution.
    public let chiSquared: Double
    /// (JᵀJ)⁻¹ at the solution (`gsl_multifit_nlinear_covar`), p × p row-major; multiply by
    /// χ²/(n − p) for the parameters' covariance under equal unknown noise.
    public let covariance: [Double]
    public let iterations: Int
}

/// Minimises Σ r_i(θ)² with GSL's trust-region Levenberg–Marquardt (`gsl_multifit_nlinear`,
/// Jacobian by forward differences).
///
/// ```swift
/// let fit = try NonlinearLeastSquares.fit(start: [1, 0], residualCount: xs.count) { p in
///     zip(xs, ys).map { p[0] * exp(p[1] * $0) - $1 }
/// }
/// ```
public enum NonlinearLeastSquares {
    public static func fit(start: [Double], residualCount n: Int, maxIterations: Int = 500,
                           xtol: Double = 1e-10, gtol: Double = 1e-12, ftol: Double = 0,
                           _ residuals: @escaping ([Double]) throws -> [Double]) throws -> NonlinearFit {
        _ = gslHandlerDisabled
        let p = start.count
        precondition(p > 0)
        guard n >= p else {
            throw GSLError(routine: "gsl_multifit_nlinear", status: Int(GSL_EBADLEN), reason: "\(n) residuals for \(p) parameters")
        }
        var parameters = gsl_multifit_nlinear_default_parameters()
        guard let w = gsl_multifit_nlinear_alloc(cgsl_nlinear_trust(), &parameters, n, p) else {
            throw GSLError(routine: "gsl_multifit_nlinear_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_multifit_nlinear_free(w) }
        let x0 = gsl_vector_alloc(p)!
        defer { gsl_vector_free(x0) }
        for (i, v) in start.enumerated() { gsl_vector_set(x0, i, v) }
        let box = CallbackBox<([Double]) throws -> [Double]>(residuals)
        return try box.withPointer { pointer in
            var fdf = gsl_multifit_nlinear_fdf(f: nlinearTrampoline, df: nil, fvv: nil, n: n, p: p, params: pointer,
                                               nevalf: 0, nevaldf: 0, nevalfvv: 0)
            let initStatus = gsl_multifit_nlinear_init(x0, &fdf, w)
            if let error = box.error { throw error }
            try check(initStatus, "gsl_multifit_nlinear_init")
            var info: Int32 = 0
            let status = gsl_multifit_nlinear_driver(maxIterations, xtol, gtol, ftol, nil, nil, &info, w)
            if let error = box.error { throw error }
            try check(status, "gsl_multifit_nlinear_driver")
            let x = gsl_multifit_nlinear_position(w)!, f = gsl_multifit_nlinear_residual(w)!
            let theta = (0..<p).map { gsl_vector_get(x, $0) }
            let chi2 = (0..<n).reduce(0.0) { $0 + gsl_vector_get(f, $1) * gsl_vector_get(f, $1) }
            let covar = gsl_matrix_alloc(p, p)!
            defer { gsl_matrix_free(covar) }
            try check(gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0, covar), "gsl_multifit_nlinear_covar")
            var c = [Double](repeating: 0, count: p * p)
            for i in 0..<p { for j in 0..<p { c[i * p + j] = gsl_matrix_get(covar, i, j) } }
            return NonlinearFit(parameters: theta, chiSquared: chi2, covariance: c, iterations: Int(gsl_multifit_nlinear_niter(w)))
        }
    }
}

private func nlinearTrampoline(x: UnsafePointer<gsl_vector>?, params: UnsafeMutableRawPointer?, f: UnsafeMutablePointer<gsl_vector>?) -> Int32 {
    let box = CallbackBox<([Double]) throws -> [Double]>.from(params)
    let point = (0..<x!.pointee.size).map { gsl_vector_get(x, $0) }
    do {
        let r = try box.function(point)
        guard r.count == f!.pointee.size, r.allSatisfy(\.isFinite) else {
            box.error = GSLError(routine: "gsl_multifit_nlinear", status: Int(GSL_EBADFUNC),
                                 reason: "residuals not finite or of the wrong count")
            return Int32(GSL_EBADFUNC)
        }
        for (i, v) in r.enumerated() { gsl_vector_set(f, i, v) }
        return Int32(GSL_SUCCESS)
    } catch {
        box.error = error
        return Int32(GSL_EBADFUNC)
    }
}
