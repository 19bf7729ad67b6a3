import XCTest
import FlowModel
import GSLKit
import RealData
@testable import FlowMatching

/// The zero-shot bias prediction (derivations/majority-bias.md).
final class MajorityBiasPredictionTests: XCTestCase {
    /// The untrained model's denoiser D_0 = μ + c_skip(x − tμ) (MB.1), written out from
    /// `Preconditioning` independently of the prediction's closed form.
    struct UntrainedDenoiser: Denoiser {
        let mean: [Double]
        let preconditioning: Preconditioning
        var dimension: Int { mean.count }
        func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double] {
            let c = preconditioning.coefficients(at: t), d = dimension
            return x.indices.map { k in mean[k % d] + c.skip * (x[k] - t * mean[k % d]) }
        }
    }

    /// A synthetic two-Gaussian set in 5 dimensions, 80 % class A: rows and labels.
    func twoGaussians(seed: UInt64) throws -> (rows: [Double], labels: [Int]) {
        let stream = try RandomStream(seed: seed)
        let d = 5, means = [[-1.0, 0.5, 0, 0, 0], [1.5, -0.5, 0, 0, 0]], sds = [1.0, 0.7]
        var rows = [Double](), labels = [Int]()
        for i in 0..<1000 {
            let c = i < 800 ? 0 : 1
            for j in 0..<d { rows.append(means[c][j] + sds[c] * stream.gaussian()) }
            labels.append(c)
        }
        return (rows, labels)
    }

    /// MB.3 against the sampler: the probability-flow ODE (RD.6, 200 log-SNR steps) with D_0 from
    /// N(0, I), classified by the same logistic classifier, gives p₀ within 4 binomial SEs plus
    /// 0.01 for the sampler's first-order error (MB.2). The untrained fraction is far from the data
    /// fraction here, so a prediction that returned p_data (or used the total instead of the
    /// per-coordinate variance, or the wrong side of the classifier) fails.
    func testClosedFormMatchesUntrainedSampler() throws {
        let d = 5
        let (rows, labels) = try twoGaussians(seed: 11)
        let classifier = try LogisticClassifier(fitting: rows, labels: labels, dimension: d)
        let majority = Double(classifier.classify(rows, count: labels.count).filter { $0 == 0 }.count) / Double(labels.count)
        let prediction = try MajorityBiasPrediction(train: rows, count: labels.count, classifierWeights: classifier.weights,
                                                    classifierBias: classifier.bias, dataFraction: majority)
        XCTAssertEqual(prediction.dataFraction, majority)
        XCTAssertGreaterThan(abs(prediction.untrainedBias), 0.05, "the test needs p0 away from the data fraction")

        var mean = [Double](repeating: 0, count: d)
        for r in 0..<labels.count { for j in 0..<d { mean[j] += rows[r * d + j] / Double(labels.count) } }
        var variance = 0.0
        for r in 0..<labels.count { for j in 0..<d { variance += pow(rows[r * d + j] - mean[j], 2) } }
        variance /= Double(labels.count * d)
        let denoiser = UntrainedDenoiser(mean: mean, preconditioning: Preconditioning(dataVariance: variance))
        let n = 20_000
        let stream = try RandomStream(seed: 12)
        let z = (0..<(n * d)).map { _ in stream.gaussian() }
        let grid = try SamplingGrid.logSNRUniform(schedule: LinearSchedule(), from: 0, steps: 200)
        let x = try FlowSamplers.probabilityFlow(denoiser: denoiser, schedule: LinearSchedule(), grid: grid, start: z, count: n)
        let p = Double(classifier.classify(x, count: n).filter { $0 == 0 }.count) / Double(n)
        let se = (p * (1 - p) / Double(n)).squareRoot()
        XCTAssertEqual(prediction.untrainedFraction, p, accuracy: 4 * se + 0.01)
    }

    /// MB.7–MB.8: uniform's mass on [lo, hi] is hi − lo; the adaptive density's is f; the bias
    /// decays towards 0 with the budget keeping its sign; the paired difference has the sign of −b₀
    /// and is smaller in size than uniform's bias.
    func testForecastSignsFollowTheUntrainedBias() throws {
        let (rows, labels) = try twoGaussians(seed: 21)
        let classifier = try LogisticClassifier(fitting: rows, labels: labels, dimension: 5)
        for dataFraction in [0.5, 0.99] {  // b₀ of either sign
            let prediction = try MajorityBiasPrediction(train: rows, count: labels.count, classifierWeights: classifier.weights,
                                                        classifierBias: classifier.bias, dataFraction: dataFraction)
            let adaptive = try IntervalAdaptiveDensity(lo: 0.05, hi: 0.25, fraction: 0.5)
            let forecast = BiasForecast(predictions: [prediction], densities: [UniformDensity(), adaptive], interval: (0.05, 0.25))
            XCTAssertEqual(forecast.windowMass("uniform")!, 0.2, accuracy: 1e-12)
            XCTAssertEqual(forecast.windowMass("adaptive")!, 0.5, accuracy: 1e-12)
            let b0 = prediction.untrainedBias
            for n in [10, 100, 300] {
                let u = forecast.bias("uniform", budget: n)!, diff = forecast.difference("adaptive", budget: n)!
                XCTAssertEqual(u.sign, b0.sign); XCTAssertLessThan(abs(u), abs(b0))
                XCTAssertEqual(diff.sign, (-b0).sign); XCTAssertLessThan(abs(diff), abs(u))
                XCTAssertEqual(u, b0 * exp(-Double(n) * 0.2 / prediction.stepScale), accuracy: 1e-14)
            }
            XCTAssertEqual(forecast.difference("uniform", budget: 100), 0)
        }
        let none = BiasForecast(predictions: [try MajorityBiasPrediction(train: rows, count: labels.count, classifierWeights: classifier.weights,
                                                                         classifierBias: classifier.bias, dataFraction: 0.8)],
                                densities: [UniformDensity()], interval: nil)
        XCTAssertNil(none.bias("uniform", budget: 100))
    }

    /// The prediction against training (MB.10, §4's digits row): on the committed UCI digits, 3 vs
    /// 8 at 0.8, the untrained model over-generates the 3s (b₀ > 0.05), and so does the uniform
    /// density after 100 steps of the default training (hidden 256, batch 128, Adam 1e-3; three
    /// seeds, 400 samples each): its mean bias is positive by more than 2 SE.
    func testPredictedSignOfUniformBiasOnDigits() throws {
        var config = WindowConfiguration()
        config.dataset = .digits
        config.classA = 3; config.classB = 8
        let window = try WindowExperiment.prepare(config)
        let prediction = try MajorityBiasPrediction(window: window)
        XCTAssertGreaterThan(prediction.untrainedBias, 0.05)
        var settings = SchedulesSettings()
        settings.seeds = [1, 2, 3]
        settings.budgets = [100]
        settings.samples = 400
        settings.swDirections = 8
        let result = try SchedulesExperiment(data: try SchedulesData(window: window), densities: [UniformDensity()], settings: settings).run()
        let bias = meanAndStandardError(result.measurements.map(\.majorityBias))
        XCTAssertEqual(result.dataFraction, prediction.dataFraction, accuracy: 1e-12)
        XCTAssertGreaterThan(bias.mean, 2 * bias.standardError, "uniform bias \(bias.mean) ± \(bias.standardError), predicted sign of b0 = \(prediction.untrainedBias)")
    }
}
