import Foundation

/// The paper's time dilation as a clock, at finite d or d = ∞: clock τ ∈ [0, 2], interpolant time
/// κ(τ) = kτ/√d for τ < 1 and κ = k/√d + (1 − k/√d)(τ − 1) after (EF §7, TD.2). The one place κ is
/// computed: `DilatedSchedule` re-clocks any base schedule with it, and the d = ∞ limit (κ = 0 in
/// phase 1 with signal β√d → kτ; κ = τ − 1 in phase 2, TD §5, AT §2) is `linear(at:)`.
///
///     let clock = try DilatedClock(k: 2, dimension: .finite(10_000))
///     clock.interpolantTime(at: 0.5)       // 0.01
///     clock.linear(at: 0.5).signal         // β√d = 1 = kτ
///     try DilatedClock(k: 2, dimension: .infinite).linear(at: 1.5)   // α = 0.5, β = 0.5, signal ∞
public struct DilatedClock: Sendable, Equatable {
    public let k: Double
    public let dimension: Dimension
    /// κ at the end of the first half, k/√d (0 at d = ∞).
    public let kappaOne: Double

    /// Needs k > 0 and, at finite d, k < √d.
    public init(k: Double, dimension: Dimension) throws {
        try require("k", k, "> 0") { $0 > 0 }
        let kappaOne = dimension.finite.map { k / Double($0).squareRoot() } ?? 0
        guard kappaOne < 1 else {
            throw InputError("k must be < √d for the dilated schedule; got k = \(k) with d = \(dimension)")
        }
        self.k = k
        self.dimension = dimension
        self.kappaOne = kappaOne
    }

    /// κ(τ), the base schedule's time (at d = ∞: 0 in phase 1, τ − 1 in phase 2).
    public func interpolantTime(at tau: Double) -> Double {
        tau < 1 ? kappaOne * tau : kappaOne + (1 - kappaOne) * (tau - 1)
    }

    /// d κ/dτ on either half.
    public func rate(at tau: Double) -> Double { tau < 1 ? kappaOne : 1 - kappaOne }

    /// The phase of the network trained at clock τ: 1 up to and including τ = 1, whose network is
    /// trained at S = β√d = k (the top of the phase-1 problem, AT.13); 2 after (EF.18: only the step
    /// that leaves τ = 1 runs at the phase-2 rate). The one place the label is decided.
    public static func phase(at tau: Double) -> Int { tau <= 1 ? 1 : 2 }

    /// The dilated linear interpolant α = 1 − κ, β = κ and the signal S = β√d (TD.2). At d = ∞:
    /// α = 1, β = 0, S = kτ for τ ≤ 1 (TD.21) and α = 2 − τ, β = τ − 1, S = ∞ after (TD.23).
    public func linear(at tau: Double) -> (alpha: Double, beta: Double, signal: Double) {
        guard let d = dimension.finite else {
            return Self.phase(at: tau) == 1 ? (1, 0, k * tau) : (2 - tau, tau - 1, .infinity)
        }
        let kappa = interpolantTime(at: tau)
        return (1 - kappa, kappa, kappa * Double(d).squareRoot())
    }
}
