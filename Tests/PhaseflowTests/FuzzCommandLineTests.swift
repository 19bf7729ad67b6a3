import Foundation
import XCTest

/// The fuzz test of issue 11: every subcommand's options with NaN, ±inf, 0, negative, huge and
/// non-numeric values, unknown names, conflicting flags, unwritable outputs and corrupt resume files,
/// generated from one table. Every bad case must exit non-zero with exactly one line on stderr naming
/// the bad value or flag, nothing on stdout, no signal, within the per-case limit. The valid cases
/// (negative numbers as values, edge inputs that must work) must exit 0 with finite output.
final class FuzzCommandLineTests: XCTestCase {
    /// What a value of an option must satisfy; each kind lists the values that break it.
    enum Kind {
        case count           // whole number ≥ 1 (0 is bad)
        case countOrZero     // whole number ≥ 0 where 0 means "none" (0 is valid)
        case size            // a count whose memory or time grows with it: 10⁹ is bad too
        case sizeOrZero      // a size where 0 means "none"
        case trainingPoints  // n: a number ≥ 1 or inf
        case positive        // real > 0
        case nonNegative     // real ≥ 0
        case probability     // real in (0, 1)
        case finite          // any finite real
        case dimension       // d: whole number ≥ 1 or inf
        case seed            // UInt64
        case choice          // an enum

        var badValues: [String] {
            let nonNumeric = ["abc"]
            switch self {
            case .count: return ["0", "-5", "nan", "inf", "99999999999999999999"] + nonNumeric
            case .countOrZero: return ["-5", "nan", "99999999999999999999"] + nonNumeric
            case .size: return ["0", "-5", "1000000000", "99999999999999999999"] + nonNumeric
            case .sizeOrZero: return ["-5", "1000000000", "99999999999999999999"] + nonNumeric
            case .trainingPoints: return ["0", "0.5", "-5", "nan", "-inf"] + nonNumeric
            case .positive: return ["0", "-5", "nan", "inf", "-inf"] + nonNumeric
            case .nonNegative: return ["-5", "nan", "inf", "-inf"] + nonNumeric
            case .probability: return ["0", "1", "-5", "1.5", "nan", "inf"] + nonNumeric
            case .finite: return ["nan", "inf", "-inf"] + nonNumeric
            case .dimension: return ["0", "-5", "1.5", "nan", "-inf", "1e13"] + nonNumeric
            case .seed: return ["-1", "18446744073709551616", "abc"]
            case .choice: return ["bogus", ""]
            }
        }
    }

    /// One command: its words, the flags of a small valid run, and the options to break.
    struct Command {
        let words: [String]
        let base: [(String, [String])]
        let options: [(String, Kind)]
    }

    static let setupOptions: [(String, Kind)] = [("p", .probability), ("sigma", .positive), ("k", .positive)]
    static let simulationOptions: [(String, Kind)] = [
        ("n", .size), ("steps", .size), ("epochs", .count), ("seeds", .size), ("seed", .seed), ("protocol", .choice),
        ("lr", .positive), ("weight-decay", .nonNegative), ("penalty-u", .nonNegative), ("penalty-w", .nonNegative),
        ("init", .choice), ("planted", .finite), ("path", .choice), ("precision", .choice), ("samples", .sizeOrZero),
        ("scheme", .choice), ("record-every", .countOrZero), ("threads", .count), ("format", .choice), ("schedule", .choice)]
    static let dynamicsOptions: [(String, Kind)] = setupOptions + [
        ("tau", .finite), ("lr", .positive), ("time-max", .positive),
        ("time-points", .size), ("stepper", .choice), ("rel-tol", .positive), ("abs-tol", .nonNegative),
        ("convergence", .nonNegative), ("format", .choice)]
    static let samplePenaltyOptions: [(String, Kind)] = [("sample-penalty-u", .nonNegative), ("sample-penalty-w", .nonNegative)]
    static let dynamicsBase: [(String, [String])] = [("tau", ["0.5"]), ("time-max", ["1"]), ("time-points", ["4"])]
    static let realDataOptions: [(String, Kind)] = [
        ("dataset", .choice), ("majority", .probability), ("pca", .size), ("pilot-seeds", .count), ("pilot-steps", .size)]

    static let commands: [Command] = [
        Command(words: ["exact"], base: [("d", ["100"]), ("steps", ["10"]), ("integrator", ["euler"])],
                options: setupOptions + [("d", .dimension), ("schedule", .choice), ("sigma-max", .positive), ("steps", .size),
                                         ("integrator", .choice), ("stepper", .choice), ("rel-tol", .positive), ("abs-tol", .nonNegative),
                                         ("threshold", .probability), ("format", .choice)]),
        Command(words: ["diagram"], base: [("d-min", ["100"]), ("d-max", ["100"]), ("steps-min", ["10"]), ("steps-max", ["10"])],
                options: setupOptions + [("sigma-max", .positive), ("schedules", .choice), ("integrator", .choice),
                                         ("d-min", .positive), ("d-max", .positive), ("d-per-decade", .size), ("steps-min", .positive),
                                         ("steps-max", .size), ("steps-per-decade", .size), ("tolerance", .probability)]),
        Command(words: ["theory"], base: [("points", ["4"])],
                options: setupOptions + [("d", .dimension), ("n", .trainingPoints), ("n-plus", .positive), ("penalty-u", .nonNegative),
                                         ("penalty-w", .nonNegative), ("points", .size), ("schedule", .choice), ("format", .choice),
                                         ("noise", .choice), ("adam-lr", .positive), ("adam-bulk-model", .choice)]),
        Command(words: ["predict"], base: [("steps", ["4"]), ("integrator", ["grid"])],
                options: setupOptions + [("d", .dimension), ("n", .trainingPoints), ("n-plus", .positive), ("penalty-u", .nonNegative),
                                         ("penalty-w", .nonNegative), ("schedule", .choice), ("steps", .size), ("integrator", .choice),
                                         ("format", .choice)]),
        Command(words: ["boundaries"], base: [("ns", ["16"]), ("no-p-boundary", [])],
                options: setupOptions + [("penalty-u", .nonNegative), ("penalty-w", .nonNegative), ("n-plus", .positive),
                                         ("ns", .positive), ("ps", .probability), ("tolerance", .probability), ("integrator", .choice),
                                         ("steps", .size)]),
        Command(words: ["simulate"], base: [("d", ["50"]), ("n", ["8"]), ("steps", ["4"]), ("epochs", ["2"]), ("seeds", ["2"]),
                                            ("samples", ["0"]), ("threads", ["1"])],
                options: setupOptions + [("d", .dimension)] + simulationOptions),
        Command(words: ["compare"], base: [("dims", ["50", "100"]), ("n", ["8"]), ("steps", ["4"]), ("epochs", ["2"]), ("seeds", ["2"]),
                                           ("samples", ["4"]), ("threads", ["1"])],
                options: setupOptions + [("dims", .dimension), ("adam-bulk-model", .choice)] + simulationOptions),
        Command(words: ["bench"], base: [("d", ["50"]), ("n", ["8"]), ("steps", ["4"]), ("fast-epochs", ["1"]), ("dense-epochs", ["1"]),
                                         ("samples", ["2"]), ("threads", ["1"])],
                options: setupOptions + [("d", .dimension), ("n", .size), ("steps", .size), ("fast-epochs", .size), ("dense-epochs", .size),
                                         ("protocol-epochs", .count), ("samples", .count), ("threads", .count),
                                         ("precision", .choice), ("format", .choice), ("seed", .seed)]),
        Command(words: ["reproduce"], base: [("dims", ["300", "400"]), ("converged-dims", ["300", "400"]), ("seeds", ["2"]), ("epochs", ["2"])],
                options: [("dims", .dimension), ("converged-dims", .dimension), ("seeds", .size), ("epochs", .count)]),
        Command(words: ["uturn"], base: [("points", ["4"])],
                options: setupOptions + [("d", .dimension), ("schedule", .choice), ("sigma-max", .positive), ("points", .size),
                                         ("format", .choice)]),
        Command(words: ["window"], base: [("dataset", ["digits"]), ("points", ["5"]), ("images", ["5"]), ("bootstrap", ["20"])],
                options: realDataOptions + [("rank", .countOrZero), ("model", .choice), ("sampler", .choice), ("sampler-steps", .size),
                                            ("lambda-min", .finite), ("lambda-max", .finite), ("points", .size), ("images", .size),
                                            ("noise-draws", .size), ("splits", .size), ("bootstrap", .size), ("seed", .seed),
                                            ("format", .choice)]),
        Command(words: ["schedules"], base: [("dataset", ["digits"]), ("seeds", ["1"]), ("budgets", ["10"])],
                options: realDataOptions + [("seeds", .size), ("budgets", .size), ("densities", .choice), ("fraction", .probability),
                                            ("samples", .size), ("sampler-steps", .size), ("hidden", .size), ("batch", .size),
                                            ("learning-rate", .positive), ("target", .positive), ("threads", .count), ("format", .choice)]),
        Command(words: ["ablation"], base: [("dims", ["200"]), ("n", ["8"]), ("steps", ["4"]), ("seeds", ["2"]), ("training-time", ["1"]),
                                            ("gradient-samples", ["0"])],
                options: [("dims", .dimension), ("schedules", .choice), ("n", .size), ("steps", .size), ("seeds", .size),
                          ("training-time", .positive), ("lr", .positive), ("penalty", .nonNegative), ("gradient-samples", .sizeOrZero),
                          ("format", .choice)]),
        Command(words: ["precursor"], base: [("ns", ["2", "4"])],
                options: [("sigma", .positive), ("penalty", .nonNegative), ("ns", .size), ("steps", .sizeOrZero), ("simulate", .size),
                          ("d", .dimension), ("seeds", .size), ("samples", .size), ("seed", .seed), ("format", .choice)]),
        Command(words: ["phase-diagram"], base: [("grid", ["4x4"])],
                options: [("p", .probability), ("sigma", .positive), ("penalty-u", .nonNegative), ("penalty-w", .nonNegative),
                          ("grid", .choice), ("n-min", .positive), ("n-max", .positive), ("k-tau-max", .positive), ("threads", .count),
                          ("format", .choice)]),
        Command(words: ["dynamics", "flow"], base: dynamicsBase,
                options: dynamicsOptions + samplePenaltyOptions + [("d", .dimension), ("tau-grid", .size), ("m0", .nonNegative), ("omega0", .finite), ("uw0", .finite),
                                            ("c0", .finite), ("training", .choice)]),
        Command(words: ["dynamics", "finite-n"], base: dynamicsBase + [("d", ["50"]), ("n", ["8"])],
                options: dynamicsOptions + [("d", .dimension), ("n", .size), ("data-seed", .seed), ("penalty-u", .nonNegative),
                                            ("penalty-w", .nonNegative)]),
        Command(words: ["dynamics", "adam"], base: [("d", ["50"]), ("n", ["8"]), ("steps", ["4"]), ("epochs", ["2"]), ("seeds", ["2"])],
                options: setupOptions + [("d", .dimension)] + simulationOptions + [("tau", .finite)]),
        // d = 1000: at d = 100 theory init (m = 1/√d = 0.1) starts beyond the default switch overlap 0.05.
        Command(words: ["dynamics", "escape"], base: [("tau", ["0.5"]), ("time-max", ["14"]), ("time-points", ["4"]), ("lr", ["0.5"]),
                                                      ("d", ["1000"]), ("members", ["4"])],
                options: dynamicsOptions + samplePenaltyOptions + [("d", .dimension), ("members", .size), ("switch-overlap", .probability), ("ensemble-seed", .seed)]),
        Command(words: ["dynamics", "vs-simulation"], base: dynamicsBase + [("d", ["100"]), ("seeds", ["2"])],
                options: dynamicsOptions + samplePenaltyOptions + [("d", .dimension), ("seeds", .size), ("seed", .seed), ("planted", .finite)]),
        Command(words: ["dynamics", "finite-size"], base: dynamicsBase + [("dims", ["100", "200"]), ("seeds", ["2"])],
                options: dynamicsOptions + samplePenaltyOptions + [("dims", .dimension), ("seeds", .size), ("seed", .seed), ("escape-ensemble", .sizeOrZero)]),
    ]

    /// A case: its arguments and the fragments of which the error line must contain one.
    struct Case { let arguments: [String]; let fragments: [String] }

    /// The arguments of `command` with `option` set to `values` (replacing the base's value).
    static func arguments(_ command: Command, _ option: String, _ values: [String]) -> [String] {
        var result = command.words
        for (name, given) in command.base where name != option { result += ["--" + name] + given }
        return result + ["--\(option)=\(values[0])"] + values.dropFirst()
    }

    /// The generated cases: every option of every command with every bad value of its kind, the
    /// unknown option and the unknown value of each command, then the hand-written ones.
    static var badCases: [Case] {
        var cases: [Case] = []
        for command in commands {
            for (option, kind) in command.options {
                for value in kind.badValues {
                    cases.append(Case(arguments: arguments(command, option, [value]), fragments: [option, value.isEmpty ? option : value]))
                }
            }
            cases.append(Case(arguments: arguments(command, "no-such-flag", ["1"]), fragments: ["no-such-flag"]))
            cases.append(Case(arguments: command.words + command.base.flatMap { ["--" + $0.0] + $0.1 } + ["stray"], fragments: ["stray"]))
        }
        let overflowingSeed = "18446744073709551615"
        cases += [
            // Unknown commands, negative values written apart from their flag, the seed range overflowing.
            Case(arguments: ["no-such-command"], fragments: ["no-such-command"]),
            Case(arguments: ["dynamics", "no-such-mode"], fragments: ["no-such-mode"]),
            Case(arguments: ["exact", "--d", "-5"], fragments: ["-5"]),
            Case(arguments: ["exact", "--p", "-0.5"], fragments: ["-0.5"]),
            Case(arguments: ["theory", "--sigma", "-1", "--points", "4"], fragments: ["-1"]),
            Case(arguments: ["compare", "--dims", "500", "-5", "--seeds", "2"], fragments: ["-5"]),
            Case(arguments: ["simulate", "--d", "50", "--n", "8", "--steps", "4", "--epochs", "2", "--seed", overflowingSeed, "--seeds", "2"], fragments: ["seed"]),
            Case(arguments: ["compare", "--dims", "50", "100", "--n", "8", "--steps", "4", "--epochs", "2", "--seed", overflowingSeed, "--seeds", "2"], fragments: ["seed"]),
            Case(arguments: ["dynamics", "vs-simulation", "--tau", "0.5", "--d", "100", "--time-max", "1", "--seed", overflowingSeed, "--seeds", "2"], fragments: ["seed"]),
            Case(arguments: ["dynamics", "finite-size", "--tau", "0.5", "--dims", "100", "200", "--time-max", "1", "--seed", overflowingSeed, "--seeds", "2"], fragments: ["seed"]),
            // Sizes that exceed the machine, and hangs.
            Case(arguments: ["exact", "--steps", "1000000000"], fragments: ["steps"]),
            Case(arguments: ["theory", "--points", "1000000000"], fragments: ["points"]),
            Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--time-points", "1000000000"], fragments: ["time-points"]),
            Case(arguments: ["simulate", "--samples", "1000000000"], fragments: ["samples"]),
            Case(arguments: ["dynamics", "vs-simulation", "--tau", "0.5", "--d", "100", "--seeds", "1000000"], fragments: ["seeds"]),
            Case(arguments: ["simulate", "--d", "1e12"], fragments: ["1e12", "1000000000000"]),
            Case(arguments: ["boundaries", "--no-p-boundary", "--ns", "16", "--k", "1e6"], fragments: ["k"]),
            Case(arguments: ["diagram", "--steps-max", "1e12"], fragments: ["steps-max"]),
            Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--time-max", "1e300"], fragments: ["time-max"]),
            Case(arguments: ["reproduce", "--dims", "500", "0"], fragments: ["dims", "0"]),
            // Conflicting flags.
            Case(arguments: ["diagram", "--k", "20"], fragments: ["k"]),
            Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--tau-grid", "4"], fragments: ["tau"]),
            Case(arguments: ["dynamics", "flow"], fragments: ["tau"]),
            Case(arguments: ["compare", "--d", "100"], fragments: ["--d"]),
            Case(arguments: ["boundaries", "--d", "100"], fragments: ["--d"]),
            Case(arguments: ["boundaries", "--n", "64"], fragments: ["--n"]),
            Case(arguments: ["dynamics", "vs-simulation", "--tau-grid", "4", "--d", "100"], fragments: ["tau"]),
            Case(arguments: ["dynamics", "escape", "--tau", "0.5", "--d", "inf"], fragments: ["d"]),
            Case(arguments: ["dynamics", "finite-n", "--tau", "0.5", "--d", "100", "--m0", "0.1"], fragments: ["m0"]),
            Case(arguments: ["compare", "--protocol", "online"], fragments: ["online"]),
            Case(arguments: ["theory", "--d", "500", "--adam-bulk-model", "offsets"], fragments: ["--adam-bulk-model offsets", "--adam-lr"]),
            Case(arguments: ["compare", "--dims", "500", "--seeds", "2", "--adam-bulk-model", "preconditioned"], fragments: ["--adam-bulk-model preconditioned", "--protocol adam"]),
            Case(arguments: ["predict", "--d", "inf", "--steps", "5"], fragments: ["steps"]),
            Case(arguments: ["simulate", "--d", "100", "--k", "20"], fragments: ["k"]),
            Case(arguments: ["exact", "--d", "100", "--k", "20"], fragments: ["k"]),
            Case(arguments: ["exact", "--schedule", "ve", "--sigma-max", "-1"], fragments: ["-1", "sigma-max"]),
            Case(arguments: ["exact", "--schedule", "linear", "--sigma-max", "100"], fragments: ["sigma-max"]),
            Case(arguments: ["theory", "--n", "16", "--n-plus", "20", "--points", "4"], fragments: ["n-plus"]),
            Case(arguments: ["window", "--dataset", "digits", "--classes", "0", "0"], fragments: ["0"]),
            Case(arguments: ["window", "--dataset", "digits", "--lambda-min", "4", "--lambda-max", "-12"], fragments: ["lambda"]),
            Case(arguments: ["schedules", "--dataset", "digits", "--budgets", "300", "100"], fragments: ["budgets"]),
            Case(arguments: ["phase-diagram", "--grid", "100000x100000"], fragments: ["grid"]),
            Case(arguments: ["phase-diagram", "--grid", "4x4", "--n-min", "100", "--n-max", "10"], fragments: ["n-max"]),
            Case(arguments: ["phase-diagram", "--grid", "4x4", "--k", "3"], fragments: ["--k"]),
            // A word no option takes is named, wherever it stands and whatever else is missing.
            Case(arguments: ["dynamics", "escape", "1000"], fragments: ["'1000'"]),
            Case(arguments: ["exact", "--d", "100", "stray", "--steps", "4"], fragments: ["'stray'"]),
            // After an unknown option the parser names the option, not the word after it.
            Case(arguments: ["exact", "--d", "100", "--no-such-option", "x"], fragments: ["no-such-option"]),
            Case(arguments: ["phase-diagram", "--grid", "4x4", "7"], fragments: ["'7'"]),
            // `--name=` is the empty value, as `--name ""`, not the next word.
            Case(arguments: ["merge", "--out=", "A", "B"], fragments: ["an empty path"]),
            Case(arguments: ["theory", "--format=", "--points", "4"], fragments: ["--format"]),
            // Shards: merging and the SLURM array script.
            Case(arguments: ["merge", "--out", "merged"], fragments: ["shards"]),
            Case(arguments: ["merge", "/nonexistent/a", "/nonexistent/b", "--out", "merged"], fragments: ["/nonexistent/a", "/nonexistent/b"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x"], fragments: ["sweep"]),
            Case(arguments: ["slurm-script", "--tasks", "0", "--out", "x", "--", "simulate"], fragments: ["tasks"]),
            Case(arguments: ["slurm-script", "--tasks", "1000000000", "--out", "x", "--", "simulate"], fragments: ["tasks"]),
            Case(arguments: ["slurm-script", "--tasks", "-2", "--out", "x", "--", "simulate"], fragments: ["tasks", "-2"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--cpus-per-task", "0", "--out", "x", "--", "simulate"], fragments: ["cpus-per-task"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--", "exact"], fragments: ["exact"]),
            Case(arguments: ["simulate", "--shard", "3/2"], fragments: ["3/2"]),
            Case(arguments: ["diagram", "--shard", "0/0"], fragments: ["0/0"]),
            Case(arguments: ["boundaries", "--shard", "a/b"], fragments: ["a/b"]),
        ]
        // Issue 19: overflowing counts, runs longer than a day, values outside a flag's working domain,
        // combinations the command would ignore, an empty --out, sweeps sbatch would reject.
        let tinySimulate = ["simulate", "--d", "50", "--n", "8", "--steps", "4", "--seeds", "2", "--samples", "0", "--threads", "1"]
        let tinyAblation = ["ablation", "--dims", "200", "--n", "8", "--steps", "4", "--seeds", "2", "--gradient-samples", "0"]
        cases += [
            Case(arguments: tinySimulate + ["--epochs", "9223372036854775807"], fragments: ["epochs"]),
            Case(arguments: ["simulate", "--epochs", "1000000000000"], fragments: ["epochs"]),
            Case(arguments: ["simulate", "--epochs", "1000000000"], fragments: ["allow-long-run"]),
            Case(arguments: tinySimulate + ["--epochs", "100", "--record-every", "200"], fragments: ["record-every"]),
            Case(arguments: ["reproduce", "--epochs", "9223372036854775807"], fragments: ["epochs"]),
            Case(arguments: ["reproduce", "--epochs", "1000000000"], fragments: ["allow-long-run"]),
            Case(arguments: ["reproduce", "--converged-dims", "300", "300"], fragments: ["converged-dims"]),
            Case(arguments: ["compare", "--dims", "300", "300", "--seeds", "2"], fragments: ["dims", "300"]),
            Case(arguments: ["compare", "--n", "1", "--dims", "50", "100", "--seeds", "2"], fragments: ["--n 1"]),
            Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--c0", "1e10"], fragments: ["c0"]),
            Case(arguments: ["dynamics", "escape", "--tau", "0.5", "--d", "1000", "--lr", "1e3", "--members", "4"], fragments: ["lr"]),
            Case(arguments: ["exact", "--rel-tol", "1e300"], fragments: ["rel-tol"]),
            Case(arguments: ["exact", "--p", "1e-320"], fragments: ["--p"]),
            Case(arguments: ["exact", "--p", "0.01"], fragments: ["--p"]),
            Case(arguments: tinyAblation + ["--training-time", "0.001"], fragments: ["training-time"]),
            Case(arguments: tinyAblation + ["--lr", "1e300"], fragments: ["lr"]),
            Case(arguments: ["predict", "--n", "inf", "--n-plus", "5"], fragments: ["n-plus"]),
            Case(arguments: ["precursor", "--ns", "2", "2"], fragments: ["ns"]),
            Case(arguments: ["help", "nonexistent"], fragments: ["nonexistent"]),
            Case(arguments: ["help", "dynamics", "nonexistent"], fragments: ["nonexistent"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "a b/sim", "--", "simulate"], fragments: ["a b/sim"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "runs/100%", "--", "simulate"], fragments: ["%"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "bogus", "--", "simulate"], fragments: ["bogus"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "01:00:00\n#SBATCH --mem=1T", "--", "simulate"], fragments: ["time"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--partition", "a b", "--", "simulate"], fragments: ["partition"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--", "simulate", "--epochs", "0"], fragments: ["epochs"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--", "simulate", "--bogus"], fragments: ["bogus"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--", "compare", "--d", "100"], fragments: ["--d"]),
        ]
        for command in [["merge", "a", "b"], ["phase-diagram"], ["dynamics", "flow", "--tau", "0.5"], tinyAblation, ["precursor"], ["reproduce"],
                        tinySimulate, ["compare"], ["diagram"], ["boundaries"], ["schedules"], ["slurm-script", "--tasks", "2"]] {
            let sweep = command.first == "slurm-script" ? ["--", "simulate"] : []
            cases.append(Case(arguments: command + ["--out", ""] + sweep, fragments: ["--out"]))
            cases.append(Case(arguments: command + ["--out", "x\ny"] + sweep, fragments: ["--out"]))
        }
        return cases
    }

    /// Cases that write: the output directory is a file, or unwritable, or a resume file is corrupt.
    static func fileCases(in directory: URL) throws -> [Case] {
        let file = directory.appendingPathComponent("a-file")
        try Data("x\n".utf8).write(to: file)
        let corrupt = directory.appendingPathComponent("corrupt", isDirectory: true)
        try FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        try Data("seed,epoch,nonsense\n1,2,\u{0}\u{1}garbage\n".utf8).write(to: corrupt.appendingPathComponent("simulate.csv"))
        try Data("d_min,what\n".utf8).write(to: corrupt.appendingPathComponent("diagram.csv"))
        let small = ["--d", "50", "--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "0", "--threads", "1"]
        var cases: [Case] = []
        for out in [file.path, "/proc/x", file.path + "/sub"] {
            cases += [
                Case(arguments: ["simulate"] + small + ["--out", out], fragments: [out, "out"]),
                Case(arguments: ["compare", "--dims", "50", "100", "--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "4",
                                 "--threads", "1", "--out", out], fragments: [out, "out"]),
                Case(arguments: ["diagram", "--d-min", "100", "--d-max", "100", "--steps-min", "10", "--steps-max", "10", "--out", out], fragments: [out, "out"]),
                Case(arguments: ["boundaries", "--ns", "16", "--no-p-boundary", "--out", out], fragments: [out, "out"]),
                Case(arguments: ["reproduce", "--dims", "300", "400", "--converged-dims", "300", "400", "--seeds", "2", "--epochs", "2", "--out", out], fragments: [out, "out"]),
                Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "4", "--out", out], fragments: [out, "out"]),
                Case(arguments: ["phase-diagram", "--grid", "4x4", "--out", out], fragments: [out, "out"]),
            ]
        }
        cases += try campaignCases(in: directory, file: file)
        cases += [
            // A directory of foreign (old-format or corrupt) files is not a run directory: refused, named, untouched.
            Case(arguments: ["simulate"] + small + ["--out", corrupt.path, "--resume"], fragments: [corrupt.path, "manifest"]),
            Case(arguments: ["diagram", "--d-min", "100", "--d-max", "100", "--steps-min", "10", "--steps-max", "10", "--out", corrupt.path, "--resume"],
                 fragments: [corrupt.path, "manifest"]),
        ]
        return cases
    }

    /// The failing and vague cases of the second bad-input campaign (issue 19): each refused before
    /// any work with one line naming the flag and the value.
    static func campaignCases(in directory: URL, file: URL) throws -> [Case] {
        let empty = directory.appendingPathComponent("empty-dir", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let missing = directory.appendingPathComponent("no-run").path
        let tinySimulate = ["simulate", "--d", "50", "--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "0", "--threads", "1"]
        let tinyCompare = ["compare", "--dims", "50", "100", "--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "4", "--threads", "1"]
        let tinyDiagram = ["diagram", "--d-min", "100", "--d-max", "100", "--steps-min", "10", "--steps-max", "10"]
        let tinyBench = ["bench", "--d", "50", "--n", "8", "--steps", "4", "--fast-epochs", "1", "--dense-epochs", "1", "--threads", "1"]
        let tinySchedules = ["schedules", "--dataset", "digits", "--seeds", "1", "--budgets", "10", "--samples", "10", "--threads", "1",
                             "--pilot-steps", "10", "--pilot-seeds", "1"]
        let finiteSize = ["dynamics", "finite-size", "--tau", "0.5", "--time-max", "2", "--time-points", "4", "--seeds", "2", "--dims", "100", "200"]
        var cases: [Case] = []
        // --resume where no run is: a missing directory, an empty one (every command that takes --resume).
        for out in [missing, empty.path] {
            for command in [tinySimulate, tinyCompare, tinyDiagram, ["boundaries", "--ns", "16", "--no-p-boundary"], tinySchedules,
                            ["reproduce", "--dims", "300", "400", "--converged-dims", "300", "400", "--seeds", "2", "--epochs", "2"]] {
                cases.append(Case(arguments: command + ["--out", out, "--resume"], fragments: ["--resume: '\(out)' holds no run to resume"]))
            }
        }
        cases += [
            Case(arguments: ["reproduce", "--dims", "300", "400", "--converged-dims", "300", "400", "--seeds", "2", "--epochs", "2",
                             "--out", file.path, "--resume"], fragments: [file.path]),
            // Checked in validate(), not after a warm-up, a simulation or a training.
            Case(arguments: tinyBench + ["--samples", "0"], fragments: ["samples"]),
            Case(arguments: tinyBench + ["--samples", "1"], fragments: ["samples"]),
            Case(arguments: finiteSize + ["--escape-ensemble", "3"], fragments: ["--switch-overlap 0.05"]),
            Case(arguments: finiteSize + ["--switch-overlap", "0"], fragments: ["switch-overlap"]),
            Case(arguments: finiteSize + ["--switch-overlap", "nan"], fragments: ["switch-overlap"]),
            Case(arguments: ["dynamics", "escape", "--tau", "0.5", "--d", "1000", "--m0", "0.08", "--members", "4"], fragments: ["--switch-overlap 0.05"]),
            Case(arguments: tinySchedules + ["--export-density", ""], fragments: ["--export-density"]),
            Case(arguments: tinySchedules + ["--export-density", "/proc/x/d.json"], fragments: ["/proc/x/d.json"]),
            Case(arguments: ["window", "--dataset", "digits", "--export-density", directory.path], fragments: [directory.path]),
            Case(arguments: ["ablation", "--dims", "200", "--n", "8", "--steps", "4", "--seeds", "2", "--gradient-samples", "0", "--out", file.path],
                 fragments: [file.path]),
            Case(arguments: ["ablation", "--dims", "200", "--out", "/proc/x"], fragments: ["/proc/x"]),
            Case(arguments: ["phase-diagram", "--grid", "4x4", "--out", "/proc/x/y"], fragments: ["/proc/x/y"]),
            Case(arguments: ["reproduce", "--out", "/proc/x/y"], fragments: ["/proc/x/y"]),
            // Values a command would ignore or misread.
            Case(arguments: ["theory", "--points", "4", "--n", "2.5"], fragments: ["2.5"]),
            Case(arguments: ["uturn", "--points", "4", "--k", "10"], fragments: ["--k"]),
            Case(arguments: ["exact", "--d", "100", "--d", "200"], fragments: ["--d 2 times", "'100', '200'"]),
            Case(arguments: ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--m0", "-0.1"], fragments: ["m0"]),
            Case(arguments: ["bench", "--mlp", "--phase-diagram"], fragments: ["--phase-diagram"]),
            Case(arguments: ["bench", "--mlp", "--instructions", "--callgrind-steps", "0"], fragments: ["--instructions"]),
            Case(arguments: ["window", "--dataset", "digits", "--bootstrap", "5"], fragments: ["bootstrap must be in [20, 1000000]; got 5"]),
            Case(arguments: ["window", "--dataset", "digits", "--data-path", ""], fragments: ["--data-path"]),
            Case(arguments: ["merge", "", "x", "--out", "merged"], fragments: ["'' is not a run directory"]),
            // slurm-script: SLURM's time fields, the executable, the place of the shards.
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "01:60:00", "--", "simulate"], fragments: ["01:60:00"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "25:99:99", "--", "simulate"], fragments: ["25:99:99"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "1-25:00:00", "--", "simulate"], fragments: ["1-25:00:00"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "00:00:00", "--", "simulate"], fragments: ["00:00:00"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--time", "99999999999999999999", "--", "simulate"], fragments: ["99999999999999999999"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--executable", "", "--", "simulate"], fragments: ["executable"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--executable", missing, "--", "simulate"], fragments: [missing]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--executable", file.path, "--", "simulate"], fragments: [file.path]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "x", "--executable", empty.path, "--", "simulate"], fragments: [empty.path]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", file.path, "--", "simulate"], fragments: [file.path]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "/proc/x", "--", "simulate"], fragments: ["/proc/x"]),
            Case(arguments: ["slurm-script", "--tasks", "2", "--out", "/dev/null", "--", "simulate"], fragments: ["/dev/null"]),
        ]
        return cases
    }

    /// A refused `--export-density`, data file or class leaves no run directory behind (checked
    /// before the run directory is opened, not after the training).
    func testRefusedSchedulesLeaveNoRunDirectory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-export-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let base = ["schedules", "--dataset", "digits", "--seeds", "1", "--budgets", "10", "--samples", "10", "--threads", "1",
                    "--pilot-steps", "10", "--pilot-seeds", "1", "--out", "sch"]
        for (extra, fragment) in [(["--export-density", "/proc/x/d.json"], "/proc/x/d.json"), (["--classes", "0", "42"], "42"),
                                  (["--data-path", root.appendingPathComponent("none.csv").path], "none.csv")] {
            let o = try Self.run(base + extra, in: root, limit: 60)
            XCTAssertNotEqual(o.status, 0, "\(extra)")
            XCTAssertEqual(o.stderr.split(separator: "\n").count, 1, o.stderr)
            XCTAssertTrue(o.stderr.contains(fragment), o.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("sch").path), "\(extra): no run directory on refusal")
        }
    }

    /// Valid inputs that must exit 0 with finite numbers on stdout.
    static let validCases: [[String]] = [
        ["exact", "--d", "1", "--schedule", "linear", "--steps", "10"],
        ["exact", "--d", "100", "--steps", "10", "--integrator", "euler", "--format", "csv"],
        ["theory", "--points", "4", "--format", "csv"],
        ["predict", "--steps", "4", "--integrator", "grid"],
        ["uturn", "--points", "4", "--format", "csv"],
        ["precursor", "--ns", "2", "4", "--format", "csv"],
        ["phase-diagram", "--grid", "6x8", "--format", "csv"],
        ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "4", "--c0", "-0.5"],
        ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "4", "--uw0", "-1e-3", "--m0", "0.01"],
        ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "4", "--m0", "0"],
        ["uturn", "--points", "4", "--schedule", "dilated", "--k", "3", "--format", "csv"],
        ["theory", "--points", "4", "--n", "inf", "--format", "csv"],
        ["simulate", "--d", "50", "--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "0", "--threads", "1",
         "--planted", "-0.1", "--format", "csv"],
        ["window", "--dataset", "digits", "--points", "9", "--images", "40", "--bootstrap", "20", "--lambda-min", "-8", "--format", "csv"],
    ]

    /// What one run did.
    struct Outcome { let status: Int32; let signalled: Bool; let timedOut: Bool; let stdout: String; let stderr: String; let seconds: Double }

    /// Runs the executable in `directory` with stdout and stderr in files; kills it after `limit`
    /// seconds. posix_spawn and waitpid directly: Foundation's Process can miss a child's exit when
    /// many are started from several threads at once.
    static func run(_ arguments: [String], in directory: URL, limit: Double) throws -> Outcome {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("phaseflow")
        let candidates = [binary] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("phaseflow") }
        // PHASEFLOW_FUZZ_BINARY runs the table against another build (e.g. the one before the fixes).
        let override = ProcessInfo.processInfo.environment["PHASEFLOW_FUZZ_BINARY"].map { URL(fileURLWithPath: $0) }
        let executable = try XCTUnwrap(override ?? candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) })
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outPath = directory.appendingPathComponent(".stdout").path, errPath = directory.appendingPathComponent(".stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Each case runs in its own directory (default outputs such as ./out land there): `env -C`
        // changes into it and execs the binary, keeping the pid.
        let argv = (["/usr/bin/env", "-C", directory.path, executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { throw NSError(domain: "spawn", code: Int(spawned)) }
        var status: Int32 = 0, timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 { break }
            if Date().timeIntervalSince(started) > limit {
                kill(pid, SIGKILL); timedOut = true
                waitpid(pid, &status, 0)
                break
            }
            usleep(5_000)
        }
        let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        let code = signalled ? status & 0x7f : (status >> 8) & 0xff
        return Outcome(status: code, signalled: signalled && !timedOut, timedOut: timedOut,
                       stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                       seconds: Date().timeIntervalSince(started))
    }

    /// Runs `work` over 0..<count on a small pool of threads.
    func inPool(_ count: Int, workers: Int = 4, _ work: @escaping @Sendable (Int) -> Void) {
        let next = NSLock(), group = DispatchGroup()
        nonisolated(unsafe) var index = 0
        for _ in 0..<workers {
            group.enter()
            Thread.detachNewThread {
                while true {
                    next.lock(); let i = index; index += 1; next.unlock()
                    if i >= count { break }
                    work(i)
                }
                group.leave()
            }
        }
        group.wait()
    }

    /// Why a bad case failed, or nil when it passed.
    static func failure(_ c: Case, _ o: Outcome) -> String? {
        if o.timedOut { return "hang (killed after \(String(format: "%.1f", o.seconds)) s)" }
        if o.signalled { return "crash (signal \(o.status))" }
        if o.status == 0 { return "exit 0" }
        let lines = o.stderr.split(separator: "\n")
        if lines.count != 1 { return "\(lines.count) stderr lines: \(o.stderr.prefix(300))" }
        if !o.stdout.isEmpty { return "stdout not empty: \(o.stdout.prefix(200))" }
        if !c.fragments.contains(where: { o.stderr.contains($0) }) { return "does not name \(c.fragments): \(o.stderr)" }
        return nil
    }

    func testEveryBadInputGivesOneLineAndNonZeroExit() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let cases = Self.badCases + (try Self.fileCases(in: root))
        let limit = Double(ProcessInfo.processInfo.environment["PHASEFLOW_FUZZ_LIMIT"] ?? "") ?? 5
        nonisolated(unsafe) var failures = [String?](repeating: nil, count: cases.count)
        let lock = NSLock()
        let started = Date()
        inPool(cases.count) { i in
            let outcome: Outcome
            do { outcome = try Self.run(cases[i].arguments, in: root.appendingPathComponent("case\(i)"), limit: limit) } catch {
                lock.lock(); failures[i] = "could not run: \(error)"; lock.unlock(); return
            }
            let failure = Self.failure(cases[i], outcome)
            lock.lock(); failures[i] = failure; lock.unlock()
        }
        let failed = zip(cases, failures).compactMap { c, f in f.map { "\(c.arguments.joined(separator: " ")): \($0)" } }
        print("fuzz: \(cases.count) bad cases, \(failed.count) failures, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        for line in failed { print("fuzz failure: \(line)") }
        XCTAssertGreaterThanOrEqual(cases.count, 415)
        XCTAssertEqual(failed.count, 0, failed.prefix(40).joined(separator: "\n"))
    }

    /// A missing value is visibly missing in a table: `-`, where the CSV of the same rows has an
    /// empty cell (phase-diagram's branch_end is missing where the boundary is below the grid), so
    /// every line of the table has as many words as its header.
    func testTablesMarkMissingValues() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-table-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let command = ["phase-diagram", "--grid", "3x3", "--threads", "1", "--out", root.appendingPathComponent("pd").path]
        let table = try Self.run(command, in: root.appendingPathComponent("t"), limit: 60)
        let csv = try Self.run(command + ["--format", "csv"], in: root.appendingPathComponent("c"), limit: 60)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let tableLines = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let csvLines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(tableLines.count, csvLines.count)
        var missing = 0
        for (words, cells) in zip(tableLines, csvLines) {
            XCTAssertEqual(words.count, cells.count, "\(words) against \(cells)")
            for (word, cell) in zip(words, cells) {
                XCTAssertEqual(word, cell.isEmpty ? "-" : cell)
                if cell.isEmpty { missing += 1 }
            }
        }
        XCTAssertGreaterThan(missing, 0, "the configuration must have a missing value to show")
    }

    func testValidEdgeInputsExitZeroWithFiniteOutput() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-fuzz-valid-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (i, arguments) in Self.validCases.enumerated() {
            let o = try Self.run(arguments, in: root.appendingPathComponent("valid\(i)"), limit: 60)
            XCTAssertEqual(o.status, 0, "\(arguments): \(o.stderr)")
            XCTAssertFalse(o.signalled || o.timedOut, "\(arguments)")
            XCTAssertFalse(o.stdout.isEmpty, "\(arguments)")
            let lowered = o.stdout.lowercased()
            XCTAssertFalse(lowered.contains("nan"), "\(arguments): non-finite output \(o.stdout.prefix(300))")
        }
    }

    /// A hand-edited manifest (issue 19): d changed from 50 to 60 in manifest.json, then a resume with
    /// --d 60 (which the edited settings match) must be refused with one line, rows untouched.
    func testResumeOntoAnEditedManifestIsRefused() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-edited-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let small = ["--n", "8", "--steps", "4", "--epochs", "2", "--seeds", "2", "--samples", "0", "--threads", "1", "--out", "run"]
        let first = try Self.run(["simulate", "--d", "50"] + small, in: root, limit: 60)
        XCTAssertEqual(first.status, 0, first.stderr)
        let manifestURL = root.appendingPathComponent("run/manifest.json"), rowsURL = root.appendingPathComponent("run/rows.csv")
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"("key" : "d",\s*"value" : ")50""#)
        let edited = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$160\"")
        XCTAssertNotEqual(edited, text, "d = 50 is recorded in the manifest")
        try Data(edited.utf8).write(to: manifestURL)
        let rows = try Data(contentsOf: rowsURL)
        let resumed = try Self.run(["simulate", "--d", "60", "--resume"] + small, in: root, limit: 60)
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertFalse(resumed.signalled || resumed.timedOut)
        XCTAssertEqual(resumed.stderr.split(separator: "\n").count, 1, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("edited") && resumed.stderr.contains("manifest.json"), resumed.stderr)
        XCTAssertTrue(resumed.stdout.isEmpty)
        XCTAssertEqual(try Data(contentsOf: rowsURL), rows)
    }

    /// Divergence during training (issue 11): gd at lr 5 and lr 1 runs away (weights reach 1e27 at
    /// lr 1 without the check). The run must stop with a line naming the seed, the epoch and the
    /// learning rate, a non-zero exit, and no row on disk (the only snapshot is the last epoch).
    func testDivergingTrainingStopsWithoutWritingRows() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-diverge-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        for lr in ["5", "1"] {
            let directory = root.appendingPathComponent("lr\(lr)")
            let o = try Self.run(["simulate", "--d", "100", "--n", "16", "--steps", "4", "--epochs", "50", "--protocol", "gd", "--lr", lr,
                                  "--seeds", "2", "--threads", "1", "--out", "mm"], in: directory, limit: 60)
            XCTAssertNotEqual(o.status, 0, "lr \(lr)")
            XCTAssertFalse(o.signalled || o.timedOut, "lr \(lr)")
            XCTAssertTrue(o.stdout.isEmpty, "lr \(lr): \(o.stdout)")
            let error = try XCTUnwrap(o.stderr.split(separator: "\n").last { $0.hasPrefix("phaseflow: error:") }, o.stderr)
            XCTAssertTrue(error.contains("diverged") && error.contains("seed ") && error.contains("epoch ") && error.contains("lr = \(lr)"), String(error))
            let csv = try String(contentsOf: directory.appendingPathComponent("mm/rows.csv"), encoding: .utf8)
            XCTAssertEqual(csv.split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 1, "only the header: \(csv.prefix(300))")
            XCTAssertFalse(csv.lowercased().contains("nan"))
        }
    }
}
