import Foundation
import FlowModel
import GSLKit

/// The gain of a training-time density over uniform at one budget (derivations/training-schedules.md
/// TS.28): G = ē_U / ē_S, the ratio of the mean feature errors (TS.17) over the same seeds, with the
/// delta-method standard error of a ratio of paired means,
/// SE(G) = SD_s(e_U,s − G e_S,s) / (√S ē_S). G > 1: the density reaches a smaller error than uniform.
///
///     let g = try ScheduleGain(result.measurements, schedule: "adaptive", budget: 100)
///     print(g.gain, g.gainSE)   // e.g. 2.1 ± 0.2 on MNIST 0/1
public struct ScheduleGain: Sendable {
    public let schedule: String
    public let budget: Int
    public let seeds: Int
    /// Mean ± SE over seeds of the reference's (uniform's) and the schedule's feature errors.
    public let referenceError, referenceErrorSE, scheduleError, scheduleErrorSE: Double
    public let gain, gainSE: Double

    /// From the runs of a schedules experiment: the seeds that have both schedules at the budget.
    public init(_ measurements: [ScheduleMeasurement], schedule: String, reference: String = "uniform", budget: Int) throws {
        let mine = Dictionary(measurements.filter { $0.schedule == schedule && $0.budget == budget }.map { ($0.seed, $0.featureError) },
                              uniquingKeysWith: { a, _ in a })
        let pairs = measurements.filter { $0.schedule == reference && $0.budget == budget }
            .compactMap { m in mine[m.seed].map { (m.featureError, $0) } }
        guard pairs.count >= 2 else {
            throw InputError("gain of \(schedule) at \(budget) steps needs at least two seeds with \(reference) and \(schedule); got \(pairs.count)")
        }
        let u = meanAndStandardError(pairs.map(\.0)), s = meanAndStandardError(pairs.map(\.1))
        guard s.mean > 0 else { throw InputError("gain of \(schedule) at \(budget) steps: its mean feature error is 0 (the ratio is undefined)") }
        let g = u.mean / s.mean
        // The linearised ratio: Ĝ − G ≈ (ē_U − G ē_S)/ē_S, a mean over seeds of e_U,s − G e_S,s (TS.28).
        let residual = meanAndStandardError(pairs.map { $0.0 - g * $0.1 })
        self.schedule = schedule; self.budget = budget; seeds = pairs.count
        referenceError = u.mean; referenceErrorSE = u.standardError
        scheduleError = s.mean; scheduleErrorSE = s.standardError
        gain = g; gainSE = residual.standardError / s.mean
    }

    /// The gain MB.7 predicts (TS.29): |b_U(n)| / |b_S(n)| = exp(n (m_S − m_U)/n_*), m the densities'
    /// masses on the window; b₀ cancels, so it needs only the window and n_*.
    public static func predicted(budget: Int, scheduleMass: Double, uniformMass: Double,
                                 stepScale: Double = MajorityBiasPrediction.defaultStepScale) -> Double {
        exp(Double(budget) * (scheduleMass - uniformMass) / stepScale)
    }
}
