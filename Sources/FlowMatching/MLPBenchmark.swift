import Foundation
import FlowModel
import GSLKit

/// The flow-matching MLP's training step timed on its own (issue 22): the trainer of the schedules
/// experiment (TS.13–TS.15) with its shapes — d = 64 (77 inputs with the time embedding), two
/// hidden layers of 256, batch 128, Adam — on seeded Gaussian rows, single-threaded. The whole step
/// is timed: batch assembly, noise and time draws, forward, backward and Adam.
///
///     let result = try MLPBenchmark(steps: 500).run()
///     print(result.millisecondsPerStep)
public struct MLPBenchmark: Sendable {
    public var dimension = 64
    public var hidden = 256
    public var batch = 128
    /// Training rows (seeded N(0, 1) coordinates; the step's cost does not depend on their values).
    public var rows = 4096
    /// Timed steps, after `warmup` untimed ones.
    public var steps = 500
    public var warmup = 20
    public var seed: UInt64 = 1

    public init(steps: Int = 500, warmup: Int = 20, seed: UInt64 = 1) {
        self.steps = steps
        self.warmup = warmup
        self.seed = seed
    }

    public struct Result: Sendable {
        public let steps: Int
        public let seconds: Double
        public var millisecondsPerStep: Double { 1000 * seconds / Double(steps) }
        public var stepsPerSecond: Double { Double(steps) / seconds }
        /// The mean batch loss of the timed steps (a check that the run trained on real numbers).
        public let meanLoss: Double
    }

    /// Trains `warmup` then `steps` steps and times the latter.
    public func run() throws -> Result {
        guard steps >= 1, warmup >= 0 else { throw InputError("benchmark steps must be ≥ 1 and warm-up ≥ 0; got \(steps), \(warmup)") }
        let stream = try RandomStream(seed: seed &+ 0xBE7C)
        var data = [Double](repeating: 0, count: rows * dimension)
        data.withUnsafeMutableBufferPointer { stream.fillGaussian($0) }
        let trainer = try FlowMatchingTrainer(data: data, count: rows,
                                              settings: TrainingSettings(hidden: hidden, batch: batch, seed: seed))
        let density = UniformDensity()
        if warmup > 0 { try trainer.train(steps: warmup, density: density) }
        let start = DispatchTime.now().uptimeNanoseconds
        try trainer.train(steps: steps, density: density)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let timed = trainer.losses.suffix(steps)
        return Result(steps: steps, seconds: seconds, meanLoss: timed.reduce(0, +) / Double(steps))
    }
}
