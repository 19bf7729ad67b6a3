import Foundation
import FlowModel

/// A CSV results file written incrementally: each `append` adds whole lines in one write and
/// flushes them to disk, so an interrupted run keeps every finished block; `resume` reads back
/// the rows already there (dropping a torn last line) so the run can skip them.
///
///     let file = try ResultFile(url: URL(fileURLWithPath: "out/x.csv"), header: ["tau", "m"], resume: true)
///     try file.append([row])   // one flushed write; file.existingRows holds what a resumed run keeps
public final class ResultFile {
    public let url: URL
    public let header: [String]
    public private(set) var existingRows: [[String: String]] = []
    private let handle: FileHandle

    public init(url: URL, header: [String], resume: Bool) throws {
        self.url = url
        self.header = header
        let headerLine = header.joined(separator: ",")
        if resume, let text = try? String(contentsOf: url, encoding: .utf8), !text.isEmpty, !text.hasPrefix(headerLine + "\n") {
            throw InputError("--resume: \(url.path) was written with other columns (its first line is not this run's header); not resumed, the file is untouched")
        }
        if resume, let text = try? String(contentsOf: url, encoding: .utf8), text.hasPrefix(headerLine + "\n") {
            let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n")!)]) + "\n"
            existingRows = complete.split(separator: "\n").dropFirst().map { line in
                Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            }
            try Data(complete.utf8).write(to: url, options: .atomic)
        } else {
            try Data((headerLine + "\n").utf8).write(to: url, options: .atomic)
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func append(_ rows: [Row]) throws {
        let text = rows.map { row in row.fields.map(\.value.text).joined(separator: ",") + "\n" }.joined()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
    }
}

/// Writes a whole file at once (temporary file, then rename).
public func writeAtomically(_ text: String, to url: URL) throws {
    try Data(text.utf8).write(to: url, options: .atomic)
}
