import Foundation
import FlowModel
import GSLKit

/// P(λ) = P∞ + (P₀ − P∞) Φ((λ − λ_c)/w) fitted to a U-turn curve, and its window λ_c ± 1.28 w
/// (the 10 % and 90 % points of the change) (RD.23–RD.24).
///
/// ```swift
/// let fit = try SigmoidWindow(lambdas: lambdas, values: outcomes.switchFraction(startClass: 1))
/// print(fit.lambdaLow, fit.lambdaMid, fit.lambdaHigh)
/// ```
public struct SigmoidWindow: Sendable {
    public let pNoise: Double      // P∞, the value at pure noise (λ → −∞)
    public let pData: Double       // P₀, the value at the data end (λ → +∞)
    public let lambdaMid: Double   // λ_c
    public let width: Double       // w > 0
    public static let tenPercent = 1.2815515655446004  // Φ⁻¹(0.9)

    public var lambdaLow: Double { lambdaMid - Self.tenPercent * width }
    public var lambdaHigh: Double { lambdaMid + Self.tenPercent * width }

    public init(pNoise: Double, pData: Double, lambdaMid: Double, width: Double) {
        self.pNoise = pNoise; self.pData = pData; self.lambdaMid = lambdaMid; self.width = width
    }

    public func value(at lambda: Double) -> Double {
        pNoise + (pData - pNoise) * StandardNormal.cdf((lambda - lambdaMid) / width)
    }

    /// Least squares by `gsl_multifit_nlinear` in (θ∞, θ₀, λ_c, log w) with P∞ = sin²θ∞, P₀ = sin²θ₀:
    /// the ends are fractions of runs, and a free P₀ extrapolated past the last λ fell below 0 on a
    /// curve that reaches 0 steeply (p_switch_data = −0.047 on MNIST); sin² keeps both in [0, 1] and
    /// still reaches 0 and 1 at finite θ. Started from the curve's ends and its half-way crossing.
    /// Throws when the curve does not change (no window) or the fit does not converge.
    public init(lambdas: [Double], values: [Double]) throws {
        guard lambdas.count == values.count, lambdas.count >= 5 else {
            throw InputError("a sigmoid fit needs at least 5 points; got \(values.count)")
        }
        let lo = values.first!, hi = values.last!
        guard abs(hi - lo) > 1e-9 else { throw InputError("the U-turn curve does not change over λ ∈ [\(lambdas.first!), \(lambdas.last!)]: no window") }
        let half = (lo + hi) / 2
        var mid = lambdas[lambdas.count / 2]
        for j in 1..<lambdas.count where (values[j - 1] - half) * (values[j] - half) <= 0 && values[j] != values[j - 1] {
            mid = lambdas[j - 1] + (half - values[j - 1]) / (values[j] - values[j - 1]) * (lambdas[j] - lambdas[j - 1])
            break
        }
        let span = lambdas.last! - lambdas.first!
        // Start inside (0, 1): at θ = 0 or π/2 the derivative of sin² vanishes and the end could not move.
        func angle(_ value: Double) -> Double { asin(min(max(value, 1e-3), 1 - 1e-3).squareRoot()) }
        func share(_ theta: Double) -> Double { let s = sin(theta); return s * s }
        let fit: NonlinearFit
        do {
            fit = try NonlinearLeastSquares.fit(start: [angle(lo), angle(hi), mid, log(span / 8)], residualCount: values.count) { p in
                let w = exp(p[3]), pNoise = share(p[0]), pData = share(p[1])
                return zip(lambdas, values).map { pNoise + (pData - pNoise) * StandardNormal.cdf(($0 - p[2]) / w) - $1 }
            }
        } catch let error as GSLError {
            throw InputError("the sigmoid fit of the U-turn curve (RD.23) over \(values.count) λ points did not converge (\(error.reason)): the curve is too noisy or has no clear step; use more points or images")
        }
        let p = fit.parameters
        guard p.allSatisfy(\.isFinite), exp(p[3]) > 0 else { throw InputError("the sigmoid fit did not converge to finite values") }
        self.init(pNoise: share(p[0]), pData: share(p[1]), lambdaMid: p[2], width: exp(p[3]))
    }
}
