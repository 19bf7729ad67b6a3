import CGSL

/// The standard normal distribution's tails (`gsl_cdf_ugaussian_*`), accurate far into the tails.
///
///     StandardNormal.quantile(0.975)   // 1.95996…
public enum StandardNormal {
    /// Φ(x) = P(Z ≤ x).
    public static func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }
    /// Q(x) = 1 − Φ(x) = P(Z > x), computed without cancellation.
    public static func upperTail(_ x: Double) -> Double { gsl_cdf_ugaussian_Q(x) }
    /// Φ⁻¹(probability).
    public static func quantile(_ probability: Double) -> Double { gsl_cdf_ugaussian_Pinv(probability) }
}
