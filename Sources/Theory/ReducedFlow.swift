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
        let center = -log(Double(field.problem.dimension))
        var times = [0.0]
        for i in 0...200 { times.append(try field.schedule.clock(atLogSNR: center - 25 + 0.25 * Double(i))) }
        times.append(field.schedule.clockEnd)
        return Array(Set(times)).sorted()
    }
}

/// A fixed-grid scheme on K uniform clock steps. Both schemes have the form
/// ζ_{j+1} = a_j ζ_j + b_j tanh(h + g_j ζ_j), G_{j+1} = a_j G_j (EF.11, EF.12).
public struct GridFlow: ReducedFlow {
    public enum Scheme: Sendable { case euler, x1Prediction }

    public let field: ExactField
    public let scheme: Scheme
    public let steps: Int
    private let a, b, g: [Double]
    private let alpha0: Double
    /// |ξ| beyond which Φ is 0 or 1 in double precision.
    static let tailBound = 37.5

    public init(field: ExactField, scheme: Scheme, steps: Int) throws {
        guard steps >= 1 else { throw InputError("steps must be ≥ 1; got \(steps)") }
        self.field = field
        self.scheme = scheme
        self.steps = steps
        let delta = field.schedule.clockEnd / Double(steps)
        let sqrtD = field.problem.sqrtD, sigma2 = field.problem.sigma * field.problem.sigma
        var a = [Double](), b = [Double](), g = [Double]()
        for j in 0..<steps {
            let c = field.coefficients(at: Double(j) * delta)
            let s = c.values
            g.append(s.beta * sqrtD / c.v)
            switch scheme {
            case .euler: // EF.11
                a.append(1 + delta * c.a)
                b.append(delta * c.b * sqrtD)
            case .x1Prediction: // EF.12
                let next = field.schedule.values(at: Double(j + 1) * delta)
                let cj = next.beta - next.alpha * s.beta / s.alpha
                a.append(next.alpha / s.alpha + cj * s.beta * sigma2 / c.v)
                b.append(cj * s.alpha * s.alpha / c.v * sqrtD)
            }
            // Monotone step maps make the pull-back (EF.13) well defined (EF §5).
            guard a[j] > 0, b[j] >= 0, a[j].isFinite, b[j].isFinite else {
                throw InputError("steps = \(steps) is too few for \(scheme == .euler ? "euler" : "x1-pred") on the \(field.schedule.name) schedule: step \(j) is not monotone (a = \(a[j]))")
            }
        }
        (self.a, self.b, self.g) = (a, b, g)
        alpha0 = field.schedule.values(at: 0).alpha
    }

    public var isContinuous: Bool { false }

    public func commitScanTimes() -> [Double] {
        (0...steps).map { Double($0) * field.schedule.clockEnd / Double(steps) }
    }

    /// ζ after `count` steps from ξ.
    func zeta(afterSteps count: Int, from xi: Double) -> Double {
        let h = field.problem.logOdds
        var zeta = alpha0 * xi
        for j in 0..<count { zeta = a[j] * zeta + b[j] * tanh(h + g[j] * zeta) }
        return zeta
    }

    public func pullback(_ zeta: Double, from tau: Double) throws -> Double {
        let count = Int((tau / field.schedule.clockEnd * Double(steps)).rounded())
        let bound = Self.tailBound
        if self.zeta(afterSteps: count, from: -bound) >= zeta { return -bound }
        if self.zeta(afterSteps: count, from: bound) <= zeta { return bound }
        return try RootFinder.brent(in: -bound, bound, absolute: 1e-12, relative: 1e-12) {
            self.zeta(afterSteps: count, from: $0) - zeta
        }
    }

    public func endGain() -> Double { a.reduce(1, *) }
}
