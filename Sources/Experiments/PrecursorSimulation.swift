import Foundation
import FlowModel
import GSLKit
import Theory

/// Cui et al.'s experiment in d dimensions (derivations/precursor.md PC.8): n training points
/// x₁^ν = s^ν μ + σ η^ν (p = ½, μ = (1, …, 1)), one fixed base noise z^ν each; at every grid time
/// t_j = j/K the tied sign network f(x) = c x + u sign(u·x/√d) is trained by exact minimisation of
/// the ridge objective Σ_ν |f(x_ν) − x₁^ν|²/d + L|u|²/d — quadratic in (c, u) once the sign pattern
/// is fixed; the pattern is φ_ν = s^ν (the d = ∞ optimum, AT §4.2) and its self-consistency
/// sign(u·x_ν) = s^ν is measured. Then N samples flow from N(0, I_d) through K Euler steps and the
/// sign-aligned overlaps with μ, η̄ and ξ̄, σ̂ and ‖μ̂ − μ‖²/d (PC.6) are measured.
///
///     let r = try PrecursorSimulation.run(.init(d: 10_000, n: 16, seed: 1))
public enum PrecursorSimulation {
    public struct Setup: Sendable {
        public var d: Int, n: Int, sigma = 0.5, penalty = 0.1, steps = 20, samples = 32, seed: UInt64
        public init(d: Int, n: Int, seed: UInt64) { self.d = d; self.n = n; self.seed = seed }
    }

    /// One data set's generated statistics (means over the samples).
    public struct Result: Sendable {
        public var m, etaOverlap, baseNoiseOverlap, sigmaHat, meanError: Double
        /// Fraction of (grid time > 0, training point) pairs with sign(u·x_ν) ≠ s^ν.
        public var inconsistentFraction: Double
    }

    public static func run(_ setup: Setup) throws -> Result {
        let (d, n, sigma) = (setup.d, setup.n, setup.sigma)
        try require("d", Double(d), "≥ 2") { $0 >= 2 }
        try require("n", Double(n), "≥ 1") { $0 >= 1 }
        try require("steps", Double(setup.steps), "≥ 1") { $0 >= 1 }
        try require("samples", Double(setup.samples), "≥ 1") { $0 >= 1 }
        let rng = try RandomStream(seed: setup.seed)
        let signs = (0..<n).map { _ -> Double in rng.uniform() < 0.5 ? 1 : -1 }
        var eta = [Double](repeating: 0, count: n * d), z = eta
        for i in 0..<(n * d) { eta[i] = rng.gaussian() }
        for i in 0..<(n * d) { z[i] = rng.gaussian() }
        var etaBar = [Double](repeating: 0, count: d), xiBar = etaBar
        for nu in 0..<n { for i in 0..<d { etaBar[i] += signs[nu] * eta[nu * d + i] / Double(n); xiBar[i] += signs[nu] * z[nu * d + i] / Double(n) } }
        let samples = setup.samples
        var X = [Double](repeating: 0, count: samples * d)
        for i in 0..<(samples * d) { X[i] = rng.gaussian() }
        let ridge = 1 / (Double(n) + setup.penalty), sqrtD = Double(d).squareRoot(), delta = 1 / Double(setup.steps)
        var inconsistent = 0, checked = 0
        var sx = [Double](repeating: 0, count: d), sx1 = sx, u = sx
        for j in 0..<setup.steps {
            let t = Double(j) * delta, alpha = 1 - t, beta = t
            // Ridge solve with the pattern φ_ν = s^ν: u(c) = Σ s^ν (x₁^ν − c x_ν)/(n + L), c = B/A.
            for i in 0..<d { sx[i] = 0; sx1[i] = 0 }
            var xx = 0.0, xx1 = 0.0
            for nu in 0..<n {
                let s = signs[nu]
                for i in 0..<d {
                    let x1 = s + sigma * eta[nu * d + i], x = alpha * z[nu * d + i] + beta * x1
                    sx[i] += s * x; sx1[i] += s * x1; xx += x * x; xx1 += x * x1
                }
            }
            var sxsx = 0.0, sxsx1 = 0.0
            for i in 0..<d { sxsx += sx[i] * sx[i]; sxsx1 += sx[i] * sx1[i] }
            let c = (xx1 - sxsx1 * ridge) / (xx - sxsx * ridge)
            for i in 0..<d { u[i] = (sx1[i] - c * sx[i]) * ridge }
            if j > 0 {
                for nu in 0..<n {
                    var proj = 0.0
                    for i in 0..<d { proj += u[i] * (alpha * z[nu * d + i] + beta * (signs[nu] + sigma * eta[nu * d + i])) }
                    if (proj > 0 ? 1.0 : -1.0) != signs[nu] { inconsistent += 1 }
                    checked += 1
                }
            }
            // One Euler step of dX/dt = (f(X) − X)/α for every sample (≡ x₁-prediction, EF.19).
            for a in 0..<samples {
                var proj = 0.0
                for i in 0..<d { proj += u[i] * X[a * d + i] }
                let phi: Double = proj / sqrtD >= 0 ? 1 : -1
                for i in 0..<d {
                    let x = X[a * d + i]
                    X[a * d + i] = x + delta * (c * x + phi * u[i] - x) / alpha
                }
            }
        }
        var m = 0.0, pe = 0.0, px = 0.0, orth = 0.0
        for a in 0..<samples {
            var mu = 0.0, e = 0.0, xi = 0.0, norm = 0.0
            for i in 0..<d { let x = X[a * d + i]; mu += x; e += x * etaBar[i]; xi += x * xiBar[i]; norm += x * x }
            let s: Double = mu >= 0 ? 1 : -1
            let (ma, ea, xa) = (s * mu / Double(d), s * e / Double(d), s * xi / Double(d))
            m += ma; pe += ea; px += xa
            orth += norm / Double(d) - ma * ma - Double(n) * (ea * ea + xa * xa)   // |X⊥|²/d (span basis ≈ orthogonal)
        }
        let N = Double(samples)
        (m, pe, px) = (m / N, pe / N, px / N)
        let error = (m - 1) * (m - 1) + Double(n) * (pe * pe + px * px)       // PC.6
        return Result(m: m, etaOverlap: pe, baseNoiseOverlap: px, sigmaHat: max(orth / N, 0).squareRoot(), meanError: error,
                      inconsistentFraction: checked > 0 ? Double(inconsistent) / Double(checked) : 0)
    }

    /// Several data sets (seeds) against the theory on the same grid (PC.5 from the start PC.9): per quantity the
    /// mean and standard error across seeds beside the theory.
    public struct Comparison: Sendable {
        public var n: Int, d: Int, seeds: Int
        public var simulated: [String: (mean: Double, standardError: Double)]
        public var theory: [String: Double]
        public var inconsistentFraction: Double
        public static let keys = ["gen_m", "gen_eta_overlap", "gen_base_noise_overlap", "sigma_hat", "mean_error"]
    }

    public static func compare(_ setup: Setup, seeds: Int) throws -> Comparison {
        try require("seeds", Double(seeds), "≥ 2") { $0 >= 2 }
        let runs = try (0..<seeds).map { i -> Result in var s = setup; s.seed = setup.seed + UInt64(i); return try run(s) }
        let theory = try PrecursorTheory(sigma: setup.sigma, n: Double(setup.n), penalty: setup.penalty)
        let end = try theory.grid(steps: setup.steps, start: theory.finiteDimensionStart(dimension: .finite(setup.d))).last!   // PC.5, PC.9
        let columns: [[Double]] = [runs.map(\.m), runs.map(\.etaOverlap), runs.map(\.baseNoiseOverlap), runs.map(\.sigmaHat), runs.map(\.meanError)]
        let predicted = [end.m, end.etaOverlap, end.baseNoiseOverlap, end.gain, theory.meanError(end)]
        var simulated = [String: (mean: Double, standardError: Double)](), expected = [String: Double]()
        for (k, key) in Comparison.keys.enumerated() { simulated[key] = meanAndStandardError(columns[k]); expected[key] = predicted[k] }
        return Comparison(n: setup.n, d: setup.d, seeds: seeds, simulated: simulated, theory: expected,
                          inconsistentFraction: runs.map(\.inconsistentFraction).reduce(0, +) / Double(seeds))
    }
}
