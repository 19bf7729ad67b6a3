import Foundation
import FlowModel
import GSLKit

/// Simulated runs from the plateau against the predicted ensemble (derivations/plateau-escape.md,
/// PE.9): their escape times (TD.27), and their mean trajectories at the times after the switch.
/// Both sides are sample means, so each difference is judged by the two standard errors combined.
///
///     let c = try EnsembleComparison(ensemble: ensemble, times: times, simulated: perSeedOrderParameters)
///     print(c.escapeZ, c.maxStandardizedDifference)
public struct EnsembleComparison: Sendable {
    /// Escape times of the simulated runs and of the ensemble's members.
    public let simulatedEscapes: [Double]
    public let predictedEscapes: [Double]
    /// Output times after the switch, where the ensemble has states.
    public let times: [Double]
    /// Per time and order parameter (column order, `OrderParameter.allCases`): mean(sim) − mean(ensemble)
    /// and its standard error √(SE²_sim + SE²_ensemble).
    public let meanDifference: [[Double]]
    public let standardError: [[Double]]
    /// Number of simulated runs.
    public let simulatedRuns: Int

    /// - Parameters:
    ///   - times: the simulation's output times, from 0; the ensemble must have been built on them.
    ///   - simulated: per run, its states at `times`.
    public init(ensemble: EscapeEnsemble, times: [Double], simulated: [[OrderParameters]]) throws {
        let later = times.indices.filter { times[$0] > ensemble.regime.time }
        guard simulated.count >= 2, simulated.allSatisfy({ $0.count == times.count }),
              ensemble.members.allSatisfy({ $0.points.count == later.count + 1 }) else {
            throw InputError("an ensemble comparison needs ≥ 2 runs with one state per output time, and an ensemble on the same times")
        }
        let runs = simulated.map { $0.map(\.signFixed) }
        simulatedRuns = runs.count
        simulatedEscapes = runs.compactMap { TrajectoryMeasurements.escapeTime(times: times, states: $0) }
        predictedEscapes = ensemble.escapeTimes.filter(\.isFinite)
        self.times = later.map { times[$0] }
        var difference: [[Double]] = [], error: [[Double]] = []
        for (k, i) in later.enumerated() {
            let sim = runs.map { $0[i].values }, ens = ensemble.members.map { $0.points[k + 1].state.signFixed.values }
            let pairs = OrderParameter.allCases.indices.map { j in (meanAndStandardError(sim.map { $0[j] }), meanAndStandardError(ens.map { $0[j] })) }
            difference.append(pairs.map { $0.0.mean - $0.1.mean })
            error.append(pairs.map { ($0.0.standardError * $0.0.standardError + $0.1.standardError * $0.1.standardError).squareRoot() })
        }
        meanDifference = difference
        standardError = error
    }

    /// (median simulated − median predicted escape time) / its standard error. Medians, because
    /// the law has a long tail of late escapes (runs that start near the plateau's stable manifold).
    public var escapeZ: Double {
        let s = medianAndStandardError(simulatedEscapes), p = medianAndStandardError(predictedEscapes)
        return (s.median - p.median) / (s.standardError * s.standardError + p.standardError * p.standardError).squareRoot()
    }

    /// The largest |mean difference| / standard error over times and order parameters.
    public var maxStandardizedDifference: Double {
        zip(meanDifference.joined(), standardError.joined()).map { $1 > 0 ? abs($0) / $1 : 0 }.max() ?? 0
    }

    /// The 95 % point of `maxStandardizedDifference` under agreement (Student-t with the simulated
    /// runs' degrees of freedom: the ensemble's standard errors are the smaller ones).
    public var maxStandardizedThreshold: Double {
        largestStudentTThreshold(count: times.count * OrderParameter.allCases.count, dof: simulatedRuns - 1)
    }

    /// The largest |mean difference| over times and order parameters.
    public var maxDeviation: Double { meanDifference.joined().map(abs).max() ?? 0 }
}
