import Foundation
import FlowModel
import GSLKit
import Simulation

/// The authors' Adam protocol split into its parts (issue 12, item 4), per grid time and across
/// seeds: the Adam end state; the minimiser of the exact J (converged-protocol.md) reached from that
/// state with Adam's penalties L = Kλd/2 (AT.5) — so Adam − minimiser is the offset Adam's noise
/// holds it at; and the minimiser reached from the paper's start (the converged protocol) — where the
/// two minimisers differ in branch, Adam sits on a metastable plateau (trivial branch, |b| large,
/// exponentially small gradient; finite-d-corrections.md FD.4).
///
///     var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(1000), n: 128), steps: 80, training: TrainingOptions())
///     config.training.epochs = 4000
///     let rows = try AdamDecomposition(configuration: config, seeds: [1, 2, 3, 4], threads: 2).rows()
public struct AdamDecomposition: Sendable {
    public var configuration: SimulationConfiguration
    public var seeds: [UInt64]
    public var threads: Int

    public init(configuration: SimulationConfiguration, seeds: [UInt64], threads: Int) {
        self.configuration = configuration; self.seeds = seeds; self.threads = threads
    }

    /// Per seed: (Adam end, minimiser from the Adam end, minimiser from the paper's start).
    struct SeedParts: Sendable { let adam, fromAdam, fromStart: [OrderParameters] }

    public func rows() throws -> [Row] {
        guard configuration.training.trainingProtocol is AdamProtocol else { throw InputError("the decomposition is of the adam protocol") }
        guard seeds.count >= 2 else { throw InputError("the decomposition needs at least two seeds (standard errors across seeds)") }
        let config = configuration
        let penalties = config.training.staticTheoryPenalties(dimension: config.problem.d, steps: config.steps)
        let results = PartsCollector(count: seeds.count)
        let seeds = seeds
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            do {
                let adam = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                               options: config.training, seed: seeds[i])
                adam.train(epochs: config.training.epochs)
                let adamEnd = adam.orderParameters()
                _ = try adam.polish(penaltyU: penalties.u, penaltyW: penalties.w)
                var converged = config.training
                converged.trainingProtocol = .converged; converged.penaltyU = penalties.u; converged.penaltyW = penalties.w
                let start = try Trainer<Double>(problem: config.problem, n: config.n, k: config.k, steps: config.steps,
                                                options: converged, seed: seeds[i])
                start.step()
                results.set(i, .success(SeedParts(adam: adamEnd, fromAdam: adam.orderParameters(), fromStart: start.orderParameters())))
            } catch {
                results.set(i, .failure(error))
            }
        }
        let parts = try results.values()
        let grid = try TrainingGrid(problem: config.problem, k: config.k, steps: config.steps, schedule: config.training.schedule)
        let S = Double(parts.count)
        return (0..<config.steps).map { j in
            var row = Row()
            row.add("d", config.problem.d); row.add("tau", grid.tau[j]); row.add("phase", grid.phase(j))
            for key in OrderParameter.allCases {
                let adam = parts.map { $0.adam[j][key] }, fromAdam = parts.map { $0.fromAdam[j][key] }
                let fromStart = parts.map { $0.fromStart[j][key] }
                let offset = meanAndStandardError(zip(adam, fromAdam).map { $0 - $1 })
                row.add(Quantity(key.rawValue + "_adam"), meanAndStandardError(adam).mean)
                row.add(Quantity(key.rawValue + "_minimiser_from_adam"), meanAndStandardError(fromAdam).mean)
                row.add(Quantity(key.rawValue + "_minimiser_from_start"), meanAndStandardError(fromStart).mean)
                row.add(Quantity(key.rawValue + "_adam_offset"), offset.mean); row.add(Quantity(key.rawValue + "_adam_offset_se"), offset.standardError)
            }
            let learned = { (p: OrderParameters) in p.r > 1e-9 }
            row.add("adam_learned_fraction", Double(parts.filter { learned($0.fromAdam[j]) }.count) / S)
            row.add("start_learned_fraction", Double(parts.filter { learned($0.fromStart[j]) }.count) / S)
            row.add("metastable_fraction", Double(parts.filter { !learned($0.fromAdam[j]) && learned($0.fromStart[j]) }.count) / S)
            row.add("seeds", parts.count); row.add("epochs", config.training.epochs)
            row.add("penalty_u_effective", penalties.u); row.add("penalty_w_effective", penalties.w)
            return row
        }
    }
}

/// Per-seed results of parallel work, behind a lock.
private final class PartsCollector: @unchecked Sendable {
    let lock = NSLock()
    var slots: [Result<AdamDecomposition.SeedParts, Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<AdamDecomposition.SeedParts, Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    func values() throws -> [AdamDecomposition.SeedParts] { try slots.map { try $0!.get() } }
}
