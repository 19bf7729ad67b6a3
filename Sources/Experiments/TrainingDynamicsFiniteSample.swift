import Dynamics
import FlowModel
import Foundation
import GSLKit

/// The finite-n equations (derivations/training-dynamics.md §8, TD.30–TD.41): full-batch gradient
/// flow on J/n with the penalties L_u, L_w of (AT.2).
///
///     var dynamics = TrainingDynamics(setup: try Setup(dimension: .finite(1000), p: 0.8, sigma: 1, k: 2)); dynamics.timeMax = 5
///     let rows = try dynamics.finiteSampleRows(n: 16, dataSeed: 1)   // the n = ∞ keys plus n, n_plus, data_seed
extension TrainingDynamics {
    /// The largest n accepted: the Gram matrix is n×n and the right-hand side costs O(n²).
    public static let largestN = 10_000.0

    /// The training set and start: at finite d a drawn data set and theory init (TD.38); at d = ∞
    /// the typical signs (n₊ = round(pn)), M = 0, G = I, and small random per-point overlaps.
    private func finiteSampleInputs(count: Int, tau: Double, dataSeed: UInt64) throws -> (FiniteSampleData, FiniteSampleState) {
        guard setup.dimension.isFinite else {
            let data = try FiniteSampleData.idealised(signs: FiniteSampleData.typicalSigns(n: count, p: setup.p), sigma: setup.sigma)
            let overlap = m0 ?? 1e-3
            var start = try FiniteSampleState.randomStart(n: count, overlap: overlap, piScale: tau < 1 ? overlap : 0, seed: dataSeed)
            start.order = OrderParameters(c: c0, b: 0, m: overlap, q: 1, omega: omega0 ?? overlap, r: 1, uw: uw0)
            return (data, start)
        }
        let problem = try setup.problem()
        let bytes = 8 * Double(count) * Double(count)
        guard bytes < 0.5 * Double(ProcessInfo.processInfo.physicalMemory) else { throw InputError("n = \(count) needs too much memory for its Gram matrix") }
        var (data, start) = try FiniteSampleData.sample(n: count, p: problem.p, sigma: problem.sigma, dimension: problem.d, seed: dataSeed)
        start.order.c = c0
        return (data, start)
    }

    /// One row per output time (or per τ with `summary`), with the keys of the n = ∞ rows plus
    /// n_plus (the count n₊) and data_seed; `loss` is J/n (TD.31) and penalty_u, penalty_w are the L of AT.2.
    public func finiteSampleRows(n: Int, dataSeed: UInt64) throws -> [Row] {
        if setup.dimension.isFinite { _ = try setup.problem() }
        var sampled: (FiniteSampleData, FiniteSampleState)?
        return try perTau(rule: .gradientFlow) { setting, population in   // population: p̂ on fresh data (TD.26)
            // One training set for every τ (as the simulation's bank shares it); at d = ∞ the start depends on the phase.
            if sampled == nil || !setup.dimension.isFinite { sampled = try finiteSampleInputs(count: n, tau: setting.tau, dataSeed: dataSeed) }
            let (data, start) = sampled!
            let flow = try FiniteSampleFlow(setting: setting, data: data)
            let trajectory = try flow.integrate(from: start, options: integration).orderParameterTrajectory
            var block = summary ? [try summaryRow(trajectory, flow: population, n: Double(n))]
                : trajectory.points.map { pointRow($0, setting: setting, flow: population, n: Double(n)) }
            for i in block.indices {
                block[i].add("n_plus", data.plusCount)
                block[i].add("data_seed", Int(dataSeed))
            }
            return block
        }
    }
}
