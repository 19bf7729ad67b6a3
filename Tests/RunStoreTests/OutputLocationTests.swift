import Foundation
import XCTest
@testable import RunStore

/// The checks made before any work (issue 19): `--resume` needs a run to continue, and an output
/// path must be (or become) a directory, or a file in one, that can really be written.
final class OutputLocationTests: RunStoreTestCase {
    func testResumeIsRefusedWhereNoRunIsAndAcceptedWhereOneIs() throws {
        let missing = scratch.appendingPathComponent("missing")
        let empty = scratch.appendingPathComponent("empty"), junk = scratch.appendingPathComponent("junk")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: junk, withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: junk.appendingPathComponent("readme.txt"))
        for url in [missing, empty, junk] {
            XCTAssertThrowsError(try RunDirectory.requireRunToResume(at: url)) { error in
                XCTAssertEqual("\(error)", "--resume: '\(url.path)' holds no run to resume; drop --resume to start one")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing.path), "the check creates nothing")
        let run = try RunDirectory.open(at: empty, manifest: manifest(), resume: false)
        run.close()
        XCTAssertNoThrow(try RunDirectory.requireRunToResume(at: empty))
    }

    func testDirectoryProblemsAreNamedAndUsableDirectoriesPass() throws {
        let file = scratch.appendingPathComponent("file.txt")
        try Data("x\n".utf8).write(to: file)
        let cases: [(String, String)] = [
            ("", "empty path"),
            (file.path, "'\(file.path)' exists and is not a directory"),
            (file.path + "/sub", "'\(file.path)' is not a directory"),
            ("/dev/null", "'/dev/null' exists and is not a directory"),
            ("/proc/x/y", "cannot create anything in '/proc'"),
            (scratch.path + "/" + String(repeating: "n", count: 236), "has 236 bytes; at most 235"),
        ]
        for (path, fragment) in cases {
            let problem = try XCTUnwrap(OutputLocation.directoryProblem(path), path)
            XCTAssertTrue(problem.contains(fragment), "\(path): \(problem)")
            XCTAssertFalse(problem.contains("\n"))
        }
        XCTAssertNil(OutputLocation.directoryProblem(scratch.path))
        XCTAssertNil(OutputLocation.directoryProblem(scratch.appendingPathComponent("a/b/c").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("a").path), "the check creates nothing")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["file.txt"], "the probe is removed")
    }

    func testFileProblemsAreNamedAndWritableFilesPass() throws {
        XCTAssertTrue(OutputLocation.fileProblem("")?.contains("empty path") == true)
        XCTAssertTrue(OutputLocation.fileProblem(scratch.path)?.contains("is a directory") == true)
        XCTAssertTrue(OutputLocation.fileProblem("/proc/x/d.json")?.contains("'/proc'") == true)
        XCTAssertNil(OutputLocation.fileProblem(scratch.appendingPathComponent("d.json").path))
        XCTAssertNil(OutputLocation.fileProblem(scratch.appendingPathComponent("new/d.json").path))
        XCTAssertNil(OutputLocation.fileProblem(scratch.appendingPathComponent(String(repeating: "n", count: 235)).path))
    }
}
