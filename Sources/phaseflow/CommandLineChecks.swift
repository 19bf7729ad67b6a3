import ArgumentParser
import Foundation

/// The checks of a whole command line that ArgumentParser leaves open, made before parsing so that
/// a run (and a sweep wrapped by slurm-script) is refused before any work:
/// - a single-valued option given twice (`--d 100 --d 200`) is refused instead of taking the last;
///   array options (`--dims 100 200`, `--dims 100 --dims 200`) and flags may repeat;
/// - `--version` and `--help` stand alone after the command's name (`phaseflow --version`,
///   `phaseflow dynamics flow --help`): `exact --help bogus` names `bogus` instead of printing help
///   and exiting 0.
/// Only the words before `--` are looked at (slurm-script's sweep follows it).
///
///     var command = try Phaseflow.parseChecked(["exact", "--d", "100", "--steps", "4"])
///     try Phaseflow.parseChecked(["exact", "--d", "100", "--d", "200"])   // throws: --d given twice
extension Phaseflow {
    /// The parser's built-in requests that print instead of running (help, hidden help, the JSON dump).
    static let helpWords: Set<String> = ["-h", "--help", "-help", "--help-hidden", "-help-hidden", "--experimental-dump-help"]

    /// `parseAsRoot` after the checks above (negative numbers attached first, as everywhere).
    static func parseChecked(_ arguments: [String]) throws -> ParsableCommand {
        let arguments = attachingNegativeNumbers(arguments)
        let (path, command) = commandPath(arguments)
        let options = Array(arguments.dropFirst(path.count).prefix { $0 != "--" })
        try requireSingleValuedOptionsOnce(options, of: command)
        if options.contains("--version"), arguments != ["--version"] {
            throw ValidationError("--version stands alone (phaseflow --version); got '\(arguments.joined(separator: " "))'")
        }
        if let help = options.first(where: helpWords.contains), options.contains(where: { $0 != help }) {
            let command = (["phaseflow"] + path + [help]).joined(separator: " ")
            let stray = options.filter { $0 != help }.joined(separator: " ")
            throw ValidationError("\(help) stands alone after the command's name (\(command)); got '\(stray)' with it")
        }
        return try parseAsRoot(arguments)
    }

    /// The subcommand words at the front of `arguments` and the command they name.
    static func commandPath(_ arguments: [String]) -> (path: [String], command: ParsableCommand.Type) {
        var command: ParsableCommand.Type = Phaseflow.self
        var path: [String] = []
        for word in arguments {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next
            path.append(word)
        }
        return (path, command)
    }

    /// One line naming the option and its values when a single-valued option of `command` appears
    /// twice among `words` (spelled `--name value` or `--name=value`).
    static func requireSingleValuedOptionsOnce(_ words: [String], of command: ParsableCommand.Type) throws {
        let single = singleValuedOptionNames(command)
        var values: [(name: String, values: [String])] = []
        for (i, word) in words.enumerated() where word.hasPrefix("-") {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = single[String(parts[0])] else { continue }
            let value = parts.count == 2 ? String(parts[1]) : (i + 1 < words.count ? words[i + 1] : "")
            if let j = values.firstIndex(where: { $0.name == name }) { values[j].values.append(value) } else { values.append((name, [value])) }
        }
        let repeated = values.filter { $0.values.count > 1 }
        guard !repeated.isEmpty else { return }
        let named = repeated.map { "\($0.name) \($0.values.count) times (" + $0.values.map { "'\($0)'" }.joined(separator: ", ") + ")" }
        throw ValidationError("a single-valued option is given more than once: " + named.joined(separator: "; ") + "; give each once")
    }

    /// Every spelling (`--d`, `-x`) of the options of `command` that take one value, mapped to the
    /// option's preferred spelling; read from the parser's own description (`_dumpHelp`).
    static func singleValuedOptionNames(_ command: ParsableCommand.Type) -> [String: String] {
        struct Tool: Decodable {
            struct Name: Decodable { var kind: String; var name: String }
            struct Argument: Decodable { var kind: String; var isRepeating: Bool; var names: [Name]?; var preferredName: Name? }
            struct Command: Decodable { var arguments: [Argument]? }
            var command: Command
        }
        guard let tool = try? JSONDecoder().decode(Tool.self, from: Data(command._dumpHelp().utf8)) else { return [:] }
        func spelled(_ name: Tool.Name) -> String { (name.kind == "long" ? "--" : "-") + name.name }
        var names: [String: String] = [:]
        for argument in tool.command.arguments ?? [] where argument.kind == "option" && !argument.isRepeating {
            guard let all = argument.names, let preferred = argument.preferredName ?? all.first else { continue }
            for name in all { names[spelled(name)] = spelled(preferred) }
        }
        return names
    }
}
