import XCTest
import GSLKit
@testable import RealData

final class PCASpaceTests: XCTestCase {
    /// The covariance route (p ≤ n) and the Gram route (p > n) agree, and both against power
    /// iteration on the covariance written out by hand (an independent method): top variance,
    /// direction (up to sign), orthonormality, and the projection's variance.
    func testAgainstPowerIterationAndGramRoute() throws {
        let digits = try DatasetName.digits.load()
        let rows = Array(0..<300)
        let x = digits.scaledPixels(rows: rows), n = rows.count, p = 64
        let pca = try PCASpace(fitting: x, count: n, pixelCount: p, dimension: 5)
        let gramRoute = try PCASpace(fitting: Array(x[0..<(40 * p)]), count: 40, pixelCount: p, dimension: 5)
        // Power iteration on the n − 1 covariance, plain loops.
        var mean = [Double](repeating: 0, count: p)
        for i in 0..<n { for j in 0..<p { mean[j] += x[i * p + j] / Double(n) } }
        var cov = [Double](repeating: 0, count: p * p)
        for i in 0..<n { for a in 0..<p { for b in 0..<p { cov[a * p + b] += (x[i * p + a] - mean[a]) * (x[i * p + b] - mean[b]) / Double(n - 1) } } }
        var u = [Double](repeating: 1, count: p), lambda = 0.0
        for _ in 0..<2000 {
            var w = [Double](repeating: 0, count: p)
            for a in 0..<p { for b in 0..<p { w[a] += cov[a * p + b] * u[b] } }
            lambda = w.map { $0 * $0 }.reduce(0, +).squareRoot()
            u = w.map { $0 / lambda }
        }
        XCTAssertEqual(pca.variances[0], lambda, accuracy: 1e-8 * lambda)
        let overlap = (0..<p).map { pca.basis[$0] * u[$0] }.reduce(0, +)
        XCTAssertEqual(abs(overlap), 1, accuracy: 1e-6)
        for a in 0..<5 { for b in 0..<5 {
            let dot = (0..<p).map { pca.basis[a * p + $0] * pca.basis[b * p + $0] }.reduce(0, +)
            XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-10)
        } }
        let y = pca.project(x, count: n)
        for k in 0..<5 {
            let col = (0..<n).map { y[$0 * 5 + k] }
            XCTAssertEqual(standardDeviation(col) * standardDeviation(col), pca.variances[k], accuracy: 1e-9 * pca.variances[0])
        }
        let trace = (0..<p).map { cov[$0 * p + $0] }.reduce(0, +)
        XCTAssertEqual(pca.totalVariance, trace, accuracy: 1e-9 * trace)
        // Gram route (40 images < 64 pixels): same variances as the covariance of those 40 images.
        let sub = Array(x[0..<(40 * p)])
        var m40 = [Double](repeating: 0, count: p)
        for i in 0..<40 { for j in 0..<p { m40[j] += sub[i * p + j] / 40 } }
        var cov40 = [Double](repeating: 0, count: p * p)
        for i in 0..<40 { for a in 0..<p { for b in 0..<p { cov40[a * p + b] += (sub[i * p + a] - m40[a]) * (sub[i * p + b] - m40[b]) / 39 } } }
        let eigen = try SymmetricEigen(matrix: cov40, order: p)
        for k in 0..<5 { XCTAssertEqual(gramRoute.variances[k], eigen.values[k], accuracy: 1e-9 * eigen.values[0]) }
        for k in 0..<5 {
            let dot = (0..<p).map { gramRoute.basis[k * p + $0] * eigen.vectors[k * p + $0] }.reduce(0, +)
            XCTAssertEqual(abs(dot), 1, accuracy: 1e-6)
        }
    }

    /// RD.26: decoding the coordinates of the training images loses exactly the discarded variance,
    /// Σ‖x − x̄ − UUᵀ(x − x̄)‖²/(n − 1) = tr Σ − Σ_k λ_k (computed from the eigenvalues, not the
    /// images); the clip to [−1, 1] keeps every pixel in range and only shrinks the error; held-out
    /// images lose what Pythagoras says, and more than training images.
    func testDecodingLosesOnlyTheTruncatedVariance() throws {
        let digits = try DatasetName.digits.load()
        let n = 300, p = 64
        let x = digits.scaledPixels(rows: Array(0..<n)), held = digits.scaledPixels(rows: Array(n..<(2 * n)))
        for k in [4, 16, 40] {
            let pca = try PCASpace(fitting: x, count: n, pixelCount: p, dimension: k)
            let y = pca.project(x, count: n)
            let discarded = pca.totalVariance - pca.variances.reduce(0, +)
            func squaredError(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            let unclipped = squaredError(x, pca.reconstruct(y, count: n))
            XCTAssertEqual(unclipped / Double(n - 1), discarded, accuracy: 1e-9 * pca.totalVariance, "k = \(k)")
            let decoded = pca.decode(y, count: n)
            XCTAssertTrue(decoded.allSatisfy { $0 >= -1 && $0 <= 1 })
            XCTAssertLessThanOrEqual(squaredError(x, decoded), unclipped)
            XCTAssertGreaterThan(squaredError(x, decoded), 0.5 * unclipped, "the clip should only trim the error")
            // Held-out images: Pythagoras, ‖x − x̄ − U y‖² = ‖x − x̄‖² − ‖y‖² (U orthonormal), and more
            // lost than on the images the space was fitted to.
            let heldY = pca.project(held, count: n)
            let heldUnclipped = squaredError(held, pca.reconstruct(heldY, count: n))
            var pythagoras = 0.0
            for i in 0..<n { for j in 0..<p { pythagoras += (held[i * p + j] - pca.mean[j]) * (held[i * p + j] - pca.mean[j]) } }
            pythagoras -= heldY.map { $0 * $0 }.reduce(0, +)
            XCTAssertEqual(heldUnclipped, pythagoras, accuracy: 1e-9 * pythagoras, "k = \(k)")
            XCTAssertGreaterThan(heldUnclipped, unclipped, "k = \(k): held-out images lose more than training images")
            XCTAssertLessThanOrEqual(squaredError(held, pca.decode(heldY, count: n)), heldUnclipped)
        }
    }
}
