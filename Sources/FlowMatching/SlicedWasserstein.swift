import FlowModel
import Foundation
import GSLKit

/// The sliced 2-Wasserstein distance between two samples in ℝᵈ (TS.19): over `directions` seeded
/// random unit directions θ, the 1-d W₂ between the projections, by matching `m` quantiles
/// (m = the smaller sample's size, linear interpolation between order statistics), then
/// SW = (mean over θ of W₂²)^{1/2}. The same seed gives the same directions, so distances of
/// different samples to one reference are paired.
///
///     let sw = try SlicedWasserstein(dimension: 64, directions: 128, seed: 9)
///     let distance = sw.distance(generated, count: 1000, reference, count: 800)
public struct SlicedWasserstein: Sendable {
    public let dimension: Int
    public let directions: [[Double]]

    public init(dimension: Int, directions count: Int = 128, seed: UInt64) throws {
        guard dimension >= 1, count >= 1 else { throw InputError("sliced Wasserstein: dimension \(dimension), directions \(count)") }
        self.dimension = dimension
        let stream = try RandomStream(seed: seed)
        directions = (0..<count).map { _ in
            let v = (0..<dimension).map { _ in stream.gaussian() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
    }

    private func projections(_ x: [Double], count: Int, on theta: [Double]) -> [Double] {
        (0..<count).map { r in (0..<dimension).reduce(0) { $0 + x[r * dimension + $1] * theta[$1] } }.sorted()
    }

    public func distance(_ a: [Double], count na: Int, _ b: [Double], count nb: Int) -> Double {
        let m = min(na, nb)
        var total = 0.0
        for theta in directions {
            let pa = projections(a, count: na, on: theta), pb = projections(b, count: nb, on: theta)
            var w2 = 0.0
            for j in 0..<m {
                let f = (Double(j) + 0.5) / Double(m)
                let diff = quantile(sortedValues: pa, f) - quantile(sortedValues: pb, f)
                w2 += diff * diff
            }
            total += w2 / Double(m)
        }
        return (total / Double(directions.count)).squareRoot()
    }

    /// Linear-interpolation quantile of already sorted values (index f·(n − 1), the rule of
    /// gsl_stats_quantile_from_sorted_data, inlined to avoid re-sorting per quantile).
    private func quantile(sortedValues v: [Double], _ f: Double) -> Double {
        let position = f * Double(v.count - 1)
        let i = Int(position.rounded(.down)), frac = position - Double(i)
        return i + 1 < v.count ? v[i] + frac * (v[i + 1] - v[i]) : v[i]
    }
}
