import ArgumentParser
import Dynamics
import FlowModel
import Foundation
import GSLKit

/// `phaseflow dynamics --escape-ensemble N`: the predicted law of trajectories that start on the
/// plateau at finite d (derivations/plateau-escape.md, PE.9).
extension DynamicsCommand {
    func validateEscapeEnsemble() throws {
        guard escapeEnsemble != 0 else { return }
        try require("escape-ensemble", Double(escapeEnsemble), "≥ 2") { $0 >= 2 }
        try require("switch-overlap", switchOverlap, "in (0, 0.5)") { $0 > 0 && $0 < 0.5 }
        if dInfinity || n.value.isFinite || (training ?? .onlineSGD) != .onlineSGD {
            throw ValidationError("--escape-ensemble needs online SGD at a finite d, without --n")
        }
        if simulate > 0, finiteSize.isEmpty || planted != nil || m0 != nil || omega0 != nil {
            throw ValidationError("with --simulate, --escape-ensemble goes with --finite-size from theory init (no --planted, --m0, --omega0)")
        }
    }

    /// The ensemble from theory init, or from the given --m0/--omega0 start.
    func escapeEnsemble(_ flow: OrderParameterFlow, start: OrderParameters, times: [Double], seed: UInt64) throws -> EscapeEnsemble {
        let origin: EscapeEnsemble.Start = m0 == nil && omega0 == nil ? .theoryInit : .given(start)
        return try EscapeEnsemble(escape: try PlateauEscape(flow: flow), start: origin, members: escapeEnsemble,
                                  times: times, seed: seed, switchOverlap: switchOverlap)
    }

    /// One row per output time (time 0 and the times after the switch, PE.9): the ensemble mean of
    /// each sign-fixed order parameter and its standard deviation across members.
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
            for (j, name) in OrderParameters.names.enumerated() {
                let (mean, _) = meanAndStandardError(states.map { $0.vector[j] })
                row.add(name, mean)
            }
            row.add("loss", meanAndStandardError(ensemble.members.map { $0.points[i].loss }).mean)
            for (j, name) in OrderParameters.names.enumerated() {
                row.add(name + "_sd", standardDeviation(states.map { $0.vector[j] }))
            }
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

    /// `--finite-size` from theory init: simulated escape times and mean trajectories against the
    /// ensemble (EnsembleComparison).
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
        row.add(prefix + "_mean", meanAndStandardError(escapes).mean)
        row.add(prefix + "_sd", standardDeviation(escapes))
        row.add(prefix + "_median", quantile(escapes, 0.5))
        row.add(prefix + "_iqr", quantile(escapes, 0.75) - quantile(escapes, 0.25))
    }
}
