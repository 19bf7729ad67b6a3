import XCTest
import GSLKit
import RealData
@testable import FlowMatching

/// A small schedules run on the committed 8×8 UCI digits (RealData's fixture), 0 vs 1 at 0.8.
final class DigitsEndToEndTests: XCTestCase {
    func testSchedulesRunOnDigitsFixture() throws {
        var config = WindowConfiguration()
        config.dataset = .digits
        config.pcaDimension = 16
        let window = try WindowExperiment.prepare(config)
        let data = try SchedulesData(window: window)
        XCTAssertEqual(data.dimension, 16)
        // Held-out rows keep the training majority (TS.19's reference set).
        let heldMajority = try data.isMajority(data.heldOut, data.heldOutCount).filter { $0 }.count
        XCTAssertEqual(Double(heldMajority) / Double(data.heldOutCount), 0.8, accuracy: 0.05)

        var settings = SchedulesSettings()
        settings.seeds = [1, 2]
        settings.budgets = [20, 300]
        settings.training = TrainingSettings(hidden: 48, batch: 32, learningRate: 3e-3)
        settings.samples = 300
        settings.samplerSteps = 16
        settings.swDirections = 16
        let densities: [any TrainingDensity] = [UniformDensity(), LogitNormalDensity.edm, try IntervalAdaptiveDensity(lo: 0.1, hi: 0.5)]
        let result = try SchedulesExperiment(data: data, densities: densities, settings: settings).run()
        XCTAssertEqual(result.measurements.count, 12)
        XCTAssertEqual(result.dataFraction, 0.8, accuracy: 0.02)
        // Training moves the samples towards the data: the sliced W₂ of every (schedule, seed) drops
        // from 20 to 300 steps by more than its paired spread would allow by chance.
        let drops = result.measurements.filter { $0.budget == 300 }.map { late in
            result.measurements.first { $0.budget == 20 && $0.seed == late.seed && $0.schedule == late.schedule }!.slicedWasserstein
                - late.slicedWasserstein
        }
        let drop = meanAndStandardError(drops)
        XCTAssertGreaterThan(drop.mean, 3 * drop.standardError, "SW drop \(drop.mean) ± \(drop.standardError)")
        let report = SchedulesReport(result: result)
        XCTAssertEqual(result.summaries.count, 6)
        for s in result.summaries { XCTAssertTrue(report.summaryNumbers(s).allSatisfy(\.isFinite), "\(s.schedule) \(s.budget)") }
    }
}
