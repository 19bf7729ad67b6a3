import Foundation
import XCTest
@testable import Experiments

/// The one vocabulary (issue 19): unique names and meanings, labels that exist in the derivations,
/// and the one encoder/decoder refusing what is not a valid result.
final class VocabularyTests: XCTestCase {
    func testNamesAndMeaningsAreUnique() {
        XCTAssertEqual(Vocabulary.firstUnregistered(["p_hat", "t10", "m_sim_se", "not_a_quantity"]), "not_a_quantity")
        let keys = Vocabulary.entries.map(\.key)
        XCTAssertEqual(Set(keys).count, keys.count, "duplicate names: \(Dictionary(grouping: keys) { $0 }.filter { $1.count > 1 }.keys.sorted())")
        let meanings = Vocabulary.entries.map(\.meaning)
        XCTAssertEqual(Set(meanings).count, meanings.count,
                       "duplicate meanings: \(Dictionary(grouping: meanings) { $0 }.filter { $1.count > 1 }.keys.sorted())")
        for e in Vocabulary.entries {
            XCTAssertFalse(e.meaning.isEmpty, e.key)
            XCTAssertTrue(e.key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, e.key)
        }
    }

    /// Every label names an equation the derivations define.
    func testLabelsExistInTheDerivations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("derivations")
        let text = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }
            .map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        for e in Vocabulary.entries where !e.label.isEmpty {
            XCTAssertTrue(text.contains("(\(e.label))") || text.contains("\(e.label),") || text.contains("\(e.label))") || text.contains("**\(e.label) "),
                          "\(e.key): label \(e.label) not found in derivations/*.md")
        }
    }

    /// Missing is an empty cell and JSON null; d is a whole number or inf; a decoded row equals the encoded one.
    func testEncodingAndDecodingRoundTrip() throws {
        var row = Row()
        row.add("d", 200.0); row.add("n", extendedCell(.infinity)); row.add("p", 0.8); row.add("p_hat", nil as Double?)
        row.add("schedule", "dilated"); row.add("commit_log_snr", -Double.infinity)
        let csv = try render([row], as: .csv)
        XCTAssertEqual(csv, "d,n,p,p_hat,schedule,commit_log_snr\n200,inf,0.8,,dilated,-inf\n")
        XCTAssertTrue(try render([row], as: .json).contains("\"p_hat\": null"))
        let back = try RowCodec.rows(csv: csv)
        XCTAssertEqual(back, [try RowCodec.encoded(row)])
        let json = try JSONDecoder().decode([String: Value].self, from: Data(#"{"p": 0.8, "p_hat": null, "d": "inf"}"#.utf8))
        XCTAssertEqual(json["p_hat"], .missing)
        XCTAssertEqual(json["p"], .double(0.8))
    }

    /// The encoder refuses a non-finite number and a value outside its range, naming the quantity
    /// and the row's inputs; the decoder refuses a malformed cell instead of reading NaN.
    func testInvalidValuesAreErrors() throws {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        var row = Row(); row.add("d", 100); row.add("p_hat", 1.2)
        XCTAssertTrue(message { try render([row], as: .csv) }.contains("'p_hat'"))
        XCTAssertTrue(message { try render([row], as: .csv) }.contains("d = 100"))
        var nan = Row(); nan.add("m", Double.nan)
        XCTAssertTrue(message { try render([nan], as: .json) }.contains("'m'"))
        var negative = Row(); negative.add("seeds", -1)
        XCTAssertTrue(message { try render([negative], as: .table) }.contains("'seeds'"))
        XCTAssertTrue(message { try RowCodec.row(cells: ["abc"], columns: ["m"]) }.contains("'m'"))
        XCTAssertTrue(message { try RowCodec.row(cells: ["nan"], columns: ["p_hat"]) }.contains("'p_hat'"))
        XCTAssertTrue(message { try RowCodec.row(cells: ["1.5"], columns: ["seed"]) }.contains("'seed'"))
        XCTAssertEqual(try RowCodec.row(cells: [""], columns: ["m"])["m"], .missing)
        XCTAssertThrowsError(try RowCodec.row(cells: [""], columns: ["m"]).number("m"))
    }
}
