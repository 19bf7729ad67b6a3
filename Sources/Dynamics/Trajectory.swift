import FlowModel
import Foundation
import GSLKit

/// One output point of an integrated trajectory.
public struct TrajectoryPoint: Sendable {
    /// Training time (steps/d for online SGD).
    public let time: Double
    /// The state as integrated (no sign fixing).
    public let state: OrderParameters
    public let loss: Double
    /// |dy/dtime|/η, the convergence measure (TD.25).
    public let speed: Double

    public init(time: Double, state: OrderParameters, loss: Double, speed: Double) {
        self.time = time; self.state = state; self.loss = loss; self.speed = speed
    }
}

/// Options of the adaptive integration (TD §4).
public struct IntegrationOptions: Sendable {
    /// Output times (increasing, ≥ 0; the first is the start time 0).
    public var times: [Double]
    public var stepper: ODEStepper
    public var tolerance: ODETolerance
    /// Stop at the first output time where |dy/dtime|/η < this.
    public var convergence: Double
    /// Told (output times reached, output times, |dy/dtime|/η there) after each one (for a progress
    /// line; nil: nothing).
    public var progress: (@Sendable (_ done: Int, _ total: Int, _ speed: Double) -> Void)? = nil

    public init(times: [Double], stepper: ODEStepper = .rk8pd, tolerance: ODETolerance = ODETolerance(absolute: 1e-12, relative: 1e-10, initialStep: 1e-2),
                convergence: Double = 1e-10) {
        self.times = times
        self.stepper = stepper
        self.tolerance = tolerance
        self.convergence = convergence
    }

    /// n + 1 equally spaced times on [0, tMax], or log-spaced after the first point.
    public static func grid(timeMax: Double, points: Int, logarithmic: Bool = false, first: Double = 1e-2) -> [Double] {
        if logarithmic {
            return [0] + (0..<points).map { first * pow(timeMax / first, Double($0) / Double(max(points - 1, 1))) }
        }
        return (0...points).map { timeMax * Double($0) / Double(points) }
    }
}

/// Usage:
///
///     let trajectory = try OrderParameterFlow(setting: setting).integrate(from: start, options: IntegrationOptions(times: [0, 5]))
///     let escape = try TrajectoryMeasurements(trajectory).escapeTime   // TD.27
public struct Trajectory: Sendable {
    public let setting: TrainingSetting
    public let points: [TrajectoryPoint]
    /// True when the run stopped because |dy/dtime|/η fell below the tolerance.
    public let converged: Bool

    public init(setting: TrainingSetting, points: [TrajectoryPoint], converged: Bool) {
        self.setting = setting; self.points = points; self.converged = converged
    }

    public var final: TrajectoryPoint { points[points.count - 1] }
}

extension OrderParameterFlow: ClosedFlow {
    public var stateDimension: Int { OrderParameter.count }
    public var learningRate: Double { setting.learningRate }
    public func derivative(_ y: [Double]) -> [Double] { rightHandSide(OrderParameters(values: y)) }
    public func lossValue(_ y: [Double]) -> Double { lossGradient(OrderParameters(values: y)).loss }

    /// Integrates the closed equations from `start` with `gsl_odeiv2` (adaptive, error-controlled),
    /// writing a point at every requested time and stopping on convergence or at the last time.
    public func integrate(from start: OrderParameters, options: IntegrationOptions) throws -> Trajectory {
        let run = try integrateStates(from: start.values, options: options)
        let points = run.points.map {
            TrajectoryPoint(time: $0.time, state: OrderParameters(values: $0.state), loss: $0.loss, speed: $0.speed)
        }
        return Trajectory(setting: setting, points: points, converged: run.converged)
    }
}

/// Readouts and times measured on a trajectory (TD §6).
public struct TrajectoryMeasurements: Sendable {
    /// First time the overlap m reaches half its final value (TD.27); nil if never.
    public let escapeTime: Double?
    /// First time after which p̂ (TD.26) has covered 99 % of its change from start to end.
    public let pHatTime: Double?
    /// The same for σ̂ (TD.26).
    public let sigmaHatTime: Double?

    public init(_ trajectory: Trajectory) throws {
        let st = trajectory.setting
        let flow = try OrderParameterFlow(setting: st)
        let pts = trajectory.points, times = pts.map(\.time)
        escapeTime = Self.escapeTime(times: times, states: pts.map(\.state))
        pHatTime = Self.crossing(times: times, values: pts.map { Readout.pHat($0.state, flow: flow) }, fraction: 0.99)
        sigmaHatTime = Self.crossing(times: times, values: pts.map { Readout.sigmaHat($0.state, setting: st) }, fraction: 0.99)
    }

    /// The escape time of (TD.27) of any sequence of states (an ODE solution or a simulated run):
    /// when |m| reaches half its final value. m, not ω: in phase 1 ω escapes together with m but
    /// then creeps to kτ/v on the slow b-mode, so "half of the final ω" would mix escape and creep.
    public static func escapeTime(times: [Double], states: [OrderParameters]) -> Double? {
        crossing(times: times, values: states.map { abs($0.m) }, fraction: 0.5)
    }

    /// The time after which `values` stay past `fraction` of their change from first to last,
    /// interpolated linearly; nil if they do not change.
    public static func crossing(times: [Double], values: [Double], fraction: Double) -> Double? {
        guard let v0 = values.first, let v1 = values.last else { return nil }
        guard abs(v1 - v0) > 1e-12 else { return nil }
        let target = v0 + fraction * (v1 - v0)
        // Last index at which the progress is still short of the target, then interpolate.
        let short: (Double) -> Bool = { v1 > v0 ? $0 < target : $0 > target }
        guard let i = values.lastIndex(where: short) else { return 0 }
        guard i + 1 < values.count else { return nil }
        let (ta, tb, va, vb) = (times[i], times[i + 1], values[i], values[i + 1])
        return vb == va ? tb : ta + (target - va) / (vb - va) * (tb - ta)
    }
}

/// What the network at one grid time implies about the target (TD.26).
///
///     let pHat = Readout.pHat(trajectory.final.state, flow: flow)   // TD.26
public enum Readout {
    /// p̂ = (1 + E[φ])/2 over the data at this grid time, with the sign fixed by m ≥ 0: the class
    /// balance the hidden unit reports. The exact posterior mean E[s | x] averages to 2p − 1 at every
    /// time, so p̂ = p at the fixed point in both phases (TD.26).
    public static func pHat(_ o: OrderParameters, flow: OrderParameterFlow) -> Double {
        0.5 * (1 + flow.meanActivation(o.signFixed))
    }

    /// σ̂ from inverting c = βσ̂²/(α² + β²σ̂²): σ̂² = cα²/(β(1 − cβ)); 0 where undefined (β = 0, or
    /// c outside [0, 1/β)).
    public static func sigmaHat(_ o: OrderParameters, setting: TrainingSetting) -> Double {
        let (a, b) = (setting.alpha, setting.beta)
        guard b > 0, o.c >= 0, o.c * b < 1 else { return 0 }
        return (o.c * a * a / (b * (1 - o.c * b))).squareRoot()
    }
}
