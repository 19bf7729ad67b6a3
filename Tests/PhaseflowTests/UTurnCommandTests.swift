import Foundation
import XCTest
import Theory

/// `phaseflow uturn` end to end.
final class UTurnCommandTests: XCTestCase {
    static let curves = UTurnCurve.allCases

    /// `phaseflow uturn`: keys, one row per curve in the summary, one-line errors for bad input.
    func testCommand() throws {
        let summary = try phaseflow(["uturn", "--d", "1000", "--summary", "--format", "json"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["curve"] as? String }, Self.curves.map(\.key))
        for key in ["t10", "t50", "t90", "log_snr10", "log_snr50", "log_snr90", "start_value", "end_value", "d", "p", "sigma"] {
            XCTAssertNotNil(rows.first?[key], key)
        }
        let curves = try phaseflow(["uturn", "--d", "1000", "--points", "7", "--format", "csv"])
        XCTAssertEqual(curves.status, 0, curves.stderr)
        let lines = curves.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 8)
        XCTAssertEqual(lines.first.map(String.init), "schedule,d,p,sigma,tau,t,log_snr,signal,flip_ode_plus,flip_ode_minus,flip_sde_plus,flip_sde_minus")
        try assertOneLineErrors([
            (["uturn", "--p", "1.5"], "1.5"), (["uturn", "--sigma", "0"], "sigma"), (["uturn", "--d", "0.5"], "d must"),
            (["uturn", "--points", "1"], "points"), (["uturn", "--schedule", "cosine"], "cosine"), (["uturn", "--p", "nan"], "nan"),
            (["uturn", "--format", "xml"], "xml"),
        ])
    }
}
