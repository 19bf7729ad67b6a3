import ArgumentParser
import Foundation
import Experiments
import RunStore
import FlowModel
import GSLKit
import Theory

/// `phaseflow exact`: p̂, σ̂ and the commit time of the exact-field flow at one point.
struct ExactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Generated mode probability p̂, spread σ̂ and commit time of the exact-denoiser flow.")

    enum IntegratorChoice: String, ExpressibleByArgument, CaseIterable {
        case adaptive, euler, x1Pred = "x1-pred", all
    }

    @OptionGroup var setup: SetupOptions
    @Option(help: FlagHelp.schedule)
    var schedule: ScheduleName = .dilated
    @Option(name: .customLong("sigma-max"), help: "Initial noise level of the ve schedule (default 100√d).")
    var sigmaMax: Double?
    @Option(help: FlagHelp.steps)
    var steps: Int = 50
    @Option(help: FlagHelp.integrator)
    var integrator: IntegratorChoice = .all
    @Option(help: FlagHelp.stepper)
    var stepper: ODEStepper = .rk8pd
    @Option(name: .customLong("rel-tol"), help: FlagHelp.relTol)
    var relTol: Double = 1e-10
    @Option(name: .customLong("abs-tol"), help: FlagHelp.absTol)
    var absTol: Double = 1e-12
    @Option(help: "Commit threshold θ on |E[s | x]| (EF.17).")
    var threshold: Double = 0.9
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table

    func validate() throws {
        try requireCount("steps", steps, atMost: Limits.gridSteps)
        try require("threshold", threshold, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try requireTolerances(relative: relTol, absolute: absTol)
        // At pure noise E[s | x] = 2p − 1 (EF.17): a prior at or beyond θ is committed from t = 0 and
        // has no commit time (its log SNR would be −∞).
        try require("p", setup.p, "in (0, 1)") { $0 > 0 && $0 < 1 }
        let prior = abs(2 * setup.p - 1)
        guard prior < threshold else {
            let remedy = prior < 1 ? "a --threshold in (\(prior), 1) or a p nearer ½" : "a p nearer ½"
            throw ValidationError("--p \(setup.p) with --threshold \(threshold): the prior mean |2p − 1| = \(prior) is beyond the threshold at pure noise, so the flow has no commit time; give \(remedy)")
        }
    }

    func run() throws {
        let problem = try setup.problem()
        let field = ExactField(problem: problem, schedule: try schedule.make(for: problem, k: setup.k, sigmaMax: sigmaMax))
        if integrator != .adaptive, steps % field.schedule.stepQuantum != 0 {
            warn("steps = \(steps) puts no grid point on the \(schedule.rawValue) clock's breakpoint; one step mixes two clock rates (use a multiple of \(field.schedule.stepQuantum))")
        }
        let adaptive = FlowIntegrator.adaptive(stepper, ODETolerance(absolute: absTol, relative: relTol))
        let integrators: [FlowIntegrator] = switch integrator {
        case .adaptive: [adaptive]
        case .euler: [.euler(steps: steps)]
        case .x1Pred: [.x1Prediction(steps: steps)]
        case .all: [adaptive, .euler(steps: steps), .x1Prediction(steps: steps)]
        }
        try printRows(try field.rows(integrators, scheduleName: schedule, k: setup.k, steps: steps, threshold: threshold), format)
    }
}

/// `phaseflow diagram`: |p̂ − p| of a grid integrator over (d, K) for several schedules, the
/// boundary K*(d) and its power-law exponent (derivations/exact-flow.md §7).
struct DiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagram",
        abstract: "Sweep d and the number of steps K; write |p̂ − p|, the boundary K*(d) and a heat map.")

    @OptionGroup var setup: SetupOptions
    @Option(name: .customLong("sigma-max"), help: "Initial noise level of the ve schedule (default 100√d).")
    var sigmaMax: Double?
    @Option(parsing: .upToNextOption, help: FlagHelp.schedules)
    var schedules: [ScheduleName] = [.linear, .dilated]
    @Option(help: FlagHelp.integrator)
    var integrator: DiagramSweep.Scheme = .euler
    @Option(name: .customLong("d-min"), help: "Smallest dimension d of the sweep.") var dMin: Double = 1e2
    @Option(name: .customLong("d-max"), help: "Largest dimension d of the sweep (≥ --d-min).") var dMax: Double = 1e6
    @Option(name: .customLong("d-per-decade"), help: "Log-spaced values of d per decade.") var dPerDecade: Int = 4
    @Option(name: .customLong("steps-min"), help: "Smallest number of steps K of the sweep.") var stepsMin: Double = 10
    @Option(name: .customLong("steps-max"), help: "Largest number of steps K of the sweep (≥ --steps-min).") var stepsMax: Double = 1e4
    @Option(name: .customLong("steps-per-decade"), help: "Log-spaced values of K per decade.") var stepsPerDecade: Int = 6
    @Option(help: FlagHelp.tolerance)
    var tolerance: Double = 0.01
    @Option(help: FlagHelp.out, transform: outputPath)
    var out: String = "out/diagram"
    @Flag(help: FlagHelp.resume)
    var resume = false
    @Option(help: FlagHelp.shard, transform: { try Shard(parsing: $0) })
    var shard: Shard = .whole

    func validate() throws {
        try setup.rejectDimension("the diagram sweeps --d-min … --d-max")
        try require("d-min", dMin, "≥ 1") { $0 >= 1 }
        try require("d-max", dMax, "≥ d-min and ≤ 1e12") { $0 >= dMin && $0 <= 1e12 }
        try require("steps-min", stepsMin, "≥ 1") { $0 >= 1 }
        try require("steps-max", stepsMax, "≥ steps-min and ≤ \(Limits.gridSteps)") { $0 >= stepsMin && $0 <= Double(Limits.gridSteps) }
        try requireCount("d-per-decade", dPerDecade, atMost: 1000)
        try requireCount("steps-per-decade", stepsPerDecade, atMost: 1000)
        try require("d-per-decade", Double(dPerDecade), "≥ 1") { $0 >= 1 }
        try require("steps-per-decade", Double(stepsPerDecade), "≥ 1") { $0 >= 1 }
        try require("tolerance", tolerance, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try requireDistinct("schedules", schedules)
        try sweep().validate()
        try requireRunToResume(resume, out: out)
    }

    /// The sweep of these flags; the setup's d is each of --d-min … --d-max (--d is refused).
    func sweep() throws -> DiagramSweep {
        var sweep = DiagramSweep(setup: try setup.setup(at: .infinite), directory: URL(fileURLWithPath: out, isDirectory: true))
        sweep.sigmaMax = sigmaMax
        sweep.schedules = schedules; sweep.integrator = integrator; sweep.tolerance = tolerance
        sweep.dMin = dMin; sweep.dMax = dMax; sweep.dPerDecade = dPerDecade
        sweep.stepsMin = stepsMin; sweep.stepsMax = stepsMax; sweep.stepsPerDecade = stepsPerDecade
        return sweep
    }

    func run() throws {
        let started = Date()
        let (boundary, exponents) = try sweep().run(resume: resume, shard: shard)
        guard shard.count == 1 else {
            return try note("shard \(shard) written to \(out); join the shards with `phaseflow merge`, then run diagram with --resume on the merged directory")
        }
        try printRows(boundary, .table)
        for line in exponents { try note(line) }
        try note(String(format: "wrote %@/rows.csv, boundary.csv, diagram.gp%@ in %.1f s", out,
                     pngNote(out, "diagram.png"), Date().timeIntervalSince(started)))
    }
}
