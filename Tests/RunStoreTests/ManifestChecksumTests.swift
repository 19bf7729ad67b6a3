import Foundation
import XCTest
@testable import RunStore

/// The manifest's checksum: a hand edit (d changed to match a new --d) or a manifest written
/// before the field existed is refused with one line, and the rows on disk stay untouched.
final class ManifestChecksumTests: RunStoreTestCase {
    /// A run with three units done, closed.
    func startedRun(_ name: String) throws -> RunDirectory {
        let run = try RunDirectory.open(at: scratch.appendingPathComponent(name), manifest: manifest(), resume: false)
        for unit in run.pendingUnits.prefix(3) { try run.append(unit: unit, rows: Self.rows(of: unit)) }
        run.close()
        return run
    }

    func testWrittenManifestCarriesItsChecksumAndReadsBack() throws {
        let run = try startedRun("ok")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes(run.manifestURL)) as? [String: Any])
        let stored = try XCTUnwrap(object["checksum"] as? String)
        XCTAssertEqual(stored.count, 8)
        // Independent recomputation: CRC-32 of the canonical JSON of the same manifest without the field.
        let read = try Manifest.read(from: run.manifestURL)
        XCTAssertNil(read.checksum)
        XCTAssertEqual(CRC32.hex(CRC32.checksum(try read.canonicalBody())), stored)
        let resumed = try RunDirectory.open(at: run.url, manifest: manifest(), resume: true)
        XCTAssertEqual(resumed.pendingUnits.count, RunStoreTestCase.units().count - 3)
        resumed.close()
    }

    func testEditedManifestIsRefusedEvenWhenTheEditMatchesTheNewSettings() throws {
        let run = try startedRun("edited")
        let rowsBefore = try bytes(run.rowsURL)
        let text = try String(contentsOf: run.manifestURL, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "\"value\" : \"100\"", with: "\"value\" : \"400\"")
        XCTAssertNotEqual(edited, text, "the fixture's d = 100 is in the file")
        try Data(edited.utf8).write(to: run.manifestURL)
        let wanted = manifest([Setting("d", "400"), Setting("n", "16"), Setting("p", "0.5")])
        XCTAssertThrowsError(try RunDirectory.open(at: run.url, manifest: wanted, resume: true)) { error in
            let line = "\(error)"
            XCTAssertFalse(line.contains("\n"), line)
            XCTAssertTrue(line.contains("was edited") && line.contains("manifest.json") && line.contains("checksum"), line)
        }
        XCTAssertEqual(try bytes(run.rowsURL), rowsBefore)
    }

    func testManifestWithoutChecksumIsRefusedWithOneLine() throws {
        let run = try startedRun("old")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes(run.manifestURL)) as? [String: Any])
        object.removeValue(forKey: "checksum")
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: run.manifestURL)
        XCTAssertThrowsError(try RunDirectory.open(at: run.url, manifest: manifest(), resume: true)) { error in
            let line = "\(error)"
            XCTAssertFalse(line.contains("\n"), line)
            XCTAssertTrue(line.contains("has no checksum") && line.contains("new run directory"), line)
        }
    }

    func testWhitespaceOnlyReformattingIsTheSameManifest() throws {
        let run = try startedRun("reformatted")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes(run.manifestURL)) as? [String: Any])
        try JSONSerialization.data(withJSONObject: object, options: []).write(to: run.manifestURL)
        XCTAssertNoThrow(try Manifest.read(from: run.manifestURL))
    }
}
