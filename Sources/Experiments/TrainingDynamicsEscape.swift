import Dynamics
import FlowModel
import Foundation
import GSLKit

/// The predicted law of trajectories that start on the plateau at finite d
/// (derivations/plateau-escape.md, PE.9).
///
///     var dynamics = TrainingDynamics(setup: try Setup(dimension: .finite(1000), p: 0.8, sigma: 1, k: 2)); dynamics.learningRate = 0.5
///     let rows = try dynamics.escapeRows(EscapeOptions(members: 20))   // ensemble means and spreads per time
public struct EscapeOptions: Sendable {
    /// Members of the ensemble (≥ 2).
    public var members: Int
    /// rms m at which the linear SDE hands over to the ODE (PE.9).
    public var switchOverlap = 0.05
    /// Seed of the ensemble's draws.
    public var seed: UInt64 = 1

    public init(members: Int, switchOverlap: Double = 0.05, seed: UInt64 = 1) {
        self.members = members; self.switchOverlap = switchOverlap; self.seed = seed
    }
}

extension TrainingDynamics {
    /// Online SGD at finite d: one row per output time (time 0 and the times after the switch) with
    /// the ensemble mean of each sign-fixed order parameter and its standard deviation across
    /// members (`<key>_sd`); with `summary`, one row per τ with the ODE's summary and the escape law.
    public func escapeRows(_ escape: EscapeOptions) throws -> [Row] {
        try perTau { setting, flow in
            let ensemble = try escapeEnsemble(flow, start: start, times: times, escape: escape)
            guard summary else { return ensembleRows(ensemble, flow: flow) }
            var row = try summaryRow(try flow.integrate(from: start, options: integration), flow: flow)
            addEscapeLaw(ensemble, to: &row)
            return [row]
        }
    }

    /// The ensemble from theory init, or from the given m0/omega0 start.
    func escapeEnsemble(_ flow: OrderParameterFlow, start: OrderParameters, times: [Double], escape: EscapeOptions) throws -> EscapeEnsemble {
        let origin: EscapeEnsemble.Start = m0 == nil && omega0 == nil ? .theoryInit : .given(start)
        return try EscapeEnsemble(escape: try PlateauEscape(flow: flow), start: origin, members: escape.members,
                                  times: times, seed: escape.seed, switchOverlap: escape.switchOverlap)
    }

    func ensembleRows(_ ensemble: EscapeEnsemble, flow: OrderParameterFlow) -> [Row] {
        let st = flow.setting
        let first = ensemble.members[0].points
        return first.indices.map { i in
            let states = ensemble.members.map { $0.points[i].state.signFixed }
            var row = Row()
            row.add("tau", st.tau)
            row.add("t", st.interpolantTime)
            row.add("phase", st.phase)
            row.add("time", first[i].time)
            for key in OrderParameter.allCases { row.add(Quantity(key.rawValue), meanAndStandardError(states.map { $0[key] }).mean) }
            row.add("loss", meanAndStandardError(ensemble.members.map { $0.points[i].loss }).mean)
            for key in OrderParameter.allCases { row.add(Quantity(key.rawValue + "_sd"), standardDeviation(states.map { $0[key] })) }
            row.add("members", ensemble.members.count)
            inputs(&row, st)
            return row
        }
    }

    /// The escape-time law of the ensemble (TD.27 per member), appended to a summary row.
    func addEscapeLaw(_ ensemble: EscapeEnsemble, to row: inout Row) {
        let escapes = ensemble.escapeTimes.filter(\.isFinite)
        row.add("switch_time", ensemble.regime.time)
        addEscapeStatistics(escapes, prefix: "escape_time", to: &row)
        row.add("members", escapes.count)
    }

    /// From theory init: simulated escape times and mean trajectories against the ensemble (EnsembleComparison).
    func addEnsembleComparison(_ c: EnsembleComparison, _ ensemble: EscapeEnsemble, to row: inout Row) {
        addEscapeStatistics(c.simulatedEscapes, prefix: "escape_time_sim", to: &row)
        addEscapeLaw(ensemble, to: &row)
        row.add("escape_z", c.escapeZ)
        row.add("ensemble_max_deviation", c.maxDeviation)
        row.add("ensemble_max_z", c.maxStandardizedDifference)
        row.add("ensemble_max_z_95", c.maxStandardizedThreshold)
    }

    /// Mean, standard deviation, median and interquartile range of escape times.
    private func addEscapeStatistics(_ escapes: [Double], prefix: String, to row: inout Row) {
        row.add(Quantity(prefix + "_mean"), meanAndStandardError(escapes).mean)
        row.add(Quantity(prefix + "_sd"), standardDeviation(escapes))
        row.add(Quantity(prefix + "_median"), quantile(escapes, 0.5))
        row.add(Quantity(prefix + "_iqr"), quantile(escapes, 0.75) - quantile(escapes, 0.25))
    }
}
