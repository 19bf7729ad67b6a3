import Foundation
import FlowModel

/// Monte Carlo of the mixture's U-turn in dimension d (derivations/mixture-uturn.md §6): draw x₁ of
/// mode s, noise it to clock time τ with the forward interpolant, carry the d-vector back to the
/// data end with the exact denoiser, classify by the sign of μ·x, count the flips.
///
/// The samplers (`Sampler`): the probability-flow ODE by the x₁-prediction (DDIM) update (EF.12
/// in d dimensions) with the denoiser at the half step's λ-midpoint (UT.15; second order), and two ancestral samplers of the reverse
/// SDE: the exact one (the mixture's reverse transition, exact in law on any grid, UT.16) and the
/// practitioner's DDPM step with E[x₁ | x] in the bridge (UT.17; first order in the step).
///
/// The grid is uniform in log-SNR from λ(τ) to max(λ(τ), −log d) + `logSNRSpan`, then one last
/// step to the data end. Single-threaded and seeded: a seed gives bit-identical counts.
///
///     let problem = try Problem(dimension: .finite(1000), p: 0.8, sigma: 1)
///     let sim = UTurnSimulation(problem: problem, schedule: LinearSchedule(), steps: 300)
///     let r = try sim.run(startPlus: true, clock: 0.05, sampler: .probabilityFlow, samples: 1000, seed: 1)
///     print(r.fraction, r.standardError)       // P(end in − | start in +) ± its standard error
public struct UTurnSimulation: Sendable {
    public enum Sampler: String, Sendable, CaseIterable {
        /// x₁-prediction steps of the probability-flow ODE, denoiser at the λ-midpoint (UT.15).
        case probabilityFlow = "ode"
        /// The exact reverse transition of the mixture: s′ from P(s′ | x_j), x₁ from p(x₁ | x_j, s′),
        /// x_{j+1} from the bridge (UT.16).
        case exactAncestral = "sde-exact"
        /// DDPM: the bridge at x₁ = E[x₁ | x_j] (UT.17).
        case plugInAncestral = "sde-ddpm"
    }

    public let problem: Problem
    public let schedule: any Schedule
    public let steps: Int
    public let logSNRSpan: Double

    public init(problem: Problem, schedule: any Schedule, steps: Int = 400, logSNRSpan: Double = 8) {
        self.problem = problem
        self.schedule = schedule
        self.steps = steps
        self.logSNRSpan = logSNRSpan
    }

    /// Flips counted over the samples: the fraction that ends in the other mode, and its binomial standard error.
    public struct Result: Sendable, Equatable {
        public let flips: Int
        public let samples: Int
        public var fraction: Double { Double(flips) / Double(samples) }
        public var standardError: Double { (max(fraction * (1 - fraction), 1 / Double(samples * samples)) / Double(samples)).squareRoot() }
    }

    /// The clock grid: uniform in λ from λ(τ) on, then the data end.
    public func grid(from tau: Double) throws -> [Double] {
        let lambda0 = schedule.logSNR(at: tau)
        let lambda1 = max(lambda0, -log(Double(problem.d))) + logSNRSpan
        var times = [tau]
        for j in 1...steps {
            let c = try schedule.clock(atLogSNR: lambda0 + (lambda1 - lambda0) * Double(j) / Double(steps))
            if c > times.last! && c < schedule.clockEnd { times.append(c) }
        }
        times.append(schedule.clockEnd)
        return times
    }

    public func run(startPlus: Bool, clock tau: Double, sampler: Sampler, samples: Int, seed: UInt64) throws -> Result {
        try require("samples", Double(samples), "≥ 1") { $0 >= 1 }
        try require("tau", tau, "inside the clock (0, \(schedule.clockEnd))") { $0 > 0 && $0 < schedule.clockEnd }
        try require("steps", Double(steps), "≥ 1") { $0 >= 1 }
        let d = problem.d, sqrtD = problem.sqrtD, sigma = problem.sigma, s2 = sigma * sigma, h = problem.logOdds
        let mu = Self.meanVector(problem)
        let times = try grid(from: tau)
        let values = times.map { schedule.values(at: $0) }
        // λ-midpoints of the interior steps, for the second-order ODE step (UT.15); none for the last step to α = 0.
        let midpoints: [ScheduleValues?] = try (0..<(times.count - 1)).map { j in
            guard sampler == .probabilityFlow, j < times.count - 2 else { return nil }
            let lambda = (schedule.logSNR(at: times[j]) + schedule.logSNR(at: times[j + 1])) / 2
            return schedule.values(at: try schedule.clock(atLogSNR: lambda))
        }
        let start = values[0]
        let sign: Double = startPlus ? 1 : -1
        var stream = NormalStream(seed: StreamSeed.derive(seed, .generation, (startPlus ? 0 : 1) + 2 * (Sampler.allCases.firstIndex(of: sampler) ?? 0)))
        var x = [Double](repeating: 0, count: d)
        // The draws of a sample's start (η_i, z_i alternating) and of a step's noise, filled in bulk:
        // the same draws, in the same order, as one gaussian() call each.
        var draws = [Double](repeating: 0, count: 2 * d)
        var flips = 0
        for _ in 0..<samples {
            // x_τ = α z + β (s μ + σ η) (UT.1).
            var zeta = 0.0
            draws.withUnsafeMutableBufferPointer { stream.fill($0.baseAddress!, count: 2 * d) }
            for i in 0..<d {
                let x1 = sign * mu[i] + sigma * draws[2 * i]
                x[i] = start.alpha * draws[2 * i + 1] + start.beta * x1
                zeta += mu[i] * x[i]
            }
            zeta /= sqrtD
            for j in 0..<(values.count - 1) {
                let now = values[j], next = values[j + 1]
                let v = now.alpha * now.alpha + now.beta * now.beta * s2
                let field = h + now.beta * sqrtD * zeta / v
                let cx = now.beta * s2 / v
                var keep = 0.0, shift = 0.0, noise = 0.0   // x_{j+1} = keep·x + shift·μ + noise·ξ
                switch sampler {
                case .probabilityFlow:
                    // E[x₁ | x] = (βσ²/v) x + (α²/v) μ m, m = tanh(h + β√d ζ/v) (EF.4, EF.5), and the
                    // x₁-prediction step x' = (α'/α) x + (β' − α'β/α) E[x₁ | x] (EF.12) ...
                    let cm = now.alpha * now.alpha / v * tanh(field)
                    let k = next.alpha / now.alpha, pull = next.beta - k * now.beta
                    if let mid = midpoints[j] {
                        // ... with the denoiser taken at the half step to the λ-midpoint (UT.15): second order.
                        // The half step is A x + B μ, so its ζ is A ζ + B √d.
                        let kh = mid.alpha / now.alpha, ph = mid.beta - kh * now.beta
                        let a = kh + ph * cx, b = ph * cm
                        let zetaMid = a * zeta + b * sqrtD
                        let vMid = mid.alpha * mid.alpha + mid.beta * mid.beta * s2
                        let cxMid = mid.beta * s2 / vMid
                        let cmMid = mid.alpha * mid.alpha / vMid * tanh(h + mid.beta * sqrtD * zetaMid / vMid)
                        keep = k + pull * cxMid * a
                        shift = pull * (cxMid * b + cmMid)
                    } else {
                        keep = k + pull * cx
                        shift = pull * cm
                    }
                case .exactAncestral, .plugInAncestral:
                    // Bridge of the Markov forward process (UT.16): r = β_j/β_{j+1}, c² = α_j² − r²α_{j+1}².
                    let r = now.beta / next.beta
                    let c2 = max(now.alpha * now.alpha - r * r * next.alpha * next.alpha, 0)
                    let k = r * next.alpha * next.alpha / (now.alpha * now.alpha)
                    let pull = next.beta - k * now.beta
                    noise = next.alpha * c2.squareRoot() / now.alpha
                    var cm = 0.0
                    if sampler == .plugInAncestral {
                        cm = now.alpha * now.alpha / v * tanh(field)
                    } else {
                        // s′ ~ P(s′ | x) = σ(2 s′ field) (EF.4); x₁ | x, s′ ~ N((βσ²/v) x + (α²/v) s′ μ, σ²α²/v);
                        // its spread joins the bridge noise in one Gaussian (UT.16).
                        let plus = stream.uniform() * (1 + exp(-2 * field)) < 1
                        cm = now.alpha * now.alpha / v * (plus ? 1 : -1)
                        noise = (noise * noise + pull * pull * s2 * now.alpha * now.alpha / v).squareRoot()
                    }
                    keep = k + pull * cx
                    shift = pull * cm
                }
                zeta = 0
                if noise > 0 { draws.withUnsafeMutableBufferPointer { stream.fill($0.baseAddress!, count: d) } }
                for i in 0..<d {
                    var y = keep * x[i] + shift * mu[i]
                    if noise > 0 { y += noise * draws[i] }
                    x[i] = y
                    zeta += mu[i] * y
                }
                zeta /= sqrtD
            }
            if (zeta < 0) == startPlus { flips += 1 }
        }
        return Result(flips: flips, samples: samples)
    }

    /// μ with |μ|² = d, as the problem specifies it.
    static func meanVector(_ problem: Problem) -> [Double] {
        switch problem.mean {
        case .allOnes:
            return [Double](repeating: 1, count: problem.d)
        case let .random(seed: meanSeed):
            var stream = NormalStream(seed: StreamSeed.derive(meanSeed, .mean))
            var v = (0..<problem.d).map { _ in stream.gaussian() }
            let scale = problem.sqrtD / v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] *= scale }
            return v
        }
    }
}
