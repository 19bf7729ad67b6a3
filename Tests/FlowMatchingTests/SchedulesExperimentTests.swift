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
        // The signed bias (TS.27): its size is the feature error; its summary is the mean over seeds,
        // and the paired bias difference vs uniform is the difference of generated fractions.
        for m in a.measurements { XCTAssertEqual(abs(m.majorityBias), m.featureError) }
        for s in a.summaries {
            let mine = a.measurements.filter { $0.schedule == s.schedule && $0.budget == s.budget }
            let ref = a.measurements.filter { $0.schedule == "uniform" && $0.budget == s.budget }
            XCTAssertEqual(s.biasMean, mine.map(\.majorityBias).reduce(0, +) / 2, accuracy: 1e-15)
            XCTAssertEqual(s.biasDiffMean, zip(mine, ref).map { $0.generatedFraction - $1.generatedFraction }.reduce(0, +) / 2, accuracy: 1e-15)
        }
        XCTAssertFalse(a.splitPerSeed)
        XCTAssertEqual(SchedulesReport(result: a).seCovers, "training")
    }

    /// A split per seed (TS.20): with the same rows for every seed it reproduces the one-split run bit
    /// for bit; with other rows for seed 2 only seed 2's measurements change, and the report says
    /// that the SE covers the split.
    func testSplitPerSeedChangesOnlyTheSeedsWithOtherRows() throws {
        var settings = SchedulesSettings()
        settings.seeds = [1, 2]
        settings.budgets = [60]
        settings.training = TrainingSettings(hidden: 16, batch: 32, learningRate: 3e-3)
        settings.samples = 200
        settings.samplerSteps = 8
        settings.swDirections = 8
        let densities: [any TrainingDensity] = [UniformDensity(), try IntervalAdaptiveDensity(lo: 0.05, hi: 0.4)]
        let data = try Self.blobData()
        let d = data.dimension
        let other = try SchedulesData(dimension: d, train: try NetworkTests.blobs(count: 450, dimension: d, seed: 13), trainCount: 450,
                                      heldOut: data.heldOut, heldOutCount: data.heldOutCount, isMajority: data.isMajority)
        let fixed = try SchedulesExperiment(data: data, densities: densities, settings: settings).run()
        let same = try SchedulesExperiment(dataBySeed: { _ in data }, densities: densities, settings: settings).run()
        let split = try SchedulesExperiment(dataBySeed: { $0 == 1 ? data : other }, densities: densities, settings: settings).run()
        XCTAssertEqual(same.measurements.map(\.generatedFraction), fixed.measurements.map(\.generatedFraction))
        XCTAssertEqual(same.measurements.map(\.slicedWasserstein), fixed.measurements.map(\.slicedWasserstein))
        for (m, f) in zip(split.measurements, fixed.measurements) {
            XCTAssertEqual(m.seed, f.seed)
            if m.seed == 1 { XCTAssertEqual(m.slicedWasserstein, f.slicedWasserstein) } else {
                XCTAssertNotEqual(m.slicedWasserstein, f.slicedWasserstein)
                XCTAssertNotEqual(m.swFloor, f.swFloor)
            }
        }
        XCTAssertTrue(split.splitPerSeed)
        XCTAssertEqual(SchedulesReport(result: split).seCovers, "training_and_split")
    }
}
