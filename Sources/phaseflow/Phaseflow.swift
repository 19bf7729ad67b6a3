import ArgumentParser
import FlowModel
import Foundation

struct Phaseflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Asymptotic theory of flow-based generative models on a two-mode Gaussian mixture.",
        subcommands: [ExactCommand.self, DiagramCommand.self, TheoryCommand.self, PredictCommand.self,
                      BoundariesCommand.self, PhaseDiagramCommand.self, DynamicsCommand.self, SimulateCommand.self, CompareCommand.self,
                      BenchCommand.self, ReproduceCommand.self, UTurnCommand.self, WindowCommand.self, SchedulesCommand.self,
                      AblationCommand.self, PrecursorCommand.self])

    /// Negative numbers as values (`--x -5`, `--lambda-min -inf`): ArgumentParser reads a word that
    /// starts with `-` as a flag, so a negative number right after `--name` is attached as `--name=-5`.
    /// A negative number elsewhere (inside a list) stays apart and is reported as an unknown option
    /// that names it.
    static func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for argument in arguments {
            if let last = result.last, last.hasPrefix("--"), !last.contains("="), last != "--", isNegativeNumber(argument) {
                result[result.count - 1] = last + "=" + argument
            } else {
                result.append(argument)
            }
        }
        return result
    }

    static func isNegativeNumber(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let rest = word.dropFirst().lowercased()
        return Double(rest) != nil || ["inf", "infinity", "nan", "∞"].contains(rest)
    }

    /// Parses and runs; help and version go to the parser's normal output, while every error
    /// (bad flag, bad value, numerical failure) is printed as a single line naming the problem.
    static func runReportingErrors() {
        do {
            var command = try parseAsRoot(attachingNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let oneLine = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("phaseflow: error: \(oneLine)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
