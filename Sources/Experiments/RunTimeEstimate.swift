import Foundation
import FlowModel
import Simulation

/// The wall time of a seed-parallel Monte Carlo run, estimated before it starts from a few probe
/// epochs of one seed's trainer: per-epoch seconds × epochs × seeds / the seeds run at once. A run
/// estimated beyond `longRunSeconds` is refused unless allowed (`--allow-long-run`).
///
///     let seconds = try RunTimeEstimate.seconds(config, seeds: 4, threads: 2)
///     try RunTimeEstimate.requireShort(config, seeds: 4, threads: 2, allowed: false)   // throws beyond a day
public enum RunTimeEstimate {
    /// A day: beyond it a run needs an explicit `--allow-long-run`.
    public static let longRunSeconds = 86_400.0

    /// Seconds per seed-epoch timed on a probe trainer (at most 5 epochs or ~0.2 s after one warm-up
    /// epoch), times epochs × seeds / min(threads, seeds, cores). nil for the converged protocol,
    /// whose cost is its first epoch (the minimisation), which no probe can time without doing it.
    public static func seconds(_ config: SimulationConfiguration, seeds: Int, threads: Int) throws -> Double? {
        guard config.training.trainingProtocol.uniformEpochs, seeds > 0, config.training.epochs > 1 else { return nil }
        var options = config.training
        options.epochs = 0
        let trainer = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps, options: options, seed: 1)
        trainer.train(epochs: 1)
        var timed = 0
        let start = Date()
        while timed < 5, Date().timeIntervalSince(start) < 0.2 { trainer.train(epochs: 1); timed += 1 }
        let perEpoch = Date().timeIntervalSince(start) / Double(max(timed, 1))
        let parallel = Double(max(1, min(threads, seeds, ProcessInfo.processInfo.activeProcessorCount)))
        return perEpoch * Double(config.training.epochs) * Double(seeds) / parallel
    }

    /// Throws, naming the epochs, seeds and estimate, when the run would take longer than a day and
    /// is not `allowed`.
    public static func requireShort(_ config: SimulationConfiguration, seeds: Int, threads: Int, allowed: Bool) throws {
        guard !allowed, let estimate = try seconds(config, seeds: seeds, threads: threads), estimate > longRunSeconds else { return }
        let perEpoch = estimate / Double(config.training.epochs) / Double(seeds) * Double(max(1, min(threads, seeds, ProcessInfo.processInfo.activeProcessorCount)))
        throw InputError("--epochs \(config.training.epochs) × \(seeds) seed(s) at d = \(config.problem.d) would take about "
                         + String(format: "%.2g s (%.1f days) at the measured %.3g ms per epoch", estimate, estimate / 86_400, perEpoch * 1000)
                         + "; more than a day: pass --allow-long-run to start it anyway")
    }
}
