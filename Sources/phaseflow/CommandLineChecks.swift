import ArgumentParser
import Foundation

/// The checks of a whole command line that ArgumentParser leaves open, made before parsing so that
/// a run (and a sweep wrapped by slurm-script) is refused before any work:
/// - a single-valued option given twice (`--d 100 --d 200`) is refused instead of taking the last;
///   array options (`--dims 100 200`, `--dims 100 --dims 200`) and flags may repeat;
/// - `--version` and `--help` stand alone after the command's name (`phaseflow --version`,
///   `phaseflow dynamics flow --help`): `exact --help bogus` names `bogus` instead of printing help
///   and exiting 0;
/// - `--name=` is the empty value, as `--name ""` (the parser would take the next word as the value:
///   `merge --out= A B` would merge B into A);
/// - a word that no option takes, in a command without positional arguments, is named
///   (`dynamics escape 1000`), before the command's own checks could report something else.
/// Only the words before `--` are looked at (slurm-script's sweep follows it).
///
///     var command = try Phaseflow.parseChecked(["exact", "--d", "100", "--steps", "4"])
///     try Phaseflow.parseChecked(["exact", "--d", "100", "--d", "200"])   // throws: --d given twice
extension Phaseflow {
    /// The parser's built-in requests that print instead of running (help, hidden help, the JSON dump).
    static let helpWords: Set<String> = ["-h", "--help", "-help", "--help-hidden", "-help-hidden", "--experimental-dump-help"]

    /// `parseAsRoot` after the checks above (negative numbers attached first, as everywhere).
    static func parseChecked(_ arguments: [String]) throws -> ParsableCommand {
        let arguments = spellingOutEmptyValues(attachingNegativeNumbers(arguments))
        let (path, command) = commandPath(arguments)
        let options = Array(arguments.dropFirst(path.count).prefix { $0 != "--" })
        let described = parserArguments(command)   // the parser's description, read once for both checks
        try requireSingleValuedOptionsOnce(options, described: described)
        if options.contains("--version"), arguments != ["--version"] {
            throw ValidationError("--version stands alone (phaseflow --version); got '\(arguments.joined(separator: " "))'")
        }
        if let help = options.first(where: helpWords.contains), options.contains(where: { $0 != help }) {
            let command = (["phaseflow"] + path + [help]).joined(separator: " ")
            let stray = options.filter { $0 != help }.joined(separator: " ")
            throw ValidationError("\(help) stands alone after the command's name (\(command)); got '\(stray)' with it")
        }
        try requireNoStrayWords(options, of: command, path: path, described: described)
        return try parseAsRoot(arguments)
    }

    /// `--name=` (nothing after `=`) as the two words `--name` and the empty value, before `--`.
    static func spellingOutEmptyValues(_ arguments: [String]) -> [String] {
        let options = arguments.prefix { $0 != "--" }
        let spelled = options.flatMap { word -> [String] in
            guard word.hasPrefix("--"), word.hasSuffix("="), word.count > 3, word.firstIndex(of: "=") == word.index(before: word.endIndex) else { return [word] }
            return [String(word.dropLast()), ""]
        }
        return spelled + arguments.dropFirst(options.count)
    }

    /// One line naming the first word of `words` that no option of `command` takes, when the command
    /// has no positional arguments (and no subcommands: the parser names an unknown one); `described`
    /// is `parserArguments(command)`.
    static func requireNoStrayWords(_ words: [String], of command: ParsableCommand.Type, path: [String],
                                    described: [ParserArgument]?) throws {
        guard command.configuration.subcommands.isEmpty, let arguments = described,
              !arguments.contains(where: { $0.kind == "positional" }) else { return }
        var valued: [String: Bool] = [:]   // spelling → takes every word up to the next option
        for argument in arguments where argument.kind == "option" {
            for name in argument.names ?? [] { valued[spelled(name)] = argument.parsingStrategy == "upToNextOption" }
        }
        let known = Set(arguments.flatMap { ($0.names ?? []).map(spelled) })
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            guard word.hasPrefix("-") else {
                throw ValidationError("unexpected argument '\(word)': `phaseflow \(path.joined(separator: " "))` takes no positional arguments (each value follows its option)")
            }
            // After an unknown option (or a loose negative number) the parser names it.
            guard known.contains(String(word.prefix { $0 != "=" })) else { return }
            // A flag or `--name=value` takes no next word.
            guard !word.contains("="), let upToNextOption = valued[word] else { continue }
            if upToNextOption {
                while i < words.count, !words[i].hasPrefix("-") { i += 1 }
            } else if i < words.count {
                i += 1
            }
        }
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

    /// One line naming the option and its values when a single-valued option of the command appears
    /// twice among `words` (spelled `--name value` or `--name=value`); `described` is `parserArguments(command)`.
    static func requireSingleValuedOptionsOnce(_ words: [String], described: [ParserArgument]?) throws {
        let single = singleValuedOptionNames(described)
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

    /// Every spelling (`--d`, `-x`) of the options that take one value, mapped to the option's
    /// preferred spelling; from the parser's own description of the command (`parserArguments`).
    static func singleValuedOptionNames(_ described: [ParserArgument]?) -> [String: String] {
        var names: [String: String] = [:]
        for argument in described ?? [] where argument.kind == "option" && !argument.isRepeating {
            guard let all = argument.names, let preferred = argument.preferredName ?? all.first else { continue }
            for name in all { names[spelled(name)] = spelled(preferred) }
        }
        return names
    }

    /// One argument of a command as the parser describes it (`_dumpHelp`).
    struct ParserArgument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var kind: String
        var isRepeating: Bool
        var names: [Name]?
        var preferredName: Name?
        var parsingStrategy: String?
    }

    /// The arguments of `command` (options, flags, positionals), read from the parser's own description.
    static func parserArguments(_ command: ParsableCommand.Type) -> [ParserArgument]? {
        struct Tool: Decodable {
            struct Command: Decodable { var arguments: [ParserArgument]? }
            var command: Command
        }
        guard let tool = try? JSONDecoder().decode(Tool.self, from: Data(command._dumpHelp().utf8)) else { return nil }
        return tool.command.arguments ?? []
    }

    /// `--name` or `-n`.
    static func spelled(_ name: ParserArgument.Name) -> String { (name.kind == "long" ? "--" : "-") + name.name }
}
