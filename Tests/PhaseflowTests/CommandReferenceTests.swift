import Foundation
import XCTest

/// The generated command reference matches the binary, every flag has a description, and no help
/// text names a flag that no command has (issue 19, item 7).
final class CommandReferenceTests: XCTestCase {
    /// Sources/phaseflow/Documentation.docc/CommandReference.md, found from this file's path.
    private var referenceFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/phaseflow/Documentation.docc/CommandReference.md")
    }

    func testCheckedInReferenceIsTheBinarysOutput() throws {
        let generated = try phaseflow(["reference"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let checkedIn = try String(contentsOf: referenceFile, encoding: .utf8)
        XCTAssertTrue(generated.stdout == checkedIn,
                      "the command reference is stale: run `phaseflow reference > Sources/phaseflow/Documentation.docc/CommandReference.md`")
    }

    /// The parser's own description of every command (`--experimental-dump-help`).
    private func commandTree() throws -> [String: Any] {
        let dump = try phaseflow(["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(json?["command"] as? [String: Any])
    }

    /// Every command of the tree with its path (`phaseflow dynamics flow`).
    private func commands(_ command: [String: Any], path: String = "phaseflow") -> [(String, [String: Any])] {
        let children = command["subcommands"] as? [[String: Any]] ?? []
        return [(path, command)] + children.flatMap { commands($0, path: path + " " + ($0["commandName"] as? String ?? "?")) }
    }

    private func longNames(_ argument: [String: Any]) -> [String] {
        (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
    }

    func testEveryFlagIsDescribed() throws {
        var undescribed: [String] = []
        for (path, command) in commands(try commandTree()) where !path.hasPrefix("phaseflow help") {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                let names = longNames(argument)
                if names.contains("help") || names.contains("version") || argument["shouldDisplay"] as? Bool == false { continue }
                if (argument["abstract"] as? String ?? "").isEmpty { undescribed.append("\(path) --\(names.first ?? "?")") }
            }
        }
        XCTAssertEqual(undescribed, [], "flags without a description")
    }

    /// One name, one meaning: a flag that several commands take reads the same in each (a default
    /// stated in the text, "(default: …)", may differ).
    func testEachFlagReadsTheSameInEveryCommand() throws {
        var texts: [String: Set<String>] = [:]
        for (path, command) in commands(try commandTree()) where !path.hasPrefix("phaseflow help") {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                let text = (argument["abstract"] as? String ?? "")
                    .replacingOccurrences(of: #"\s*\(default: [^)]*\)$"#, with: "", options: .regularExpression)
                for name in longNames(argument) { texts[name, default: []].insert(text) }
            }
        }
        let differing = texts.filter { $0.value.count > 1 }.map { "--\($0.key): \($0.value.sorted())" }.sorted()
        XCTAssertEqual(differing, [], "flags whose help differs between commands")
    }

    func testHelpNamesOnlyFlagsThatExist() throws {
        let tree = commands(try commandTree())
        let flags = Set(tree.flatMap { ($0.1["arguments"] as? [[String: Any]] ?? []).flatMap(longNames) })
        let pattern = try NSRegularExpression(pattern: "(?<![\\w-])--([a-z][a-z0-9-]*[a-z0-9])")
        var stale: [String] = []
        for (path, command) in tree {
            let texts = [command["abstract"], command["discussion"]].compactMap { $0 as? String }
                + (command["arguments"] as? [[String: Any]] ?? []).compactMap { $0["abstract"] as? String }
            for text in texts {
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let name = (text as NSString).substring(with: match.range(at: 1))
                    if !flags.contains(name) { stale.append("\(path): --\(name)") }
                }
            }
        }
        XCTAssertEqual(stale, [], "help text names flags that no command has")
    }
}
