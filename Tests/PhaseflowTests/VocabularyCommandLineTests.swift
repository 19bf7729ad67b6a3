import Foundation
import XCTest
import Experiments

/// Every command, in a small configuration, writes only keys of the one vocabulary: the stdout CSV
/// header and the header of every CSV file in its output directory (issue 19).
final class VocabularyCommandLineTests: XCTestCase {
    /// The commands of the fuzz test (small valid runs) and the variants that change the columns.
    static var runs: [[String]] {
        // reproduce is left out (minutes even when small); its files come from the emitters the other commands run.
        // bench's base in the fuzz test has --samples 0 (invalid there: it is the base the fuzz test breaks); it runs here with 100.
        // window's and escape's bases do not run to the end (too few images for the fit; d = 100 starts above the
        // switch overlap): they run here with the default images and d = 1000.
        let replaced: Set<[String]> = [["reproduce"], ["bench"], ["window"], ["dynamics", "escape"]]
        return FuzzCommandLineTests.commands.filter { !replaced.contains($0.words) }
            .map { command in command.words + command.base.flatMap { ["--" + $0.0] + $0.1 } } + [
            ["bench", "--d", "50", "--n", "8", "--steps", "4", "--fast-epochs", "1", "--dense-epochs", "1", "--samples", "100", "--threads", "1"],
            ["window", "--dataset", "digits"],
            ["dynamics", "escape", "--tau", "0.5", "--d", "1000", "--lr", "0.5", "--time-max", "14", "--time-points", "14", "--members", "4"],
            ["dynamics", "escape", "--tau", "0.5", "--d", "1000", "--lr", "0.5", "--time-max", "14", "--time-points", "14", "--members", "4", "--summary"],
            ["theory", "--points", "4", "--noise", "fixed", "--d", "inf"],
            ["theory", "--points", "4", "--d", "1000", "--finite-d-corrections"],
            ["uturn", "--points", "4", "--summary"],
            ["window", "--dataset", "digits", "--curves"],
            ["window", "--dataset", "digits", "--classes", "3", "rest", "--images", "40", "--bootstrap", "20"],
            ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "4", "--summary"],
            ["predict", "--steps", "4", "--integrator", "all"],
        ]
    }

    func testEveryEmittedKeyIsInTheVocabulary() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vocabulary-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: base) }
        let runs = Self.runs
        // The runs are independent processes: they run on all cores at once (each in its own working
        // directory), and their outputs are checked afterwards, in order.
        nonisolated(unsafe) var outcomes = [Result<FuzzCommandLineTests.Outcome, any Error>?](repeating: nil, count: runs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: runs.count) { i in
            let arguments = runs[i], out = base.appendingPathComponent("run\(i)"), cwd = base.appendingPathComponent("cwd\(i)")
            func run(_ extra: [String]) throws -> FuzzCommandLineTests.Outcome {
                try FuzzCommandLineTests.run(arguments + extra, in: cwd, limit: 600)
            }
            let outcome = Result { () throws -> FuzzCommandLineTests.Outcome in
                var result = try run(["--format", "csv", "--out", out.path])
                if result.status != 0, result.stderr.contains("--format") || result.stderr.contains("format") && result.stderr.contains("Unknown") {
                    result = try run(["--out", out.path])
                }
                if result.status != 0, result.stderr.contains("--out") || result.stderr.contains("out") && result.stderr.contains("Unknown") {
                    result = try run(["--format", "csv"])
                }
                return result
            }
            lock.lock(); outcomes[i] = outcome; lock.unlock()
        }
        var checked = 0
        for (i, arguments) in runs.enumerated() {
            let out = base.appendingPathComponent("run\(i)")
            let result = try XCTUnwrap(outcomes[i]).get()
            XCTAssertFalse(result.signalled || result.timedOut, "\(arguments): crashed or hung")
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            guard result.status == 0 else { continue }
            if let header = result.stdout.split(separator: "\n").first, header.contains(",") {
                let keys = header.split(separator: ",").map(String.init)
                XCTAssertNil(Vocabulary.firstUnregistered(keys), "\(arguments) stdout: '\(Vocabulary.firstUnregistered(keys) ?? "")' is not in the vocabulary")
                checked += 1
            }
            for file in csvFiles(under: out) {
                let text = try String(contentsOf: file, encoding: .utf8)
                guard let header = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") }) else { continue }
                let keys = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                XCTAssertNil(Vocabulary.firstUnregistered(keys), "\(arguments) \(file.lastPathComponent): '\(Vocabulary.firstUnregistered(keys) ?? "")' is not in the vocabulary")
                // The cells decode through the one decoder (no malformed cell, no NaN).
                XCTAssertNoThrow(try RowCodec.rows(csv: text), "\(arguments) \(file.lastPathComponent)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, Self.runs.count)
    }

    private func csvFiles(under url: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { $0.pathExtension == "csv" }
    }
}
