import Foundation
import FlowModel
import GSLKit

/// What the generated distribution looks like (derivations/exact-flow.md §6).
public struct FlowObservables: Sendable {
    /// P(ζ(T) > 0) (EF.13).
    public let pHat: Double
    /// Orthogonal within-mode standard deviation (EF.15).
    public let sigmaHat: Double
    /// Clock time, interpolant time and log-SNR at which half the trajectories are decided (EF.17).
    public let commitClock: Double
    public let commitTime: Double
    public let commitLogSNR: Double
}

extension ReducedFlow {
    /// p̂ = Q(ξ*), ξ* the pull-back of ζ(T) = 0 (EF.13).
    public func generatedModeProbability() throws -> Double {
        StandardNormal.upperTail(try pullback(0, from: field.schedule.clockEnd))
    }

    /// σ̂ = α(0) G(T) (EF.15).
    public func generatedSpread() throws -> Double {
        field.schedule.values(at: 0).alpha * (try endGain())
    }

    /// Fraction of trajectories with |E[s | x_τ]| ≤ θ at clock time τ (EF.16).
    public func undecidedFraction(at tau: Double, threshold: Double) throws -> Double {
        let c = field.coefficients(at: tau)
        let h = field.problem.logOdds
        guard c.values.beta > 0 else { return abs(tanh(h)) <= threshold ? 1 : 0 }
        let edge = atanh(threshold), scale = c.v / (c.values.beta * field.problem.sqrtD)
        let lo = try pullback(scale * (-edge - h), from: tau)
        let hi = try pullback(scale * (edge - h), from: tau)
        return max(0, StandardNormal.cdf(hi) - StandardNormal.cdf(lo))
    }

    /// The commit clock time τ_c = inf{τ : U(τ) ≤ ½} (EF.17): the first scan time where it holds,
    /// refined by Brent root finding for the continuous flow.
    public func commitClock(threshold: Double = 0.9) throws -> Double {
        let times = try commitScanTimes()
        var previous: Double?
        for tau in times {
            let u = try undecidedFraction(at: tau, threshold: threshold)
            if u <= 0.5 {
                guard isContinuous, let lower = previous else { return tau }
                return try RootFinder.brent(in: lower, tau, absolute: 1e-12, relative: 1e-10) {
                    try undecidedFraction(at: $0, threshold: threshold) - 0.5
                }
            }
            previous = tau
        }
        return field.schedule.clockEnd
    }

    public func observables(threshold: Double = 0.9) throws -> FlowObservables {
        let tau = try commitClock(threshold: threshold)
        return FlowObservables(pHat: try generatedModeProbability(), sigmaHat: try generatedSpread(),
                               commitClock: tau, commitTime: field.schedule.interpolantTime(at: tau),
                               commitLogSNR: field.schedule.logSNR(at: tau))
    }
}
