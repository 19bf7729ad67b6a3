import Foundation
import FlowModel
import GSLKit

/// The finite-d online-SGD equations against simulated trajectories of one grid time (TD §7).
/// The trajectories come from any simulator (the CLI and the tests use the Simulation module's
/// online protocol, SIM.15); this type only integrates and compares. Each seed's ODE starts from
/// that seed's own initial order parameters, and both sides are taken on the m ≥ 0 representative
/// at every time (TD.9): a seed whose noise carries it to the mirror branch is the same network.
///
///     let comparison = try SimulationComparison(setting: setting, times: [0, 1, 2], trajectories: perSeedOrderParameters)
///     print(comparison.maxStandardizedDifference, comparison.maxStandardizedThreshold)
public struct SimulationComparison: Sendable {
    public let times: [Double]
    /// Per seed, the simulated order parameters at `times` (sign-fixed).
    public let simulated: [[OrderParameters]]
    /// Per seed, the ODE started from that seed's first state, at `times` (sign-fixed).
    public let integrated: [Trajectory]
    /// Per seed: the largest |simulation − ODE| over the output times and over the seven order parameters.
    public let maxDeviations: [Double]
    /// Per output time and order parameter (column order, `OrderParameter.allCases`): mean over seeds of
    /// the paired difference (simulation − ODE) and its standard error.
    public let meanDifference: [[Double]]
    public let standardError: [[Double]]

    /// - Parameters:
    ///   - trajectories: per seed, the simulated order parameters at each of `times`.
    ///   - times: increasing training times (steps/d) from 0, the start of the runs.
    ///   - options: stepper and tolerances of the integration (its times and convergence test are
    ///     replaced: the ODE runs to the last time).
    public init(setting: TrainingSetting, times: [Double], trajectories: [[OrderParameters]],
                options: IntegrationOptions = IntegrationOptions(times: [])) throws {
        guard !trajectories.isEmpty, trajectories.allSatisfy({ $0.count == times.count }), times.first == 0 else {
            throw InputError("a simulation comparison needs output times from 0 and, for at least one seed, one state per time (\(times.count))")
        }
        self.times = times
        let flow = try OrderParameterFlow(setting: setting)
        var integration = options
        integration.times = times
        integration.convergence = 0
        simulated = trajectories.map { $0.map(\.signFixed) }
        integrated = try simulated.map { try flow.integrate(from: $0[0], options: integration) }
        let differences = zip(simulated, integrated).map { sim, ode in
            zip(sim, ode.points).map { s, o in zip(s.values, o.state.signFixed.values).map { $0 - $1 } }
        }
        maxDeviations = differences.map { $0.joined().map(abs).max() ?? 0 }
        let stats = times.indices.map { i in OrderParameter.allCases.indices.map { j in meanAndStandardError(differences.map { $0[i][j] }) } }
        meanDifference = stats.map { $0.map(\.mean) }
        standardError = stats.map { $0.map(\.standardError) }
    }

    /// The largest |mean(sim − ODE)| / standard error over output times (after the start) and over
    /// all seven order parameters: "within the error bars" means this is ≲ 3 (the largest of some
    /// tens of correlated standard normals).
    public var maxStandardizedDifference: Double {
        var z = 0.0
        for i in times.indices.dropFirst() {
            for j in OrderParameter.allCases.indices where standardError[i][j] > 0 { z = max(z, abs(meanDifference[i][j]) / standardError[i][j]) }
        }
        return z
    }

    /// The 95 % point of `maxStandardizedDifference` if simulation and ODE agree: the largest of
    /// (times − 1) × 7 independent Student-t ratios with seeds − 1 degrees of freedom.
    public var maxStandardizedThreshold: Double {
        largestStudentTThreshold(count: (times.count - 1) * OrderParameter.allCases.count, dof: simulated.count - 1)
    }

    public var meanMaxDeviation: Double { meanAndStandardError(maxDeviations).mean }
    public var maxDeviationError: Double { meanAndStandardError(maxDeviations).standardError }

    /// Per output time: mean and standard error over seeds of the simulated order parameters
    /// (column order, `OrderParameter.allCases`).
    public var simulationMean: [[(mean: Double, standardError: Double)]] {
        times.indices.map { i in OrderParameter.allCases.map { key in meanAndStandardError(simulated.map { $0[i][key] }) } }
    }

    /// The seed average of the per-seed ODE solutions, as one trajectory (loss averaged likewise).
    public var meanTrajectory: Trajectory {
        let n = Double(integrated.count)
        let points = times.indices.map { i in
            let state = OrderParameters { key in integrated.reduce(0) { $0 + $1.points[i].state.signFixed[key] } / n }
            let loss = integrated.reduce(0) { $0 + $1.points[i].loss } / n
            return TrajectoryPoint(time: times[i], state: state, loss: loss, speed: 0)
        }
        return Trajectory(setting: integrated[0].setting, points: points, converged: false)
    }
}
