import Foundation

/// The framed CSV row log (`rows.csv`; format in README.md): a header line, then blocks, each the
/// rows of one unit of work followed by the trailer `# block <unit> rows=<n> crc32=<8 hex>`. The
/// checksum covers the block's bytes from its first row up to and including the space before
/// `crc32=`. gnuplot skips `#` lines by default; pandas reads it with `read_csv(path, comment="#")`.
///
///     let block = RowLog.block(unit: "seed=1", rows: [["1", "0.5"]])   // "1,0.5\n# block seed=1 rows=1 crc32=…\n"
public enum RowLog {
    static let trailerPrefix = "# block "

    /// The bytes of one block: its rows and the trailer.
    public static func block(unit: String, rows: [[String]]) -> Data {
        var text = rows.map { $0.joined(separator: ",") + "\n" }.joined()
        text += "\(trailerPrefix)\(unit) rows=\(rows.count) "
        var data = Data(text.utf8)
        data += Data("crc32=\(CRC32.hex(CRC32.checksum(data)))\n".utf8)
        return data
    }

    static func headerLine(_ columns: [String]) -> Data { Data((columns.joined(separator: ",") + "\n").utf8) }

    static func validateUnitKey(_ key: String) throws {
        guard !key.isEmpty, key.utf8.count <= 256, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw RunStoreError("unit key '\(key)': use 1 to 256 printable ASCII characters without spaces")
        }
    }

    static func validateColumns(_ columns: [String]) throws {
        guard !columns.isEmpty else { throw RunStoreError("the row log needs at least one column") }
        var seen = Set<String>()
        for c in columns {
            try validateCell(c, what: "column name")
            guard !c.isEmpty else { throw RunStoreError("a column name is empty") }
            guard seen.insert(c).inserted else { throw RunStoreError("column '\(c)' is given twice") }
        }
        guard !columns[0].hasPrefix("#") else { throw RunStoreError("the first column name '\(columns[0])' starts with '#'") }
    }

    /// Cells may not hold the separator, quotes, line breaks or '#' (pandas' comment character),
    /// nor a non-finite number: no NaN or infinity reaches the disk.
    static func validateCell(_ cell: String, what: String = "cell") throws {
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "#" || $0 == "\n" || $0 == "\r" }) {
            throw RunStoreError("\(what) '\(cell.prefix(40))' contains a comma, quote, '#' or line break")
        }
        let lower = cell.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-"))
        if lower == "nan" || lower == "inf" || lower == "infinity" {
            throw RunStoreError("\(what) '\(cell)' is not a finite number; refusing to write it")
        }
    }

    /// One verified block: its unit, its rows' byte range in the file, the line of its trailer (1-based).
    struct Block {
        var unit: String
        var range: Range<Int>
        var trailerLine: Int
        var rowCount: Int
    }

    /// What reading a log finds: the verified blocks, the end of the last one, and a torn tail.
    struct Scan {
        var blocks: [Block] = []
        var goodEnd: Int
        /// Description of the first problem after `goodEnd`, if the file does not end there.
        var tailProblem: String?
    }

    /// Reads a log: checks the header, verifies every block, and classifies trouble. A problem with
    /// a verifying block after it is corruption in the middle (thrown; the file is not touched); a
    /// problem with nothing verifiable after it is a torn tail (reported, to be cut from `goodEnd`).
    static func scan(_ data: Data, columns: [String], path: String) throws -> Scan {
        let header = headerLine(columns)
        guard data.count >= header.count, data.prefix(header.count) == header else {
            let first = String(decoding: data.prefix(200).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? Data(), as: UTF8.self)
            throw RunStoreError("'\(path)': the header line '\(first.prefix(80))' differs from the run's columns '\(columns.joined(separator: ",").prefix(80))'; file left untouched")
        }
        var scan = Scan(goodEnd: header.count)
        let bytes = [UInt8](data)
        var lineStart = header.count, line = 1, blockStart = header.count, rowsInBlock = 0
        var firstProblem: (line: Int, text: String)?
        while lineStart < bytes.count {
            line += 1
            guard let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                if firstProblem == nil { firstProblem = (line, "line \(line) is incomplete (no line end)") }
                break
            }
            let lineEnd = newline + 1
            defer { lineStart = lineEnd }
            guard bytes[lineStart] == UInt8(ascii: "#") else { rowsInBlock += 1; continue }
            // A trailer: verify it against the rows since the previous trailer.
            let verdict = verifyTrailer(bytes, blockStart: blockStart, trailerStart: lineStart, trailerEnd: newline, rowsSeen: rowsInBlock)
            switch verdict {
            case .success(let unit):
                if let problem = firstProblem {
                    throw RunStoreError("'\(path)' is corrupt in the middle: \(problem.text), but the block of unit \(unit) at line \(line) after it is intact; file left untouched (restore it or choose another --out)")
                }
                scan.blocks.append(Block(unit: unit, range: blockStart..<lineEnd, trailerLine: line, rowCount: rowsInBlock))
                scan.goodEnd = lineEnd
            case .failure(let why):
                if firstProblem == nil { firstProblem = (line, "line \(line): \(why)") }
            }
            blockStart = lineEnd
            rowsInBlock = 0
        }
        if firstProblem == nil, blockStart < bytes.count || rowsInBlock > 0 {
            firstProblem = (line, "\(rowsInBlock) row(s) after line \(line - rowsInBlock) have no block trailer")
        }
        scan.tailProblem = firstProblem?.text
        return scan
    }

    private enum Verdict { case success(String), failure(String) }

    private static func verifyTrailer(_ bytes: [UInt8], blockStart: Int, trailerStart: Int, trailerEnd: Int, rowsSeen: Int) -> Verdict {
        let text = String(decoding: bytes[trailerStart..<trailerEnd], as: UTF8.self)
        let fields = text.dropFirst(trailerPrefix.count).split(separator: " ", omittingEmptySubsequences: false)
        guard text.hasPrefix(trailerPrefix), fields.count == 3, fields[1].hasPrefix("rows="), fields[2].hasPrefix("crc32="),
              let count = Int(fields[1].dropFirst(5)), let crc = UInt32(fields[2].dropFirst(6), radix: 16), fields[2].count == 14 else {
            return .failure("'\(text.prefix(80))' is not a block trailer")
        }
        let unit = String(fields[0])
        guard count == rowsSeen else { return .failure("the block of unit \(unit) declares \(count) rows but has \(rowsSeen)") }
        let covered = trailerEnd - 14   // the block up to and including the space before "crc32=XXXXXXXX"
        let actual = CRC32.checksum(bytes[blockStart..<covered])
        guard actual == crc else {
            return .failure("the block of unit \(unit) has checksum \(CRC32.hex(actual)), its trailer says \(CRC32.hex(crc))")
        }
        return .success(unit)
    }

    /// Splits a verified block's bytes into rows of cells.
    static func rows(of data: Data) -> [[String]] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }
}
