import Foundation
import FlowModel
import GSLKit

/// Which way a sampler runs back to the data end: the probability-flow ODE (deterministic) or the
/// ancestral reverse SDE (stochastic).
public enum SamplerKind: String, CaseIterable, Sendable {
    case ode, sde
}

/// Samplers over any `Denoiser` and `Schedule`, from any start time and any batch
/// (derivations/real-data-uturn.md §2).
///
/// ```swift
/// let grid = try SamplingGrid.logSNRUniform(schedule: schedule, from: 0.3, steps: 200)
/// let x0 = try FlowSamplers.noise(images, count: n, schedule: schedule, t: 0.3, seed: 1)
/// let x1 = try FlowSamplers.sample(.sde, denoiser: model, schedule: schedule, grid: grid,
///                                  start: x0, count: n, seed: 2)
/// ```
public enum FlowSamplers {
    /// x_t = α_t z + β_t x₁ for each row of `data` (RD.2), z ~ N(0, I) from `seed`.
    public static func noise(_ data: [Double], count: Int, schedule: any Schedule, t: Double, seed: UInt64) throws -> [Double] {
        guard count > 0, data.count % count == 0 else { throw InputError("noise: \(data.count) values do not make \(count) rows") }
        let v = schedule.values(at: t)
        let stream = try RandomStream(seed: seed)
        var out = data
        for i in out.indices { out[i] = v.beta * data[i] + v.alpha * stream.gaussian() }
        return out
    }

    /// Runs `kind` from grid.clock[0] to the data end; `seed` is used by the SDE only.
    public static func sample(_ kind: SamplerKind, denoiser: any Denoiser, schedule: any Schedule, grid: SamplingGrid,
                              start: [Double], count: Int, seed: UInt64) throws -> [Double] {
        switch kind {
        case .ode: return try probabilityFlow(denoiser: denoiser, schedule: schedule, grid: grid, start: start, count: count)
        case .sde: return try ancestral(denoiser: denoiser, schedule: schedule, grid: grid, start: start, count: count, seed: seed)
        }
    }

    /// The probability-flow ODE in x₁-prediction form (RD.6):
    /// X_{j+1} = (α_{j+1}/α_j) X_j + (β_{j+1} − α_{j+1}β_j/α_j) f_j(X_j).
    public static func probabilityFlow(denoiser: any Denoiser, schedule: any Schedule, grid: SamplingGrid,
                                       start: [Double], count: Int) throws -> [Double] {
        try checkBatch(denoiser, start, count)
        var x = start
        for (tau, next) in zip(grid.clock, grid.clock.dropFirst()) {
            let a = schedule.values(at: tau), b = schedule.values(at: next)
            let f = try denoiser.predictData(x, count: count, t: tau)
            let keep = b.alpha / a.alpha, pull = b.beta - b.alpha * a.beta / a.alpha
            for i in x.indices { x[i] = keep * x[i] + pull * f[i] }
        }
        return x
    }

    /// The ancestral reverse-SDE sampler (RD.9–RD.11): from x_s draws x_t ~ q(x_t | x_s, x₁ = f(x_s)),
    /// the exact Gaussian posterior of the interpolant's Markov chain, mean
    /// (σ²β_t x̂₁ + r α_t² x_s)/α_s², variance α_t² σ²/α_s², r = β_s/β_t, σ² = α_s² − r²α_t².
    public static func ancestral(denoiser: any Denoiser, schedule: any Schedule, grid: SamplingGrid,
                                 start: [Double], count: Int, seed: UInt64) throws -> [Double] {
        try checkBatch(denoiser, start, count)
        let stream = try RandomStream(seed: seed)
        var x = start
        for (s, t) in zip(grid.clock, grid.clock.dropFirst()) {
            let a = schedule.values(at: s), b = schedule.values(at: t)
            let f = try denoiser.predictData(x, count: count, t: s)
            let c = AncestralCoefficients(from: a, to: b)
            for i in x.indices { x[i] = c.data * f[i] + c.state * x[i] + c.spread * stream.gaussian() }
        }
        return x
    }

    private static func checkBatch(_ denoiser: any Denoiser, _ x: [Double], _ count: Int) throws {
        guard count > 0, x.count == count * denoiser.dimension else {
            throw InputError("sampler: \(x.count) values are not \(count) rows of dimension \(denoiser.dimension)")
        }
    }
}

/// The ancestral step x_t = data·x̂₁ + state·x_s + spread·ξ between clock times s < t (RD.10).
public struct AncestralCoefficients: Sendable {
    public let data, state, spread: Double

    public init(from s: ScheduleValues, to t: ScheduleValues) {
        // r = β_s/β_t, σ² = α_s² − r²α_t² (RD.8); β_t > 0 for t after the start.
        let r = s.beta / t.beta
        let sigma2 = max(s.alpha * s.alpha - r * r * t.alpha * t.alpha, 0)
        let alphaS2 = s.alpha * s.alpha
        data = sigma2 * t.beta / alphaS2
        state = r * t.alpha * t.alpha / alphaS2
        spread = (t.alpha * t.alpha * sigma2 / alphaS2).squareRoot()
    }
}
