import CGSL

/// The outcome of a minimisation, with what the convergence test saw.
public struct MinimizationResult: Sendable {
    public let point: [Double]
    public let value: Double
    public let iterations: Int
    /// Final simplex size (Nelder–Mead) or gradient norm (BFGS).
    public let convergenceMeasure: Double
    public let converged: Bool
}

/// Multidimensional minimisation with `gsl_multimin`.
///
///     let result = try Minimizer.nelderMead(start: [1, 1], initialStep: [0.5, 0.5]) { x in (x[0] - 2) * (x[0] - 2) + x[1] * x[1] }
///     print(result.point, result.converged)   // ≈ [2, 0], true
public enum Minimizer {
    /// Derivative-free Nelder–Mead (`nmsimplex2`), stopping when the simplex size falls below
    /// `sizeTolerance`. Throws if it has not converged after `maxIterations`, unless
    /// `returnUnconverged` is set: then the best point so far is returned with `converged == false`.
    public static func nelderMead(start: [Double], initialStep: [Double], sizeTolerance: Double = 1e-10,
                                  maxIterations: Int = 10_000, returnUnconverged: Bool = false,
                                  _ f: @escaping ([Double]) throws -> Double) throws -> MinimizationResult {
        _ = gslHandlerDisabled
        let n = start.count
        precondition(n > 0 && initialStep.count == n)
        let box = CallbackBox<([Double]) throws -> Double>(f)
        guard let minimizer = gsl_multimin_fminimizer_alloc(cgsl_multimin_nmsimplex2(), n) else {
            throw GSLError(routine: "gsl_multimin_fminimizer_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_multimin_fminimizer_free(minimizer) }
        let x = vector(start), step = vector(initialStep)
        defer { gsl_vector_free(x); gsl_vector_free(step) }
        return try box.withPointer { pointer in
            var function = gsl_multimin_function(f: multiminTrampoline, n: n, params: pointer)
            let setStatus = gsl_multimin_fminimizer_set(minimizer, &function, x, step)
            if let error = box.error { throw error }
            try check(setStatus, "gsl_multimin_fminimizer_set")
            for iteration in 1...maxIterations {
                let status = gsl_multimin_fminimizer_iterate(minimizer)
                if let error = box.error { throw error }
                try check(status, "gsl_multimin_fminimizer_iterate")
                let size = gsl_multimin_fminimizer_size(minimizer)
                if gsl_multimin_test_size(size, sizeTolerance) == GSL_SUCCESS {
                    return MinimizationResult(point: array(minimizer.pointee.x), value: minimizer.pointee.fval,
                                              iterations: iteration, convergenceMeasure: size, converged: true)
                }
            }
            if returnUnconverged {
                return MinimizationResult(point: array(minimizer.pointee.x), value: minimizer.pointee.fval, iterations: maxIterations,
                                          convergenceMeasure: gsl_multimin_fminimizer_size(minimizer), converged: false)
            }
            throw GSLError(routine: "gsl_multimin_fminimizer_iterate", status: Int(GSL_EMAXITER),
                           reason: "simplex size above \(sizeTolerance) after \(maxIterations) iterations")
        }
    }
}

private func vector(_ values: [Double]) -> UnsafeMutablePointer<gsl_vector> {
    let v = gsl_vector_alloc(values.count)!
    for (i, value) in values.enumerated() { gsl_vector_set(v, i, value) }
    return v
}

private func array(_ v: UnsafeMutablePointer<gsl_vector>) -> [Double] {
    (0..<v.pointee.size).map { gsl_vector_get(v, $0) }
}

private func multiminTrampoline(x: UnsafePointer<gsl_vector>?, params: UnsafeMutableRawPointer?) -> Double {
    let box = CallbackBox<([Double]) throws -> Double>.from(params)
    let point = (0..<x!.pointee.size).map { gsl_vector_get(x, $0) }
    do { return try box.function(point) } catch {
        box.error = error
        return .nan
    }
}
