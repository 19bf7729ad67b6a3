import Dynamics
import FlowModel
import Foundation
import Simulation

/// Simulated trajectories for `dynamics vs-simulation` (TD §7): the Simulation module's online
/// protocol (SIM.15) at the ODEs' grid time. This is where Dynamics (theory) and Simulation meet;
/// neither depends on the other.
///
///     let setting = try TrainingSetting(setup: try Setup(dimension: .finite(500), p: 0.8, sigma: 1, k: 2), tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
///     let runs = OnlineTrajectories(setting: setting, seeds: [1, 2], planted: 0.3)
///     let (times, trajectories) = try runs.run(times: [0, 1, 2], label: "simulate")
///     let comparison = try SimulationComparison(setting: setting, times: times, trajectories: trajectories)
public struct OnlineTrajectories: Sendable {
    /// The ODEs' setting (finite d, online SGD): its τ, d, p, σ, k, η, ℓ_u, ℓ_w define the run.
    public let setting: TrainingSetting
    public let seeds: [UInt64]
    /// Plant m = ω = this at the start (TD.20) instead of theory init's O(d^{-1/2}) overlaps.
    public var planted: Double?
    /// Condition the start on m·ω ≥ 0 (TD.20).
    public var alignedStart = true
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Largest grid searched for one containing τ.
    public static let maxSteps = 200

    /// Trains every seed on the smallest dilated grid that contains τ, training only τ's grid time,
    /// and returns the snapshot times (whole steps: time = epochs/d, 0 first, duplicates dropped)
    /// with, per seed, the order parameters there. A progress line goes to stderr.
    public init(setting: TrainingSetting, seeds: [UInt64], planted: Double? = nil, alignedStart: Bool = true) {
        self.setting = setting; self.seeds = seeds; self.planted = planted; self.alignedStart = alignedStart
    }

    public func run(times requested: [Double], label: String) throws -> (times: [Double], trajectories: [[OrderParameters]]) {
        guard let d = setting.dimension.finite.map(Double.init) else { throw InputError("a simulation needs a finite d") }
        let epochs = Array(Set([0] + requested.map { Int(($0 * d).rounded()) })).sorted()
        guard let (config, index) = try SimulationConfiguration.onlineTrajectory(
            setup: setting.setup, tau: setting.tau,
            learningRate: setting.learningRate, penaltyU: setting.penaltyU, penaltyW: setting.penaltyW,
            planted: planted.map { PlantedOverlap(m: $0, omega: $0) }, alignedStart: alignedStart, epochs: epochs,
            maxSteps: Self.maxSteps) else {
            throw InputError("tau = \(setting.tau) is not a time 2j/K of a dilated grid with even K ≤ \(Self.maxSteps); the simulation needs such a τ (e.g. 0.5 or 0.37)")
        }
        let total = seeds.count * epochs.last!
        let progress = Progress(total: max(total, 1)), every = max(1, total / 100)
        let text = "\(label): \(seeds.count) seed(s), K = \(config.steps)"
        let trajectories = try SimulationRunner.orderParameterTrajectories(config, seeds: seeds, index: index, threads: threads) { done in
            if done % every == 0 && done < total { progress.update(done: done, label: text) }
        }
        progress.update(done: max(total, 1), label: text)
        return (epochs.map { Double($0) / d }, trajectories)
    }
}
