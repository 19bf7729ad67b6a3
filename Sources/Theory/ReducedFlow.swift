import Foundation
import FlowModel
import GSLKit

/// How the generative flow is integrated.
public enum FlowIntegrator: Sendable, Equatable {
    /// The continuous flow by an adaptive GSL stepper: the reference.
    case adaptive(ODEStepper = .rk8pd, ODETolerance = ODETolerance())
    /// Euler on K uniform steps of the schedule's clock (EF.11).
    case euler(steps: Int)
    /// The x₁-prediction update on K uniform steps (EF.12).
    case x1Prediction(steps: Int)

    public var name: String {
        switch self {
        case .adaptive: "adaptive"
        case .euler: "euler"
        case .x1Prediction: "x1-pred"
        }
    }
}

extension ODETolerance: Equatable {
    public static func == (l: ODETolerance, r: ODETolerance) -> Bool {
        l.absolute == r.absolute && l.relative == r.relative && l.initialStep == r.initialStep && l.maxSteps == r.maxSteps
    }
}

/// The exact-field generative flow reduced to ζ = μ·x/√d and the orthogonal gain G (EF.9–EF.12).
/// Trajectories are labelled by ξ ~ N(0, 1), with ζ(0) = α(0) ξ.
///
///     let flow = try makeReducedFlow(field, .x1Prediction(steps: 80))   // or .adaptive(.rk8pd, ODETolerance())
///     let observables = try flow.observables(threshold: 0.9)           // p_hat, sigma_hat, commit time
public protocol ReducedFlow {
    var field: ExactField { get }
    /// ξ whose trajectory passes through `zeta` at clock time `tau`: the pull-back through the
    /// increasing flow map (EF §5). For a grid scheme `tau` must be a grid time.
    func pullback(_ zeta: Double, from tau: Double) throws -> Double
    /// G at the data end (EF.10–EF.12).
    func endGain() throws -> Double
    /// Clock times at which the commit criterion is evaluated: a scan for the continuous flow
    /// (refined by root finding), the grid itself for a grid scheme.
    var isContinuous: Bool { get }
    func commitScanTimes() throws -> [Double]
}

/// Builds the reduced flow for an integrator.
public func makeReducedFlow(_ field: ExactField, _ integrator: FlowIntegrator) throws -> any ReducedFlow {
    switch integrator {
    case let .adaptive(stepper, tolerance): try ContinuousFlow(field: field, stepper: stepper, tolerance: tolerance)
    case let .euler(steps): try GridFlow(field: field, scheme: .euler, steps: steps)
    case let .x1Prediction(steps): try GridFlow(field: field, scheme: .x1Prediction, steps: steps)
    }
}

/// The continuous flow (EF.9, EF.10) integrated by `gsl_odeiv2`, restarting at schedule breakpoints.
public final class ContinuousFlow: ReducedFlow {
    public let field: ExactField
    private let integrator: ODEIntegrator

    public init(field: ExactField, stepper: ODEStepper = .rk8pd, tolerance: ODETolerance = ODETolerance()) throws {
        self.field = field
        // State (ζ, log G): EF.9 and d(log G)/dτ = A (EF.10).
        integrator = try ODEIntegrator(dimension: 2, stepper: stepper, tolerance: tolerance) { tau, y, dy in
            let c = field.coefficients(at: tau)
            dy[0] = c.a * y[0] + c.b * field.problem.sqrtD * field.magnetisation(zeta: y[0], c)
            dy[1] = c.a
        }
    }

    public var isContinuous: Bool { true }

    /// Integrates (ζ, log G) between two clock times, segment by segment.
    func transport(_ state: inout [Double], from t0: Double, to t1: Double) throws {
        for (a, b) in field.schedule.segments(from: t0, to: t1) {
            try integrator.integrate(&state, from: a, to: b)
        }
    }

    public func pullback(_ zeta: Double, from tau: Double) throws -> Double {
        var state = [zeta, 0]
        try transport(&state, from: tau, to: 0)
        return state[0] / field.schedule.values(at: 0).alpha
    }

    public func endGain() throws -> Double {
        var state = [0.0, 0]
        try transport(&state, from: 0, to: field.schedule.clockEnd)
        return exp(state[1])
    }

    /// Clock times uniform in log-SNR around the decision window (log-SNR ≈ −log d, EF §7), plus
    /// the clock's ends, so that narrow windows are found on any schedule.
    public func commitScanTimes() throws -> [Double] {
        let center = -log(Double(field.problem.d))
        var times = [0.0]
        for i in 0...200 { times.append(try field.schedule.clock(atLogSNR: center - 25 + 0.25 * Double(i))) }
        times.append(field.schedule.clockEnd)
        return Array(Set(times)).sorted()
    }
}

/// A fixed-grid scheme on K uniform clock steps. Every scheme here has the form
/// ζ_{j+1} = a_j ζ_j + b_j tanh(bias_j + g_j ζ_j), G_{j+1} = a_j G_j (EF.11, EF.12), whether the
/// denoiser is exact (bias = h) or a learned network aligned with μ (LF.2).
public struct GridFlow: ReducedFlow {
    public enum Scheme: Sendable { case euler, x1Prediction }

    /// One step's coefficients.
    public struct Step: Sendable {
        public let a, b, g, bias: Double
        public init(a: Double, b: Double, g: Double, bias: Double) {
            (self.a, self.b, self.g, self.bias) = (a, b, g, bias)
        }
    }

    public let field: ExactField
    public let steps: [Step]
    private let alpha0: Double
    /// |ξ| beyond which Φ is 0 or 1 in double precision.
    static let tailBound = 37.5

    /// A grid flow from explicit step coefficients; refuses non-monotone steps (EF §5).
    public init(field: ExactField, steps: [Step], schemeName: String) throws {
        guard !steps.isEmpty else { throw InputError("steps must be ≥ 1; got 0") }
        for (j, s) in steps.enumerated() {
            guard s.a > 0, s.b >= 0, s.g >= 0, [s.a, s.b, s.g, s.bias].allSatisfy(\.isFinite) else {
                throw InputError("steps = \(steps.count) is too few for \(schemeName) on the \(field.schedule.name) schedule: step \(j) is not monotone (a = \(s.a))")
            }
        }
        self.field = field
        self.steps = steps
        alpha0 = field.schedule.values(at: 0).alpha
    }

    /// The exact-field grid scheme on `count` uniform clock steps (EF.11, EF.12).
    public init(field: ExactField, scheme: Scheme, steps count: Int) throws {
        guard count >= 1 else { throw InputError("steps must be ≥ 1; got \(count)") }
        let sqrtD = field.problem.sqrtD, h = field.problem.logOdds
        let steps = Self.uniformClock(field.schedule, count).map { j, now, next -> Step in
            let c = field.coefficients(atStep: j, of: count)   // rates of the step leaving τ_j (EF.18)
            let (s, sigma2) = (c.values, field.problem.sigma * field.problem.sigma)
            let g = s.beta * sqrtD / c.v
            switch scheme {
            case .euler: // EF.11
                let delta = next - now
                return Step(a: 1 + delta * c.a, b: delta * c.b * sqrtD, g: g, bias: h)
            case .x1Prediction: // EF.12
                let n = field.schedule.values(atStep: j + 1, of: count)
                let cj = n.beta - n.alpha * s.beta / s.alpha
                return Step(a: n.alpha / s.alpha + cj * s.beta * sigma2 / c.v, b: cj * s.alpha * s.alpha / c.v * sqrtD, g: g, bias: h)
            }
        }
        try self.init(field: field, steps: steps, schemeName: scheme == .euler ? "euler" : "x1-pred")
    }

    /// (j, τ_j, τ_{j+1}) for K uniform steps of the schedule's clock.
    public static func uniformClock(_ schedule: any Schedule, _ count: Int) -> [(Int, Double, Double)] {
        (0..<count).map { ($0, schedule.clockTime(atStep: $0, of: count), schedule.clockTime(atStep: $0 + 1, of: count)) }
    }

    public var isContinuous: Bool { false }

    public func commitScanTimes() -> [Double] {
        (0...steps.count).map { field.schedule.clockTime(atStep: $0, of: steps.count) }
    }

    /// ζ after `count` steps from ξ.
    func zeta(afterSteps count: Int, from xi: Double) -> Double {
        var zeta = alpha0 * xi
        for s in steps[0..<count] { zeta = s.a * zeta + s.b * tanh(s.bias + s.g * zeta) }
        return zeta
    }

    public func pullback(_ zeta: Double, from tau: Double) throws -> Double {
        let count = Int((tau / field.schedule.clockEnd * Double(steps.count)).rounded())
        let bound = Self.tailBound
        if self.zeta(afterSteps: count, from: -bound) >= zeta { return -bound }
        if self.zeta(afterSteps: count, from: bound) <= zeta { return bound }
        return try RootFinder.brent(in: -bound, bound, absolute: 1e-12, relative: 1e-12) {
            self.zeta(afterSteps: count, from: $0) - zeta
        }
    }

    public func endGain() -> Double { steps.reduce(1) { $0 * $1.a } }
}
