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
