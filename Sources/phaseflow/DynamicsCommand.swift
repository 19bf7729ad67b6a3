import ArgumentParser
import FlowModel
import Dynamics
import Experiments
import Foundation
import GSLKit

/// `phaseflow dynamics <mode>`: order-parameter trajectories of the training
/// (derivations/training-dynamics.md, plateau-escape.md), one subcommand per mode.
struct DynamicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynamics",
        abstract: "Order-parameter ODEs of the autoencoder's training (gradient flow or online SGD) vs training time.",
        subcommands: [DynamicsFlow.self, DynamicsFiniteN.self, DynamicsAdam.self, DynamicsEscape.self, DynamicsVsSimulation.self,
                      DynamicsFiniteSize.self])

    /// `phaseflow dynamics` alone names no computation: one line listing the modes, non-zero exit
    /// (`phaseflow help dynamics` prints the help).
    func run() throws {
        let modes = Self.configuration.subcommands.map { $0._commandName }.joined(separator: ", ")
        throw ValidationError("dynamics needs a mode: \(modes) (phaseflow help dynamics)")
    }
}

/// The flags every dynamics mode shares: the setup, the clock times, the training rule and
/// penalties, the output times, the integrator and the output.
struct DynamicsOptions: ParsableArguments {
    @OptionGroup var setup: SetupOptions
    @Option(help: FlagHelp.tau)
    var tau: Double?
    @Option(name: .customLong("tau-grid"), help: "K: run every τ = 2j/K, j = 1…K−1 (the authors' grid without its ends).")
    var tauGrid: Int?
    @Option(help: FlagHelp.lr)
    var lr: Double = 0.1
    @Option(name: .customLong("time-max"), help: "Time limit (training time).")
    var timeMax: Double = 500
    @Option(name: .customLong("time-points"), help: "Number of output intervals on [0, time-max].")
    var timePoints: Int = 500
    @Flag(name: .customLong("log-time"), help: "Log-spaced output times (first at time-max/10⁴).")
    var logTime = false
    @Option(help: FlagHelp.stepper)
    var stepper: ODEStepper = .rk8pd
    @Option(name: .customLong("rel-tol"), help: FlagHelp.relTol) var relTol: Double = 1e-10
    @Option(name: .customLong("abs-tol"), help: FlagHelp.absTol) var absTol: Double = 1e-12
    @Option(help: "Stop when |d(order parameters)/d time|/η falls below this.")
    var convergence: Double = 1e-10
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table

    /// The largest η of the order-parameter equations.
    static let largestLearningRate = 10.0

    func validate() throws {
        guard (tau == nil) != (tauGrid == nil) else { throw ValidationError("give exactly one of --tau and --tau-grid") }
        if let tau { try require("tau", tau, "in [0, 2)") { $0 >= 0 && $0 < 2 } }
        if let tauGrid { try requireCount("tau-grid", tauGrid, atLeast: 2, atMost: 10_000) }
        // Online SGD's noise term grows with η: at η = 1000, d = 1000 r reached 5e8 (r ≈ 12 at η = 10).
        try require("lr", lr, "in (0, \(Int(Self.largestLearningRate))]") { $0 > 0 && $0 <= Self.largestLearningRate }
        // Below 1e-6 the output times time-max·j/points collapse onto each other (4.9e-324 failed in GSL).
        try require("time-max", timeMax, "in [1e-6, \(Limits.trainingTime)]") { $0 >= 1e-6 && $0 <= Limits.trainingTime }
        try requireCount("time-points", timePoints, atMost: Limits.outputPoints)
        try requireTolerances(relative: relTol, absolute: absTol)
        try require("convergence", convergence, "≥ 0") { $0 >= 0 }
    }

    /// The experiment with these flags (`--d inf` selects the d → ∞ equations) and penalties: the
    /// per-sample ℓ of online SGD, or the L of J in finite-n.
    func dynamics(penaltyU: Double, penaltyW: Double) throws -> TrainingDynamics {
        var e = TrainingDynamics(setup: try setup.setup())
        e.taus = tau.map { [$0] } ?? (1..<tauGrid!).map { 2 * Double($0) / Double(tauGrid!) }
        e.learningRate = lr; e.penaltyU = penaltyU; e.penaltyW = penaltyW
        e.timeMax = timeMax; e.timePoints = timePoints; e.logTime = logTime
        e.stepper = stepper; e.relTol = relTol; e.absTol = absTol; e.convergence = convergence
        return e
    }
}

/// The escape ensemble switches from the plateau SDE to the ODE when the root-mean-square m reaches
/// --switch-overlap (PE.7), so that overlap must exceed the start's: 1/√d from theory init (TD.19),
/// |m0| from a given start. Checked before any work (the ensemble found it only after the simulation).
func requireSwitchBeyondStart(_ switchOverlap: Double, d: Double, m0: Double?) throws {
    guard d.isFinite else { return }
    let start = m0.map(abs) ?? 1 / d.squareRoot()
    guard switchOverlap > start else {
        throw ValidationError(String(format: "--switch-overlap %g must exceed the start's root-mean-square m (%.4g%@; PE.7): raise --switch-overlap or d%@",
                                     switchOverlap, start, m0 == nil ? String(format: " = 1/√d at d = %g", d) : " = |m0|",
                                     m0 == nil ? "" : ", or give a smaller --m0"))
    }
}

/// A penalty of the order-parameter equations: in [0, 1000], since one far beyond the loss's O(1)
/// scale makes the equations stiff (9e231: a GSL failure).
func requireDynamicsPenalty(_ name: String, _ value: Double) throws {
    try require(name, value, "in [0, 1000]") { $0 >= 0 && $0 <= 1000 }
}

/// The per-sample penalties of the n = ∞ modes (flow, escape, vs-simulation, finite-size).
struct SamplePenaltyOptions: ParsableArguments {
    @Option(name: .customLong("sample-penalty-u"), help: FlagHelp.samplePenaltyU) var samplePenaltyU: Double = 0
    @Option(name: .customLong("sample-penalty-w"), help: FlagHelp.samplePenaltyW) var samplePenaltyW: Double = 0

    func validate() throws {
        try requireDynamicsPenalty("sample-penalty-u", samplePenaltyU)
        try requireDynamicsPenalty("sample-penalty-w", samplePenaltyW)
    }

    func dynamics(_ options: DynamicsOptions) throws -> TrainingDynamics {
        try options.dynamics(penaltyU: samplePenaltyU, penaltyW: samplePenaltyW)
    }
}

/// The start of a trajectory and the per-τ options of the deterministic modes.
struct StartOptions: ParsableArguments {
    @Option(help: "Initial m = u·μ/d (default 1/√d; 1e-3 at d = inf). The sign convention is m ≥ 0.")
    var m0: Double?
    @Option(help: "Initial ω = w·μ/d (default 1/√d; 1e-3 at d = inf).")
    var omega0: Double?
    @Option(help: "Initial u·w/d, in [-100, 100].")
    var uw0: Double = 0
    @Option(help: "Initial c (theory init: 0), in [-100, 100].")
    var c0: Double = 0
    @Flag(help: FlagHelp.summary)
    var summary = false
    @Option(help: FlagHelp.out, transform: outputPath)
    var out: String?

    func validate() throws {
        // A trained network's order parameters are O(1) (|c| ≤ 1 at the optimum); a start far beyond
        // makes the equations stiff: c0 = 1e5 took 10 s, c0 = 1e10 ran > 150 s without output.
        for (name, value) in [("m0", m0), ("omega0", omega0), ("uw0", uw0), ("c0", c0)] {
            if let value { try require(name, value, "in [-\(Int(Self.largestStart)), \(Int(Self.largestStart))]") { abs($0) <= Self.largestStart } }
        }
        // The trajectories are reported on the m ≥ 0 representative (TD.9): a start m < 0 is the mirror of −m.
        if let m0 { try require("m0", m0, "in [0, \(Int(Self.largestStart))] (m ≥ 0 by the sign symmetry TD.9: −m is the mirrored start)") { $0 >= 0 } }
    }

    /// The largest |start| of an order parameter.
    static let largestStart = 100.0

    func apply(to e: inout TrainingDynamics) {
        e.m0 = m0; e.omega0 = omega0; e.uw0 = uw0; e.c0 = c0; e.summary = summary
        e.figureDirectory = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }
}

/// The simulated seeds of the online protocol compared with the equations (TD §7).
struct SimulationSeedOptions: ParsableArguments {
    @Option(help: FlagHelp.seeds)
    var seeds: Int = 8
    @Option(help: FlagHelp.seed, transform: seedValue)
    var seed: UInt64 = 1
    @Flag(name: .customLong("any-start"), help: "Keep simulation seeds whose initial m·ω < 0 (default: w is negated there, TD.20).")
    var anyStart = false
    @Option(help: FlagHelp.planted)
    var planted: Double?

    var seedList: [UInt64] { (try? seedRange(first: seed, count: seeds)) ?? [] }

    func validate(_ options: DynamicsOptions) throws {
        try require("seeds", Double(seeds), "≥ 2") { $0 >= 2 }
        _ = try seedRange(first: seed, count: seeds)
        if let planted { try require("planted", planted, "finite") { _ in true } }
        guard options.tau != nil else { throw ValidationError("the simulation needs a single --tau") }
    }
}

struct DynamicsFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "The n = ∞ order-parameter ODEs (gradient flow or online SGD; --d inf for the d → ∞ equations).")
    @OptionGroup var options: DynamicsOptions
    @OptionGroup var penalties: SamplePenaltyOptions
    @OptionGroup var start: StartOptions
    @Option(help: "Training rule: gf (gradient flow on the population loss) or sgd (online SGD, TD.16–TD.18).")
    var training: TrainingRule = .onlineSGD

    func run() throws {
        var e = try penalties.dynamics(options)
        e.rule = training
        start.apply(to: &e)
        try printRows(try e.flowRows(), options.format)
    }
}

struct DynamicsFiniteN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finite-n", abstract: "Full-batch gradient flow on J/n with n fixed points (TD.30–TD.41; the gd protocol, time = epochs).")
    @OptionGroup var options: DynamicsOptions
    @OptionGroup var start: StartOptions
    @Option(help: FlagHelp.n)
    var n: Double = 128
    @Option(name: .customLong("data-seed"), help: "Seed of the training set and of the random init (finite d), or of the per-point overlaps (d = inf); in [0, 2^63 − 1]. (default: 1)", transform: seedValue)
    var dataSeed: UInt64 = 1
    @Option(name: .customLong("penalty-u"), help: FlagHelp.penaltyU) var penaltyU: Double = AutoencoderOptions.defaultPenalty
    @Option(name: .customLong("penalty-w"), help: FlagHelp.penaltyW) var penaltyW: Double = AutoencoderOptions.defaultPenalty

    func validate() throws {
        try require("n", n, "a whole number in [1, \(Int(TrainingDynamics.largestN))]") {
            $0 >= 1 && $0 == $0.rounded() && $0 <= TrainingDynamics.largestN
        }
        try requireDynamicsPenalty("penalty-u", penaltyU)
        try requireDynamicsPenalty("penalty-w", penaltyW)
        if options.setup.dimension.isFinite, start.m0 != nil || start.omega0 != nil || start.uw0 != 0 {
            throw ValidationError("at finite d the start is a random init drawn from --data-seed; --m0, --omega0, --uw0 apply with --d inf only")
        }
    }

    func run() throws {
        var e = try options.dynamics(penaltyU: penaltyU, penaltyW: penaltyW)
        e.rule = .gradientFlow
        start.apply(to: &e)
        try printRows(try e.finiteSampleRows(n: Int(n), dataSeed: dataSeed), options.format)
    }
}

/// `phaseflow dynamics adam`: the authors' Adam protocol in its mean field (derivations/adam-offset.md
/// §5, AD.5–AD.8), from each seed's own start, with the flags of `simulate`.
struct DynamicsAdam: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adam",
        abstract: "The authors' Adam protocol in its mean field (AD.5–AD.8): each seed's trajectory and branch from its own start, with simulate's flags.")
    @OptionGroup var setup: SetupOptions
    @OptionGroup var simulation: SimulationOptions
    @Option(parsing: .upToNextOption, help: FlagHelp.tau)
    var tau: [Double] = []
    @Option(help: FlagHelp.format) var format: OutputFormat = .csv

    func validate() throws { try requireDistinct("tau", tau) }

    func run() throws {
        let config = try simulation.configuration(setup)
        let indices = try AdamBranchPrediction.gridIndices(config, taus: tau.isEmpty ? nil : tau)
        try printRows(try AdamBranchPrediction.rows(config, seeds: simulation.seedList, indices: indices), format)
    }
}

struct DynamicsEscape: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escape", abstract: "Online SGD at finite d: the law of trajectories from the plateau (plateau SDE, then the ODE; PE.9).")
    @OptionGroup var options: DynamicsOptions
    @OptionGroup var penalties: SamplePenaltyOptions
    @OptionGroup var start: StartOptions
    @Option(help: "Members of the ensemble (≥ 2). Starts from theory init unless --m0/--omega0 are given.")
    var members: Int = 200
    @Option(name: .customLong("switch-overlap"), help: FlagHelp.switchOverlap)
    var switchOverlap: Double = 0.05
    @Option(name: .customLong("ensemble-seed"), help: FlagHelp.ensembleSeed, transform: seedValue)
    var ensembleSeed: UInt64 = 1

    func validate() throws {
        try requireCount("members", members, atLeast: 2, atMost: Limits.ensemble)
        try require("switch-overlap", switchOverlap, "in (0, 0.5)") { $0 > 0 && $0 < 0.5 }
        if !options.setup.dimension.isFinite {
            throw ValidationError("the escape ensemble (--members) needs a finite d; got --d inf")
        }
        try requireSwitchBeyondStart(switchOverlap, d: options.setup.dimension, m0: start.m0)
    }

    func run() throws {
        var e = try penalties.dynamics(options)
        start.apply(to: &e)
        try printRows(try e.escapeRows(EscapeOptions(members: members, switchOverlap: switchOverlap, seed: ensembleSeed)), options.format)
    }
}

struct DynamicsVsSimulation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vs-simulation",
        abstract: "Online SGD at one τ and finite d: the seed-averaged ODE beside the simulation's mean and standard error (<key>_sim, <key>_sim_se).")
    @OptionGroup var options: DynamicsOptions
    @OptionGroup var penalties: SamplePenaltyOptions
    @OptionGroup var simulation: SimulationSeedOptions
    @Flag(help: FlagHelp.summary)
    var summary = false

    func validate() throws {
        try simulation.validate(options)
        guard options.setup.dimension.isFinite else { throw ValidationError("the simulation needs a finite d; got --d inf") }
    }

    func run() throws {
        var e = try penalties.dynamics(options)
        e.summary = summary
        try printRows(try e.simulationRows(seeds: simulation.seedList, planted: simulation.planted, alignedStart: !simulation.anyStart),
                      options.format)
    }
}

struct DynamicsFiniteSize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finite-size",
        abstract: "Online SGD at one τ: the largest |simulation − ODE| at several d (one row per d) and its fit ∝ d^a; optionally against the escape ensemble.")
    @OptionGroup var options: DynamicsOptions
    @OptionGroup var penalties: SamplePenaltyOptions
    @OptionGroup var simulation: SimulationSeedOptions
    @Option(parsing: .upToNextOption, help: FlagHelp.dims)
    var dims: [Double] = [1000, 4000]
    @Option(name: .customLong("escape-ensemble"), help: "From theory init: also compare with a plateau-escape ensemble of this many members (PE.9).")
    var escapeEnsemble: Int = 0
    @Option(name: .customLong("switch-overlap"), help: FlagHelp.switchOverlap)
    var switchOverlap: Double = 0.05
    @Option(name: .customLong("ensemble-seed"), help: FlagHelp.ensembleSeed, transform: seedValue)
    var ensembleSeed: UInt64 = 1

    func validate() throws {
        try options.setup.rejectDimension("finite-size takes --dims")
        try simulation.validate(options)
        guard !dims.isEmpty else { throw ValidationError("--dims needs at least one dimension") }
        for d in dims { try require("dims", d, "a whole number in [2, 1e9]") { $0 >= 2 && $0 == $0.rounded() && $0 <= 1e9 } }
        try requireDistinct("dims", dims)
        // The domain is checked whether or not the ensemble runs (a bad value is never silently ignored).
        try require("switch-overlap", switchOverlap, "in (0, 0.5)") { $0 > 0 && $0 < 0.5 }
        if escapeEnsemble != 0 {
            try requireCount("escape-ensemble", escapeEnsemble, atLeast: 2, atMost: Limits.ensemble)
            if simulation.planted != nil { throw ValidationError("--escape-ensemble compares runs from theory init (no --planted)") }
            for d in dims { try requireSwitchBeyondStart(switchOverlap, d: d, m0: nil) }
        }
    }

    func run() throws {
        let escape = escapeEnsemble > 0 ? EscapeOptions(members: escapeEnsemble, switchOverlap: switchOverlap, seed: ensembleSeed) : nil
        let (rows, fit) = try penalties.dynamics(options).finiteSizeRows(dimensions: try dims.map { try Dimension($0) }, seeds: simulation.seedList, planted: simulation.planted,
                                                              alignedStart: !simulation.anyStart, escape: escape)
        try printRows(rows, options.format)
        if let fit { writeStandardError("phaseflow: \(fit)\n") }
    }
}
