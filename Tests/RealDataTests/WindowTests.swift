import XCTest
import FlowModel
import GSLKit
@testable import RealData

final class WindowTests: XCTestCase {
    /// Curves drawn from a known sigmoid with binomial noise (N per point): the fitted λ_c and w
    /// average, over replicas, to the truth within 4 standard errors of that average; noiseless
    /// curves are recovered to 1e-6.
    func testSigmoidFitRecoversKnownParameters() throws {
        let truth = SigmoidWindow(pNoise: 0.8, pData: 0.02, lambdaMid: -4.2, width: 1.1)
        let lambdas = (0..<17).map { -12 + Double($0) }
        let exact = try SigmoidWindow(lambdas: lambdas, values: lambdas.map { truth.value(at: $0) })
        XCTAssertEqual(exact.lambdaMid, -4.2, accuracy: 1e-6); XCTAssertEqual(exact.width, 1.1, accuracy: 1e-6)
        XCTAssertEqual(exact.pNoise, 0.8, accuracy: 1e-6); XCTAssertEqual(exact.pData, 0.02, accuracy: 1e-6)
        let stream = try RandomStream(seed: 21), n = 400
        var mids: [Double] = [], widths: [Double] = []
        for _ in 0..<60 {
            let values = lambdas.map { lambda -> Double in
                let p = truth.value(at: lambda)
                return Double((0..<n).filter { _ in stream.uniform() < p }.count) / Double(n)
            }
            let fit = try SigmoidWindow(lambdas: lambdas, values: values)
            mids.append(fit.lambdaMid); widths.append(fit.width)
        }
        let (mid, midSE) = meanAndStandardError(mids), (width, widthSE) = meanAndStandardError(widths)
        XCTAssertEqual(mid, -4.2, accuracy: 4 * midSE)
        XCTAssertEqual(width, 1.1, accuracy: 4 * widthSE)
        XCTAssertThrowsError(try SigmoidWindow(lambdas: lambdas, values: lambdas.map { _ in 0.3 }))
    }

    /// Logistic regression against an independent minimiser (GSL Nelder–Mead) of the same penalised
    /// negative log-likelihood (RD.22) on 2-d data.
    func testLogisticRegressionAgainstNelderMead() throws {
        let stream = try RandomStream(seed: 4), n = 300
        var y: [Double] = [], labels: [Int] = []
        for i in 0..<n {
            let label = i % 3 == 0 ? 1 : 0
            y += [stream.gaussian() + (label == 1 ? 1.2 : 0), stream.gaussian() * 0.7 - (label == 1 ? 0.5 : 0)]
            labels.append(label)
        }
        let ridge = 2.0
        let clf = try LogisticClassifier(fitting: y, labels: labels, dimension: 2, ridge: ridge)
        let objective: ([Double]) -> Double = { p in
            var f = 0.5 * ridge * (p[0] * p[0] + p[1] * p[1])
            for i in 0..<n {
                let eta = p[0] * y[2 * i] + p[1] * y[2 * i + 1] + p[2]
                f += log(1 + exp(eta)) - Double(labels[i]) * eta
            }
            return f
        }
        let nm = try Minimizer.nelderMead(start: [0, 0, 0], initialStep: [0.5, 0.5, 0.5], sizeTolerance: 1e-9, objective)
        XCTAssertEqual(clf.weights[0], nm.point[0], accuracy: 1e-5)
        XCTAssertEqual(clf.weights[1], nm.point[1], accuracy: 1e-5)
        XCTAssertEqual(clf.bias, nm.point[2], accuracy: 1e-5)
        XCTAssertGreaterThan(clf.accuracy(y, labels: labels), 0.7)
    }

    /// The subset has the requested majority in training, disjoint splits, the same rows for the
    /// same seed, and 'rest' takes every other class.
    func testTwoClassSubset() throws {
        let digits = try DatasetName.digits.load()
        let s = try TwoClassSubset(images: digits, classA: 3, classB: 7, majority: 0.8, seed: 2)
        let nA = s.trainLabels.filter { $0 == 0 }.count, nB = s.trainLabels.count - nA
        XCTAssertEqual(Double(nA) / Double(nA + nB), 0.8, accuracy: 0.5 / Double(nA + nB) + 1e-12)
        XCTAssertTrue(Set(s.trainRows).isDisjoint(with: s.heldOutRows))
        for (row, label) in zip(s.trainRows + s.heldOutRows, s.trainLabels + s.heldOutLabels) {
            XCTAssertEqual(digits.labels[row], label == 0 ? 3 : 7)
        }
        let again = try TwoClassSubset(images: digits, classA: 3, classB: 7, majority: 0.8, seed: 2)
        XCTAssertEqual(s.trainRows, again.trainRows); XCTAssertEqual(s.heldOutRows, again.heldOutRows)
        let rest = try TwoClassSubset(images: digits, classA: 3, classB: nil, majority: 0.5, seed: 2)
        XCTAssertEqual(Set(rest.heldOut(label: 1).map { digits.labels[$0] }), Set([0, 1, 2, 4, 5, 6, 7, 8, 9]))
        XCTAssertThrowsError(try TwoClassSubset(images: digits, classA: 3, classB: 3, majority: 0.8, seed: 2))
        XCTAssertThrowsError(try TwoClassSubset(images: digits, classA: 3, classB: 12, majority: 0.8, seed: 2))
        XCTAssertThrowsError(try TwoClassSubset(images: digits, classA: 3, classB: 7, majority: 1, seed: 2))
    }

    /// End to end on the committed digits (0 vs 1, majority 0.8): at pure noise the U-turn's switch
    /// probability is the other class's share in the model (≈ 0.2 from 0, ≈ 0.8 from 1, within
    /// 4 binomial SEs plus the classifier's error), at the data end ≈ 0; the window is ordered and
    /// inside its bootstrap interval; the same seed gives the same numbers.
    func testEndToEndOnDigits() throws {
        var config = WindowConfiguration()
        config.dataset = .digits; config.classA = 0; config.classB = 1; config.majority = 0.8
        config.pcaDimension = 16; config.steps = 40; config.points = 13; config.lambdaMin = -12; config.lambdaMax = 4
        config.bootstrap = 50; config.noiseDraws = 2
        let result = try WindowExperiment.run(config)
        XCTAssertGreaterThan(result.data.accuracy, 0.95)
        let priors = [0.2, 0.8]
        for (c, w) in result.windows.enumerated() {
            let n = Double(result.data.starts[c].count / 16 * config.noiseDraws)
            let se = (priors[c] * (1 - priors[c]) / n).squareRoot()
            XCTAssertEqual(w.switchFraction.first!, priors[c], accuracy: 4 * se + (1 - result.data.accuracy) + 0.02)
            XCTAssertLessThan(w.switchFraction.last!, 0.05)
            XCTAssertLessThan(w.fit.lambdaLow, w.fit.lambdaMid); XCTAssertLessThan(w.fit.lambdaMid, w.fit.lambdaHigh)
            XCTAssertLessThanOrEqual(w.bootstrap.lambdaMid.low, w.fit.lambdaMid)
            XCTAssertGreaterThanOrEqual(w.bootstrap.lambdaMid.high, w.fit.lambdaMid)
            XCTAssertLessThan(try result.time(atLogSNR: w.fit.lambdaLow), try result.time(atLogSNR: w.fit.lambdaHigh))
        }
        let again = try WindowExperiment.run(config)
        XCTAssertEqual(again.windows[1].switchFraction, result.windows[1].switchFraction)
        XCTAssertEqual(again.windows[1].bootstrap.lambdaMid.low, result.windows[1].bootstrap.lambdaMid.low)
    }
}
