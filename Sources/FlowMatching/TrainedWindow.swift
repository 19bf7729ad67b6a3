import Foundation
import FlowModel
import GSLKit
import RealData

/// The pilots of the trained-model interval: seeds, steps, architecture, threads.
public struct PilotSettings: Sendable {
    public var seeds: [UInt64] = [101, 102, 103]
    public var steps = 2000
    public var training = TrainingSettings()
    public var threads = 2
    public init() {}
}

/// The trained-model interval (derivations/training-schedules.md §5, TS.23–TS.24): pilot models
/// trained with uniform t on the window's training features, one per pilot seed, run through
/// RealData's U-turn, sigmoid fit and bootstrap in place of the Gaussian model.
///
///     var config = WindowConfiguration()                      // MNIST 0/1 at 0.8
///     let result = try TrainedWindow.run(config, pilots: PilotSettings())
///     let interval = try WindowInterval(result)              // t_lo, t_hi for the adaptive density
public enum TrainedWindow {
    /// Trains one pilot per seed with the uniform density (TS.3), in parallel over seeds; each
    /// pilot is seeded, so the result does not depend on the thread count.
    public static func pilots(features: [Double], count: Int, settings: PilotSettings) throws -> [FlowMatchingModel] {
        guard !settings.seeds.isEmpty, settings.steps >= 1 else { throw InputError("pilots need ≥ 1 seed and ≥ 1 step") }
        return try parallelResults(settings.seeds.count, workers: settings.threads) { i in
            var training = settings.training
            training.seed = settings.seeds[i]
            let trainer = try FlowMatchingTrainer(data: features, count: count, settings: training)
            try trainer.train(steps: settings.steps, density: UniformDensity())
            return trainer.model
        }.map { try $0.get() }
    }

    /// RealData's window experiment with the pilots as the denoisers.
    public static func run(_ config: WindowConfiguration, pilots settings: PilotSettings, firstSplit: WindowData? = nil,
                           progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> WindowResult {
        try WindowExperiment.run(config, firstSplit: firstSplit, progress: progress) { data in
            try pilots(features: data.trainFeatures, count: data.trainLabels.count, settings: settings)
        }
    }
}

/// The interval for the adaptive density from a window result (zero-shot or trained): the union
/// over the two start classes of [t(λ_lo), t(λ_hi)] (the times where either class is being
/// decided), each end with the widest of the two classes' 95 % bootstrap ranges (TS.23).
///
///     let w = try WindowInterval(try WindowExperiment.run(config))
public struct WindowInterval: Sendable {
    public let lo, hi: Double
    public let loCI, hiCI: (Double, Double)

    public init(_ result: WindowResult) throws {
        let t = { (lambda: Double) in try result.time(atLogSNR: lambda) }
        lo = try result.windows.map { try t($0.fit.lambdaLow) }.min()!
        hi = try result.windows.map { try t($0.fit.lambdaHigh) }.max()!
        loCI = (try result.windows.map { try t($0.bootstrap.lambdaLow.low) }.min()!,
                try result.windows.map { try t($0.bootstrap.lambdaLow.high) }.max()!)
        hiCI = (try result.windows.map { try t($0.bootstrap.lambdaHigh.low) }.min()!,
                try result.windows.map { try t($0.bootstrap.lambdaHigh.high) }.max()!)
    }
}

extension SchedulesData {
    /// The schedules data of a prepared window: the training features, the held-out features with
    /// class B subsampled so that class A keeps the training majority (for the SW check), and the
    /// window's logistic classifier (class A = subset label 0 = the majority).
    public init(window data: WindowData) throws {
        let d = data.pca.dimension
        let aRows = data.heldOutLabels.indices.filter { data.heldOutLabels[$0] == 0 }
        let bAll = data.heldOutLabels.indices.filter { data.heldOutLabels[$0] == 1 }
        let m = data.subset.majority
        let bCount = min(bAll.count, max(1, Int((Double(aRows.count) * (1 - m) / m).rounded())))
        var held = [Double]()
        for r in aRows + bAll.prefix(bCount) { held += data.heldOutFeatures[(r * d)..<((r + 1) * d)] }
        let classifier = data.classifier
        try self.init(dimension: d, train: data.trainFeatures, trainCount: data.trainLabels.count,
                      heldOut: held, heldOutCount: aRows.count + bCount) { x, n in
            classifier.classify(x, count: n).map { $0 == 0 }
        }
    }
}
