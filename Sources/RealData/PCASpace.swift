import Foundation
import BLASKit
import FlowModel
import GSLKit

/// The principal subspace of training images: y = Uᵀ(x − x̄) with U the top `dimension`
/// eigenvectors of the pixel covariance (RD.13–RD.14). Pixels are first scaled to [−1, 1];
/// U is orthonormal and nothing is whitened, so N(0, I) pixel noise projects to N(0, I) noise in y
/// and the signal-to-noise ratio (hence the time window) is that of the [−1, 1] images.
///
/// ```swift
/// let pca = try PCASpace(fitting: trainPixels, count: n, pixelCount: 784, dimension: 64)
/// let y = pca.project(testPixels, count: m)
/// ```
public struct PCASpace: Sendable {
    public let pixelCount: Int
    public let dimension: Int
    public let mean: [Double]
    /// Column-major pixelCount × dimension; column k is the k-th principal direction.
    public let basis: [Double]
    /// Variances along the kept directions (eigenvalues of the covariance, n − 1 divisor), largest first.
    public let variances: [Double]
    /// The total pixel variance (trace of the covariance).
    public let totalVariance: Double

    /// Fits on `count` rows of `pixelCount` values (row-major). The covariance's eigenvectors come
    /// from the smaller of the pixel covariance (pixelCount²) and the Gram matrix (count²) (RD.14).
    public init(fitting x: [Double], count n: Int, pixelCount p: Int, dimension k: Int) throws {
        guard n >= 2 else { throw InputError("PCA needs at least two training images; got \(n)") }
        guard k >= 1, k <= min(p, n - 1) else {
            throw InputError("pca dimension must be in 1…\(min(p, n - 1)) (pixels and training images − 1); got \(k)")
        }
        precondition(x.count == n * p)
        BLAS.singleThreaded()
        var mean = [Double](repeating: 0, count: p)
        for i in 0..<n { for j in 0..<p { mean[j] += x[i * p + j] } }
        for j in 0..<p { mean[j] /= Double(n) }
        var centred = x
        for i in 0..<n { for j in 0..<p { centred[i * p + j] -= mean[j] } }
        // centred is row-major n × p = column-major p × n (columns are images), X below.
        let scale = 1 / Double(n - 1)
        var basis = [Double](repeating: 0, count: p * k), variances = [Double](repeating: 0, count: k)
        var trace = 0.0
        for v in centred { trace += v * v }
        if p <= n {
            var cov = [Double](repeating: 0, count: p * p)   // X Xᵀ / (n − 1)
            Double.gemm(.none, .transpose, m: p, n: p, k: n, alpha: scale, a: centred, lda: p, b: centred, ldb: p,
                        beta: 0, c: &cov, ldc: p)
            let eigen = try SymmetricEigen(matrix: cov, order: p)
            basis = Array(eigen.vectors[0..<(p * k)])
            variances = Array(eigen.values[0..<k])
        } else {
            var gram = [Double](repeating: 0, count: n * n)  // Xᵀ X / (n − 1)
            Double.gemm(.transpose, .none, m: n, n: n, k: p, alpha: scale, a: centred, lda: p, b: centred, ldb: p,
                        beta: 0, c: &gram, ldc: n)
            let eigen = try SymmetricEigen(matrix: gram, order: n)
            variances = Array(eigen.values[0..<k])
            // u_k = X v_k / √((n − 1) λ_k)  (RD.14)
            Double.gemm(.none, .none, m: p, n: k, k: n, alpha: 1, a: centred, lda: p, b: eigen.vectors, ldb: n,
                        beta: 0, c: &basis, ldc: p)
            for c in 0..<k {
                let norm = (Double(n - 1) * max(variances[c], 0)).squareRoot()
                guard norm > 0 else { throw InputError("pca dimension \(k) exceeds the rank of the training images") }
                for j in 0..<p { basis[c * p + j] /= norm }
            }
        }
        guard variances.last! > 0 else { throw InputError("pca dimension \(k) exceeds the rank of the training images") }
        self.pixelCount = p; self.dimension = k; self.mean = mean; self.basis = basis
        self.variances = variances; self.totalVariance = trace * scale
    }

    /// y = Uᵀ(x − x̄) for `count` rows of pixels (row-major in, row-major out).
    public func project(_ x: [Double], count n: Int) -> [Double] {
        precondition(x.count == n * pixelCount)
        var centred = x
        for i in 0..<n { for j in 0..<pixelCount { centred[i * pixelCount + j] -= mean[j] } }
        var y = [Double](repeating: 0, count: n * dimension)
        Double.gemm(.transpose, .none, m: dimension, n: n, k: pixelCount, alpha: 1, a: basis, lda: pixelCount,
                    b: centred, ldb: pixelCount, beta: 0, c: &y, ldc: dimension)
        return y
    }

    /// x = x̄ + U y, back to pixels.
    public func reconstruct(_ y: [Double], count n: Int) -> [Double] {
        var x = [Double](repeating: 0, count: n * pixelCount)
        for i in 0..<n { for j in 0..<pixelCount { x[i * pixelCount + j] = mean[j] } }
        Double.gemm(.none, .none, m: pixelCount, n: n, k: dimension, alpha: 1, a: basis, lda: pixelCount,
                    b: y, ldb: dimension, beta: 1, c: &x, ldc: pixelCount)
        return x
    }

    /// The images of `count` rows of coordinates: x̄ + U y clipped to the pixel box [−1, 1] (RD.26).
    public func decode(_ y: [Double], count n: Int) -> [Double] {
        reconstruct(y, count: n).map { min(max($0, -1), 1) }
    }
}
