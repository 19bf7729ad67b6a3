import Foundation
import FlowModel

/// The U-turn outcomes of held-out images: for each run (a denoiser, e.g. one pilot seed), each
/// start class, each start image and each start log-SNR, the fraction of the image's noise draws
/// that came back classified as the other class (RD.20).
public struct UTurnOutcomes: Sendable {
    /// Start log-SNRs λ_j = 2 log(β/α), increasing.
    public let lambdas: [Double]
    /// switched[run][startClass][image][j] ∈ [0, 1].
    public let switched: [[[[Double]]]]

    /// P(start class c → other class)(λ_j) pooled over runs and images.
    public func switchFraction(startClass c: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: lambdas.count), n = 0.0
        for run in switched { for image in run[c] { n += 1; for j in lambdas.indices { sum[j] += image[j] } } }
        return sum.map { $0 / n }
    }
}

/// Noise held-out images to a start time, run a sampler back to the data end, classify (RD.20).
///
/// ```swift
/// let outcomes = try UTurn.run(denoisers: [model], schedule: LinearSchedule(), classifier: clf,
///                              starts: [zeros, ones], lambdas: Array(stride(from: -10, through: 6, by: 1)),
///                              sampler: .sde, steps: 100, seed: 1)
/// ```
public enum UTurn {
    /// `starts[c]`: row-major features of the held-out images of class c (label c for the classifier);
    /// each image is noised `noiseDraws` times independently.
    public static func run(denoisers: [any Denoiser], schedule: any Schedule, classifier: LogisticClassifier,
                           starts: [[Double]], lambdas: [Double], sampler: SamplerKind, steps: Int, noiseDraws: Int = 1,
                           seed: UInt64) throws -> UTurnOutcomes {
        guard noiseDraws >= 1 else { throw InputError("noise draws must be ≥ 1; got \(noiseDraws)") }
        guard let d = denoisers.first?.dimension else { throw InputError("the U-turn needs at least one model") }
        guard !lambdas.isEmpty, zip(lambdas, lambdas.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InputError("start log-SNRs must be increasing and non-empty")
        }
        var all: [[[[Double]]]] = []
        for (r, denoiser) in denoisers.enumerated() {
            var perClass: [[[Double]]] = []
            for (c, images) in starts.enumerated() {
                let imageCount = images.count / d
                guard imageCount > 0 else { throw InputError("no held-out images of start class \(c)") }
                let x1 = Array((0..<noiseDraws).map { _ in images }.joined()), n = imageCount * noiseDraws
                var outcome = [[Double]](repeating: [Double](repeating: 0, count: lambdas.count), count: imageCount)
                for (j, lambda) in lambdas.enumerated() {
                    let tau = try schedule.clock(atLogSNR: lambda)
                    let base = mix(seed, r, c, j)
                    let xt = try FlowSamplers.noise(x1, count: n, schedule: schedule, t: tau, seed: base)
                    let grid = try SamplingGrid.logSNRUniform(schedule: schedule, from: tau, steps: steps)
                    let back = try FlowSamplers.sample(sampler, denoiser: denoiser, schedule: schedule, grid: grid,
                                                       start: xt, count: n, seed: base &+ 1)
                    let labels = classifier.classify(back, count: n)
                    for i in 0..<n where labels[i] != c { outcome[i % imageCount][j] += 1 / Double(noiseDraws) }
                }
                perClass.append(outcome)
            }
            all.append(perClass)
        }
        return UTurnOutcomes(lambdas: lambdas, switched: all)
    }

    /// The Gaussian model's expected posterior impurity E[r_{c′}(x_t) | x₁ = held-out image of c]
    /// per start log-SNR (RD.21): the stochastic U-turn of its exact score, with no sampler.
    public static func expectedImpurity(model: GaussianClassModel, schedule: any Schedule, starts: [[Double]],
                                        lambdas: [Double], seed: UInt64) throws -> [[Double]] {
        let d = model.dimension, k = model.classes.count
        return try starts.enumerated().map { c, x1 in
            let n = x1.count / d
            return try lambdas.enumerated().map { j, lambda in
                let tau = try schedule.clock(atLogSNR: lambda)
                let xt = try FlowSamplers.noise(x1, count: n, schedule: schedule, t: tau, seed: mix(seed, 0, c, j))
                let r = try model.classPosterior(xt, count: n, t: tau)
                return (0..<n).map { 1 - r[$0 * k + c] }.reduce(0, +) / Double(n)
            }
        }
    }

    /// A seed per (run, class, time): distinct streams, fixed by the run's seed.
    static func mix(_ seed: UInt64, _ r: Int, _ c: Int, _ j: Int) -> UInt64 {
        var h = seed &* 0x9E37_79B9_7F4A_7C15
        for v in [r, c, j] { h = (h ^ UInt64(v + 1)) &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 31 }
        return h & 0xFFFF_FFFF  // gsl_rng_set takes an unsigned long; keep it well inside
    }
}
