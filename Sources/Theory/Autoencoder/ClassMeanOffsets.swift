import Foundation

/// The training set's class means along μ beyond ±1 (derivations/finite-d-corrections.md FD.10):
/// ε_s = σ ḡ_s/√d, with ḡ_s the class-s average of the points' μ-noise g_ν = μ·η^ν/√d (FD.7a), so that
/// the class mean's coordinate along μ is t̄_s = s + ε_s. Quenched per data set, O((n_s d)^{-1/2}), zero
/// on average over data sets; at n = 32 it moves the phase-1 m of one data set by ≈ 0.4 % at d = 2000.
///
///     let offsets = ClassMeanOffsets(plus: 0.003, minus: -0.01)
///     offsets.halfGap   // e = (ε₊ − ε₋)/2 = 0.0065
public struct ClassMeanOffsets: Sendable, Equatable {
    public var plus: Double, minus: Double
    public init(plus: Double, minus: Double) { self.plus = plus; self.minus = minus }
    public static let zero = ClassMeanOffsets(plus: 0, minus: 0)
    /// e = (ε₊ − ε₋)/2: the relative excess of the class separation along μ (FD.10b).
    public var halfGap: Double { (plus - minus) / 2 }
    /// (ε₊ + ε₋)/2: the common shift, absorbed by the bias (FD.10c).
    public var common: Double { (plus + minus) / 2 }
    /// The data variance per point E_ν |x₁^ν|²/d beyond 1 + σ²: E_s (s + ε_s)² − 1 = 2 E_s s ε_s to first
    /// order (FD.10d, entering FD.1), with E_s over classes at weights (n₊/n, n₋/n).
    public func varianceExcess(plusFraction f: Double) -> Double { 2 * (f * plus - (1 - f) * minus) }
}
