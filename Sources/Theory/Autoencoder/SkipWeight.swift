import FlowModel
import GSLKit
import Foundation

/// The skip weight c at which the exact finite-d objective is stationary given the rest of the
/// network (derivations/finite-d-corrections.md FD.1, from ∂J/∂c = 0 of CV.2):
///
///   c = [β(1 + σ² − E_s Φ1_s (s m + σ ρ_s)) − α² (uw/√d)(1 − R2)] / (α² + β²(1 + σ²)),
///
/// with the class moments Φk_s of the reduced problem and E_s over the training set's classes.
///
///     let c = SkipWeight.stationary(parameters, objective: theory.phaseOneObjective(at: 0.5, skipWeight: parameters.c), dimension: .finite(2000))
public enum SkipWeight {
    /// `objective`: the reduced problem the parameters solve (with their c and bulk); a per-point
    /// objective (FD.7) keeps the points' own μ-coordinates, so E Φ1_ν P_ν = m(P1 + σC1/√d) + σ²(1 − cβ)Q1/A.
    public static func stationary(_ x: LearnedParameters, objective: PhaseOneObjective, dimension: FlowModel.Dimension) -> Double {
        let d = dimension.value
        let problem = objective.problem, alpha = objective.alpha, beta = objective.beta
        let s2 = problem.sigma * problem.sigma, f = problem.plusFraction
        let projected: Double, r2: Double
        if x.solution == .trivial {
            let sign: Double = x.b < 0 ? -1 : 1
            projected = f * sign * (x.m + problem.sigma * x.rhoPlus) + (1 - f) * sign * (-x.m + problem.sigma * x.rhoMinus)
            r2 = 1
        } else if objective.isPerPoint {
            let t = objective.dataTerms(halfGap: x.halfGap, bias: x.bEff, slope: x.pointSlope, response: x.noiseResponse)
            projected = x.m * t.p1 + s2 * objective.shrink * t.q1 / (problem.penaltyU + problem.n * t.r2)
            r2 = t.r2
        } else {
            let phi = objective.classMoments(halfGap: x.halfGap, bias: x.bEff)
            projected = f * phi.p1 * (x.m + problem.sigma * x.rhoPlus) + (1 - f) * phi.m1 * (-x.m + problem.sigma * x.rhoMinus)
            r2 = f * phi.p2 + (1 - f) * phi.m2
        }
        let a2 = alpha * alpha
        // E_ν D_ν: 1 + σ², plus the data set's class means along μ (FD.10d).
        let variance = 1 + s2 + objective.classMeanOffsets.varianceExcess(plusFraction: f)
        return (beta * (variance - projected) - a2 * x.uw / d.squareRoot() * (1 - r2)) / (a2 + beta * beta * variance)
    }
}
