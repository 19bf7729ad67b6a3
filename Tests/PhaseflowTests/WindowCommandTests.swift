import Foundation
import XCTest

/// `phaseflow window` as a user runs it, on the committed 8×8 digits.
final class WindowCommandTests: XCTestCase {
    func testWindowCommand() throws {
        try assertOneLineErrors([
            (["window", "--dataset", "cifar"], "cifar"), (["window", "--dataset", "digits", "--classes", "0", "x"], "x"),
            (["window", "--dataset", "digits", "--majority", "1.5"], "1.5"), (["window", "--dataset", "digits", "--pca", "100"], "100"),
            (["window", "--dataset", "mnist", "--data-path", "/nonexistent/mnist.csv.gz"], "/nonexistent/mnist.csv.gz"),
            (["window", "--dataset", "digits", "--classes", "0", "0"], "0"), (["window", "--dataset", "digits", "--bootstrap", "3"], "bootstrap"),
            (["window", "--dataset", "digits", "--sampler", "heun"], "heun"), (["window", "--dataset", "digits", "--points", "2"], "points"),
        ])
        let run = try phaseflow(["window", "--dataset", "digits", "--classes", "0", "1", "--pca", "16", "--sampler-steps", "30",
                                 "--bootstrap", "30", "--noise-draws", "1", "--format", "csv"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let keys = lines[0].split(separator: ",").map(String.init)
        for key in ["t10", "t50", "t90", "t50_ci_low", "log_snr50", "classifier_accuracy"] { XCTAssertTrue(keys.contains(key), key) }
        XCTAssertTrue(run.stderr.contains("classifier accuracy"))
        let values = lines[2].split(separator: ",").map(String.init)
        let t = ["t10", "t50", "t90"].map { Double(values[keys.firstIndex(of: $0)!])! }
        XCTAssertLessThan(t[0], t[1]); XCTAssertLessThan(t[1], t[2])
    }
}
