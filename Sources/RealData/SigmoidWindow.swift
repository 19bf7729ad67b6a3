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

    /// Least squares by `gsl_multifit_nlinear` in (P∞, P₀, λ_c, log w); started from the curve's
    /// ends and its half-way crossing. Throws when the curve does not change (no window).
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
        let fit = try NonlinearLeastSquares.fit(start: [lo, hi, mid, log(span / 8)], residualCount: values.count) { p in
            let w = exp(p[3])
            return zip(lambdas, values).map { p[0] + (p[1] - p[0]) * StandardNormal.cdf(($0 - p[2]) / w) - $1 }
        }
        let p = fit.parameters
        guard p.allSatisfy(\.isFinite), exp(p[3]) > 0 else { throw InputError("the sigmoid fit did not converge to finite values") }
        self.init(pNoise: p[0], pData: p[1], lambdaMid: p[2], width: exp(p[3]))
    }
}
