import CGSL

/// Least-squares straight line y = intercept + slope·x (`gsl_fit_linear`).
///
///     let fit = try LinearFit(x: [0, 1, 2], y: [1, 3, 5.1])
///     print(fit.slope, fit.slopeStandardError)   // ≈ 2.05 and its standard error
public struct LinearFit: Sendable {
    public let intercept: Double
    public let slope: Double
    /// Standard error of the slope from the residual scatter (0 when the fit is exact).
    public let slopeStandardError: Double

    public init(x: [Double], y: [Double]) throws {
        _ = gslHandlerDisabled
        guard x.count == y.count, x.count >= 2 else {
            throw GSLError(routine: "gsl_fit_linear", status: Int(GSL_EINVAL), reason: "needs at least two points, got \(x.count)")
        }
        // One distinct x (or a non-finite point) leaves the line undetermined: NaN, never a result.
        guard x.contains(where: { $0 != x[0] }), (x + y).allSatisfy(\.isFinite) else {
            throw GSLError(routine: "gsl_fit_linear", status: Int(GSL_EINVAL), reason: "needs two distinct finite x values, got \(x)")
        }
        var c0 = 0.0, c1 = 0.0, cov00 = 0.0, cov01 = 0.0, cov11 = 0.0, sumsq = 0.0
        try check(gsl_fit_linear(x, 1, y, 1, x.count, &c0, &c1, &cov00, &cov01, &cov11, &sumsq), "gsl_fit_linear")
        intercept = c0
        slope = c1
        slopeStandardError = cov11.squareRoot()
    }
}
