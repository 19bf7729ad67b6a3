import Foundation

/// Phase 2 in closed form (derivations/autoencoder-theory.md §3, §4.2): the unit is saturated,
/// φ_ν = s^ν, and (c, u) solve a ridge regression on the training set.
public enum PhaseTwo {
    /// How the base noise of the training loss is drawn.
    public enum Noise: Sendable { case redrawn, fixed }

    /// c, m, q, ρ_± at schedule values (α, β); n = ∞ gives AT.12, finite n AT.20/AT.21, fixed
    /// noise AT.22 (q with the base-noise part, precursor.md PC.3).
    public static func parameters(_ problem: AutoencoderProblem, alpha: Double, beta: Double,
                                  noise: Noise = .redrawn) -> LearnedParameters {
        let d = problem.believedVariance
        var out = LearnedParameters()
        out.phase = 2
        out.saturated = true
        out.solution = .closedForm
        if problem.isInfinite {
            // AT.12: c = βσ²/(α² + β²σ²), m = √q = α²/(α² + β²σ²).
            out.c = beta * d / (alpha * alpha + beta * beta * d)
            out.m = 1 - out.c * beta
            out.q = out.m * out.m
            return out
        }
        let n = problem.n, lu = problem.penaltyU, sigma = problem.sigma
        let a2 = noise == .redrawn ? alpha * alpha : alpha * alpha * (n + lu - 1) / (n + lu)
        out.c = beta * d / (a2 + beta * beta * d)                    // AT.20 / AT.22
        let shrink = 1 - out.c * beta
        out.m = n * shrink / (n + lu)                                // AT.21
        out.rhoPlus = sigma * shrink / (n + lu)
        out.rhoMinus = -out.rhoPlus
        out.q = out.m * out.m * (1 + sigma * sigma / n)
        if noise == .fixed {   // PC.3: u also carries −cα ξ̄·n/(n + L), |ξ̄|²/d = 1/n
            let f = n / (n + lu)
            out.q += f * f * out.c * out.c * alpha * alpha / n
        }
        out.objective = a2 * d / (a2 + beta * beta * d)              // J/n at the minimum
        return out
    }

    /// Fixed noise: the overlap of u with point ν's own base noise, s^ν u·z^ν/d = −cα/(n + L)
    /// (AT.22, PC.3); 0 at n = ∞.
    public static func baseNoiseOverlap(_ problem: AutoencoderProblem, alpha: Double, beta: Double) -> Double {
        guard !problem.isInfinite else { return 0 }
        let c = parameters(problem, alpha: alpha, beta: beta, noise: .fixed).c
        return -c * alpha / (problem.n + problem.penaltyU)
    }
}
