import XCTest
import RealData
@testable import Experiments

/// `window --atlas` on the committed UCI digits with a small configuration.
final class WindowAtlasTests: XCTestCase {
    /// One row per class 0…9, each the window of that class against the rest, ordered
    /// t10 < t50 < t90 with ordered interval ends; the figure's script names the columns of those rows.
    func testAtlasHasOneOrderedWindowPerClass() throws {
        var config = WindowConfiguration()
        config.dataset = .digits
        config.majority = 0.1
        config.pcaDimension = 16
        config.points = 9; config.imagesPerClass = 30; config.noiseDraws = 2; config.bootstrap = 20; config.steps = 40
        let atlas = WindowAtlas(run: WindowRun(configuration: config))
        let rows = try atlas.rows()
        XCTAssertEqual(rows.count, 10)
        for (c, row) in rows.enumerated() {
            let cell = { (key: String) in row.fields.first { $0.key == key }?.value }
            XCTAssertEqual(cell("start_class"), .string("\(c)"))
            XCTAssertEqual(cell("other_class"), .string("rest"))
            let t = ["t10", "t50", "t90"].map { cell($0)!.number! }
            XCTAssertLessThan(t[0], t[1]); XCTAssertLessThan(t[1], t[2])
            XCTAssertLessThanOrEqual(cell("t50_ci_low")!.number!, cell("t50_ci_high")!.number!)
        }
        let keys = rows[0].keys
        let script = try WindowAtlas.gnuplotScript(keys: keys, title: "digits")
        let t50 = keys.firstIndex(of: "t50")! + 1
        XCTAssertTrue(script.contains("using \(t50):0:"), "t50 is column \(t50)")
        XCTAssertThrowsError(try WindowAtlas.gnuplotScript(keys: keys.filter { $0 != "t90_ci_high" }, title: "x"))
    }
}
