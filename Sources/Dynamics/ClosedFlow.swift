import FlowModel
import Foundation
import GSLKit

/// A closed gradient-flow system on a flat state vector: the population equations (TD.10, 7
/// variables) and the finite-n equations (TD.35–TD.37, 7 + 2n variables) share one integration loop.
public protocol ClosedFlow: Sendable {
    /// Length of the state vector.
    var stateDimension: Int { get }
    /// η, so that |dy/dtime|/η is the convergence measure (TD.25a).
    var learningRate: Double { get }
    /// d(state)/d(training time).
    func derivative(_ y: [Double]) -> [Double]
    /// The loss the flow descends (ε of TD.4, or J/n of TD.31).
    func lossValue(_ y: [Double]) -> Double
}

/// One output of `ClosedFlow.integrateStates`.
public struct StatePoint: Sendable {
    public let time: Double
    public let state: [Double]
    public let loss: Double
    /// |dy/dtime|/η.
    public let speed: Double
}

extension ClosedFlow {
    /// Integrates from `start` with `gsl_odeiv2` (adaptive, error-controlled), writing a point at
    /// every requested time and stopping on convergence (TD.25a) or at the last time. q and r must
    /// stay ≥ 0 (every state starts with the order parameters in column order).
    public func integrateStates(from start: [Double], options: IntegrationOptions) throws -> (points: [StatePoint], converged: Bool) {
        guard let first = options.times.first, first >= 0,
              zip(options.times, options.times.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw GSLError(routine: "integrate", status: 4, reason: "output times must be increasing and ≥ 0")
        }
        let n = stateDimension
        precondition(start.count == n, "state of length \(start.count), expected \(n)")
        let integrator = try ODEIntegrator(dimension: n, stepper: options.stepper, tolerance: options.tolerance) { _, y, dydt in
            let dy = self.derivative(Array(y))
            for i in 0..<n { dydt[i] = dy[i] }
        }
        var y = start
        var t = 0.0
        var points: [StatePoint] = []
        for (index, time) in options.times.enumerated() {
            try integrator.integrate(&y, from: t, to: time)
            t = time
            guard y[.q] >= 0, y[.r] >= 0 else {
                throw GSLError(routine: "integrate", status: 4, reason: "q or r became negative at time \(time) (learning rate too large for the noise terms?)")
            }
            let dy = derivative(y)
            let speed = dy.reduce(0) { $0 + $1 * $1 }.squareRoot() / learningRate
            points.append(StatePoint(time: time, state: y, loss: lossValue(y), speed: speed))
            options.progress?(index + 1, options.times.count, speed)
            if speed < options.convergence { return (points, true) }
        }
        return (points, false)
    }
}
