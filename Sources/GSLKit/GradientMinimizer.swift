import CGSL

/// Gradient-based minimisation with `gsl_multimin` (`vector_bfgs2`), stopping on the gradient norm
/// (`gsl_multimin_test_gradient`). When the line search makes no progress (`GSL_ENOPROG`) the
/// minimiser is restarted from its current point (up to `restarts` times) before giving up; the
/// result then has `converged == false` and `convergenceMeasure` = the last gradient norm.
///
///     let result = try GradientMinimizer.bfgs(start: [1, 1], gradientTolerance: 1e-10) { x, g in
///         g[0] = 2 * (x[0] - 2); g[1] = 2 * x[1]; return (x[0] - 2) * (x[0] - 2) + x[1] * x[1]
///     }
///     print(result.point, result.converged)   // ≈ [2, 0], true
public enum GradientMinimizer {
    /// `f(x, g)` returns the value at x and writes the gradient into g (same length as x).
    public static func bfgs(start: [Double], initialStep: Double = 0.01, lineTolerance: Double = 0.1,
                            gradientTolerance: Double, maxIterations: Int = 10_000, restarts: Int = 5,
                            _ f: @escaping ([Double], inout [Double]) throws -> Double) throws -> MinimizationResult {
        _ = gslHandlerDisabled
        let n = start.count
        precondition(n > 0)
        let box = CallbackBox<([Double], inout [Double]) throws -> Double>(f)
        guard let minimizer = gsl_multimin_fdfminimizer_alloc(cgsl_multimin_bfgs2(), n) else {
            throw GSLError(routine: "gsl_multimin_fdfminimizer_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_multimin_fdfminimizer_free(minimizer) }
        let x = gsl_vector_alloc(n)!
        defer { gsl_vector_free(x) }
        for (i, v) in start.enumerated() { gsl_vector_set(x, i, v) }
        return try box.withPointer { pointer in
            var function = gsl_multimin_function_fdf(f: fTrampoline, df: dfTrampoline, fdf: fdfTrampoline, n: n, params: pointer)
            let setStatus = gsl_multimin_fdfminimizer_set(minimizer, &function, x, initialStep, lineTolerance)
            if let error = box.error { throw error }
            try check(setStatus, "gsl_multimin_fdfminimizer_set")
            var restartsLeft = restarts
            func norm() -> Double {
                let g = minimizer.pointee.gradient!
                return (0..<n).reduce(0.0) { $0 + gsl_vector_get(g, $1) * gsl_vector_get(g, $1) }.squareRoot()
            }
            func result(_ iterations: Int, _ converged: Bool) -> MinimizationResult {
                let p = minimizer.pointee.x!
                return MinimizationResult(point: (0..<n).map { gsl_vector_get(p, $0) }, value: minimizer.pointee.f,
                                          iterations: iterations, convergenceMeasure: norm(), converged: converged)
            }
            if norm() < gradientTolerance { return result(0, true) }
            for iteration in 1...max(1, maxIterations) {
                let status = gsl_multimin_fdfminimizer_iterate(minimizer)
                if let error = box.error { throw error }
                if norm() < gradientTolerance { return result(iteration, true) }
                if status == GSL_ENOPROG {
                    guard restartsLeft > 0 else { return result(iteration, false) }
                    restartsLeft -= 1
                    // Restart from the current point with a fresh Hessian estimate.
                    let p = gsl_vector_alloc(n)!
                    defer { gsl_vector_free(p) }
                    gsl_vector_memcpy(p, minimizer.pointee.x)
                    let s = gsl_multimin_fdfminimizer_set(minimizer, &function, p, initialStep * 0.01, lineTolerance)
                    if let error = box.error { throw error }
                    try check(s, "gsl_multimin_fdfminimizer_set")
                    continue
                }
                try check(status, "gsl_multimin_fdfminimizer_iterate")
            }
            return result(maxIterations, false)
        }
    }
}

private typealias GradientCallback = ([Double], inout [Double]) throws -> Double

private func evaluate(_ x: UnsafePointer<gsl_vector>?, _ params: UnsafeMutableRawPointer?, _ f: UnsafeMutablePointer<Double>?,
                      _ g: UnsafeMutablePointer<gsl_vector>?) {
    let box = CallbackBox<GradientCallback>.from(params)
    let n = x!.pointee.size
    let point = (0..<n).map { gsl_vector_get(x, $0) }
    var gradient = [Double](repeating: 0, count: n)
    do {
        let value = try box.function(point, &gradient)
        f?.pointee = value
        if let g { for i in 0..<n { gsl_vector_set(g, i, gradient[i]) } }
    } catch {
        box.error = error
        f?.pointee = .nan
        if let g { for i in 0..<n { gsl_vector_set(g, i, .nan) } }
    }
}

private func fTrampoline(x: UnsafePointer<gsl_vector>?, params: UnsafeMutableRawPointer?) -> Double {
    var value = 0.0
    evaluate(x, params, &value, nil)
    return value
}

private func dfTrampoline(x: UnsafePointer<gsl_vector>?, params: UnsafeMutableRawPointer?, g: UnsafeMutablePointer<gsl_vector>?) {
    evaluate(x, params, nil, g)
}

private func fdfTrampoline(x: UnsafePointer<gsl_vector>?, params: UnsafeMutableRawPointer?, f: UnsafeMutablePointer<Double>?,
                           g: UnsafeMutablePointer<gsl_vector>?) {
    evaluate(x, params, f, g)
}
