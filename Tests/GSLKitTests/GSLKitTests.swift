import Foundation
import XCTest
@testable import GSLKit

final class GSLKitTests: XCTestCase {
    func testODEMatchesClosedFormInBothDirections() throws {
        // y' = −y + sin t has y(t) = (y0 + ½) e^{−t} + ½ (sin t − cos t).
        for stepper in ODEStepper.allCases {
            let ode = try ODEIntegrator(dimension: 1, stepper: stepper, tolerance: ODETolerance(absolute: 1e-13, relative: 1e-11)) { t, y, dy in
                dy[0] = -y[0] + sin(t)
            }
            var y = [2.0]
            try ode.integrate(&y, from: 0, to: 3)
            let exact = 2.5 * exp(-3) + 0.5 * (sin(3) - cos(3))
            XCTAssertEqual(y[0], exact, accuracy: 1e-8, "\(stepper)")
            try ode.integrate(&y, from: 3, to: 0)
            XCTAssertEqual(y[0], 2, accuracy: 1e-6, "\(stepper) backwards")
        }
    }

    func testODERightHandSideErrorsAndNaNsAreThrownNotAborted() throws {
        struct Boom: Error {}
        let throwing = try ODEIntegrator(dimension: 1) { t, _, dy in
            if t > 0.5 { throw Boom() }
            dy[0] = 1
        }
        var y = [0.0]
        XCTAssertThrowsError(try throwing.integrate(&y, from: 0, to: 1)) { XCTAssertTrue($0 is Boom) }
        let nan = try ODEIntegrator(dimension: 1) { _, _, dy in dy[0] = .nan }
        XCTAssertThrowsError(try nan.integrate(&y, from: 0, to: 1)) { XCTAssertTrue($0 is GSLError) }
    }

    func testBrentFindsRootAndReportsBadBracketAsError() throws {
        XCTAssertEqual(try RootFinder.brent(in: 0, 2) { $0 * $0 - 2 }, 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertThrowsError(try RootFinder.brent(in: 2, 3) { $0 * $0 - 2 }) { error in
            XCTAssertTrue("\(error)".contains("gsl_root_fsolver_set"), "\(error)")
        }
    }

    func testNelderMeadFindsRosenbrockMinimum() throws {
        let result = try Minimizer.nelderMead(start: [-1.2, 1], initialStep: [0.5, 0.5], sizeTolerance: 1e-10) { x in
            100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2)
        }
        XCTAssertTrue(result.converged)
        XCTAssertEqual(result.point[0], 1, accuracy: 1e-6)
        XCTAssertEqual(result.point[1], 1, accuracy: 1e-6)
    }

    func testGaussHermiteMomentsAndOrderDoubling() throws {
        let rule = try GaussHermite(order: 40)
        XCTAssertEqual(rule.expectation { _ in 1 }, 1, accuracy: 1e-14)
        XCTAssertEqual(rule.expectation { $0 * $0 }, 1, accuracy: 1e-12)
        XCTAssertEqual(rule.expectation { pow($0, 4) }, 3, accuracy: 1e-11)
        XCTAssertEqual(rule.expectation { cos($0) }, exp(-0.5), accuracy: 1e-14)
        // Closed form: E[e^{Z/2} cos Z] = Re E[e^{(1/2 + i)Z}] = e^{−3/8} cos(1/2).
        XCTAssertEqual(rule.expectation { exp($0 / 2) * cos($0) }, exp(-0.375) * cos(0.5), accuracy: 1e-13)
        // tanh(b + wZ) has complex poles at distance π/(2w) from the real axis, so the rule converges
        // slowly in w (measured order 40 → 80 change: 8e-8 at w = 1, 8e-4 at w = 2). For w ≤ 1 the
        // value is stable to 1e-8 when the order doubles from 80 to 160.
        for w in [0.5, 1.0] {
            let f = { (z: Double) in pow(tanh(1 + w * z), 2) }
            XCTAssertEqual(try GaussHermite(order: 160).expectation(f), try GaussHermite(order: 80).expectation(f), accuracy: 1e-8)
        }
        XCTAssertThrowsError(try GaussHermite(order: 0))
    }

    /// The panelled rule: exact moments, agreement with Gauss–Hermite on smooth integrands, and
    /// tanh(b + wZ) expectations stable to 1e-12 when the nodes per panel double, up to w = 8.
    func testPanelGaussLegendreOnSharpIntegrands() throws {
        let rule = try PanelGaussLegendre(panelWidth: 0.5)
        XCTAssertEqual(rule.expectation { _ in 1 }, 1, accuracy: 1e-14)
        XCTAssertEqual(rule.expectation { pow($0, 4) }, 3, accuracy: 1e-12)
        XCTAssertEqual(rule.expectation { exp($0 / 2) * cos($0) }, exp(-0.375) * cos(0.5), accuracy: 1e-14)
        for w in [0.5, 2, 4, 8] {
            let f = { (z: Double) in pow(tanh(1 + w * z), 2) * (1 + 0.3 * z) }
            let coarse = try PanelGaussLegendre(panelWidth: 0.6 / w, nodesPerPanel: 8)
            let fine = try PanelGaussLegendre(panelWidth: 0.6 / w, nodesPerPanel: 16)
            XCTAssertEqual(coarse.expectation(f), fine.expectation(f), accuracy: 1e-12, "w = \(w)")
        }
        XCTAssertThrowsError(try PanelGaussLegendre(panelWidth: 0))
    }

    func testRandomStreamIsReproducibleAndStandardNormal() throws {
        let a = try RandomStream(seed: 7), b = try RandomStream(seed: 7), c = try RandomStream(seed: 8)
        let xa = (0..<5).map { _ in a.gaussian() }
        XCTAssertEqual(xa, (0..<5).map { _ in b.gaussian() })
        XCTAssertNotEqual(xa, (0..<5).map { _ in c.gaussian() })
        let n = 200_000
        var sum = 0.0, sum2 = 0.0
        for _ in 0..<n { let x = a.gaussian(); sum += x; sum2 += x * x }
        // Mean within 5 standard errors (1/√n), variance within 5 (√(2/n)).
        XCTAssertEqual(sum / Double(n), 0, accuracy: 5 / Double(n).squareRoot())
        XCTAssertEqual(sum2 / Double(n), 1, accuracy: 5 * (2 / Double(n)).squareRoot())
    }

    func testLinearFitAndNormalTails() throws {
        let fit = try LinearFit(x: [1, 2, 3, 4], y: [1.5, 2.0, 2.5, 3.0])
        XCTAssertEqual(fit.slope, 0.5, accuracy: 1e-14)
        XCTAssertEqual(fit.intercept, 1.0, accuracy: 1e-14)
        XCTAssertEqual(StandardNormal.upperTail(0), 0.5, accuracy: 1e-16)
        // Q(10) = 7.6198530241605e-24, where 1 − Φ(10) would round to 0.
        XCTAssertEqual(StandardNormal.upperTail(10) / 7.6198530241605e-24, 1, accuracy: 1e-10)
    }

    func testMeanAndStandardErrorAcrossReplicas() {
        let (mean, se) = meanAndStandardError([1, 2, 3, 4])
        XCTAssertEqual(mean, 2.5, accuracy: 1e-15)
        XCTAssertEqual(se, (5.0 / 3).squareRoot() / 2, accuracy: 1e-15)   // s² = Σ(x − x̄)²/(n − 1) = 5/3
        XCTAssertEqual(meanAndStandardError([7]).standardError, 0)
    }

    /// Quantiles by interpolation of the sorted values, the median's standard error, and the
    /// threshold of the largest of several t ratios against tabulated Student-t points.
    func testQuantilesAndStudentThreshold() {
        let x = [4.0, 1, 3, 2, 5]
        XCTAssertEqual(quantile(x, 0.5), 3)
        XCTAssertEqual(quantile(x, 0.25), 2)
        XCTAssertEqual(quantile(x, 0.9), 4.6, accuracy: 1e-12)
        XCTAssertEqual(standardDeviation(x), 2.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(medianAndStandardError(x).standardError, 1.2533 * 2 / 1.349 / 5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(largestStudentTThreshold(count: 1, dof: 15), 2.1314, accuracy: 1e-4)      // t₀.₉₇₅(15)
        XCTAssertEqual(largestStudentTThreshold(count: 1, dof: 1_000_000), 1.95996, accuracy: 1e-4)
        // Two independent ratios: each must stay inside with probability √0.95.
        XCTAssertEqual(largestStudentTThreshold(count: 2, dof: 1_000_000),
                       StandardNormal.quantile(1 - (1 - 0.95.squareRoot()) / 2), accuracy: 1e-5)
    }

    /// Draws from N(mean, Σ) have that mean and covariance; a covariance that is not positive
    /// definite is refused with an error, not an abort.
    func testMultivariateNormal() throws {
        let sigma = [[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.5]], mean = [1.0, -2, 0.5]
        let law = try MultivariateNormal(mean: mean, covariance: sigma)
        let random = try RandomStream(seed: 4)
        let draws = try (0..<100_000).map { _ in try law.draw(random) }
        for i in 0..<3 {
            XCTAssertEqual(meanAndStandardError(draws.map { $0[i] }).mean, mean[i], accuracy: 0.02)
            for j in 0..<3 {
                let c = draws.reduce(0) { $0 + ($1[i] - mean[i]) * ($1[j] - mean[j]) } / Double(draws.count)
                XCTAssertEqual(c, sigma[i][j], accuracy: 0.03, "Σ[\(i)][\(j)]")
            }
        }
        XCTAssertThrowsError(try MultivariateNormal(mean: [0, 0], covariance: [[1, 2], [2, 1]]))
    }
}
