import XCTest
import GSLKit

final class GSLKitAdditionsTests: XCTestCase {
    /// A 3×3 matrix with known spectrum Q diag(5, 2, −1) Qᵀ, Q a rotation.
    func testSymmetricEigenKnownSpectrum() throws {
        let c = cos(0.7), s = sin(0.7)
        let q: [[Double]] = [[c, -s, 0], [s, c, 0], [0, 0, 1]]
        let lambda = [2.0, 5.0, -1.0]
        var a = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { a[i * 3 + j] += q[i][k] * lambda[k] * q[j][k] } } }
        let e = try SymmetricEigen(matrix: a, order: 3)
        XCTAssertEqual(e.values[0], 5, accuracy: 1e-12); XCTAssertEqual(e.values[1], 2, accuracy: 1e-12); XCTAssertEqual(e.values[2], -1, accuracy: 1e-12)
        let top = e.vector(0)
        XCTAssertEqual(abs(top[0] * q[0][1] + top[1] * q[1][1] + top[2] * q[2][1]), 1, accuracy: 1e-12)
        let solved = try choleskySolve([4, 1, 1, 3], order: 2, [1, 2])
        XCTAssertEqual(solved[0], 1.0 / 11, accuracy: 1e-14); XCTAssertEqual(solved[1], 7.0 / 11, accuracy: 1e-14)
        XCTAssertThrowsError(try choleskySolve([1, 2, 2, 1], order: 2, [1, 1]))
    }

    /// Noiseless y = a e^{bx} + c: the fit returns (a, b, c) from a distant start; with Gaussian noise
    /// of known σ, each parameter lies within 4 standard errors from the returned covariance.
    func testNonlinearLeastSquaresRecoversParameters() throws {
        let xs = (0..<40).map { Double($0) / 10 }
        let truth = [1.5, -0.7, 0.3]
        let exact = xs.map { truth[0] * exp(truth[1] * $0) + truth[2] }
        let clean = try NonlinearLeastSquares.fit(start: [1, -0.1, 0], residualCount: xs.count) { p in
            zip(xs, exact).map { p[0] * exp(p[1] * $0.0) + p[2] - $0.1 }
        }
        for k in 0..<3 { XCTAssertEqual(clean.parameters[k], truth[k], accuracy: 1e-7) }
        let stream = try RandomStream(seed: 5), sigma = 0.02
        let noisy = exact.map { $0 + sigma * stream.gaussian() }
        let fit = try NonlinearLeastSquares.fit(start: [1, -0.1, 0], residualCount: xs.count) { p in
            zip(xs, noisy).map { p[0] * exp(p[1] * $0.0) + p[2] - $0.1 }
        }
        for k in 0..<3 {
            let se = sigma * fit.covariance[k * 3 + k].squareRoot()
            XCTAssertEqual(fit.parameters[k], truth[k], accuracy: 4 * se)
        }
        XCTAssertThrowsError(try NonlinearLeastSquares.fit(start: [1], residualCount: 3) { _ in [Double.nan, 0, 0] })
    }
}
