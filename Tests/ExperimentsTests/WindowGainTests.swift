import XCTest
import RealData
@testable import Experiments

/// `phaseflow gain` (derivations/training-schedules.md §8) on the committed UCI digits, small.
final class WindowGainTests: XCTestCase {
    func testTasksParseAndBadOnesAreNamed() throws {
        let task = try GainTask(parsing: "fashion-mnist:7:9")
        XCTAssertEqual(task.dataset, .fashionMNIST); XCTAssertEqual(task.classA, 7); XCTAssertEqual(task.classB, 9)
        XCTAssertEqual(task.name, "fashion-mnist:7:9")
        for bad in ["mnist:1", "mnist:1:1", "cifar:0:1", "mnist:a:2", "mnist:0:1:2", "mnist:-1:2"] {
            XCTAssertThrowsError(try GainTask(parsing: bad)) { XCTAssertTrue("\($0)".contains(bad.split(separator: ":")[0]) || "\($0)".contains(bad), "\($0)") }
        }
    }

    /// The table (returned rows), its file gain.csv (the figure's data) and the runs written in each
    /// task's directory agree: gain = mean uniform error / mean adaptive error over the seeds read back
    /// from schedules_runs.csv; the window share is t_hi − t_lo; the figure's script reads the share,
    /// gain and SE columns by their place in gain.csv's header.
    func testGainTableMatchesTheRunsAndTheFigureFile() throws {
        var run = WindowGainRun(tasks: try ["digits:0:1", "digits:3:8"].map(GainTask.init(parsing:)))
        run.window.pcaDimension = 16
        run.window.points = 9; run.window.imagesPerClass = 30; run.window.noiseDraws = 2; run.window.bootstrap = 20; run.window.steps = 40
        run.settings.seeds = [1, 2, 3]; run.settings.budgets = [20, 60]; run.settings.samples = 200
        run.settings.training.hidden = 32; run.settings.training.batch = 32; run.settings.threads = 2
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let rows = try run.run(out: out)
        XCTAssertEqual(rows.count, 4)
        let file = try String(contentsOf: out.appendingPathComponent(WindowGainRun.csvName), encoding: .utf8)
        XCTAssertEqual(file, try render(rows, as: .csv))
        let table = csv(file)
        for row in table {
            let task = try GainTask(parsing: row["task"]!)
            let runs = csv(try String(contentsOf: out.appendingPathComponent(WindowGainRun.taskFolder(task)).appendingPathComponent("schedules_runs.csv"),
                                      encoding: .utf8)).filter { $0["budget"] == row["budget"] }
            func mean(_ schedule: String) -> Double {
                let e = runs.filter { $0["schedule"] == schedule }.map { Double($0["feature_error"]!)! }
                XCTAssertEqual(e.count, 3)
                return e.reduce(0, +) / Double(e.count)
            }
            XCTAssertEqual(Double(row["gain"]!)!, mean("uniform") / mean("adaptive"), accuracy: 1e-9)
            XCTAssertEqual(Double(row["window_share"]!)!, Double(row["t_hi"]!)! - Double(row["t_lo"]!)!, accuracy: 1e-12)
            XCTAssertGreaterThanOrEqual(Double(row["gain_se"]!)!, 0)   // 0 when both schedules give the same errors
        }
        let keys = rows[0].keys
        let script = try WindowGainRun.gnuplotScript(keys: keys, budgets: [20, 60], fraction: 0.5, title: "digits")
        let (b, s, g, se) = ["budget", "window_share", "gain", "gain_se"].map { keys.firstIndex(of: $0)! + 1 }.tuple4
        XCTAssertTrue(script.contains("($\(b) == 20 ? $\(s) + -0.003 : NaN):\(g):\(se)"), script)
        XCTAssertThrowsError(try WindowGainRun.gnuplotScript(keys: keys.filter { $0 != "gain_se" }, budgets: [20], fraction: 0.5, title: "x"))
    }

    /// A header and plain cells (the files here quote nothing).
    private func csv(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }
}

private extension Array {
    var tuple4: (Element, Element, Element, Element) { (self[0], self[1], self[2], self[3]) }
}
