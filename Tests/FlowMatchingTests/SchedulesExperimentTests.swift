import XCTest
import GSLKit
@testable import FlowMatching

final class SchedulesExperimentTests: XCTestCase {
    /// Blobs at ±2 on the first axis with 80 % on +, classified by the sign of that coordinate.
    static func blobData() throws -> SchedulesData {
        let d = 6
        let train = try NetworkTests.blobs(count: 500, dimension: d, seed: 3)
        let held = try NetworkTests.blobs(count: 300, dimension: d, seed: 4)
        return try SchedulesData(dimension: d, train: train, trainCount: 500, heldOut: held, heldOutCount: 300) { x, n in
            (0..<n).map { x[$0 * d] > 0 }
        }
    }

    func testSmallRunIsPairedReproducibleAndLearnsTheFraction() throws {
        var settings = SchedulesSettings()
        settings.seeds = [1, 2]
        settings.budgets = [30, 400]
        settings.training = TrainingSettings(hidden: 32, batch: 32, learningRate: 3e-3)
        settings.samples = 400
        settings.samplerSteps = 16
        settings.swDirections = 16
        let densities: [any TrainingDensity] = [UniformDensity(), try IntervalAdaptiveDensity(lo: 0.05, hi: 0.4)]
        let experiment = try SchedulesExperiment(data: Self.blobData(), densities: densities, settings: settings)
        let a = try experiment.run()
        settings.threads = 1
        let b = try SchedulesExperiment(data: Self.blobData(), densities: densities, settings: settings).run()
        XCTAssertEqual(a.measurements.map(\.generatedFraction), b.measurements.map(\.generatedFraction))
        XCTAssertEqual(a.measurements.map(\.slicedWasserstein), b.measurements.map(\.slicedWasserstein))
        XCTAssertEqual(a.summaries.count, 4)
        XCTAssertEqual(a.dataFraction, 0.8, accuracy: 1e-12)
        // Paired differences of the reference against itself vanish exactly.
        for s in a.summaries where s.schedule == "uniform" { XCTAssertEqual(s.errorDiffMean, 0) }
        // After 400 steps each run's generated fraction is within 4 binomial SE + 0.03 (the model's
        // residual bias at this tiny budget) of the data's 0.8.
        for m in a.measurements where m.budget == 400 {
            XCTAssertLessThan(m.featureError, 4 * m.binomialSE + 0.03, "\(m.schedule) seed \(m.seed): \(m.generatedFraction)")
            XCTAssertGreaterThan(m.slicedWasserstein, 0)
        }
        print(a.summaries.map { "\($0.schedule) \($0.budget) err \($0.errorMean) sw \($0.swMean)" }, a.swFloor)
    }
}
