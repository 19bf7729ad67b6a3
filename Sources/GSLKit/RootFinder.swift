import CGSL

/// Brent's method (`gsl_root_fsolver_brent`) for a root of a continuous scalar function.
///
///     let root = try RootFinder.brent(in: 0, 2) { $0 * $0 - 2 }   // √2
public enum RootFinder {
    /// A root of `f` in the bracket [lower, upper], where f(lower) and f(upper) differ in sign.
    /// Stops when the bracket is narrower than absolute + relative·|root|.
    public static func brent(in lower: Double, _ upper: Double,
                             absolute: Double = 1e-13, relative: Double = 1e-13, maxIterations: Int = 200,
                             _ f: @escaping (Double) throws -> Double) throws -> Double {
        _ = gslHandlerDisabled
        let box = CallbackBox<(Double) throws -> Double>(f)
        guard let solver = gsl_root_fsolver_alloc(cgsl_root_brent()) else {
            throw GSLError(routine: "gsl_root_fsolver_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_root_fsolver_free(solver) }
        return try box.withPointer { pointer in
            var function = gsl_function(function: scalarTrampoline, params: pointer)
            let setStatus = gsl_root_fsolver_set(solver, &function, lower, upper)
            if let error = box.error { throw error }
            try check(setStatus, "gsl_root_fsolver_set on [\(lower), \(upper)]")
            for _ in 0..<maxIterations {
                let status = gsl_root_fsolver_iterate(solver)
                if let error = box.error { throw error }
                try check(status, "gsl_root_fsolver_iterate")
                let lo = gsl_root_fsolver_x_lower(solver), hi = gsl_root_fsolver_x_upper(solver)
                if gsl_root_test_interval(lo, hi, absolute, relative) == GSL_SUCCESS {
                    return gsl_root_fsolver_root(solver)
                }
            }
            throw GSLError(routine: "gsl_root_fsolver_iterate", status: Int(GSL_EMAXITER),
                           reason: "no convergence in \(maxIterations) iterations")
        }
    }
}

/// Evaluates a boxed Swift closure for GSL; a thrown error is kept and NaN returned, which GSL
/// reports as a bad function value.
func scalarTrampoline(x: Double, params: UnsafeMutableRawPointer?) -> Double {
    let box = CallbackBox<(Double) throws -> Double>.from(params)
    do { return try box.function(x) } catch {
        box.error = error
        return .nan
    }
}
