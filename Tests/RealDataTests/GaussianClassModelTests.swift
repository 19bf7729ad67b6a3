import XCTest
import FlowModel
import GSLKit
@testable import RealData

final class GaussianClassModelTests: XCTestCase {
    /// A 1-d two-class mixture, as rank-1 and as rank-0 (isotropic) classes, against E[x₁ | x_t]
    /// and P(c | x_t) by direct quadrature of Bayes' rule on a fine grid (RD.17–RD.19).
    func testOneDimensionalAgainstQuadrature() throws {
        let schedule = LinearSchedule()
        let means = [-0.8, 1.1], vars = [0.2, 0.5], priors = [0.7, 0.3]
        let lowRank = GaussianClassModel(classes: (0..<2).map { GaussianClass(mean: [means[$0]], directions: [1], variances: [vars[$0]], isotropicVariance: 1e-9) },
                                         priors: priors, schedule: schedule)
        let isotropic = GaussianClassModel(classes: (0..<2).map { GaussianClass(mean: [means[$0]], directions: [], variances: [], isotropicVariance: vars[$0]) },
                                           priors: priors, schedule: schedule)
        for t in [0.0, 0.3, 0.6, 0.9] {
            let v = schedule.values(at: t)
            for x in [-1.2, 0.1, 0.9] {
                var z = 0.0, first = 0.0, classOne = 0.0
                let h = 1e-4
                for step in 0..<120_000 {
                    let x1 = -6 + h * Double(step)
                    let lik = exp(-0.5 * pow(x - v.beta * x1, 2) / (v.alpha * v.alpha)) // α > 0 here
                    for c in 0..<2 {
                        let w = priors[c] * exp(-0.5 * pow(x1 - means[c], 2) / vars[c]) / (2 * Double.pi * vars[c]).squareRoot() * lik * h
                        z += w; first += w * x1
                        if c == 1 { classOne += w }
                    }
                }
                for model in [lowRank, isotropic] {
                    let (r, pred) = try model.posteriorAndPrediction([x], count: 1, t: t)
                    XCTAssertEqual(pred[0], first / z, accuracy: 1e-6, "t = \(t), x = \(x)")
                    XCTAssertEqual(r[1], classOne / z, accuracy: 1e-6, "t = \(t), x = \(x)")
                }
            }
        }
    }

    /// Low rank plus isotropic in 5-d against the dense formula m + βΣ(β²Σ + α²I)⁻¹(x − βm) per class,
    /// solved by Cholesky (RD.18), and the mixture weights from the dense log-densities.
    func testWoodburyAgainstDenseSolve() throws {
        let d = 5, stream = try RandomStream(seed: 9)
        let x = (0..<(40 * d)).map { _ in stream.gaussian() * 1.5 }
        let labels = (0..<40).map { $0 % 3 == 0 ? 1 : 0 }
        var shifted = x
        for i in 0..<40 where labels[i] == 1 { shifted[i * d] += 2 }
        let model = try GaussianClassModel(fitting: shifted, labels: labels, classCount: 2, dimension: d, rank: 2, schedule: LinearSchedule())
        let t = 0.45, v = LinearSchedule().values(at: t)
        let point = (0..<d).map { _ in stream.gaussian() }
        var logW: [Double] = [], conditional: [[Double]] = []
        for (c, cls) in model.classes.enumerated() {
            var sigma = [Double](repeating: 0, count: d * d)
            for i in 0..<d {
                sigma[i * d + i] = cls.isotropicVariance
                for j in 0..<d { for m in 0..<2 { sigma[i * d + j] += (cls.variances[m] - cls.isotropicVariance) * cls.directions[m * d + i] * cls.directions[m * d + j] } }
            }
            let cov = (0..<(d * d)).map { v.beta * v.beta * sigma[$0] + ($0 % (d + 1) == 0 ? v.alpha * v.alpha : 0) }
            let e = (0..<d).map { point[$0] - v.beta * cls.mean[$0] }
            let solved = try choleskySolve(cov, order: d, e)
            let eigen = try SymmetricEigen(matrix: cov, order: d)
            let logDet = eigen.values.map { log($0) }.reduce(0, +)
            logW.append(log(model.priors[c]) - 0.5 * (zip(e, solved).map { $0 * $1 }.reduce(0, +) + logDet))
            conditional.append((0..<d).map { i in cls.mean[i] + v.beta * (0..<d).map { sigma[i * d + $0] * solved[$0] }.reduce(0, +) })
        }
        let top = logW.max()!, w = logW.map { exp($0 - top) }, r = w.map { $0 / w.reduce(0, +) }
        let expected = (0..<d).map { i in r[0] * conditional[0][i] + r[1] * conditional[1][i] }
        let (posterior, prediction) = try model.posteriorAndPrediction(point, count: 1, t: t)
        XCTAssertEqual(posterior[0], r[0], accuracy: 1e-10)
        for i in 0..<d { XCTAssertEqual(prediction[i], expected[i], accuracy: 1e-10) }
    }

    /// The stochastic U-turn of the exact score equals the expected posterior impurity (RD.21):
    /// start from model samples of class c, noise to t, run the ancestral sampler back, score each
    /// end point by the model's own class posterior r_{c′}(x₁); its mean must equal E[r_{c′}(x_t) | c],
    /// estimated from independent samples. Tolerance: 4 combined standard errors plus 0.01 for the
    /// sampler's discretisation.
    func testStochasticUTurnEqualsPosteriorImpurity() throws {
        let schedule = LinearSchedule()
        let d = 2
        let model = GaussianClassModel(classes: [
            GaussianClass(mean: [0.6, 0], directions: [1, 0], variances: [0.3], isotropicVariance: 0.1),
            GaussianClass(mean: [-0.6, 0.3], directions: [0.6, 0.8], variances: [0.2], isotropicVariance: 0.15),
        ], priors: [0.75, 0.25], schedule: schedule)
        let n = 4000, t = 0.5
        for c in 0..<2 {
            let stream = try RandomStream(seed: 100 + UInt64(c))
            let start = model.sample(classIndex: c, count: n, stream: stream)
            let xt = try FlowSamplers.noise(start, count: n, schedule: schedule, t: t, seed: 7 + UInt64(c))
            let grid = try SamplingGrid.logSNRUniform(schedule: schedule, from: t, steps: 200)
            let end = try FlowSamplers.ancestral(denoiser: model, schedule: schedule, grid: grid, start: xt, count: n, seed: 8)
            let uturn = try model.classPosterior(end, count: n, t: 1).enumerated().filter { $0.offset % 2 != c }.map(\.element)

            let other = model.sample(classIndex: c, count: 4 * n, stream: stream)
            let otherT = try FlowSamplers.noise(other, count: 4 * n, schedule: schedule, t: t, seed: 99)
            let impurity = try model.classPosterior(otherT, count: 4 * n, t: t).enumerated().filter { $0.offset % 2 != c }.map(\.element)
            let (u, uSE) = meanAndStandardError(uturn), (p, pSE) = meanAndStandardError(impurity)
            print("start class \(c): stochastic U-turn \(u) ± \(uSE), impurity \(p) ± \(pSE)")
            XCTAssertGreaterThan(p, 0.05, "a test of the identity needs a non-trivial impurity")
            XCTAssertEqual(u, p, accuracy: 4 * (uSE * uSE + pSE * pSE).squareRoot() + 0.01)
        }
    }
}
