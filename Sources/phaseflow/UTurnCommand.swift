import ArgumentParser
import FlowModel
import Theory

/// `phaseflow uturn`: the mixture's U-turn curves and their 10/50/90 % times (derivations/mixture-uturn.md).
struct UTurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uturn",
        abstract: "P(end in the other mode | start mode) after noising to t and flowing back (ODE and SDE), and its window t10 t50 t90.")

    @OptionGroup var problemOptions: ProblemOptions
    @Option(help: "Schedule: \(ScheduleName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleName = .linear
    @Option(help: "Number of times (uniform in log-SNR across the four curves' 1–99 % range).")
    var points: Int = 60
    @Flag(help: "Print t10 t50 t90 (and their clock tau, log-SNR and signal) of each curve instead of the curves.")
    var summary = false
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table

    func run() throws {
        let problem = try problemOptions.problem()
        let uturn = MixtureUTurn(problem: problem, schedule: try problemOptions.schedule(schedule, for: problem))
        func inputs() -> Row {
            var row = Row()
            row.add("schedule", schedule.rawValue)
            row.add("d", problem.dimension)
            row.add("p", problem.p)
            row.add("sigma", problem.sigma)
            return row
        }
        let rows: [Row] = if summary {
            try UTurnCurve.allCases.map { curve in
                let window = try uturn.window(curve)
                var row = inputs()
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
        } else {
            try uturn.plotClocks(points: points).map { tau in
                var row = inputs()
                row.add("tau", tau)
                row.add("t", uturn.schedule.interpolantTime(at: tau))
                row.add("log_snr", uturn.logSNR(at: tau))
                row.add("signal", uturn.signal(at: tau))
                for curve in UTurnCurve.allCases { row.add(curve.key, try uturn.flip(curve, at: tau)) }
                return row
            }
        }
        print(try render(rows, as: format), terminator: "")
    }
}
