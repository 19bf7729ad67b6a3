import ArgumentParser
import FlowModel
import GSLKit
import Theory

extension ODEStepper: ExpressibleByArgument {}

/// `phaseflow exact`: p̂, σ̂ and the commit time of the exact-field flow at one point.
struct ExactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Generated mode probability p̂, spread σ̂ and commit time of the exact-denoiser flow.")

    enum IntegratorChoice: String, ExpressibleByArgument, CaseIterable {
        case adaptive, euler, x1Pred = "x1-pred", all
    }

    @OptionGroup var problemOptions: ProblemOptions
    @Option(help: "Schedule: \(ScheduleName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleName = .dilated
    @Option(help: "Number K of uniform clock steps of the grid integrators.")
    var steps: Int = 50
    @Option(help: "adaptive (continuous reference), euler, x1-pred, or all.")
    var integrator: IntegratorChoice = .all
    @Option(help: "Stepper of the adaptive integrator.")
    var stepper: ODEStepper = .rk8pd
    @Option(name: .customLong("rel-tol"), help: "Relative tolerance of the adaptive integrator.")
    var relTol: Double = 1e-10
    @Option(name: .customLong("abs-tol"), help: "Absolute tolerance of the adaptive integrator.")
    var absTol: Double = 1e-12
    @Option(help: "Commit threshold θ on |E[s | x]| (EF.17).")
    var threshold: Double = 0.9
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table

    func validate() throws {
        try require("steps", Double(steps), "≥ 1") { $0 >= 1 }
        try require("threshold", threshold, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("rel-tol", relTol, "> 0") { $0 > 0 }
        try require("abs-tol", absTol, "≥ 0") { $0 >= 0 }
    }

    func run() throws {
        let problem = try problemOptions.problem()
        let field = ExactField(problem: problem, schedule: try problemOptions.schedule(schedule, for: problem))
        if integrator != .adaptive, steps % field.schedule.stepQuantum != 0 {
            warn("steps = \(steps) puts no grid point on the \(schedule.rawValue) clock's breakpoint; one step mixes two clock rates (use a multiple of \(field.schedule.stepQuantum))")
        }
        let integrators: [FlowIntegrator] = switch integrator {
        case .adaptive: [adaptive]
        case .euler: [.euler(steps: steps)]
        case .x1Pred: [.x1Prediction(steps: steps)]
        case .all: [adaptive, .euler(steps: steps), .x1Prediction(steps: steps)]
        }
        let rows = try integrators.map { integrator in
            let o = try makeReducedFlow(field, integrator).observables(threshold: threshold)
            var row = Row()
            row.add("schedule", schedule.rawValue)
            row.add("integrator", integrator.name)
            row.add("d", problem.dimension)
            row.add("p", problem.p)
            row.add("sigma", problem.sigma)
            row.add("k", problemOptions.k)
            row.add("steps", steps)
            row.add("p_hat", o.pHat)
            row.add("p_error", o.pHat - problem.p)
            row.add("sigma_hat", o.sigmaHat)
            row.add("commit_time", o.commitClock)
            row.add("commit_t", o.commitTime)
            row.add("commit_log_snr", o.commitLogSNR)
            return row
        }
        print(try render(rows, as: format), terminator: "")
    }

    private var adaptive: FlowIntegrator {
        .adaptive(stepper, ODETolerance(absolute: absTol, relative: relTol))
    }
}
