import ArgumentParser
import BuildInfo
import RunStore
import Experiments
import FlowModel
import Foundation

struct Phaseflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Asymptotic theory of flow-based generative models on a two-mode Gaussian mixture.",
        version: BuildInfo.description,
        subcommands: [ExactCommand.self, DiagramCommand.self, TheoryCommand.self, PredictCommand.self,
                      BoundariesCommand.self, PhaseDiagramCommand.self, DynamicsCommand.self, SimulateCommand.self, CompareCommand.self,
                      BenchCommand.self, ReproduceCommand.self, UTurnCommand.self, WindowCommand.self, SchedulesCommand.self, GainCommand.self,
                      AblationCommand.self, PrecursorCommand.self, MergeCommand.self, SlurmScriptCommand.self, ReferenceCommand.self])

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

    /// `help <command> [<subcommand>]` naming no command: ArgumentParser would print the overview and
    /// exit 0; here it is one line naming the word and a non-zero exit.
    static func requireKnownHelpTopic(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var command: ParsableCommand.Type = Phaseflow.self
        for word in arguments.dropFirst() where !word.hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                let known = subcommands.map { $0._commandName }
                throw ValidationError("help: no command '\(word)'" + (known.isEmpty ? "" : " (commands: \(known.joined(separator: ", ")))"))
            }
            command = next
        }
    }

    /// Parses and runs; help and version go to the parser's normal output, while every error
    /// (bad flag, bad value, numerical failure) is printed as a single line naming the problem.
    static func runReportingErrors() {
        OutputDescriptor.reportBrokenPipesAsErrors()
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            try requireKnownHelpTopic(arguments)
            var command = try parseChecked(arguments)
            try command.run()
            if let failure = standardErrorFailure { throw failure }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exitWithOutput(fullMessage(for: error)) }
            let oneLine = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            // stderr full or closed: the error goes to stdout; both full: the exit status still says it.
            do { try OutputDescriptor.standardError.write("phaseflow: error: \(oneLine)\n") } catch {
                try? OutputDescriptor.standardOutput.write("phaseflow: error: \(oneLine)\n")
            }
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// Help and --version on stdout; a failed write is one line on stderr and exit status 1.
private func exitWithOutput(_ text: String) -> Never {
    do {
        try OutputDescriptor.standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
    } catch {
        try? OutputDescriptor.standardError.write("phaseflow: error: \(error)\n")
        Foundation.exit(1)
    }
    Foundation.exit(0)
}
