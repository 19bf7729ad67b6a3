import Foundation
import XCTest
import FlowModel
@testable import Theory

final class StepBoundaryTests: XCTestCase {
    func testGeometricGridRespectsQuantum() {
        let grid = StepBoundary.geometricGrid(from: 10, to: 1000, perDecade: 2, quantum: 2)
        XCTAssertEqual(grid, [10, 32, 100, 316, 1000])
        XCTAssertEqual(StepBoundary.geometricGrid(from: 10, to: 100, perDecade: 2), [10, 32, 100])
        XCTAssertTrue(StepBoundary.geometricGrid(from: 10, to: 1e4, perDecade: 6, quantum: 2).allSatisfy { $0 % 2 == 0 })
    }

    /// Bisection finds the exact threshold of a known monotone error: 1/K < 0.01 first at K = 101
    /// (quantum 1) and at K = 102 on even steps.
    func testThresholdBisectionOnKnownError() {
        let grid = [10, 32, 100, 316, 1000]
        let error = { (k: Int) in 1 / Double(k) }
        XCTAssertEqual(StepBoundary.threshold(grid: grid, errors: grid.map(error), tolerance: 0.01, error: error), 101)
        let even = [10, 32, 100, 316]
        XCTAssertEqual(StepBoundary.threshold(grid: even, errors: even.map(error), tolerance: 0.01, quantum: 2, error: error), 102)
        XCTAssertNil(StepBoundary.threshold(grid: [10, 20], errors: [0.1, 0.05], tolerance: 0.01, error: error))
    }

    /// EF §7: K* ∝ d^{1/2} for the linear schedule, flat for the dilated one.
    func testBoundaryExponents() throws {
        func kStar(_ name: ScheduleName, _ d: Int) throws -> Int {
            let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
            let schedule = try name.make(for: problem)
            let field = ExactField(problem: problem, schedule: schedule)
            let grid = StepBoundary.geometricGrid(from: 10, to: 1e4, perDecade: 4, quantum: schedule.stepQuantum)
            let error = { (k: Int) in try StepBoundary.generatedModeProbability(field, scheme: .euler, steps: k).map { abs($0 - 0.8) } ?? 1 }
            return try XCTUnwrap(try StepBoundary.threshold(grid: grid, errors: try grid.map(error), tolerance: 0.01,
                                                            quantum: schedule.stepQuantum, error: error))
        }
        let dims = [100, 1000, 10_000, 100_000]
        let linear = try StepBoundary.powerLawExponent(dimensions: dims, thresholds: try dims.map { try kStar(.linear, $0) })
        XCTAssertEqual(linear.slope, 0.5, accuracy: 0.05)
        let dilated = try StepBoundary.powerLawExponent(dimensions: dims, thresholds: try dims.map { try kStar(.dilated, $0) })
        XCTAssertEqual(dilated.slope, 0, accuracy: 0.05)
    }
}
