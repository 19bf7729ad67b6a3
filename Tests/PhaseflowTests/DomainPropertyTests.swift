import Foundation
import XCTest

/// Property-based test of every command's input contract (issue 19, item 6), generated from the
/// option schema of FuzzCommandLineTests (each option's Kind is its declared domain): values at
/// the domain's edges (subnormal, huge, 0, 1, hex and signed spellings) and beyond it, drawn by a
/// seeded generator. The property, for every generated run: either a non-zero exit with exactly one
/// line on stderr naming the option or its value, or exit 0 with only finite numbers on stdout
/// (no nan; no inf unless an argument was inf); never a signal or a run past the per-case limit.
///
/// A fixed seed and a fixed number of cases keep it within a CI budget (~30 s on 2 cores). Explore
/// more with PHASEFLOW_PROPERTY_SEED=<n> PHASEFLOW_PROPERTY_CASES=<m>.
final class DomainPropertyTests: XCTestCase {
    typealias Kind = FuzzCommandLineTests.Kind

    /// SplitMix64: a small seeded generator (the same seed gives the same cases).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        /// 10^u with u uniform in [low, high], printed with %g (so with an exponent when large).
        mutating func power(_ low: Double, _ high: Double) -> String {
            String(format: "%g", pow(10, low + (high - low) * uniform()))
        }
    }

    /// Whether a generated value lies in the kind's declared domain (edge) or beyond it.
    enum Side: String { case edge, beyond }

    /// One generated value of `kind`: edge values must give finite output or a one-line refusal
    /// (a combination with the base flags), values beyond must be refused.
    static func value(_ kind: Kind, _ g: inout Generator) -> (String, Side)? {
        let edge = g.uniform() < 0.5
        switch kind {
        case .probability:
            return edge ? (g.pick(["4.9e-324", "1e-300", g.power(-300, -1), "0.9999999999999999", "0.5", "0x1p-2"]), .edge)
                        : (g.pick(["0", "-0", "1", "-" + g.power(-3, 3), "1." + String(g.next() % 1000), "nan", "1e400"]), .beyond)
        case .positive:
            return edge ? (g.pick(["4.9e-324", g.power(-300, -3), g.power(3, 300), "1.7976931348623157e308", "0x1p-10"]), .edge)
                        : (g.pick(["0", "-0", "-" + g.power(-3, 3), "nan", "inf", "1e400", "-1e400"]), .beyond)
        case .nonNegative:
            return edge ? (g.pick(["0", "-0", "4.9e-324", g.power(-300, 300)]), .edge)
                        : (g.pick(["-" + g.power(-300, 3), "nan", "inf", "1e400"]), .beyond)
        case .finite:
            return edge ? (g.pick(["-0", g.power(-300, 2), "-" + g.power(-300, 2), "4.9e-324"]), .edge)
                        : (g.pick(["nan", "inf", "-inf", "1e400", "-1e400"]), .beyond)
        case .count:
            return edge ? (g.pick(["1", "2", "+3"]), .edge)
                        : (g.pick(["0", "-" + String(g.next() % 1000 + 1), "2.5", "1e30", "9223372036854775808", "0x10"]), .beyond)
        case .countOrZero:
            return edge ? (g.pick(["0", "1", "2"]), .edge) : (g.pick(["-1", "2.5", "9223372036854775808"]), .beyond)
        case .size:
            return edge ? (g.pick(["1", "2"]), .edge)
                        : (g.pick(["0", "-1", "1000000000", "9223372036854775807", "2.5"]), .beyond)
        case .sizeOrZero:
            return edge ? (g.pick(["0", "1", "2"]), .edge) : (g.pick(["-1", "1000000000", "9223372036854775807"]), .beyond)
        case .trainingPoints:
            return edge ? (g.pick(["1", "2", "inf"]), .edge) : (g.pick(["0", "0.5", "-" + g.power(0, 3), "nan", "-inf"]), .beyond)
        case .dimension:
            return edge ? (g.pick(["1", "2", "inf"]), .edge) : (g.pick(["0", "-5", "1.5", "nan", "-inf", "1e13", "1e400"]), .beyond)
        case .seed:
            return edge ? (g.pick(["0", "18446744073709551615"]), .edge) : (g.pick(["-1", "18446744073709551616", "1.5"]), .beyond)
        case .choice:
            return edge ? nil : (g.pick(["bogus", "", "DILATED", " dilated"]), .beyond)
        }
    }

    /// Commands whose small base runs in well under a second, so that an edge value may run them
    /// (the others are checked only beyond their domains, where validate() must refuse at once).
    static let quickCommands: Set<String> = ["exact", "theory", "predict", "uturn", "precursor", "phase-diagram", "simulate",
                                             "dynamics flow", "dynamics finite-n", "dynamics escape", "diagram"]

    struct Case { let arguments: [String]; let option: String; let value: String; let side: Side }

    static func cases(seed: UInt64, count: Int) -> [Case] {
        var g = Generator(state: seed)
        var all: [Case] = []
        let commands = FuzzCommandLineTests.commands
        var attempts = 0
        while all.count < count, attempts < 100 * count {
            attempts += 1
            let command = g.pick(commands)
            guard let (option, kind) = command.options.isEmpty ? nil : g.pick(command.options),
                  let (value, side) = value(kind, &g) else { continue }
            if side == .edge, !quickCommands.contains(command.words.joined(separator: " ")) { continue }
            all.append(Case(arguments: FuzzCommandLineTests.arguments(command, option, [value]), option: option, value: value, side: side))
        }
        return all
    }

    /// Why a run breaks the contract, or nil.
    static func violation(_ c: Case, _ o: FuzzCommandLineTests.Outcome) -> String? {
        if o.timedOut { return "no answer within the limit (\(String(format: "%.1f", o.seconds)) s)" }
        if o.signalled { return "signal \(o.status)" }
        if o.status != 0 {
            let lines = o.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") && !$0.hasPrefix("Warning") }
            guard lines.count == 1 else { return "\(lines.count) error lines: \(o.stderr.suffix(300))" }
            let rendered = Double(c.value).map { "\($0)" }
            let names = [c.option, c.value] + (rendered.map { [$0] } ?? [])
            guard names.contains(where: { !$0.isEmpty && lines[0].contains($0) }) else { return "error names neither --\(c.option) nor '\(c.value)': \(lines[0])" }
            return c.side == .beyond || o.stdout.isEmpty ? nil : "stdout not empty on error"
        }
        if c.side == .beyond { return "exit 0 for a value beyond the domain" }
        return nonFinite(o.stdout).map { "\($0) on stdout: \(o.stdout.prefix(300))" }
    }

    /// Columns whose `inf` is a label (the n = ∞ or d = ∞ theory), not a number gone non-finite.
    static let infinityLabels: Set<String> = ["n", "d", "n_plus"]

    /// The words of a line with the column at which each starts.
    static func words(_ line: Substring) -> [(start: Int, text: String)] {
        var result: [(Int, String)] = [], current = "", start = 0
        for (i, ch) in line.enumerated() {
            if ch.isWhitespace {
                if !current.isEmpty { result.append((start, current)); current = "" }
            } else {
                if current.isEmpty { start = i }
                current.append(ch)
            }
        }
        if !current.isEmpty { result.append((start, current)) }
        return result
    }

    /// The first non-finite cell of a table printed by `render` (a header, then left-aligned cells
    /// under it; empty cells leave gaps, so a cell's column is the header word it starts under), or
    /// nil: any nan, and inf outside the label columns.
    static func nonFinite(_ stdout: String) -> String? {
        let lines = stdout.split(separator: "\n")
        guard let first = lines.first else { return nil }
        let header = words(first)
        for line in lines.dropFirst() {
            for cell in words(line) {
                let text = cell.text.lowercased()
                if text.contains("nan") { return "nan" }
                guard ["inf", "-inf", "+inf", "infinity", "-infinity"].contains(text) else { continue }
                let column = header.last { $0.start <= cell.start }?.text ?? ""
                if !infinityLabels.contains(column) || text.hasPrefix("-") { return "\(text) in column \(column)" }
            }
        }
        return nil
    }

    func testGeneratedValuesAtAndBeyondEveryDomainKeepTheContract() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["PHASEFLOW_PROPERTY_SEED"] ?? "") ?? 19
        let count = Int(environment["PHASEFLOW_PROPERTY_CASES"] ?? "") ?? 160
        let limit = Double(environment["PHASEFLOW_FUZZ_LIMIT"] ?? "") ?? 8
        let cases = Self.cases(seed: seed, count: count)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-property-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        nonisolated(unsafe) var violations = [String?](repeating: nil, count: cases.count)
        let lock = NSLock(), next = NSLock(), group = DispatchGroup()
        nonisolated(unsafe) var index = 0
        let started = Date()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                while true {
                    next.lock(); let i = index; index += 1; next.unlock()
                    if i >= cases.count { break }
                    let v: String?
                    do {
                        let o = try FuzzCommandLineTests.run(cases[i].arguments, in: root.appendingPathComponent("p\(i)"), limit: limit)
                        v = Self.violation(cases[i], o)
                    } catch { v = "could not run: \(error)" }
                    lock.lock(); violations[i] = v; lock.unlock()
                }
                group.leave()
            }
        }
        group.wait()
        let failed = zip(cases, violations).compactMap { c, v in v.map { "[\(c.side.rawValue)] \(c.arguments.joined(separator: " ")): \($0)" } }
        let edges = cases.filter { $0.side == .edge }.count
        print("property: seed \(seed), \(cases.count) cases (\(edges) at the edge, \(cases.count - edges) beyond), \(failed.count) violations, "
              + String(format: "%.1f s", Date().timeIntervalSince(started)))
        for line in failed { print("property violation: \(line)") }
        XCTAssertEqual(cases.count, count)
        XCTAssertEqual(failed.count, 0, failed.prefix(30).joined(separator: "\n"))
    }
}
