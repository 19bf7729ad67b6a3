import Foundation
import FlowModel

/// The exact posterior denoiser and probability-flow velocity of the two-mode mixture
/// (derivations/exact-flow.md, EF.3–EF.9), for a problem and a schedule.
///
///     let problem = try Problem(dimension: .finite(100_000), p: 0.8, sigma: 1)
///     let field = ExactField(problem: problem, schedule: try ScheduleName.dilated.make(for: problem))
///     let p = try makeReducedFlow(field, .euler(steps: 50)).observables().pHat   // ≈ 0.806
public struct ExactField: Sendable {
    public let problem: Problem
    public let schedule: any Schedule

    public init(problem: Problem, schedule: any Schedule) {
        self.problem = problem
        self.schedule = schedule
    }

    /// The coefficients of the reduced flow at one clock time.
    public struct Coefficients: Sendable {
        public let values: ScheduleValues
        /// v = α² + β²σ² (EF.3).
        public let v: Double
        /// A and B of the velocity b = A x + B μ m (EF.8).
        public let a, b: Double
    }

    public func coefficients(at tau: Double) -> Coefficients { coefficients(schedule.values(at: tau)) }

    /// The coefficients at grid time j of K uniform steps, with the rates of the step leaving it (EF.18).
    public func coefficients(atStep j: Int, of count: Int) -> Coefficients { coefficients(schedule.values(atStep: j, of: count)) }

    func coefficients(_ s: ScheduleValues) -> Coefficients {
        let sigma2 = problem.sigma * problem.sigma
        let v = s.alpha * s.alpha + s.beta * s.beta * sigma2
        return Coefficients(values: s, v: v,
                            a: (s.alpha * s.alphaDot + s.beta * s.betaDot * sigma2) / v,
                            b: s.alpha * (s.alpha * s.betaDot - s.alphaDot * s.beta) / v)
    }

    /// Posterior magnetisation E[s | x] as a function of ζ = μ·x/√d (EF.4).
    public func magnetisation(zeta: Double, _ c: Coefficients) -> Double {
        tanh(problem.logOdds + c.values.beta * problem.sqrtD * zeta / c.v)
    }

    /// dζ/dτ of the reduced exact flow (EF.9).
    public func zetaVelocity(zeta: Double, at tau: Double) -> Double {
        let c = coefficients(at: tau)
        return c.a * zeta + c.b * problem.sqrtD * magnetisation(zeta: zeta, c)
    }

    /// The d-dimensional posterior mean E[x₁ | x] (EF.5), for a mean vector with |μ|² = d.
    public func denoise(_ x: [Double], mean mu: [Double], at tau: Double) -> [Double] {
        let c = coefficients(at: tau)
        let zeta = zip(mu, x).reduce(0.0) { $0 + $1.0 * $1.1 } / problem.sqrtD
        let m = magnetisation(zeta: zeta, c)
        let sigma2 = problem.sigma * problem.sigma
        let (s, v) = (c.values, c.v)
        return zip(x, mu).map { s.beta * sigma2 / v * $0 + s.alpha * s.alpha / v * $1 * m }
    }
}
