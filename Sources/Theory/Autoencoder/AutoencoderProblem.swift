import Foundation
import FlowModel

/// The training problem of the one-unit autoencoder f(x) = c x + u tanh(b + w·x/√d) (AT.1) at one
/// time: the target (p, σ), the training set (n points, n₊ of them in the + mode; n = ∞ for the
/// population closed forms) and the dimensionless ℓ2 penalties L_u, L_w of J (AT.2).
///
///     let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), penaltyU: 2, penaltyW: 2)   // n₊ = p·n
///     problem.plusFraction   // 0.8
public struct AutoencoderProblem: Sendable, Equatable {
    public let p: Double
    public let sigma: Double
    /// n; `.infinity` selects the closed forms (AT.12, AT.13), where L/n → 0.
    public let n: Double
    /// n₊, the number of training points in the + mode (a real number: the default p·n is the
    /// typical training set; any value in (0, n) is accepted for a given data set).
    public let nPlus: Double
    public let penaltyU: Double
    public let penaltyW: Double

    /// The fields of `init(setup:…)`, checked again here (the one place that checks n₊ and the penalties).
    private init(p: Double, sigma: Double, n: Double, nPlus: Double?, penaltyU: Double, penaltyW: Double) throws {
        try require("p", p, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try requireSigma(sigma)
        guard !n.isNaN, n >= 1 else { throw InputError("n must be ≥ 1 or inf; got \(n)") }
        try require("penalty-u", penaltyU, "≥ 0") { $0 >= 0 }
        try require("penalty-w", penaltyW, "≥ 0") { $0 >= 0 }
        if !n.isFinite, let nPlus {
            throw InputError("n-plus \(nPlus) needs a finite n; at n = inf the modes hold p·n points (drop --n-plus or give --n)")
        }
        let plus = nPlus ?? (n.isFinite ? p * n : .infinity)
        if n.isFinite {
            try require("n-plus", plus, "in (0, n) = (0, \(n))") { $0 > 0 && $0 < n }
        }
        self.p = p
        self.sigma = sigma
        self.n = n
        self.nPlus = plus
        self.penaltyU = penaltyU
        self.penaltyW = penaltyW
    }

    public var isInfinite: Bool { !n.isFinite }
    public var nMinus: Double { n - nPlus }
    /// The + fraction the network sees: n₊/n, or p at n = ∞ (§4.3).
    public var plusFraction: Double { isInfinite ? p : nPlus / n }
    /// e = 2n₊/n − 1, the training set's class imbalance.
    public var imbalance: Double { 2 * plusFraction - 1 }
    /// h = atanh(2p − 1) (EF.1).
    public var logOdds: Double { FlowModel.logOdds(p: p) }
    /// γ_n = (1/n₊ + 1/n₋)/4 (AT.32); 0 at n = ∞.
    public var gamma: Double { isInfinite ? 0 : (1 / nPlus + 1 / nMinus) / 4 }
    /// ρ_w = 1/(1 + σ²γ_n): the fraction of |w|² along μ at fixed class separation (AT.32).
    public var widthFactor: Double { 1 / (1 + sigma * sigma * gamma) }
    /// D, the within-mode variance the saturated network believes in (AT.20); σ² at n = ∞.
    public var believedVariance: Double {
        guard n.isFinite else { return sigma * sigma }
        return (penaltyU + sigma * sigma * (n + penaltyU - 1)) / (n + penaltyU)
    }
}

extension AutoencoderProblem {
    /// The training problem of a setup (its p, σ, n), with n₊ (default p·n) and the penalties of J.
    ///
    ///     let problem = try AutoencoderProblem(setup: try Setup(dimension: .infinite, p: 0.8, sigma: 1, k: 2, n: 128),
    ///                                          penaltyU: 2, penaltyW: 2)
    public init(setup: Setup, nPlus: Double? = nil, penaltyU: Double = 0, penaltyW: Double = 0) throws {
        try self.init(p: setup.p, sigma: setup.sigma, n: setup.n, nPlus: nPlus, penaltyU: penaltyU, penaltyW: penaltyW)
    }
}
