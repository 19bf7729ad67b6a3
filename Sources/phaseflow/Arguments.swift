import ArgumentParser
import Foundation
import Dynamics
import Experiments
import RunStore
import FlowModel
import GSLKit
import Simulation
import Theory

/// d (FlowModel's; Foundation also has a `Dimension`, the unit class).
typealias Dimension = FlowModel.Dimension

extension ScheduleName: ExpressibleByArgument {}
extension ODEStepper: ExpressibleByArgument {}
extension TrainingRule: ExpressibleByArgument {}
extension Initialisation: ExpressibleByArgument {}
extension GradientPathChoice: ExpressibleByArgument {}
extension SimulationPrecision: ExpressibleByArgument {}
extension GenerationScheme: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension AutoencoderExperiment.Integrator: ExpressibleByArgument {}
extension DiagramSweep.Scheme: ExpressibleByArgument {}

/// A count or dimension that may be infinite: a number, or `inf` for the n = ∞ / d = ∞ theory.
struct Extended: ExpressibleByArgument, CustomStringConvertible {
    let value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        let text = argument.lowercased()
        if ["inf", "infinity", "∞"].contains(text) { value = .infinity; return }
        // Only the word means ∞: a literal that overflows (1e400) is refused, not read as inf.
        guard let x = Double(argument), x.isFinite else { return nil }
        value = x
    }
    var description: String { extendedCell(value).text }
}

/// The physical setup shared by every command: the target (d, p, σ) and the dilation constant k,
/// with the same defaults everywhere. d defaults to 5000, the authors' simulation dimension, where
/// their effective penalty Kλd/2 (K = 80, λ = 10⁻⁵) is the theory's default L = 2; `--d inf` selects
/// the d = ∞ theory where a command has one (the simulations refuse it).
struct SetupOptions: ParsableArguments {
    /// d when --d is not given, in every command.
    static let defaultDimension = 5000.0
    @Option(help: ArgumentHelp(FlagHelp.d.abstract + " (default: 5000, the authors' simulation dimension)"))
    var d: Extended?
    @Option(help: "Probability p of the + mode, in (0, 1).")
    var p: Double = Setup.defaultP
    @Option(help: FlagHelp.sigma)
    var sigma: Double = Setup.defaultSigma
    @Option(help: "Dilation constant k of the dilated clock (phase 1 covers β√d ∈ [0, k]; needs k < √d).")
    var k: Double = defaultK
    /// k when --k is not given.
    static let defaultK = Setup.defaultK

    /// d as given, or the default.
    var dimension: Double { d?.value ?? Self.defaultDimension }

    /// d, p, σ and k each in their domain before any work (so that a sweep wrapped by slurm-script
    /// is checked by parsing alone); the combinations (k < √d on the dilated clock) stay with the command.
    func validate() throws {
        _ = try Setup(dimension: try Dimension(dimension), p: p, sigma: sigma, k: k)
    }

    /// The setup these flags define, with the training-set size n; `at` overrides d for commands
    /// that refuse --d (the d = ∞ boundaries).
    func setup(n: Double = .infinity, at fixed: Dimension? = nil) throws -> Setup {
        try Setup(dimension: try fixed ?? Dimension(dimension), p: p, sigma: sigma, k: k, n: n)
    }

    /// The target at a finite d (one line naming d = inf otherwise).
    func problem() throws -> Problem {
        try setup().problem()
    }

    /// Refuses --d in commands that take their dimensions elsewhere.
    func rejectDimension(_ reason: String) throws {
        if let d { throw ValidationError("--d \(d) is not used here: \(reason)") }
    }
}

/// The training set and penalties of the autoencoder theory (`theory`, `predict`, `boundaries`).
struct AutoencoderOptions: ParsableArguments {
    @Option(help: FlagHelp.n)
    var n: SampleCount?
    /// n, 128 by default.
    var trainingPoints: Double { n?.value ?? 128 }
    @Option(name: .customLong("n-plus"), help: "Training points in the + mode (default p·n; any value in (0, n); needs a finite --n).")
    var nPlus: Double?
    /// L_u = L_w of J when not given, wherever the flags mean the L of AT.2 (theory, predict,
    /// boundaries, phase-diagram, ablation, dynamics finite-n).
    static let defaultPenalty = 2.0
    @Option(name: .customLong("penalty-u"), help: FlagHelp.penaltyU)
    var penaltyU: Double = defaultPenalty
    @Option(name: .customLong("penalty-w"), help: FlagHelp.penaltyW)
    var penaltyW: Double = defaultPenalty

    func problem(_ setup: Setup) throws -> AutoencoderProblem {
        try AutoencoderProblem(setup: setup, nPlus: nPlus, penaltyU: penaltyU, penaltyW: penaltyW)
    }
}

/// Prints rows on stdout in the chosen format.
func printRows(_ rows: [Row], _ format: OutputFormat) throws {
    try OutputDescriptor.standardOutput.write(try render(rows, as: format))
}

/// One line on stderr (a failed write is thrown, so a full stderr is an error, not a crash).
func note(_ line: String) throws {
    try OutputDescriptor.standardError.write(line + "\n")
}

/// A shard `i/N` of a sweep (1 ≤ i ≤ N; `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`).
extension Shard: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// "name.png" when gnuplot drew it, else a note.
func pngNote(_ directory: String, _ name: String) -> String {
    FileManager.default.fileExists(atPath: directory + "/" + name) ? ", " + name : " (gnuplot not found: no PNG)"
}

/// `--threads`: worker threads, all cores by default (the help says "all cores", not this
/// machine's count, so the generated reference is the same everywhere).
struct WorkerThreads: ExpressibleByArgument, CustomStringConvertible {
    /// The largest thread count accepted.
    static let limit = 1024
    static var allCores: WorkerThreads { WorkerThreads(count: ProcessInfo.processInfo.activeProcessorCount) }
    let count: Int
    init(count: Int) { self.count = count }
    init?(argument: String) {
        guard let count = Int(argument), count >= 1, count <= Self.limit else { return nil }
        self.count = count
    }
    var defaultValueDescription: String { "all cores" }
    var description: String { "\(count)" }
}

/// The one check of every `--out`: a non-empty path without control characters (an empty --out
/// would write into the current directory; a newline would break the scripts that name it).
///
///     @Option(help: "Output directory.", transform: outputPath) var out: String = "out/x"
func outputPath(_ text: String) throws -> String {
    guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("an empty path would write into the current directory; name a directory")
    }
    if let bad = text.unicodeScalars.first(where: { CharacterSet.controlCharacters.contains($0) }) {
        throw ValidationError("it holds the control character U+\(String(bad.value, radix: 16, uppercase: true))")
    }
    // Checked now, not after the work: a file, /dev/null, or a place nothing can be created (/proc).
    if let problem = OutputLocation.directoryProblem(text) { throw ValidationError(problem) }
    return text
}

/// The one check of an output file (`--export-density`): a non-empty path that is not a directory,
/// in a directory that exists or can be created, checked before any work.
func outputFilePath(_ text: String) throws -> String {
    if let bad = text.unicodeScalars.first(where: { CharacterSet.controlCharacters.contains($0) }) {
        throw ValidationError("it holds the control character U+\(String(bad.value, radix: 16, uppercase: true))")
    }
    if let problem = OutputLocation.fileProblem(text) { throw ValidationError(problem) }
    return text
}

/// `--resume` of a sweep: `out` must hold a run (checked in validate(), before any work).
func requireRunToResume(_ resume: Bool, out: String?) throws {
    guard resume, let out else { return }
    try RunDirectory.requireRunToResume(at: URL(fileURLWithPath: out, isDirectory: true))
}

/// An adaptive integrator's tolerances: a relative tolerance in [1e-14, 1e-2] (beyond 1e-2 the
/// step control no longer resolves the flow and the result is wrong without a warning; below
/// 1e-14 it is under double rounding) and an absolute one in [0, 1e-2].
func requireTolerances(relative: Double, absolute: Double) throws {
    try require("rel-tol", relative, "in [1e-14, 1e-2]") { $0 >= 1e-14 && $0 <= 1e-2 }
    try require("abs-tol", absolute, "in [0, 1e-2]") { $0 >= 0 && $0 <= 1e-2 }
}

/// The one declaration of `--allow-long-run`: a Monte Carlo run estimated (at the speed measured on
/// a few probe epochs) to take more than `SeedRun.longRunSeconds` is refused without it.
struct LongRunOption: ParsableArguments {
    @Flag(name: .customLong("allow-long-run"), help: "Start a run even when its estimated time (measured on a few probe epochs) exceeds a day.")
    var allowLongRun = false
}

/// `--adam-bulk-model`: AdamBulk's model of w's fluctuations in Adam's stationary state (AD.4), one of
/// `AdamBulk.Model.offered`, for the commands that build that theory; given without it, it is refused.
///
///     @OptionGroup var adamBulk: AdamBulkModelOption   // adamBulk.model: .standard unless --adam-bulk-model
struct AdamBulkModelOption: ParsableArguments {
    @Option(name: .customLong("adam-bulk-model"), help: FlagHelp.adamBulkModel)
    var value: AdamBulk.Model?
    var model: AdamBulk.Model { value ?? .standard }

    /// Refuses the flag where the command builds no Adam theory (`adam` false); `needs` names what it needs.
    func require(adam: Bool, needs: String) throws {
        guard let value, !adam else { return }
        throw ValidationError("--adam-bulk-model \(value.name) is for Adam's stationary state; it needs \(needs)")
    }
}

extension AdamBulk.Model: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { offered.map(\.name) }
}
