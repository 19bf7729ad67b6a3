import Foundation
import FlowModel

/// Increasing clock times τ₀ < τ₁ < … < τ_K = clockEnd on which a sampler steps from τ₀ to the
/// data end.
///
/// ```swift
/// let grid = try SamplingGrid.logSNRUniform(schedule: LinearSchedule(), from: 0.3, steps: 100)
/// ```
public struct SamplingGrid: Sendable {
    public let clock: [Double]

    /// An explicit grid; throws unless strictly increasing, inside the clock, ending at clockEnd.
    public init(clock: [Double], schedule: any Schedule) throws {
        guard clock.count >= 2 else { throw InputError("a sampling grid needs at least two times; got \(clock.count)") }
        guard clock.first! >= 0, clock.last! == schedule.clockEnd else {
            throw InputError("a sampling grid must run from a time ≥ 0 to the data end \(schedule.clockEnd); got \(clock.first!)…\(clock.last!)")
        }
        for (a, b) in zip(clock, clock.dropFirst()) where !(b > a) {
            throw InputError("sampling grid times must increase; got \(a) then \(b)")
        }
        self.clock = clock
    }

    /// `steps` steps uniform in clock time from τ₀ to the data end.
    public static func uniform(schedule: any Schedule, from tau0: Double, steps: Int) throws -> SamplingGrid {
        try check(schedule, tau0, steps)
        let end = schedule.clockEnd
        return try SamplingGrid(clock: (0...steps).map { $0 == steps ? end : tau0 + (end - tau0) * Double($0) / Double(steps) },
                                schedule: schedule)
    }

    /// `steps − 1` steps uniform in log-SNR λ from λ(τ₀) (at least `lambdaStart`) to `lambdaEnd`, then one
    /// last step to the data end (α = 0). Equal λ steps give every step the same share of the
    /// posterior's change, so the step count needed does not depend on the schedule (RD.12).
    public static func logSNRUniform(schedule: any Schedule, from tau0: Double, steps: Int,
                                     lambdaStart: Double = -20, lambdaEnd: Double = 14) throws -> SamplingGrid {
        try check(schedule, tau0, steps)
        let lambda0 = max(tau0 > 0 ? schedule.logSNR(at: tau0) : -.infinity, lambdaStart)
        guard lambda0 < lambdaEnd, steps >= 2 else { return try uniform(schedule: schedule, from: tau0, steps: max(steps, 1)) }
        var clock = [tau0]
        for j in 1..<steps {
            let lambda = lambda0 + (lambdaEnd - lambda0) * Double(j) / Double(steps - 1)
            let tau = try schedule.clock(atLogSNR: lambda)
            if tau > clock.last! && tau < schedule.clockEnd { clock.append(tau) }
        }
        clock.append(schedule.clockEnd)
        return try SamplingGrid(clock: clock, schedule: schedule)
    }

    private static func check(_ schedule: any Schedule, _ tau0: Double, _ steps: Int) throws {
        guard steps >= 1 else { throw InputError("steps must be ≥ 1; got \(steps)") }
        guard tau0.isFinite, tau0 >= 0, tau0 < schedule.clockEnd else {
            throw InputError("the start time must be in [0, \(schedule.clockEnd)); got \(tau0)")
        }
    }
}
