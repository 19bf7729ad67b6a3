import FlowModel
import Foundation

/// The skip/scale wrapping of the network's output on the linear interpolant x = (1 − t) z + t x₁
/// (derivations/training-schedules.md §2): with data mean μ and per-coordinate data variance σ_d²,
/// D(x, t) = μ + c_skip (x − tμ) + c_out F(c_in (x − tμ), e(λ)), where c_skip is the posterior-mean
/// slope of a Gaussian prior (TS.7) and c_out² its posterior variance (TS.8), so F's target has unit
/// variance at every t.
///
///     let p = Preconditioning(dataVariance: 1.3)
///     let (skip, out, scale) = p.coefficients(at: 0.2)
public struct Preconditioning: Sendable, Codable, Equatable {
    public let dataVariance: Double
    public init(dataVariance: Double) { self.dataVariance = dataVariance }

    /// c_skip = tσ²/((1−t)² + t²σ²), c_out = σ(1−t)/√((1−t)² + t²σ²), c_in = 1/√((1−t)² + t²σ²).
    public func coefficients(at t: Double) -> (skip: Double, out: Double, input: Double) {
        let s2 = dataVariance, n2 = (1 - t) * (1 - t)
        let total = n2 + t * t * s2
        return (t * s2 / total, (s2 * n2 / total).squareRoot(), 1 / total.squareRoot())
    }
}

/// Features of the time fed to the network: λ = log-SNR = 2 ln(t/(1−t)) clipped to ±`clip`, then
/// [λ/clip, sin(f_j λ), cos(f_j λ)] with frequencies f_j = 2^j/8, j = 0 … pairs − 1 (TS.12).
public struct TimeEmbedding: Sendable, Codable, Equatable {
    public let pairs: Int
    public let clip: Double
    public init(pairs: Int = 6, clip: Double = 14) {
        self.pairs = pairs
        self.clip = clip
    }
    public var size: Int { 1 + 2 * pairs }

    public func features(at t: Double) -> [Double] {
        var e = [Double](repeating: 0, count: size)
        forEachFeature(at: t) { e[$0] = $1 }
        return e
    }

    /// Calls `body(j, e_j)` for the features in order (no allocation; the network's input path).
    @inline(__always)
    func forEachFeature(at t: Double, _ body: (Int, Double) -> Void) {
        let raw = 2 * (log(t) - log1p(-t))
        let lambda = min(max(raw.isNaN ? 0 : raw, -clip), clip)
        body(0, lambda / clip)
        for j in 0..<pairs {
            let f = Double(1 << j) / 8
            body(1 + 2 * j, sin(f * lambda))
            body(2 + 2 * j, cos(f * lambda))
        }
    }
}
