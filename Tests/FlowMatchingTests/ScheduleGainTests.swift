import XCTest
import GSLKit
@testable import FlowMatching

/// The gain G = ē_U/ē_A and its delta-method SE (TS.28), and MB.7's predicted gain (TS.29).
final class ScheduleGainTests: XCTestCase {
    private func run(_ schedule: String, _ seed: UInt64, _ error: Double, budget: Int = 100) -> ScheduleMeasurement {
        // data fraction 0.8; generated fraction above it by the error
        ScheduleMeasurement(schedule: schedule, budget: budget, seed: seed, generatedFraction: 0.8 + error, dataFraction: 0.8,
                            binomialSE: 0.01, slicedWasserstein: 1, swFloor: 0.5, recentLoss: 1)
    }

    /// G is the ratio of the mean errors over the seeds both schedules have; its SE equals the
    /// covariance form of the delta method, (1/S)[σ_U²/ē_A² − 2ē_U σ_UA/ē_A³ + ē_U² σ_A²/ē_A⁴]^{1/2}.
    func testGainAndSEFollowTheirDefinition() throws {
        let u = [0.15, 0.11, 0.13, 0.17, 0.12], a = [0.06, 0.07, 0.05, 0.09, 0.05]
        var runs = zip(u, a).enumerated().flatMap { s, e in [run("uniform", UInt64(s + 1), e.0), run("adaptive", UInt64(s + 1), e.1)] }
        runs.append(run("uniform", 9, 0.5))                       // no adaptive partner: left out
        runs.append(run("adaptive", 1, 0.9, budget: 300))         // another budget: left out
        let g = try ScheduleGain(runs, schedule: "adaptive", budget: 100)
        let s = Double(u.count)
        let mu = u.reduce(0, +) / s, ma = a.reduce(0, +) / s
        XCTAssertEqual(g.seeds, 5)
        XCTAssertEqual(g.gain, mu / ma, accuracy: 1e-12)
        func cov(_ x: [Double], _ y: [Double]) -> Double {
            let mx = x.reduce(0, +) / s, my = y.reduce(0, +) / s
            return zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / (s - 1)
        }
        let variance = (cov(u, u) / (ma * ma) - 2 * mu * cov(u, a) / (ma * ma * ma) + mu * mu * cov(a, a) / (ma * ma * ma * ma)) / s
        XCTAssertEqual(g.gainSE, variance.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(g.referenceError, mu, accuracy: 1e-12)
        XCTAssertEqual(g.scheduleError, ma, accuracy: 1e-12)
        XCTAssertThrowsError(try ScheduleGain(runs, schedule: "adaptive", budget: 300))   // one seed only
    }

    /// Simulation with error bars: over 4000 experiments of 10 correlated (e_U, e_A) pairs with
    /// true ratio of means 2, the SD of Ĝ matches the root-mean-square SE within 10 % and the mean
    /// of Ĝ is 2 within 1 % (the ratio's O(1/S) bias is ≈ 0.3 %).
    func testSEMatchesTheSpreadOfTheGainOverExperiments() throws {
        let stream = try RandomStream(seed: 2026)
        var gains = [Double](), squaredSE = [Double]()
        for experiment in 0..<4000 {
            var runs = [ScheduleMeasurement]()
            for s in 1...10 {
                let eu = 0.12 + 0.02 * stream.gaussian()
                let ea = 0.06 + 0.3 * (eu - 0.12) + 0.008 * stream.gaussian()
                runs += [run("uniform", UInt64(s), eu), run("adaptive", UInt64(s), ea)]
            }
            let g = try ScheduleGain(runs, schedule: "adaptive", budget: 100)
            gains.append(g.gain); squaredSE.append(g.gainSE * g.gainSE)
            _ = experiment
        }
        let mean = gains.reduce(0, +) / Double(gains.count)
        let sd = (gains.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gains.count - 1)).squareRoot()
        let rms = (squaredSE.reduce(0, +) / Double(squaredSE.count)).squareRoot()
        XCTAssertEqual(mean, 2, accuracy: 0.02)
        XCTAssertEqual(rms / sd, 1, accuracy: 0.1, "rms SE \(rms), SD of the gain \(sd)")
    }

    /// TS.29 is MB.7's ratio of the uniform bias to the adaptive bias (through `BiasForecast`, b₀
    /// cancelling); 1 at equal masses, growing as the window narrows.
    func testPredictedGainIsTheRatioOfMB7Biases() throws {
        let prediction = try MajorityBiasPrediction(train: [1, 0, -1, 0, 2, 1, 0, 0], count: 4, classifierWeights: [1, 0],
                                                    classifierBias: 0.1, dataFraction: 0.5)
        for (lo, hi) in [(0.04, 0.17), (0.05, 0.3), (0.1, 0.45)] {
            let adaptive = try IntervalAdaptiveDensity(lo: lo, hi: hi, fraction: 0.5)
            let forecast = BiasForecast(predictions: [prediction], densities: [UniformDensity(), adaptive], interval: (lo, hi))
            for n in [100, 300] {
                let ratio = forecast.bias("uniform", budget: n)! / forecast.bias(adaptive.name, budget: n)!
                XCTAssertEqual(ScheduleGain.predicted(budget: n, scheduleMass: forecast.windowMass(adaptive.name)!, uniformMass: hi - lo),
                               ratio, accuracy: 1e-9 * ratio)
            }
        }
        XCTAssertEqual(ScheduleGain.predicted(budget: 100, scheduleMass: 0.5, uniformMass: 0.5), 1)
        XCTAssertGreaterThan(ScheduleGain.predicted(budget: 100, scheduleMass: 0.5, uniformMass: 0.1),
                             ScheduleGain.predicted(budget: 100, scheduleMass: 0.5, uniformMass: 0.3))
    }
}
