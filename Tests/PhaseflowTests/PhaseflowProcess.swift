import Foundation
import XCTest

/// What one run of the `phaseflow` executable printed, and its exit status.
struct PhaseflowOutput { let status: Int32; let stdout: String; let stderr: String }

extension XCTestCase {
    /// The built `phaseflow` executable, which `swift test` builds beside the test bundle.
    func phaseflowExecutable() throws -> URL {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("phaseflow")
        let candidates = [binary] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("phaseflow") }
        return try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                             "phaseflow executable not found next to the tests")
    }

    /// Runs the built `phaseflow` executable, which `swift test` builds beside the test bundle.
    func phaseflow(_ arguments: [String], in directory: URL? = nil) throws -> PhaseflowOutput {
        try phaseflow(arguments, in: directory, alongside: {}).0
    }

    /// Runs the built `phaseflow` with `arguments` (in `directory`) while `work` runs on this thread (the
    /// two are independent, so they share the cores), and returns both; stdout and stderr go through files.
    ///
    ///     let (run, table) = try phaseflow(["theory", "--points", "4"], alongside: { try theory.table(pointsPerPhase: 4) })
    func phaseflow<T>(_ arguments: [String], in directory: URL? = nil, alongside work: () throws -> T) throws -> (PhaseflowOutput, T) {
        let base = NSTemporaryDirectory() + "pf-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        for suffix in [".out", ".err"] { FileManager.default.createFile(atPath: base + suffix, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let process = Process()
        process.executableURL = try phaseflowExecutable()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let result = Result { try work() }
        process.waitUntilExit()
        try out.close(); try err.close()
        let output = PhaseflowOutput(status: process.terminationStatus,
                                     stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: base + ".out")), as: UTF8.self),
                                     stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: base + ".err")), as: UTF8.self))
        return (output, try result.get())
    }

    /// Each case (arguments, fragment) must exit non-zero with exactly one line on stderr that
    /// contains the fragment (the bad value or flag), and print nothing on stdout.
    func assertOneLineErrors(_ cases: [([String], String)], file: StaticString = #filePath, line: UInt = #line) throws {
        for (arguments, fragment) in cases {
            let result = try phaseflow(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)", file: file, line: line)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)", file: file, line: line)
            XCTAssertTrue(result.stderr.contains(fragment), "\(arguments): \(result.stderr)", file: file, line: line)
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments)", file: file, line: line)
        }
    }
}
