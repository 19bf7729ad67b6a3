import CGSL

/// The value a χ² variable with `dof` degrees of freedom exceeds with probability `upperTail`
/// (`gsl_cdf_chisq_Qinv`): the threshold of a χ² goodness-of-fit test at that level.
public func chiSquaredQuantile(upperTail: Double, dof: Double) -> Double {
    gsl_cdf_chisq_Qinv(upperTail, dof)
}
