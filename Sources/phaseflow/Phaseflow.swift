import ArgumentParser
import FlowModel
import Foundation

struct Phaseflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Asymptotic theory of flow-based generative models on a two-mode Gaussian mixture.",
        subcommands: [ExactCommand.self, DiagramCommand.self, TheoryCommand.self, PredictCommand.self,
                      BoundariesCommand.self, DynamicsCommand.self, SimulateCommand.self, CompareCommand.self,
                      BenchCommand.self, ReproduceCommand.self, UTurnCommand.self, WindowCommand.self, SchedulesCommand.self,
                      AblationCommand.self, PrecursorCommand.self])

    /// Parses and runs; help and version go to the parser's normal output, while every error
    /// (bad flag, bad value, numerical failure) is printed as a single line naming the problem.
    static func runReportingErrors() {
        do {
            var command = try parseAsRoot()
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
