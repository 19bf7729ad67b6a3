import FlowModel
import BLASKit
import Foundation
import GSLKit
import Optimisers

/// The settings of one training run; the seed fixes initialisation, data order and noise, the
/// density only the times (TS.15: paired runs across densities).
public struct TrainingSettings: Sendable {
    public var hidden = 256
    public var batch = 128
    public var learningRate = 1e-3
    public var seed: UInt64 = 1
    /// Training times are clamped to [tMin, 1 − tMin] (c_out → 0 at t = 1).
    public var tMin = 1e-5
    public init(hidden: Int = 256, batch: Int = 128, learningRate: Double = 1e-3, seed: UInt64 = 1) {
        self.hidden = hidden
        self.batch = batch
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// Flow-matching training of a `FlowMatchingModel` by Adam (Optimisers' `AdamState`, Float
/// moments, TS.14) on minibatches (TS.13–TS.15). Data order
/// is a seeded reshuffle per epoch, noise a seeded N(0, I) stream, times F⁻¹(u) of a seeded uniform
/// stream: the same seed gives bit-identical parameters, and two densities with the same seed see
/// the same images, noise and uniforms.
///
///     let trainer = try FlowMatchingTrainer(data: rows, count: n, settings: TrainingSettings(seed: 3))
///     try trainer.train(steps: 1000, density: UniformDensity())
public final class FlowMatchingTrainer {
    public let model: FlowMatchingModel
    public let settings: TrainingSettings
    public private(set) var stepsDone = 0
    /// The batch loss (TS.13) of every step taken.
    public private(set) var losses: [Double] = []
    private let data: [Double]
    private let count: Int
    private let optimiser: AdamState<Float>
    private let orderStream, noiseStream, timeStream: RandomStream
    private var order: [Int] = []
    private var position = 0
    private var gradient: [Float]

    /// - Parameters: data: `count` rows of the model's dimension (row-major).
    public init(data: [Double], count: Int, settings: TrainingSettings) throws {
        guard count >= 2, data.count % count == 0 else { throw InputError("training data: \(data.count) values in \(count) rows") }
        guard settings.batch >= 1 else { throw InputError("batch must be ≥ 1; got \(settings.batch)") }
        try require("learning rate", settings.learningRate, "> 0") { $0 > 0 }
        let moments = DataMoments(rows: data, count: count)
        model = try FlowMatchingModel(dataMean: moments.mean, dataVariance: max(moments.variance, 1e-12), hidden: settings.hidden, seed: settings.seed)
        self.settings = settings
        self.data = data
        self.count = count
        optimiser = AdamState(count: model.network.parameterCount, settings: AdamSettings(learningRate: settings.learningRate))
        orderStream = try RandomStream(seed: settings.seed &+ 1_000_003)
        noiseStream = try RandomStream(seed: settings.seed &+ 2_000_029)
        timeStream = try RandomStream(seed: settings.seed &+ 3_000_017)
        gradient = [Float](repeating: 0, count: model.network.parameterCount)
    }

    /// The next row index of the seeded epoch order (Fisher–Yates reshuffle per epoch).
    private func nextRow() -> Int {
        if position == order.count {
            order = Array(0..<count)
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(orderStream.uniform() * Double(i + 1))
                order.swapAt(i, j)
            }
            position = 0
        }
        defer { position += 1 }
        return order[position]
    }

    /// The one-line divergence error naming the seed, the step and the learning rate.
    private func diverged(_ what: String) -> InputError {
        InputError("training diverged (seed \(settings.seed), step \(stepsDone + 1), learning rate \(settings.learningRate)): \(what); lower --learning-rate")
    }

    /// Takes `steps` Adam steps with training times drawn from `density`.
    public func train(steps: Int, density: any TrainingDensity) throws {
        let d = model.dimension, batch = settings.batch
        var x1 = [Double](repeating: 0, count: d * batch)
        var z = x1
        var times = [Double](repeating: 0, count: batch)
        for _ in 0..<steps {
            for b in 0..<batch {
                let r = nextRow()
                for i in 0..<d { x1[b * d + i] = data[r * d + i] }
                times[b] = min(max(density.sample(timeStream), settings.tMin), 1 - settings.tMin)
            }
            z.withUnsafeMutableBufferPointer { noiseStream.fillGaussian($0) }
            let l = withUnsafeMutablePointer(to: &gradient) { g in
                model.loss(data: x1, noise: z, times: times, gradient: g)
            }
            guard l.isFinite else { throw diverged("loss \(l)") }
            // A legitimate run lowers the loss from its first value; a hundredfold rise is a runaway.
            if let first = losses.first, l > 100 * max(first, 1e-12) { throw diverged("loss \(l), 100 × the first step's \(first)") }
            let runaway = gradient.withUnsafeBufferPointer { g in
                model.network.parameters.withUnsafeMutableBufferPointer { p in
                    optimiser.step(p, gradient: g)
                    return Self.hasRunaway(UnsafeBufferPointer(p))
                }
            }
            if runaway, let bad = model.network.parameters.first(where: { !$0.isFinite || abs($0) > 1e6 }) {
                throw diverged("a parameter reached \(bad)")
            }
            losses.append(l)
            stepsDone += 1
        }
    }

    /// Whether some parameter is non-finite or beyond 10⁶ in size: Adam moves a parameter by about
    /// the learning rate per step, so such a value means a runaway. One branch-free pass (NaN fails
    /// the comparison), so that the check costs little beside the step.
    private static func hasRunaway(_ p: UnsafeBufferPointer<Float>) -> Bool {
        var flag: UInt32 = 0
        for x in p { flag |= abs(x) <= 1e6 ? 0 : 1 }
        return flag != 0
    }
}
