import CGSL

/// The mean of independent replicas (seeds) and its standard error s/√n, with s the sample
/// standard deviation (n − 1 divisor; `gsl_stats_mean`, `gsl_stats_sd`). One replica has error 0.
public func meanAndStandardError(_ x: [Double]) -> (mean: Double, standardError: Double) {
    guard !x.isEmpty else { return (.nan, .nan) }
    let mean = gsl_stats_mean(x, 1, x.count)
    guard x.count > 1 else { return (mean, 0) }
    return (mean, gsl_stats_sd_m(x, 1, x.count, mean) / Double(x.count).squareRoot())
}

/// The sample standard deviation (n − 1 divisor, `gsl_stats_sd`); 0 for fewer than two values.
public func standardDeviation(_ x: [Double]) -> Double {
    x.count < 2 ? 0 : gsl_stats_sd(x, 1, x.count)
}

/// The `fraction`-quantile (0…1) by linear interpolation of the sorted values
/// (`gsl_stats_quantile_from_sorted_data`); NaN for no values.
public func quantile(_ x: [Double], _ fraction: Double) -> Double {
    guard !x.isEmpty else { return .nan }
    return gsl_stats_quantile_from_sorted_data(x.sorted(), 1, x.count, fraction)
}

/// The median of independent values and its large-sample standard error, 1.2533 s/√n with the
/// spread s estimated robustly as IQR/1.349 (both exact for normal data).
public func medianAndStandardError(_ x: [Double]) -> (median: Double, standardError: Double) {
    let iqr = quantile(x, 0.75) - quantile(x, 0.25)
    return (quantile(x, 0.5), x.count < 2 ? 0 : 1.2533 * iqr / 1.349 / Double(x.count).squareRoot())
}

/// The value that the largest of `count` independent |t| ratios, each Student-t with `dof` degrees
/// of freedom, stays below with probability `level` (`gsl_cdf_tdist_Qinv`): the threshold for
/// "every difference within its error bar" when `count` differences are each divided by a standard
/// error estimated from dof + 1 replicas. Correlated ratios make it conservative.
public func largestStudentTThreshold(count: Int, dof: Int, level: Double = 0.95) -> Double {
    guard count >= 1, dof >= 1 else { return .nan }
    let tail = (1 - pow(level, 1 / Double(count))) / 2
    return gsl_cdf_tdist_Qinv(tail, Double(dof))
}
