import Foundation
import XCTest

/// One default setup across commands: every command that takes --d resolves the same d without it
/// (and says so in its help), and the L of J defaults to the same value wherever the flag means it.
final class DefaultSetupTests: XCTestCase {
    /// The columns `keys` of the command's CSV output, from one run (a key the output lacks, e.g.
    /// `uturn`'s k, gives an empty column).
    private func csvColumns(_ arguments: [String], _ keys: [String]) throws -> [String: [String]] {
        let result = try phaseflow(arguments + ["--format", "csv"])
        XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var columns: [String: [String]] = [:]
        for key in keys {
            guard let column = lines.first?.firstIndex(of: key) else { columns[key] = []; continue }
            columns[key] = lines.dropFirst().map { $0[column] }
        }
        return columns
    }

    /// The same d (and p, σ, k) in the output of every command that computes without --d, and the
    /// same --d help line in every command that declares it.
    func testEveryCommandHasTheSameDefaultDimension() throws {
        let runs: [[String]] = [
            ["theory", "--points", "1"], ["predict", "--steps", "4"], ["exact", "--steps", "4"], ["uturn", "--summary"],
            ["dynamics", "flow", "--tau", "0.5", "--time-max", "1", "--time-points", "1"],
            ["dynamics", "finite-n", "--tau", "0.5", "--n", "4", "--time-max", "1", "--time-points", "1"],
        ]
        var resolved: [String: Set<String>] = [:]
        for arguments in runs {   // one run per command, all four columns read from it
            let columns = try csvColumns(arguments, ["d", "p", "sigma", "k"])
            for (key, column) in columns { resolved[key, default: []].formUnion(column) }
            XCTAssertFalse(columns["d"]!.isEmpty, "\(arguments): no d column")
        }
        XCTAssertEqual(resolved["d"], ["5000"])
        XCTAssertEqual(resolved["p"], ["0.8"])
        XCTAssertEqual(resolved["sigma"], ["1.0"])
        XCTAssertEqual(resolved["k"], ["2.0"])

        // Commands whose default run is long (simulations): the shared option group's help line.
        var helpLines: Set<String> = []
        for command in [["theory"], ["predict"], ["exact"], ["uturn"], ["simulate"], ["bench"], ["dynamics", "flow"],
                        ["dynamics", "finite-n"], ["dynamics", "escape"], ["dynamics", "vs-simulation"]] {
            let help = try phaseflow(command + ["--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            let start = try XCTUnwrap(help.range(of: "--d <d> "), "\(command)")
            let end = try XCTUnwrap(help.range(of: " --p <p>", range: start.upperBound..<help.endIndex), "\(command)")
            helpLines.insert(String(help[start.lowerBound..<end.lowerBound]))
        }
        XCTAssertEqual(helpLines.count, 1, "\(helpLines)")
        XCTAssertTrue(helpLines.first?.contains("(default: 5000") ?? false, "\(helpLines)")
    }

    /// The L of J (AT.2) defaults to the same value in `theory` and `dynamics finite-n`.
    func testPenaltyDefaultsAgree() throws {
        let keys = ["penalty_u", "penalty_w"]
        let theoryColumns = try csvColumns(["theory", "--points", "1"], keys)
        let finiteNColumns = try csvColumns(["dynamics", "finite-n", "--tau", "0.5", "--n", "4", "--time-max", "1", "--time-points", "1"], keys)
        let theory = keys.flatMap { theoryColumns[$0]! }, finiteN = keys.flatMap { finiteNColumns[$0]! }
        XCTAssertEqual(Set(theory), ["2.0"])
        XCTAssertEqual(Set(finiteN), Set(theory))
    }
}
