import Foundation
import FlowModel
import GSLKit

/// Where a U-turn curve moves: the times at which it has covered 10, 50 and 90 % of the way from
/// its value at the noise end (τ = 0) to its value at the data end (UT.13).
public struct UTurnWindow: Sendable {
    /// One fraction point of the window.
    public struct Point: Sendable {
        /// The fraction of the way, e.g. 0.1.
        public let fraction: Double
        /// The signal a at which the curve has moved that fraction (Brent in a, UT.13).
        public let signal: Double
        /// λ = 2 log(β/α) there (UT.2).
        public let logSNR: Double
        /// The schedule's clock time there, and its interpolant time t.
        public let clock: Double
        public let t: Double
    }

    public let curve: UTurnCurve
    /// The curve at τ = 0 and at the data end.
    public let startValue, endValue: Double
    public let points: [Point]
}

extension MixtureUTurn {
    /// The standard fractions of the window: 10, 50 and 90 %.
    public static let windowFractions = [0.1, 0.5, 0.9]

    /// The 10/50/90 % points of a curve (UT.13): a_q by Brent on [a(0), a₁] (the curve is strictly
    /// monotone in a, UT.8 and UT.11), then λ_q from UT.2 and the clock from the schedule's log-SNR.
    public func window(_ curve: UTurnCurve, fractions: [Double] = windowFractions) throws -> UTurnWindow {
        let a0 = signal(at: 0), a1 = endSignal
        let c0 = try flip(curve, signal: a0), c1 = try flip(curve, signal: a1)
        let points = try fractions.map { q -> UTurnWindow.Point in
            try require("fraction", q, "in (0, 1)") { $0 > 0 && $0 < 1 }
            let target = c0 + q * (c1 - c0)
            let a = try RootFinder.brent(in: a0, a1, absolute: 1e-12, relative: 1e-12) { try flip(curve, signal: $0) - target }
            let lambda = logSNR(signal: a)
            let clock = try schedule.clock(atLogSNR: lambda)
            return .init(fraction: q, signal: a, logSNR: lambda, clock: clock, t: schedule.interpolantTime(at: clock))
        }
        return UTurnWindow(curve: curve, startValue: c0, endValue: c1, points: points)
    }

    /// The d → ∞ signals a_q of the window (UT.14): t_q √d → a_q on the linear schedule.
    public static func limitWindowSignals(_ curve: UTurnCurve, p: Double, fractions: [Double] = windowFractions) throws -> [Double] {
        let c0 = try limitFlip(curve, signal: 0, p: p)
        return try fractions.map { q in
            try RootFinder.brent(in: 0, 40, absolute: 1e-12, relative: 1e-12) { try limitFlip(curve, signal: $0, p: p) - (1 - q) * c0 }
        }
    }
}

extension MixtureUTurn {
    /// `points` clock times for plotting the curves: uniform in log-SNR from 1 below the earliest
    /// 1 % point to 1 above the latest 99 % point of the four curves (interior times only, so λ is finite).
    public func plotClocks(points: Int) throws -> [Double] {
        try require("points", Double(points), "a whole number in [2, 100000]") { $0 >= 2 && $0 <= 100_000 }
        let windows = try UTurnCurve.allCases.map { try window($0, fractions: [0.01, 0.99]) }
        let lo = windows.map { $0.points[0].logSNR }.min()! - 1
        let hi = windows.map { $0.points[1].logSNR }.max()! + 1
        return try (0..<points).map { i in
            let tau = try schedule.clock(atLogSNR: lo + (hi - lo) * Double(i) / Double(points - 1))
            return min(max(tau, schedule.clockEnd * 1e-12), schedule.clockEnd * (1 - 1e-12))
        }
    }
}
