import Foundation
import FlowModel
import GSLKit
import RealData

/// The zero-shot prediction of the signed majority bias of an under-trained flow-matching model
/// (derivations/majority-bias.md). With F ≡ 0 the preconditioned model is the exact denoiser of
/// one isotropic Gaussian N(μ, σ_d² I) (MB.1), so it generates that Gaussian (MB.2); a linear
/// classifier sees a Gaussian score, and the untrained majority fraction p₀ has a closed form
/// (MB.3). Training a density with mass m on the class's window moves the generated fraction from
/// p₀ towards the data fraction as exp(−n m/n_*) (MB.6–MB.7).
///
///     let prediction = try MajorityBiasPrediction(window: try WindowExperiment.prepare(config))
///     let b = prediction.bias(budget: 100, windowMass: 0.17)     // uniform on a window of width 0.17
public struct MajorityBiasPrediction: Sendable {
    /// p₀: the majority fraction the classifier gives the untrained model's samples (MB.3).
    public let untrainedFraction: Double
    /// The classifier's majority fraction on the training rows (the target of TS.17).
    public let dataFraction: Double
    /// n_*: training steps per unit of window mass for one e-fold of the bias (MB.7, MB.9).
    public let stepScale: Double

    /// The step scale fixed once (MB.9): from the ratio of uniform's MNIST 0/1 errors at 100 and
    /// 300 steps measured in the previous round (issue 21's table).
    public static let defaultStepScale = 54.0

    /// From the rows the model trains on and a linear classifier (majority ⇔ w·y + b ≤ 0).
    public init(train: [Double], count: Int, classifierWeights w: [Double], classifierBias: Double, dataFraction: Double,
                stepScale: Double = defaultStepScale) throws {
        let d = w.count
        guard d >= 1, count >= 2, train.count == count * d else {
            throw InputError("majority-bias prediction: \(train.count) values are not \(count) rows of dimension \(d)")
        }
        try require("step scale", stepScale, "> 0") { $0 > 0 }
        // μ and σ_d² exactly as the trainer computes them (TS.7).
        let moments = DataMoments(rows: train, count: count)
        let mean = moments.mean, variance = moments.variance
        let score = zip(w, mean).map { $0 * $1 }.reduce(classifierBias, +)
        let spread = (max(variance, 1e-12) * w.map { $0 * $0 }.reduce(0, +)).squareRoot()
        // MB.3: w·y + b ~ N(w·μ + b, σ_d² ‖w‖²) under y ~ N(μ, σ_d² I).
        untrainedFraction = spread > 0 ? StandardNormal.cdf(-score / spread) : (score <= 0 ? 1 : 0)
        self.dataFraction = dataFraction
        self.stepScale = stepScale
    }

    /// From a prepared window split: its training features, its classifier (label 0 = class A, the
    /// majority) and the classifier's majority fraction on the training rows.
    public init(window data: WindowData, stepScale: Double = defaultStepScale) throws {
        let n = data.trainLabels.count
        let labels = data.classifier.classify(data.trainFeatures, count: n)
        try self.init(train: data.trainFeatures, count: n, classifierWeights: data.classifier.weights,
                      classifierBias: data.classifier.bias, dataFraction: Double(labels.filter { $0 == 0 }.count) / Double(n),
                      stepScale: stepScale)
    }

    /// b₀ = p₀ − p_data, the bias of the untrained model (MB.4).
    public var untrainedBias: Double { untrainedFraction - dataFraction }

    /// b(n) = b₀ exp(−n m/n_*) for a density with mass m on the window (MB.7).
    public func bias(budget: Int, windowMass m: Double) -> Double {
        untrainedBias * exp(-Double(budget) * m / stepScale)
    }

    /// The density's mass on [lo, hi], F(hi) − F(lo).
    public static func windowMass(_ density: any TrainingDensity, lo: Double, hi: Double) -> Double {
        density.cdf(hi) - density.cdf(lo)
    }
}

/// The forecast of a schedules run: the untrained bias averaged over the seeds' splits (MB.4) and,
/// when the window [t_lo, t_hi] is known, each density's mass on it and its predicted bias and
/// paired difference against uniform at a budget (MB.7–MB.8).
///
///     let forecast = BiasForecast(predictions: [p], densities: [UniformDensity(), adaptive], interval: (0.05, 0.22))
///     forecast.difference("adaptive", budget: 100)   // < 0 when the untrained model over-generates the majority
public struct BiasForecast: Sendable {
    public let untrainedBias: Double
    public let stepScale: Double
    /// Density name → mass on the window; empty without a window.
    public let masses: [String: Double]

    public init(predictions: [MajorityBiasPrediction], densities: [any TrainingDensity], interval: (lo: Double, hi: Double)?) {
        precondition(!predictions.isEmpty)
        untrainedBias = predictions.map(\.untrainedBias).reduce(0, +) / Double(predictions.count)
        stepScale = predictions[0].stepScale
        var masses = [String: Double]()
        if let interval {
            for density in densities { masses[density.name] = MajorityBiasPrediction.windowMass(density, lo: interval.lo, hi: interval.hi) }
        }
        self.masses = masses
    }

    public func windowMass(_ name: String) -> Double? { masses[name] }

    /// b̄₀ exp(−n m/n_*) (MB.7).
    public func bias(_ name: String, budget: Int) -> Double? {
        masses[name].map { untrainedBias * exp(-Double(budget) * $0 / stepScale) }
    }

    /// Predicted bias of the density minus that of uniform at the same budget (MB.8).
    public func difference(_ name: String, budget: Int) -> Double? {
        guard let mine = bias(name, budget: budget), let uniform = bias("uniform", budget: budget) else { return nil }
        return mine - uniform
    }
}
