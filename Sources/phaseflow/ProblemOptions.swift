import ArgumentParser
import FlowModel

extension ScheduleName: ExpressibleByArgument {}

/// The flags that define the target and the schedule, shared by every command.
struct ProblemOptions: ParsableArguments {
    @Option(help: "Dimension d (a whole number ≥ 1; 1e5 is accepted).")
    var d: Double = 10_000
    @Option(help: "Probability p of the + mode, in (0, 1).")
    var p: Double = 0.8
    @Option(help: "Within-mode standard deviation σ > 0.")
    var sigma: Double = 1
    @Option(help: "Dilation constant k of the dilated schedules (needs k < √d).")
    var k: Double = 2
    @Option(name: .customLong("sigma-max"), help: "Initial noise level of the ve schedule (default 100√d).")
    var sigmaMax: Double?

    func problem(dimension: Double? = nil) throws -> Problem {
        try Problem(dimension: dimension ?? d, p: p, sigma: sigma)
    }

    func schedule(_ name: ScheduleName, for problem: Problem) throws -> any Schedule {
        try name.make(for: problem, k: k, sigmaMax: sigmaMax)
    }
}
