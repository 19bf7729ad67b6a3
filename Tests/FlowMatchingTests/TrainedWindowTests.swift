import XCTest
import RealData
@testable import FlowMatching

final class TrainedWindowTests: XCTestCase {
    /// Pilots are seeded per pilot: the thread count does not change them (TS.15, TS.16), and the
    /// trained-model window on the digits fixture comes out ordered with bootstrap ranges around it.
    func testPilotsDoNotDependOnThreadsAndWindowIsOrdered() throws {
        var config = WindowConfiguration()
        config.dataset = .digits
        config.pcaDimension = 16
        config.steps = 24
        config.imagesPerClass = 30
        config.noiseDraws = 2
        config.points = 9
        config.bootstrap = 40
        let data = try WindowExperiment.prepare(config)
        var pilots = PilotSettings()
        pilots.seeds = [11, 12]
        pilots.steps = 300
        pilots.training = TrainingSettings(hidden: 48, batch: 32, learningRate: 3e-3)
        pilots.threads = 1
        let one = try TrainedWindow.pilots(features: data.trainFeatures, count: data.trainLabels.count, settings: pilots)
        pilots.threads = 2
        let two = try TrainedWindow.pilots(features: data.trainFeatures, count: data.trainLabels.count, settings: pilots)
        XCTAssertEqual(one.map(\.network.parameters), two.map(\.network.parameters))

        let result = try TrainedWindow.run(config, pilots: pilots)
        let w = try WindowInterval(result)
        XCTAssertLessThan(w.lo, w.hi)
        XCTAssertLessThanOrEqual(w.loCI.0, w.lo)
        XCTAssertGreaterThanOrEqual(w.hiCI.1, w.hi)
        XCTAssertGreaterThan(w.lo, 0)
        XCTAssertLessThan(w.hi, 1)

        // The split prepared once (schedules prepares it before its run directory) and handed on
        // gives the same interval as preparing it again, for the trained and the zero-shot window.
        let reused = try WindowInterval(try TrainedWindow.run(config, pilots: pilots, firstSplit: data))
        XCTAssertEqual([reused.lo, reused.hi, reused.loCI.0, reused.hiCI.1], [w.lo, w.hi, w.loCI.0, w.hiCI.1])
        let zeroShot = try IntervalChoice.zeroShot.resolve(config), zeroShotReused = try IntervalChoice.zeroShot.resolve(config, prepared: data)
        XCTAssertEqual([zeroShotReused.lo, zeroShotReused.hi], [zeroShot.lo, zeroShot.hi])
        XCTAssertLessThan(zeroShot.lo, zeroShot.hi)
    }
}
