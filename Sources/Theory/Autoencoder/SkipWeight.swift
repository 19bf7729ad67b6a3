import GSLKit
import Foundation

/// The skip weight c at which the exact finite-d objective is stationary given the rest of the
/// network (derivations/finite-d-corrections.md FD.1, from ∂J/∂c = 0 of CV.2):
///
///   c = [β(1 + σ² − E_s Φ1_s (s m + σ ρ_s)) − α² (uw/√d)(1 − R2)] / (α² + β²(1 + σ²)),
///
/// with the class moments Φk_s of the reduced problem and E_s over the training set's classes.
///
///     let c = SkipWeight.stationary(parameters, problem: problem, alpha: 0.9, beta: 0.05, dimension: 2000)
public enum SkipWeight {
    public static func stationary(_ x: LearnedParameters, problem: AutoencoderProblem, alpha: Double, beta: Double,
                                  dimension d: Double, moments: TanhMoments? = nil) -> Double {
        let s2 = problem.sigma * problem.sigma, f = problem.plusFraction
        let phi: (p1: Double, p2: Double, m1: Double, m2: Double)
        if x.solution == .trivial {
            let sign: Double = x.b < 0 ? -1 : 1
            phi = (sign, 1, sign, 1)
        } else {
            let objective = PhaseOneObjective(problem: problem, signal: beta * d.squareRoot(), alpha: alpha, beta: beta,
                                              moments: moments ?? (try! TanhMoments()), skipWeight: x.c)
            phi = objective.classMoments(halfGap: x.halfGap, bias: x.bEff)
        }
        let projected = f * phi.p1 * (x.m + problem.sigma * x.rhoPlus) + (1 - f) * phi.m1 * (-x.m + problem.sigma * x.rhoMinus)
        let r2 = f * phi.p2 + (1 - f) * phi.m2
        let a2 = alpha * alpha
        return (beta * (1 + s2 - projected) - a2 * x.uw / d.squareRoot() * (1 - r2)) / (a2 + beta * beta * (1 + s2))
    }
}
