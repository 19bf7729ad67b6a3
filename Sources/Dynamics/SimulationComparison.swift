import Foundation
import GSLKit

/// The ODE against seeds of the direct simulation at one finite d (TD §7): each seed's ODE starts
/// from that seed's own initial order parameters, with the sign fixed by m ≥ 0 at the start.
public struct SimulationComparison: Sendable {
    /// Per seed: the largest |simulation − ODE| over the output times and over (c, b, m, q, ω, r, uw).
    public let maxDeviations: [Double]
    /// Per output time and order parameter: mean over seeds of (simulation − ODE) and its standard error.
    public let meanDifference: [[Double]]
    public let standardError: [[Double]]
    public let times: [Double]

    /// The largest |mean(sim − ODE)| / standard error over output times (after the start) and over
    /// b, m, q, ω, r: "within the error bars" means this is ≲ 3.
    public var maxStandardizedDifference: Double {
        var z = 0.0
        for i in times.indices.dropFirst() {
            for j in [1, 2, 3, 4, 5] where standardError[i][j] > 0 { z = max(z, abs(meanDifference[i][j]) / standardError[i][j]) }
        }
        return z
    }

    public var meanMaxDeviation: Double { meanAndStandardError(maxDeviations).mean }
    public var maxDeviationError: Double { meanAndStandardError(maxDeviations).standardError }

    /// - Parameter times: increasing training times starting at 0; rounded to whole steps.
    public init(setting: TrainingSetting, seeds: Int, times requested: [Double], firstSeed: UInt64 = 1, alignedStart: Bool = true,
                planted: (Double, Double)? = nil) throws {
        guard let d = setting.dimension else { throw GSLError(routine: "SimulationComparison", status: 4, reason: "needs a finite d") }
        let times = requested.map { ($0 * d).rounded() / d }
        self.times = times
        let flow = try OrderParameterFlow(setting: setting)
        let options = IntegrationOptions(times: times, convergence: 0)
        var deviations: [Double] = []
        var differences = [[[Double]]]()
        for seed in 0..<seeds {
            let states = try DirectSimulation(setting: setting, seed: firstSeed + UInt64(seed), alignedStart: alignedStart,
                                              planted: planted).orderParameters(at: times)
            let ode = try flow.integrate(from: states[0], options: options)
            // Both sides on the m ≥ 0 representative at every time (TD.9): a seed whose noise carries
            // it to the mirror branch is the same network.
            let diff = zip(states, ode.points).map { s, o in zip(s.signFixed.vector, o.state.signFixed.vector).map { $0 - $1 } }
            differences.append(diff)
            deviations.append(diff.flatMap { $0 }.map(abs).max() ?? 0)
        }
        maxDeviations = deviations
        let stats = times.indices.map { i in (0..<7).map { j in meanAndStandardError(differences.map { $0[i][j] }) } }
        meanDifference = stats.map { $0.map(\.mean) }
        standardError = stats.map { $0.map(\.standardError) }
    }
}
