import Foundation
import GSLKit

/// α, β and their derivatives with respect to the schedule's clock, at one clock time.
public struct ScheduleValues: Sendable {
    public let alpha, beta, alphaDot, betaDot: Double
}

/// An interpolant schedule x = α z + β x₁ on a clock τ ∈ [0, clockEnd]; τ = 0 is the noise end,
/// τ = clockEnd the data end (α = 0 there). β/α must be increasing.
///
///     let linear: any Schedule = LinearSchedule()
///     let v = linear.values(at: 0.25)   // α = 0.75, β = 0.25
public protocol Schedule: Sendable {
    /// The name users type (`--schedule`).
    var name: String { get }
    var clockEnd: Double { get }
    /// Interior clock times where α̇, β̇ jump; adaptive integrators restart there.
    var breakpoints: [Double] { get }
    func values(at tau: Double) -> ScheduleValues
    /// The interpolant time t of the base schedule at clock τ (τ itself unless re-clocked).
    func interpolantTime(at tau: Double) -> Double
    /// Step counts K that are multiples of this put every breakpoint on the uniform grid.
    var stepQuantum: Int { get }
    /// α, β at grid time τ_j = j·clockEnd/K of K uniform steps, with α̇, β̇ the rates of the step
    /// *leaving* τ_j, i.e. on [τ_j, τ_{j+1}] (EF.18). Re-clocked schedules decide their piece by the
    /// integer index, never by comparing a rounded τ_j with a breakpoint.
    func values(atStep j: Int, of count: Int) -> ScheduleValues
    /// The interpolant time at grid time τ_j = j·clockEnd/K.
    func interpolantTime(atStep j: Int, of count: Int) -> Double
}

extension Schedule {
    public var breakpoints: [Double] { [] }
    public var stepQuantum: Int { 1 }
    public func interpolantTime(at tau: Double) -> Double { tau }

    /// τ_j = j·clockEnd/K, correctly rounded (one division of exact integers times clockEnd).
    public func clockTime(atStep j: Int, of count: Int) -> Double { clockEnd * (Double(j) / Double(count)) }
    public func values(atStep j: Int, of count: Int) -> ScheduleValues { values(at: clockTime(atStep: j, of: count)) }
    public func interpolantTime(atStep j: Int, of count: Int) -> Double { interpolantTime(at: clockTime(atStep: j, of: count)) }

    /// Signal-to-noise ratio β²/α².
    public func snr(at tau: Double) -> Double {
        let v = values(at: tau)
        return (v.beta * v.beta) / (v.alpha * v.alpha)
    }

    /// log(β²/α²), the schedule-free coordinate along the flow (−∞ at pure noise, +∞ at data).
    public func logSNR(at tau: Double) -> Double {
        let v = values(at: tau)
        return 2 * (log(abs(v.beta)) - log(abs(v.alpha)))
    }

    /// The clock time at which log-SNR equals `target`, clamped to the clock's ends; maps a time
    /// between schedules (same log-SNR, same state of the exact flow; see EF.17).
    public func clock(atLogSNR target: Double) throws -> Double {
        let lo = clockEnd * 1e-14, hi = clockEnd * (1 - 1e-14)
        if logSNR(at: lo) >= target { return 0 }
        if logSNR(at: hi) <= target { return clockEnd }
        return try RootFinder.brent(in: lo, hi, absolute: 1e-15, relative: 1e-13) { logSNR(at: $0) - target }
    }

    /// Knots of a clock interval, split at the breakpoints inside it.
    public func segments(from a: Double, to b: Double) -> [(Double, Double)] {
        let inside = breakpoints.filter { $0 > min(a, b) && $0 < max(a, b) }.sorted(by: a < b ? (<) : (>))
        let knots = [a] + inside + [b]
        return zip(knots, knots.dropFirst()).map { ($0, $1) }
    }
}

/// α = 1 − t, β = t.
public struct LinearSchedule: Schedule {
    public init() {}
    public var name: String { "linear" }
    public var clockEnd: Double { 1 }
    public func values(at t: Double) -> ScheduleValues {
        ScheduleValues(alpha: 1 - t, beta: t, alphaDot: -1, betaDot: 1)
    }
}

/// Trigonometric variance-preserving: α = cos(πt/2), β = sin(πt/2).
public struct VariancePreservingSchedule: Schedule {
    public init() {}
    public var name: String { "vp" }
    public var clockEnd: Double { 1 }
    public func values(at t: Double) -> ScheduleValues {
        let a = Double.pi / 2
        // cos(π/2) is 6e-17, not 0: use sin(π(1 − t)/2) so α vanishes exactly at the data end.
        return ScheduleValues(alpha: sin(a * (1 - t)), beta: sin(a * t), alphaDot: -a * sin(a * t), betaDot: a * cos(a * t))
    }
}

/// Variance-exploding, noise level linear in time: α = σ_max (1 − t), β = 1. The flow starts from
/// N(0, σ_max² I), which neglects the data's own mean and variance at t = 0 (the usual prior
/// mismatch); σ_max must be large against √d for that to be harmless.
public struct VarianceExplodingSchedule: Schedule {
    public let sigmaMax: Double
    public init(sigmaMax: Double) throws {
        try require("sigma-max", sigmaMax, "> 0") { $0 > 0 }
        self.sigmaMax = sigmaMax
    }
    public var name: String { "ve" }
    public var clockEnd: Double { 1 }
    public func values(at t: Double) -> ScheduleValues {
        ScheduleValues(alpha: sigmaMax * (1 - t), beta: 1, alphaDot: -sigmaMax, betaDot: 0)
    }
}

/// The time dilation of the paper as a re-clocking of any base schedule on [0, 1]:
/// clock τ ∈ [0, 2], base time κ(τ) = kτ/√d for τ < 1 and κ = k/√d + (1 − k/√d)(τ − 1) after.
/// The first half of the clock covers β√d ∈ [0, k], where the mode is decided (EF §7).
///
///     let dilated = try DilatedSchedule(base: VariancePreservingSchedule(), k: 2, dimension: .finite(10_000))
///     dilated.interpolantTime(at: 1)   // k/√d = 0.02 (from its DilatedClock)
public struct DilatedSchedule: Schedule {
    public let base: any Schedule
    public let clock: DilatedClock
    public var k: Double { clock.k }
    /// d, always finite.
    public var dimension: Dimension { clock.dimension }
    /// κ at the end of the first half, k/√d.
    public var kappaOne: Double { clock.kappaOne }

    /// Needs a finite d (at d = ∞ the dilated clock is `DilatedClock` alone).
    public init(base: any Schedule, k: Double, dimension: Dimension) throws {
        try require("k", k, "> 0") { $0 > 0 }
        guard dimension.isFinite else { throw InputError("the dilated schedule needs a finite d; got d = inf") }
        guard base.clockEnd == 1 else { throw InputError("the dilated schedule needs a base schedule on [0, 1]; \(base.name) is not") }
        self.base = base
        self.clock = try DilatedClock(k: k, dimension: dimension)
    }

    public var name: String { base is LinearSchedule ? "dilated" : "dilated-\(base.name)" }
    public var clockEnd: Double { 2 }
    public var breakpoints: [Double] { [1] }
    /// An even K puts τ = 1 on the grid; with odd K one Euler step mixes both clock rates.
    public var stepQuantum: Int { 2 }

    public func interpolantTime(at tau: Double) -> Double { clock.interpolantTime(at: tau) }

    public func values(at tau: Double) -> ScheduleValues {
        let rate = clock.rate(at: tau)
        let b = base.values(at: interpolantTime(at: tau))
        return ScheduleValues(alpha: b.alpha, beta: b.beta, alphaDot: b.alphaDot * rate, betaDot: b.betaDot * rate)
    }

    /// Grid time τ_j = 2j/K: the piece is decided by the integer test 2j < K (τ_j < 1 exactly), so
    /// the step leaving τ = 1 (2j = K) runs at the second half's rate 1 − k/√d (EF.18); with odd K the
    /// step that straddles τ = 1 keeps the first half's rate. In the second half κ is formed from the
    /// exact rational τ_j − 1 = (2j − K)/K.
    public func interpolantTime(atStep j: Int, of count: Int) -> Double {
        2 * j < count ? kappaOne * (2 * Double(j) / Double(count))
                      : kappaOne + (1 - kappaOne) * (Double(2 * j - count) / Double(count))
    }

    public func values(atStep j: Int, of count: Int) -> ScheduleValues {
        let rate = 2 * j < count ? kappaOne : 1 - kappaOne
        let b = base.values(at: interpolantTime(atStep: j, of: count))
        return ScheduleValues(alpha: b.alpha, beta: b.beta, alphaDot: b.alphaDot * rate, betaDot: b.betaDot * rate)
    }
}
