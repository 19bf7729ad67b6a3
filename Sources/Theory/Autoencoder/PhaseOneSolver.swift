import Foundation
import GSLKit

/// Minimises the reduced phase-1 objective (AT.31) with `gsl_multimin` Nelder–Mead from a warm
/// start, compares the result with the trivial branch (AT.36) and returns the global minimum of
/// the two, with the minimiser's convergence diagnostics.
public enum PhaseOneSolver {
    /// Simplex-size tolerance of Nelder–Mead in (W, b_eff): F is flat to double precision within
    /// ~1e-8 of its minimum (F − F* ∝ δ²), where the simplex can wander among equal values.
    public static let sizeTolerance = 1e-8

    /// The non-trivial branch followed from `start` = (W, b_eff); nil when the minimiser runs off
    /// to the trivial branch (S|W| < 1e-6 or |b_eff| > 15, where tanh b_eff is within 2e-13 of ±1).
    /// With the per-point coordinates (FD.7) the slope κ is a third variable, started at `slope`.
    public static func branch(_ objective: PhaseOneObjective, start: (w: Double, bias: Double), slope: Double = 0) throws -> LearnedParameters? {
        let perPoint = objective.isPerPoint
        let step = [max(0.01 * abs(start.w), 0.005), 0.01] + (perPoint ? [0.002] : [])
        let result = try Minimizer.nelderMead(start: [start.w, start.bias] + (perPoint ? [slope] : []), initialStep: step,
                                              sizeTolerance: sizeTolerance, maxIterations: perPoint ? 500 : 250,
                                              returnUnconverged: true) { x in
            objective.value(halfGap: x[0], bias: x[1], slope: perPoint ? x[2] : 0)
        }
        var (w, bias, kappa) = (result.point[0], result.point[1], perPoint ? result.point[2] : 0)
        guard abs(w) * max(objective.signal, 1) >= 1e-6, abs(bias) <= 15 else { return nil }
        var out = objective.parameters(halfGap: w, bias: bias, slope: kappa)
        if out.m < 0 {  // the sign symmetry (u, w, b) → (−u, −w, −b): fix m ≥ 0
            (w, bias, kappa) = (-w, -bias, -kappa)
            out = objective.parameters(halfGap: w, bias: bias, slope: kappa)
        }
        out.solution = .learned
        out.iterations = result.iterations
        out.simplexSize = result.convergenceMeasure
        out.gradientNorm = gradientNorm(objective, w: w, bias: bias, slope: kappa)
        // Converged: the simplex met its tolerance, or it stalls among equal values within 1e-6 of
        // a point where the gradient vanishes to 1e-7.
        out.converged = result.converged || (out.gradientNorm < 1e-7 && result.convergenceMeasure < 1e-6)
        return out
    }

    /// The global minimum of the non-trivial branch from `start` and the trivial branch.
    public static func solve(_ objective: PhaseOneObjective, start: (w: Double, bias: Double), slope: Double = 0) throws -> LearnedParameters {
        let trivial = objective.trivialParameters
        guard objective.signal > 0, let learned = try branch(objective, start: start, slope: slope) else { return trivial }
        return learned.objective < trivial.objective ? learned : trivial
    }

    /// Central-difference gradient norm of F/n at (W, b_eff): the convergence check reported with
    /// every minimum (≲ 1e-7 at a converged minimum).
    static func gradientNorm(_ objective: PhaseOneObjective, w: Double, bias: Double, slope kappa: Double = 0) -> Double {
        let h = 1e-6
        let gw = (objective.value(halfGap: w + h, bias: bias, slope: kappa) - objective.value(halfGap: w - h, bias: bias, slope: kappa)) / (2 * h)
        let gb = (objective.value(halfGap: w, bias: bias + h, slope: kappa) - objective.value(halfGap: w, bias: bias - h, slope: kappa)) / (2 * h)
        let gk = objective.isPerPoint
            ? (objective.value(halfGap: w, bias: bias, slope: kappa + h) - objective.value(halfGap: w, bias: bias, slope: kappa - h)) / (2 * h) : 0
        return (gw * gw + gb * gb + gk * gk).squareRoot()
    }
}
