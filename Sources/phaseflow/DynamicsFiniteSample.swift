import ArgumentParser
import Dynamics
import FlowModel
import Foundation
import GSLKit

/// `phaseflow dynamics --n N`: the finite-n equations (derivations/training-dynamics.md §8,
/// TD.30–TD.41), full-batch gradient flow on J/n with the penalties L_u, L_w of (AT.2).
extension DynamicsCommand {
    /// The largest n accepted: the Gram matrix is n×n and the right-hand side costs O(n²).
    static let largestN = 10_000.0

    func validateFiniteSample() throws {
        guard n.value.isFinite else { return }
        try require("n", n.value, "a whole number in [1, \(Int(Self.largestN))] or inf") {
            $0 >= 1 && $0 == $0.rounded() && $0 <= Self.largestN
        }
        try require("penalty-u", penaltyU, "finite and ≥ 0") { $0 >= 0 && $0.isFinite }
        try require("penalty-w", penaltyW, "finite and ≥ 0") { $0 >= 0 && $0.isFinite }
        if let training, training != .gradientFlow {
            throw ValidationError("--n trains by full-batch gradient flow (--training gf); got --training \(training.rawValue)")
        }
        if simulate > 0 || !finiteSize.isEmpty || planted != nil {
            throw ValidationError("--simulate, --finite-size and --planted are not available with --n")
        }
        if !dInfinity, m0 != nil || omega0 != nil || uw0 != 0 {
            throw ValidationError("with --n at finite d the start is a random init drawn from --data-seed; --m0, --omega0, --uw0 apply with --d-infinity only")
        }
    }

    /// The training set and start: at finite d a drawn data set and theory init (TD.38); at d = ∞
    /// the typical signs (n₊ = round(pn)), M = 0, G = I, and small random per-point overlaps.
    private func finiteSampleInputs(_ problem: Problem, count: Int, tau: Double) throws -> (FiniteSampleData, FiniteSampleState) {
        if dInfinity {
            let data = try FiniteSampleData.idealised(signs: FiniteSampleData.typicalSigns(n: count, p: problem.p), sigma: problem.sigma)
            let overlap = m0 ?? 1e-3
            var start = try FiniteSampleState.randomStart(n: count, overlap: overlap, piScale: tau < 1 ? overlap : 0, seed: dataSeed)
            start.order = OrderParameters(c: c0, b: 0, m: overlap, q: 1, omega: omega0 ?? overlap, r: 1, uw: uw0)
            return (data, start)
        }
        let bytes = 8 * Double(count) * Double(count)
        guard bytes < 0.5 * Double(ProcessInfo.processInfo.physicalMemory) else { throw InputError("n = \(count) needs too much memory for its Gram matrix") }
        var (data, start) = try FiniteSampleData.sample(n: count, p: problem.p, sigma: problem.sigma, dimension: problem.dimension, seed: dataSeed)
        start.order.c = c0
        return (data, start)
    }

    /// One row per output time (or per τ with --summary), with the keys of the n = ∞ rows plus
    /// n, n_plus and data_seed; `loss` is J/n (TD.31) and penalty_u, penalty_w are the L of AT.2.
    func finiteSampleRows() throws -> [Row] {
        let problem = try problemOptions.problem()
        let count = Int(n.value)
        let d: Double? = dInfinity ? nil : Double(problem.dimension)
        let taus = tau.map { [$0] } ?? (1..<tauGrid!).map { 2 * Double($0) / Double(tauGrid!) }
        let times = IntegrationOptions.grid(timeMax: timeMax, points: timePoints, logarithmic: logTime, first: timeMax * 1e-4)
        let options = IntegrationOptions(times: times, stepper: stepper,
                                         tolerance: ODETolerance(absolute: absTol, relative: relTol, initialStep: 1e-2), convergence: convergence)
        let progress = taus.count > 1 ? Progress(total: taus.count) : nil
        var sampled: (FiniteSampleData, FiniteSampleState)?
        var rows: [Row] = []
        for (j, tau) in taus.enumerated() {
            let setting = try TrainingSetting(p: problem.p, sigma: problem.sigma, k: problemOptions.k, tau: tau, dimension: d,
                                              learningRate: lr, penaltyU: penaltyU, penaltyW: penaltyW, rule: .gradientFlow)
            // One training set for every τ (as the simulation's bank shares it); at d = ∞ the start depends on the phase.
            if sampled == nil || dInfinity { sampled = try finiteSampleInputs(problem, count: count, tau: tau) }
            let (data, start) = sampled!
            let flow = try FiniteSampleFlow(setting: setting, data: data)
            let trajectory = try flow.integrate(from: start, options: options).orderParameterTrajectory
            let population = try OrderParameterFlow(setting: setting)   // p̂ on fresh data (TD.26)
            var block = summary ? [try summaryRow(trajectory, flow: population)]
                : trajectory.points.map { pointRow($0, setting: setting, flow: population) }
            for i in block.indices {
                block[i].add("n_plus", data.plusCount)
                block[i].add("data_seed", Int(dataSeed))
            }
            rows += block
            progress?.update(done: j + 1, label: String(format: "tau = %.4g", tau))
        }
        if let out { try writeFigure(rows, directory: out) }
        return rows
    }
}
