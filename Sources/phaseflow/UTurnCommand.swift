import ArgumentParser
import Experiments
import FlowModel
import Theory

/// `phaseflow uturn`: the mixture's U-turn curves and their 10/50/90 % times (derivations/mixture-uturn.md).
struct UTurnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uturn",
        abstract: "P(end in the other mode | start mode) after noising to t and flowing back (ODE and SDE), and its window t10 t50 t90.")

    @OptionGroup var setup: SetupOptions
    @Option(help: FlagHelp.schedule)
    var schedule: ScheduleName = .linear
    @Option(name: .customLong("sigma-max"), help: "Initial noise level of the ve schedule (default 100√d).")
    var sigmaMax: Double?
    @Option(help: FlagHelp.points)
    var points: Int = 60
    @Flag(help: FlagHelp.summary)
    var summary = false
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table

    func validate() throws {
        try requireCount("points", points, atLeast: 2, atMost: Limits.outputPoints)
        // k is the dilated clocks' constant; the other schedules never read it, so a --k there would be ignored.
        if ![.dilated, .dilatedVP].contains(schedule), setup.k != SetupOptions.defaultK {
            throw ValidationError("--k \(setup.k) is the dilated clock's constant; --schedule \(schedule.rawValue) does not use it (add --schedule dilated)")
        }
    }

    func run() throws {
        let problem = try setup.problem()
        let uturn = MixtureUTurn(problem: problem, schedule: try schedule.make(for: problem, k: setup.k, sigmaMax: sigmaMax))
        try printRows(summary ? try uturn.summaryRows(scheduleName: schedule) : try uturn.curveRows(points: points, scheduleName: schedule), format)
    }
}
