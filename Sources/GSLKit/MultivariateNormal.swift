import CGSL

/// N(mean, covariance) in a few dimensions: the covariance is factored once by
/// `gsl_linalg_cholesky_decomp1`, and each draw is `gsl_ran_multivariate_gaussian`.
///
///     let normal = try MultivariateNormal(mean: [0, 0], covariance: [[1, 0.5], [0.5, 1]])
///     let draw = try normal.draw(try RandomStream(seed: 1))
public final class MultivariateNormal {
    public let dimension: Int
    private let mean: UnsafeMutablePointer<gsl_vector>
    private let factor: UnsafeMutablePointer<gsl_matrix>
    private let result: UnsafeMutablePointer<gsl_vector>

    /// - Throws: `GSLError` when the covariance is not symmetric positive definite.
    public init(mean mu: [Double], covariance: [[Double]]) throws {
        _ = gslHandlerDisabled
        let n = mu.count
        precondition(n > 0 && covariance.count == n && covariance.allSatisfy { $0.count == n })
        dimension = n
        mean = gsl_vector_alloc(n)
        factor = gsl_matrix_alloc(n, n)
        result = gsl_vector_alloc(n)
        for i in 0..<n {
            gsl_vector_set(mean, i, mu[i])
            for j in 0..<n { gsl_matrix_set(factor, i, j, covariance[i][j]) }
        }
        try check(gsl_linalg_cholesky_decomp1(factor), "gsl_linalg_cholesky_decomp1 (covariance not positive definite)")
    }

    deinit {
        gsl_vector_free(mean)
        gsl_matrix_free(factor)
        gsl_vector_free(result)
    }

    /// One draw, from `stream`.
    public func draw(_ stream: RandomStream) throws -> [Double] {
        try stream.withGSL { try check(gsl_ran_multivariate_gaussian($0, mean, factor, result), "gsl_ran_multivariate_gaussian") }
        return (0..<dimension).map { gsl_vector_get(result, $0) }
    }
}
