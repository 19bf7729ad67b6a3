import Foundation

/// The schedules a user can name: the three base schedules and their dilations.
///
///     let schedule = try ScheduleName.dilated.make(for: try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1), k: 2)
///     schedule.values(at: 1).beta   // k/√d = 0.02
public enum ScheduleName: String, CaseIterable, Sendable {
    case linear, vp, ve
    /// Dilations of the linear and variance-preserving schedules. (A variance-exploding schedule
    /// decides the mode where σ_max(1 − t) ~ √d, not near t = 0, so κ = kτ/√d does not apply to it.)
    case dilated, dilatedVP = "dilated-vp"

    public init(parsing text: String) throws {
        guard let name = ScheduleName(rawValue: text) else {
            let known = ScheduleName.allCases.map(\.rawValue).joined(separator: ", ")
            throw InputError("unknown schedule '\(text)'; known: \(known)")
        }
        self = name
    }

    /// Builds the schedule for a problem. `k` is the dilation constant; `sigmaMax` the
    /// variance-exploding noise level (default 100√d, so the prior mismatch is ≈ 1% of a mode's offset).
    public func make(for problem: Problem, k: Double = 2, sigmaMax: Double? = nil) throws -> any Schedule {
        if let sigmaMax, self != .ve { throw InputError("sigma-max \(sigmaMax) applies to the ve schedule only; got schedule \(rawValue)") }
        let veSigma = sigmaMax ?? 100 * problem.sqrtD
        switch self {
        case .linear: return LinearSchedule()
        case .vp: return VariancePreservingSchedule()
        case .ve: return try VarianceExplodingSchedule(sigmaMax: veSigma)
        case .dilated: return try DilatedSchedule(base: LinearSchedule(), k: k, dimension: problem.dimension)
        case .dilatedVP: return try DilatedSchedule(base: VariancePreservingSchedule(), k: k, dimension: problem.dimension)
        }
    }
}
