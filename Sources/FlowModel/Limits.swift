/// The largest sizes a run may ask for: beyond them the memory or the time would exceed any one
/// machine (a grid of 10⁹ steps is 24 GB before any work). Checked up front, with one line naming
/// the flag and its value.
///
///     try requireCount("steps", 50, atMost: Limits.gridSteps)   // fine
///     try requireCount("steps", 1_000_000_000, atMost: Limits.gridSteps)   // throws "steps must be in [1, 100000]; got 1000000000"
public enum Limits {
    /// Steps of a sampling grid (exact, predict, diagram --steps-max, window sampler steps).
    public static let gridSteps = 100_000
    /// Output points of a curve or a table (theory/uturn points, dynamics time points, τ grids).
    public static let outputPoints = 100_000
    /// Generated or evaluated samples per snapshot.
    public static let samples = 1_000_000
    /// Members of an ensemble, images, bootstrap replicates, splits.
    public static let ensemble = 1_000_000
    /// The largest training time of the order-parameter ODEs.
    public static let trainingTime = 1e7
    /// Epochs (or online SGD steps) of one Monte Carlo run: 10⁹ is days even at d = 50, K = 4, and
    /// epochs × seeds (≤ 10⁴) stays far from Int overflow. Longer than a day at the measured speed
    /// needs --allow-long-run as well.
    public static let epochs = 1_000_000_000
    /// Snapshots of one run (epochs / --record-every).
    public static let snapshots = 100_000
    /// The within-mode standard deviation σ, relative to the unit mean: beyond [10⁻³, 10³] the
    /// mixture's scales overflow the quadratures and minimisers (σ = 1e98 and 1.8e308 gave a
    /// non-finite free energy or a GSL failure instead of a result).
    public static let sigma = 1e-3...1e3
}

/// Throws unless σ is in `Limits.sigma`; the message names the flag and the value.
public func requireSigma(_ sigma: Double, name: String = "sigma") throws {
    try require(name, sigma, "in [\(Limits.sigma.lowerBound), \(Limits.sigma.upperBound)]") { Limits.sigma.contains($0) }
}

/// Throws unless `value` is in [`atLeast`, `atMost`]; the message names the flag and the value.
public func requireCount(_ name: String, _ value: Int, atLeast least: Int = 1, atMost most: Int) throws {
    guard value >= least, value <= most else { throw InputError("\(name) must be in [\(least), \(most)]; got \(value)") }
}
