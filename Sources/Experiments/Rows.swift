import Foundation
import FlowModel

/// One value of an output row.
public enum Value: Sendable {
    case int(Int), double(Double), string(String)

    public var text: String {
        switch self {
        case let .int(i): "\(i)"
        case let .double(x): "\(x)"
        case let .string(s): s
        }
    }

    public var json: String {
        switch self {
        case .int, .double: text
        case let .string(s): String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
        }
    }
}

/// An output row: keys in the project's one vocabulary (tau, t, phase, c, b, m, omega, q, r, uw,
/// p_hat, sigma_hat, and the inputs under their flag names).
///
///     var row = Row(); row.add("tau", 0.5); row.add("phase", 1); row.add("solution", "learned")
///     print(try render([row], as: .csv))   // tau,phase,solution / 0.5,1,learned
public struct Row: Sendable {
    public var fields: [(key: String, value: Value)] = []
    public init() {}
    public init(fields: [(key: String, value: Value)]) { self.fields = fields }
    public mutating func add(_ key: String, _ value: Value) { fields.append((key, value)) }
    public mutating func add(_ key: String, _ x: Double) { fields.append((key, .double(x))) }
    public mutating func add(_ key: String, _ i: Int) { fields.append((key, .int(i))) }
    public mutating func add(_ key: String, _ s: String) { fields.append((key, .string(s))) }
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case json, csv, table
}

public enum TableError: Error, CustomStringConvertible {
    case notFinite(String)
    public var description: String {
        switch self { case let .notFinite(key): "internal error: '\(key)' is not a finite number; nothing was written" }
    }
}

/// Renders rows; refuses any NaN or infinity rather than writing it.
public func render(_ rows: [Row], as format: OutputFormat) throws -> String {
    for row in rows {
        for (key, value) in row.fields { if case let .double(x) = value, !x.isFinite { throw TableError.notFinite(key) } }
    }
    let keys = rows.first?.fields.map(\.key) ?? []
    switch format {
    case .json:
        let objects = rows.map { row in
            "  {" + row.fields.map { "\"\($0.key)\": \($0.value.json)" }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    case .csv:
        return ([keys.joined(separator: ",")] + rows.map { $0.fields.map(\.value.text).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    case .table:
        let cells = [keys] + rows.map { $0.fields.map(\.value.text) }
        let widths = keys.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

/// A Markdown table of the chosen columns, numbers to `digits` significant figures (for reports).
public func markdownTable(_ rows: [Row], keys: [String], digits: Int = 4) -> String {
    let cells = rows.map { row in
        keys.map { key -> String in
            guard let value = row.fields.first(where: { $0.key == key })?.value else { return "" }
            if case let .double(x) = value { return String(format: "%.\(digits)g", x) }
            return value.text
        }
    }
    let lines = ["| " + keys.joined(separator: " | ") + " |", "|" + keys.map { _ in "---" }.joined(separator: "|") + "|"]
        + cells.map { "| " + $0.joined(separator: " | ") + " |" }
    return lines.joined(separator: "\n") + "\n"
}
