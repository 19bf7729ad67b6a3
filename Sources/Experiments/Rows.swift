import Foundation
import FlowModel

/// One value of an output row: a whole number, a number, a word, or missing (an empty CSV cell,
/// JSON null). Codable as a single JSON value.
public enum Value: Sendable, Equatable, Codable {
    case int(Int), double(Double), string(String), missing

    /// The CSV cell (missing: empty).
    public var text: String {
        switch self {
        case let .int(i): "\(i)"
        case let .double(x): "\(x)"
        case let .string(s): s
        case .missing: ""
        }
    }

    /// The JSON value (missing: null).
    public var json: String {
        switch self {
        case .int, .double: text
        case let .string(s): String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
        case .missing: "null"
        }
    }

    /// The number, nil for a word or missing.
    public var number: Double? {
        switch self {
        case let .int(i): Double(i)
        case let .double(x): x
        case .string, .missing: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .missing }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let x = try? c.decode(Double.self) { self = .double(x) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(i): try c.encode(i)
        case let .double(x): try c.encode(x)
        case let .string(s): try c.encode(s)
        case .missing: try c.encodeNil()
        }
    }
}

/// An output row: quantities of the one vocabulary (`Vocabulary`) with their values, in column order.
/// Encodes as a JSON object (keys in order); decodes from one.
///
///     var row = Row(); row.add("tau", 0.5); row.add("phase", 1); row.add("solution", "learned")
///     print(try render([row], as: .csv))   // tau,phase,solution / 0.5,1,learned
public struct Row: Sendable, Equatable, Codable {
    public var fields: [(key: String, value: Value)] = []
    public init() {}
    public init(fields: [(key: String, value: Value)]) { self.fields = fields }
    public mutating func add(_ key: Quantity, _ value: Value) { fields.append((key.key, value)) }
    public mutating func add(_ key: Quantity, _ x: Double) { fields.append((key.key, .double(x))) }
    public mutating func add(_ key: Quantity, _ i: Int) { fields.append((key.key, .int(i))) }
    public mutating func add(_ key: Quantity, _ s: String) { fields.append((key.key, s.isEmpty ? .missing : .string(s))) }
    /// A number that may be absent (missing: an empty cell, JSON null).
    public mutating func add(_ key: Quantity, _ x: Double?) { fields.append((key.key, x.map(Value.double) ?? .missing)) }

    public var keys: [String] { fields.map(\.key) }

    /// The value under `key`, nil when the row has no such column.
    public subscript(key: String) -> Value? { fields.first { $0.key == key }?.value }

    /// The number under `key`; an error naming the key when it is absent, missing or not a number.
    public func number(_ key: String) throws -> Double {
        guard let value = self[key] else { throw RowCodingError("no column '\(key)'") }
        guard let x = value.number else { throw RowCodingError("'\(key)' holds '\(value.text)', not a number") }
        return x
    }

    /// The number under `key`, nil when the cell is missing; an error when it holds a word.
    public func optionalNumber(_ key: String) throws -> Double? {
        if self[key] == nil || self[key] == .missing { return nil }
        return try number(key)
    }

    public static func == (a: Row, b: Row) -> Bool { a.keys == b.keys && a.fields.map(\.value) == b.fields.map(\.value) }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        fields = try c.allKeys.map { ($0.stringValue, try c.decode(Value.self, forKey: $0)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (key, value) in fields { try c.encode(value, forKey: Key(stringValue: key)) }
    }
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case json, csv, table
}

/// A row that cannot be written or read back: one line naming the quantity (and the row's inputs).
public struct RowCodingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one encoder and decoder of output rows (stdout tables, CSV and JSON; run-directory rows;
/// their read-back on resume). Every cell is checked against the quantity's registered range
/// (`Vocabulary`): a non-finite number or a value outside the range is an error naming the quantity,
/// never a cell on disk. Missing is an empty CSV cell and JSON null.
///
///     let cells = try RowCodec.cells(row)                         // ["0.5", "1", "learned"]
///     let back = try RowCodec.row(cells: cells, columns: row.keys) // typed again; a malformed cell throws
public enum RowCodec {
    /// The keys whose values identify a row in an error message.
    static let inputKeys: Set<String> = ["schedule", "integrator", "d", "n", "p", "sigma", "k", "steps", "tau", "seed", "epoch",
                                         "dataset", "start_class", "curve", "boundary"]

    /// The row's values checked and in their one representation (d as a whole number or inf, …).
    public static func encoded(_ row: Row) throws -> Row {
        Row(fields: try row.fields.map { ($0.key, try encoded($0.value, key: $0.key, in: row)) })
    }

    /// The CSV cells of a row.
    public static func cells(_ row: Row) throws -> [String] { try encoded(row).fields.map(\.value.text) }

    static func encoded(_ value: Value, key: String, in row: Row) throws -> Value {
        func fail(_ why: String) -> RowCodingError {
            let inputs = row.fields.filter { inputKeys.contains($0.key) && $0.key != key }.map { "\($0.key) = \($0.value.text)" }
            return RowCodingError("internal error: '\(key)' \(why)\(inputs.isEmpty ? "" : " (at " + inputs.joined(separator: ", ") + ")"); nothing was written")
        }
        if case let .double(x) = value, !x.isFinite {
            switch Vocabulary.entry(key)?.range {
            case .realOrInfinity? where x.isInfinite: return .string(x > 0 ? "inf" : "-inf")
            case .countOrInfinity?, .nonNegativeOrInfinity?: if x == .infinity { return .string("inf") }
            default: break
            }
            throw fail("is not a finite number (\(x))")
        }
        if case let .string(s) = value, s.isEmpty { return .missing }
        guard let entry = Vocabulary.entry(key) else { return value }   // unregistered: the vocabulary test names it
        if value == .missing { return .missing }
        if case let .string(s) = value, entry.words.contains(s) { return value }
        switch entry.range {
        case .text:
            return .string(value.text)
        case .countOrInfinity:
            if case .string("inf") = value { return value }
            return try whole(value, key: key, fail: fail)
        case .count:
            return try whole(value, key: key, fail: fail)
        case .flag:
            let v = try whole(value, key: key, fail: fail)
            guard v == .int(0) || v == .int(1) else { throw fail("is \(v.text), not 0 or 1") }
            return v
        case .realOrInfinity:
            if case let .string(s) = value, s == "inf" || s == "-inf" { return value }
            return try number(value, entry, fail: fail)
        case .nonNegativeOrInfinity:
            if case .string("inf") = value { return value }
            return try number(value, entry, fail: fail)
        case .real, .positive, .nonNegative, .probability:
            return try number(value, entry, fail: fail)
        }
    }

    private static func whole(_ value: Value, key: String, fail: (String) -> RowCodingError) throws -> Value {
        switch value {
        case let .int(i): guard i >= 0 else { throw fail("is \(i), not a whole number ≥ 0") }; return value
        case let .double(x):
            guard x >= 0, x == x.rounded(), x < 1e15 else { throw fail("is \(x), not a whole number ≥ 0") }
            return .int(Int(x))
        case let .string(s):
            guard let i = Int(s), i >= 0 else { throw fail("is '\(s)', not a whole number ≥ 0") }
            return .int(i)
        case .missing: return value
        }
    }

    private static func number(_ value: Value, _ entry: QuantityEntry, fail: (String) -> RowCodingError) throws -> Value {
        let x: Double
        switch value {
        case let .int(i): x = Double(i)
        case let .double(v): x = v
        case let .string(s):
            guard let v = Double(s), v.isFinite else { throw fail("is '\(s)', not a number") }
            x = v
        case .missing: return value
        }
        switch entry.range {
        case .positive: guard x > 0 else { throw fail("is \(x), not > 0") }
        case .nonNegative, .nonNegativeOrInfinity: guard x >= 0 else { throw fail("is \(x), not ≥ 0") }
        case .probability: guard x >= 0, x <= 1 else { throw fail("is \(x), outside [0, 1]") }
        default: break
        }
        if case .string = value { return .double(x) }
        return value
    }

    /// Decodes one CSV cell of `key`: empty is missing; a registered number must parse (an error
    /// naming the key otherwise, never NaN); a word stays a word.
    public static func value(_ text: String, key: String) throws -> Value {
        if text.isEmpty { return .missing }
        guard let entry = Vocabulary.entry(key) else { return Int(text).map(Value.int) ?? Double(text).map(Value.double) ?? .string(text) }
        if entry.words.contains(text) { return .string(text) }
        let bad = RowCodingError("column '\(key)': '\(text)' is not \(entry.range.phrase)")
        switch entry.range {
        case .text: return .string(text)
        case .count, .flag:
            guard let i = Int(text) else { throw bad }
            return .int(i)
        case .countOrInfinity:
            if text == "inf" { return .string(text) }
            guard let i = Int(text) else { throw bad }
            return .int(i)
        case .nonNegativeOrInfinity:
            if text == "inf" { return .string(text) }
            guard let x = Double(text), x.isFinite else { throw bad }
            return Int(text).map(Value.int) ?? .double(x)
        case .realOrInfinity:
            if text == "inf" || text == "-inf" { return .string(text) }
            guard let x = Double(text), x.isFinite else { throw bad }
            return .double(x)
        case .real, .positive, .nonNegative, .probability:
            guard let x = Double(text), x.isFinite else { throw bad }
            return .double(x)
        }
    }

    /// A row from CSV cells under `columns` (a run directory's rows.csv block, a CSV file's line).
    public static func row(cells: [String], columns: [String]) throws -> Row {
        guard cells.count == columns.count else { throw RowCodingError("a row has \(cells.count) cells, the header \(columns.count) columns") }
        return Row(fields: try zip(columns, cells).map { ($0, try value($1, key: $0)) })
    }

    /// The rows of a CSV text (a header line, then one line per row; `#` lines skipped).
    public static func rows(csv: String) throws -> [Row] {
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }
        guard let header = lines.first else { return [] }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return try lines.dropFirst().map { try row(cells: $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init), columns: columns) }
    }
}

/// How a missing value reads in a table (stdout's `--format table`, the report's Markdown tables):
/// a visible mark, so that a blank cell never shifts the eye to the next column.
public let missingInTable = "-"

/// Renders rows through `RowCodec` (checked against the vocabulary; missing: an empty CSV cell,
/// JSON null, `missingInTable` in a table).
public func render(_ rows: [Row], as format: OutputFormat) throws -> String {
    let rows = try rows.map(RowCodec.encoded)
    let keys = rows.first?.keys ?? []
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
        let cells = [keys] + rows.map { $0.fields.map { $0.value == .missing ? missingInTable : $0.value.text } }
        let widths = keys.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

/// The 1-based column of `key` in `header` for a gnuplot `using` clause: gnuplot scripts address
/// columns by name through this lookup, so a renamed or moved column cannot silently plot another.
///
///     let c = try gnuplotColumn("p_hat", in: ["d", "schedule", "p_hat"])   // 3
public func gnuplotColumn(_ key: String, in header: [String]) throws -> Int {
    guard let i = header.firstIndex(of: key) else { throw RowCodingError("internal error: the figure needs column '\(key)', absent from \(header.joined(separator: ","))") }
    return i + 1
}

/// A Markdown table of the chosen columns, numbers to `digits` significant figures (for reports).
public func markdownTable(_ rows: [Row], keys: [String], digits: Int = 4) -> String {
    let cells = rows.map { row in
        keys.map { key -> String in
            guard let value = row.fields.first(where: { $0.key == key })?.value, value != .missing else { return missingInTable }
            if case let .double(x) = value { return String(format: "%.\(digits)g", x) }
            return value.text
        }
    }
    let lines = ["| " + keys.joined(separator: " | ") + " |", "|" + keys.map { _ in "---" }.joined(separator: "|") + "|"]
        + cells.map { "| " + $0.joined(separator: " | ") + " |" }
    return lines.joined(separator: "\n") + "\n"
}
