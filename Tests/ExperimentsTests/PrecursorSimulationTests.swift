import XCTest
import GSLKit
@testable import Experiments

/// PC.8: the d-dimensional simulation of Cui et al.'s architecture (tied weights, sign activation,
/// fixed noise, exact ridge minimisation, K Euler steps) against the d = ∞ theory on the same grid.
final class PrecursorSimulationTests: XCTestCase {
    func testSimulationAgreesWithTheory() throws {
        var ratios = [Double]()
        for n in [4, 32] {
            var setup = PrecursorSimulation.Setup(d: 8000, n: n, seed: 100 * UInt64(n))
            setup.steps = 20; setup.samples = 16
            let cmp = try PrecursorSimulation.compare(setup, seeds: 5)
            for key in PrecursorSimulation.Comparison.keys {
                let (mean, se) = cmp.simulated[key]!, theory = cmp.theory[key]!
                print("n = \(n) \(key): \(mean) ± \(se) vs \(theory)")
                ratios.append(abs(mean - theory) / se)
            }
            XCTAssertLessThan(cmp.inconsistentFraction, 0.01)
        }
        let threshold = largestStudentTThreshold(count: ratios.count, dof: 4)
        XCTAssertLessThan(ratios.max()!, threshold, "ratios \(ratios)")
    }
}
