import Foundation

/// The physical setup every experiment shares: the target (d, p, σ), the dilated clock (k) and
/// the training-set size n (∞ for the population). Each library builds its own objects from it
/// (`Problem` for finite d, `AutoencoderProblem`, `TrainingSetting`, `SimulationConfiguration`).
///
///     let setup = try Setup(dimension: .finite(5000), p: 0.8, sigma: 1, k: 2, n: 128)
///     let target = try setup.problem()          // Problem(d = 5000, p = 0.8, σ = 1)
///     try setup.clock().interpolantTime(at: 1)   // k/√d
public struct Setup: Sendable, Equatable {
    public let dimension: Dimension
    public let p: Double
    public let sigma: Double
    /// The dilation constant of the clock.
    public let k: Double
    /// Training points n (∞: the population; online SGD draws fresh samples).
    public let n: Double

    public init(dimension: Dimension = .infinite, p: Double = Setup.defaultP, sigma: Double = Setup.defaultSigma,
                k: Double = Setup.defaultK, n: Double = .infinity) throws {
        let dimension = try dimension.checked()
        try require("p", p, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try requireSigma(sigma)
        try require("k", k, "> 0") { $0 > 0 }
        guard !n.isNaN, n >= 1 else { throw InputError("n must be ≥ 1 or inf; got \(n)") }
        self.dimension = dimension
        self.p = p
        self.sigma = sigma
        self.k = k
        self.n = n
    }

    /// n as a whole number in [1, 10⁹] (a finite training set); throws at n = ∞.
    public func wholeN() throws -> Int {
        try require("n", n, "a whole number ≥ 1") { $0 >= 1 && $0 == $0.rounded() && $0 <= 1e9 }
        return Int(n)
    }

    /// The defaults every command shares (and `init`'s): the paper's target p = 0.8, σ = 1 and its
    /// clock k = 2; `Setup(n: 64)` is the defaults at d = ∞ and n = 64.
    public static let defaultP = 0.8, defaultSigma = 1.0, defaultK = 2.0

    /// The dilated clock; needs k < √d (checked here, not at construction, because the
    /// undilated schedules accept any k).
    public func clock() throws -> DilatedClock { try DilatedClock(k: k, dimension: dimension) }
    public var logOdds: Double { FlowModel.logOdds(p: p) }

    /// The same setup at another d (e.g. one of a finite-size sweep's dimensions).
    public func at(_ dimension: Dimension) throws -> Setup {
        try Setup(dimension: dimension, p: p, sigma: sigma, k: k, n: n)
    }

    /// The same setup with another n (e.g. one of a phase diagram's sizes).
    public func with(n: Double) throws -> Setup {
        try Setup(dimension: dimension, p: p, sigma: sigma, k: k, n: n)
    }

    /// The finite-d target; throws at d = ∞.
    public func problem(mean: MeanVector = .allOnes) throws -> Problem {
        guard dimension.isFinite else { throw InputError("this needs a finite d; got d = inf") }
        return try Problem(dimension: dimension, p: p, sigma: sigma, mean: mean)
    }
}
