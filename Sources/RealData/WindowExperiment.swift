import Foundation
import FlowModel
import GSLKit

/// The settings of a window experiment (the flags of `phaseflow window`).
public struct WindowConfiguration: Sendable {
    public var dataset: DatasetName = .mnist
    public var dataPath: String? = nil
    public var classA = 0
    /// nil: class A against the rest.
    public var classB: Int? = 1
    public var majority = 0.8
    /// nil: 64, or 32 for the 8×8 digits (whose border pixels never vary).
    public var pcaDimension: Int? = nil
    /// The PCA dimension a run uses: `pcaDimension`, else 64 (32 for the digits).
    public var pcaDimensionUsed: Int { pcaDimension ?? (dataset == .digits ? 32 : 64) }
    /// Rank of each class covariance's low-rank part; nil: half the PCA dimension.
    public var rank: Int? = nil
    public var sampler: SamplerKind = .sde
    public var steps = 100
    public var lambdaMin = -12.0, lambdaMax = 4.0
    public var points = 17
    /// Held-out start images per class (all if fewer).
    public var imagesPerClass = 200
    /// Independent noise draws (and sampler paths) per start image and start time.
    public var noiseDraws = 4
    public var bootstrap = 200
    public var seed: UInt64 = 1
    public var schedule: any Schedule = LinearSchedule()
    public var ridge = 1.0
    /// Independent train/held-out splits (each with its own model, classifier and start images);
    /// the bootstrap resamples them as runs (RD.25), so its interval includes the split's variation.
    public var splits = 1
    /// Cap on the training set (both classes), nil for none.
    public var maxTrainCount: Int? = nil
    public init() {}

    public var lambdas: [Double] {
        (0..<points).map { lambdaMin + (lambdaMax - lambdaMin) * Double($0) / Double(max(points - 1, 1)) }
    }
}

/// Training and held-out features in the PCA space, the classifier, and the start images.
public struct WindowData: Sendable {
    /// The dataset the subset indexes (its raw pixels, image size and pixel range).
    public let images: ImageSet
    public let subset: TwoClassSubset
    public let pca: PCASpace
    public let trainFeatures: [Double], trainLabels: [Int]
    public let heldOutFeatures: [Double], heldOutLabels: [Int]
    /// Held-out start images of class A (index 0) and B (index 1), at most imagesPerClass each.
    public let starts: [[Double]]
    public let classifier: LogisticClassifier
    /// The classifier's accuracy on the whole held-out split.
    public let accuracy: Double
}

/// The window of one start class: the U-turn curve, its sigmoid, the bootstrap intervals.
public struct ClassWindow: Sendable {
    public let startClass: String, otherClass: String
    public let switchFraction: [Double]
    /// The Gaussian model's expected impurity (RD.21) at the same λ, when the model is Gaussian.
    public let impurity: [Double]?
    public let fit: SigmoidWindow
    public let bootstrap: WindowBootstrap
}

/// The result of a window experiment.
public struct WindowResult: Sendable {
    public let configuration: WindowConfiguration
    /// The first split's data (the only one unless `splits` > 1).
    public let data: WindowData
    /// The classifier's held-out accuracy on each split.
    public let accuracies: [Double]
    public let lambdas: [Double]
    public let windows: [ClassWindow]
    /// Seconds for the model fits and U-turns of all splits (not the data loading, PCA, classifier,
    /// sigmoid fits or bootstrap).
    public let zeroShotSeconds: Double
    /// Process CPU seconds of the same stage (wall time on a shared machine overstates the cost).
    public let zeroShotCPUSeconds: Double
    public let totalSeconds: Double
    /// Process CPU seconds of the whole experiment (loading, PCA, classifier, U-turns, fits, bootstrap).
    public let totalCPUSeconds: Double
    /// The mean held-out accuracy over the splits.
    public var meanAccuracy: Double { accuracies.reduce(0, +) / Double(accuracies.count) }

    /// Interpolant time t of a log-SNR under the configuration's schedule (RD.2).
    public func time(atLogSNR lambda: Double) throws -> Double {
        let s = configuration.schedule
        return s.interpolantTime(at: try s.clock(atLogSNR: lambda))
    }
}

/// Finds the time window where the class of an image is decided: U-turns of held-out images
/// through a model, a sigmoid in log-SNR, a bootstrap (derivations/real-data-uturn.md §5).
///
/// ```swift
/// var config = WindowConfiguration()
/// config.dataset = .mnist; config.classA = 0; config.classB = 1; config.majority = 0.8
/// let result = try WindowExperiment.run(config)                 // zero-shot Gaussian model
/// let trained = try WindowExperiment.run(config, denoisers: { data in [myModel] })
/// ```
public enum WindowExperiment {
    /// Loads the data, splits it, fits PCA and the classifier.
    public static func prepare(_ config: WindowConfiguration) throws -> WindowData {
        let images = try config.dataset.load(path: config.dataPath)
        let subset = try TwoClassSubset(images: images, classA: config.classA, classB: config.classB, majority: config.majority,
                                        maxTrainCount: config.maxTrainCount, seed: config.seed)
        let k = config.pcaDimensionUsed
        let trainPixels = images.scaledPixels(rows: subset.trainRows)
        let pca = try PCASpace(fitting: trainPixels, count: subset.trainRows.count, pixelCount: images.pixelCount, dimension: k)
        let train = pca.project(trainPixels, count: subset.trainRows.count)
        let heldOut = pca.project(images.scaledPixels(rows: subset.heldOutRows), count: subset.heldOutRows.count)
        let classifier = try LogisticClassifier(fitting: train, labels: subset.trainLabels, dimension: k, ridge: config.ridge)
        let accuracy = classifier.accuracy(heldOut, labels: subset.heldOutLabels)
        guard config.imagesPerClass >= 5 else { throw InputError("images must be ≥ 5 per class; got \(config.imagesPerClass)") }
        let starts = (0..<2).map { label -> [Double] in
            let rows = subset.heldOut(label: label).prefix(config.imagesPerClass)
            return pca.project(images.scaledPixels(rows: Array(rows)), count: rows.count)
        }
        return WindowData(images: images, subset: subset, pca: pca, trainFeatures: train, trainLabels: subset.trainLabels,
                          heldOutFeatures: heldOut, heldOutLabels: subset.heldOutLabels, starts: starts,
                          classifier: classifier, accuracy: accuracy)
    }

    /// The class-conditional Gaussian model fitted to the training features (the zero-shot model).
    public static func gaussianModel(_ data: WindowData, _ config: WindowConfiguration) throws -> GaussianClassModel {
        let k = data.pca.dimension
        return try GaussianClassModel(fitting: data.trainFeatures, labels: data.trainLabels, classCount: 2, dimension: k,
                                      rank: config.rank ?? k / 2, schedule: config.schedule)
    }

    /// Runs the experiment; `denoisers` builds the models from the prepared data (one per pilot
    /// seed), the Gaussian model by default.
    /// `progress` is told (splits done, splits) after each split (the splits cost alike).
    /// `firstSplit`: `prepare(config)` when the caller has it already (split 0 is `config` itself).
    public static func run(_ config: WindowConfiguration, firstSplit: WindowData? = nil, progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
                           denoisers: ((WindowData) throws -> [any Denoiser])? = nil) throws -> WindowResult {
        try requireCount("points", config.points, atLeast: 5, atMost: 10_000)
        try requireCount("sampler-steps", config.steps, atLeast: 2, atMost: Limits.gridSteps)
        try requireCount("splits", config.splits, atMost: 1000)
        try requireCount("images", config.imagesPerClass, atLeast: 5, atMost: 100_000)
        try requireCount("noise-draws", config.noiseDraws, atMost: 100_000)
        try requireCount("bootstrap", config.bootstrap, atLeast: WindowBootstrap.replicateRange.lowerBound, atMost: WindowBootstrap.replicateRange.upperBound)
        try require("lambda-min", config.lambdaMin, "in [−40, 40]") { abs($0) <= 40 }
        try require("lambda-max", config.lambdaMax, "in [−40, 40]") { abs($0) <= 40 }
        guard config.lambdaMin < config.lambdaMax else { throw InputError("lambda-min must be below lambda-max; got \(config.lambdaMin), \(config.lambdaMax)") }
        guard config.steps >= 2 else { throw InputError("steps must be ≥ 2; got \(config.steps)") }
        guard config.splits >= 1 else { throw InputError("splits must be ≥ 1; got \(config.splits)") }
        let clock = ContinuousClock(), start = clock.now, startCPU = processCPUSeconds()
        let lambdas = config.lambdas
        var runs: [[[[Double]]]] = [], impurityRuns: [[[Double]]] = [], splitData: [WindowData] = []
        var zeroShot = 0.0, zeroShotCPU = 0.0
        for split in 0..<config.splits {
            // Split 0 uses the seed itself, so `--splits 1` is the single-split experiment.
            var splitConfig = config
            if split > 0 { splitConfig.seed = UTurn.mix(config.seed, 1000 + split, 0, 0) }
            let data = try split == 0 ? firstSplit ?? prepare(splitConfig) : prepare(splitConfig)
            let stageStart = clock.now, cpuStart = processCPUSeconds()
            var gaussian: GaussianClassModel?
            let models: [any Denoiser]
            if let denoisers { models = try denoisers(data) } else {
                gaussian = try gaussianModel(data, splitConfig)
                models = [gaussian!]
            }
            let outcomes = try UTurn.run(denoisers: models, schedule: config.schedule, classifier: data.classifier,
                                         starts: data.starts, lambdas: lambdas, sampler: config.sampler, steps: config.steps,
                                         noiseDraws: config.noiseDraws, seed: splitConfig.seed)
            runs += outcomes.switched
            if let gaussian {
                impurityRuns.append(try UTurn.expectedImpurity(model: gaussian, schedule: config.schedule, starts: data.starts,
                                                               lambdas: lambdas, seed: splitConfig.seed))
            }
            splitData.append(data)
            zeroShot += (clock.now - stageStart) / .seconds(1); zeroShotCPU += processCPUSeconds() - cpuStart
            progress?(split + 1, config.splits)
        }
        let outcomes = UTurnOutcomes(lambdas: lambdas, switched: runs)
        let impurity: [[Double]]? = impurityRuns.isEmpty ? nil : (0..<2).map { c in
            lambdas.indices.map { j in impurityRuns.map { $0[c][j] }.reduce(0, +) / Double(impurityRuns.count) }
        }
        let data = splitData[0]
        let names = data.subset.classNames
        let fits = try (0..<2).map { c in
            do { return try SigmoidWindow(lambdas: lambdas, values: outcomes.switchFraction(startClass: c)) } catch let error as InputError {
                throw InputError("start class \(names[c]): \(error.message)")
            }
        }
        let windows = try (0..<2).map { c in
            ClassWindow(startClass: names[c], otherClass: names[1 - c], switchFraction: outcomes.switchFraction(startClass: c),
                        impurity: impurity?[c], fit: fits[c],
                        bootstrap: try WindowBootstrap(outcomes: outcomes, startClass: c, replicates: config.bootstrap,
                                                       seed: UTurn.mix(config.seed, 99, c, 0)))
        }
        return WindowResult(configuration: config, data: data, accuracies: splitData.map(\.accuracy), lambdas: lambdas, windows: windows,
                            zeroShotSeconds: zeroShot, zeroShotCPUSeconds: zeroShotCPU, totalSeconds: (clock.now - start) / .seconds(1),
                            totalCPUSeconds: processCPUSeconds() - startCPU)
    }
}

/// CPU seconds used by this process so far (`clock()`).
public func processCPUSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
