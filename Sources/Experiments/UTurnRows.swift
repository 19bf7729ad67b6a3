import FlowModel
import Theory

extension MixtureUTurn {
    /// The four U-turn curves at `points` clock times (UT.7, UT.10), with the inputs under their flag
    /// names (derivations/mixture-uturn.md).
    ///
    ///     let problem = try Problem(dimension: .finite(1000), p: 0.8, sigma: 1)
    ///     let uturn = MixtureUTurn(problem: problem, schedule: LinearSchedule())
    ///     let rows = try uturn.curveRows(points: 60, scheduleName: .linear)   // t, log_snr, flip_ode_plus, …
    public func curveRows(points: Int, scheduleName: ScheduleName) throws -> [Row] {
        try plotClocks(points: points).map { tau in
            var row = inputs(scheduleName)
            row.add("tau", tau)
            row.add("t", schedule.interpolantTime(at: tau))
            row.add("log_snr", logSNR(at: tau))
            row.add("signal", signal(at: tau))
            for curve in UTurnCurve.allCases { row.add(Quantity(curve.key), try flip(curve, at: tau)) }
            return row
        }
    }

    /// One row per curve: its start and end values and its 10/50/90 % points in t, clock, log-SNR
    /// and signal (UT.12–UT.14).
    public func summaryRows(scheduleName: ScheduleName) throws -> [Row] {
        try UTurnCurve.allCases.map { curve in
            let window = try window(curve)
            var row = inputs(scheduleName)
            row.add("curve", curve.key)
            row.add("start_value", window.startValue)
            row.add("end_value", window.endValue)
            let percent = window.points.map { "\(Int(($0.fraction * 100).rounded()))" }
            for (point, q) in zip(window.points, percent) { row.add("t\(q)", point.t) }
            for (point, q) in zip(window.points, percent) { row.add("tau\(q)", point.clock) }
            for (point, q) in zip(window.points, percent) { row.add("log_snr\(q)", point.logSNR) }
            for (point, q) in zip(window.points, percent) { row.add("signal\(q)", point.signal) }
            return row
        }
    }

    private func inputs(_ scheduleName: ScheduleName) -> Row {
        var row = Row()
        row.add("schedule", scheduleName.rawValue)
        row.add("d", problem.d)
        row.add("p", problem.p)
        row.add("sigma", problem.sigma)
        return row
    }
}
