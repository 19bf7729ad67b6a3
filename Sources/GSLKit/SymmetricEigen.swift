import CGSL

/// Eigenvalues and eigenvectors of a real symmetric matrix (`gsl_eigen_symmv`), sorted by
/// decreasing eigenvalue (`gsl_eigen_symmv_sort`).
///
/// ```swift
/// let e = try SymmetricEigen(matrix: [2, 1, 1, 2], order: 2)
/// // e.values == [3, 1]; e.vector(0) ≈ [0.707, 0.707]
/// ```
public struct SymmetricEigen: Sendable {
    public let order: Int
    /// Eigenvalues, largest first.
    public let values: [Double]
    /// Eigenvectors as columns of an order × order column-major matrix: vector k is
    /// `vectors[k*order ..< (k+1)*order]`, unit length.
    public let vectors: [Double]

    /// `matrix`: order × order values (symmetric, so row- and column-major agree).
    public init(matrix: [Double], order n: Int) throws {
        _ = gslHandlerDisabled
        precondition(n > 0 && matrix.count == n * n)
        guard matrix.allSatisfy(\.isFinite) else {
            throw GSLError(routine: "gsl_eigen_symmv", status: Int(GSL_EDOM), reason: "matrix has a non-finite entry")
        }
        let a = gsl_matrix_alloc(n, n)!, evec = gsl_matrix_alloc(n, n)!, eval = gsl_vector_alloc(n)!
        defer { gsl_matrix_free(a); gsl_matrix_free(evec); gsl_vector_free(eval) }
        matrix.withUnsafeBufferPointer { src in
            for i in 0..<n { for j in 0..<n { gsl_matrix_set(a, i, j, src[i * n + j]) } }
        }
        guard let work = gsl_eigen_symmv_alloc(n) else {
            throw GSLError(routine: "gsl_eigen_symmv_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        defer { gsl_eigen_symmv_free(work) }
        try check(gsl_eigen_symmv(a, eval, evec, work), "gsl_eigen_symmv")
        try check(gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC), "gsl_eigen_symmv_sort")
        order = n
        values = (0..<n).map { gsl_vector_get(eval, $0) }
        var v = [Double](repeating: 0, count: n * n)
        for k in 0..<n { for i in 0..<n { v[k * n + i] = gsl_matrix_get(evec, i, k) } }
        vectors = v
    }

    /// Eigenvector k (unit length).
    public func vector(_ k: Int) -> [Double] { Array(vectors[k * order ..< (k + 1) * order]) }
}

/// Solves A x = b for a symmetric positive-definite A by Cholesky (`gsl_linalg_cholesky_decomp1`,
/// `gsl_linalg_cholesky_solve`). Throws when A is not positive definite.
public func choleskySolve(_ matrix: [Double], order n: Int, _ b: [Double]) throws -> [Double] {
    _ = gslHandlerDisabled
    precondition(n > 0 && matrix.count == n * n && b.count == n)
    let a = gsl_matrix_alloc(n, n)!, rhs = gsl_vector_alloc(n)!, x = gsl_vector_alloc(n)!
    defer { gsl_matrix_free(a); gsl_vector_free(rhs); gsl_vector_free(x) }
    for i in 0..<n {
        gsl_vector_set(rhs, i, b[i])
        for j in 0..<n { gsl_matrix_set(a, i, j, matrix[i * n + j]) }
    }
    try check(gsl_linalg_cholesky_decomp1(a), "gsl_linalg_cholesky_decomp1 (matrix not positive definite)")
    try check(gsl_linalg_cholesky_solve(a, rhs, x), "gsl_linalg_cholesky_solve")
    return (0..<n).map { gsl_vector_get(x, $0) }
}
