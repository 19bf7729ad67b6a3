import Foundation

/// The target: x₁ = s μ + σ η in dimension d, P(s = +1) = p, η ~ N(0, I_d), |μ|² = d.
///
/// d is a `Dimension` that is always `.finite`; `d` is its whole number.
///
///     let target = try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1)
///     print(target.d, target.logOdds, target.sqrtD)   // 10000, atanh(0.6), 100
public struct Problem: Sendable, Equatable {
    /// Always `.finite(d)`.
    public let dimension: Dimension
    /// d as a whole number.
    public let d: Int
    public let p: Double
    public let sigma: Double
    public let mean: MeanVector

    /// Validates every field: d finite and ≥ 1, p ∈ (0, 1), σ > 0, all finite.
    public init(dimension: Dimension, p: Double, sigma: Double, mean: MeanVector = .allOnes) throws {
        try require("d", dimension.value, "a whole number ≥ 1") { $0 >= 1 && $0 == $0.rounded() && $0 <= 1e12 }
        try require("p", p, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("sigma", sigma, "> 0") { $0 > 0 }
        self.dimension = dimension
        self.d = Int(dimension.value)
        self.p = p
        self.sigma = sigma
        self.mean = mean
    }

    /// The same target (p, σ, μ) in another finite dimension.
    public func at(_ dimension: Dimension) throws -> Problem {
        try Problem(dimension: dimension, p: p, sigma: sigma, mean: mean)
    }

    /// h = atanh(2p − 1), the log-odds bias of the modes (EF.1).
    public var logOdds: Double { FlowModel.logOdds(p: p) }
    public var sqrtD: Double { Double(d).squareRoot() }
}

/// How μ is chosen; both have |μ|² = d, and the reduced theory depends on nothing else.
public enum MeanVector: Sendable, Equatable {
    case allOnes
    /// A random direction scaled to |μ|² = d, drawn from the given seed.
    case random(seed: UInt64)
}
