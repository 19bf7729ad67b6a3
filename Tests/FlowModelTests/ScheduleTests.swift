import Foundation
import XCTest
@testable import FlowModel

final class ScheduleTests: XCTestCase {
    private func all(d: Int = 400) throws -> [any Schedule] {
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        return try ScheduleName.allCases.map { try $0.make(for: problem) }
    }

    /// α̇ and β̇ against central differences of α and β, away from breakpoints.
    func testDerivativesMatchFiniteDifferences() throws {
        for schedule in try all() {
            for tau in stride(from: 0.03, to: schedule.clockEnd - 0.03, by: schedule.clockEnd / 9)
            where schedule.breakpoints.allSatisfy({ abs($0 - tau) > 1e-3 }) {
                let h = 1e-6, v = schedule.values(at: tau)
                let (lo, hi) = (schedule.values(at: tau - h), schedule.values(at: tau + h))
                XCTAssertEqual(v.alphaDot, (hi.alpha - lo.alpha) / (2 * h), accuracy: 1e-6 * max(1, abs(v.alphaDot)), schedule.name)
                XCTAssertEqual(v.betaDot, (hi.beta - lo.beta) / (2 * h), accuracy: 1e-6 * max(1, abs(v.betaDot)), schedule.name)
            }
        }
    }

    /// Ends: pure noise at τ = 0 (β = 0 except ve), data at the end (α = 0 exactly), log-SNR increasing.
    func testEndsAndMonotoneSNR() throws {
        for schedule in try all() {
            XCTAssertEqual(schedule.values(at: schedule.clockEnd).alpha, 0, schedule.name)
            if !(schedule is VarianceExplodingSchedule) { XCTAssertEqual(schedule.values(at: 0).beta, 0, schedule.name) }
            let grid = stride(from: 0.01, to: schedule.clockEnd, by: 0.01).map { schedule.logSNR(at: $0) }
            XCTAssertTrue(zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 }, schedule.name)
        }
    }

    /// Mapping a time between schedules by log-SNR: the linear time t corresponds to the
    /// variance-preserving time t' with tan(πt'/2) = t/(1 − t).
    func testClockAtLogSNRMapsLinearToVP() throws {
        let linear = LinearSchedule(), vp = VariancePreservingSchedule()
        for t in [0.01, 0.2, 0.5, 0.9] {
            let mapped = try vp.clock(atLogSNR: linear.logSNR(at: t))
            XCTAssertEqual(mapped, 2 / Double.pi * atan(t / (1 - t)), accuracy: 1e-10)
        }
    }

    /// The dilated clock: κ(τ) = kτ/√d, continuous at τ = 1, reaches 1 at τ = 2, and β√d = kτ on
    /// the first half; it rejects k ≥ √d.
    func testDilatedClock() throws {
        let dilated = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(10_000))
        XCTAssertEqual(dilated.values(at: 0.5).beta * 100, 1, accuracy: 1e-14)
        XCTAssertEqual(dilated.interpolantTime(at: 1 - 1e-12), dilated.interpolantTime(at: 1), accuracy: 1e-12)
        XCTAssertEqual(dilated.interpolantTime(at: 2), 1, accuracy: 1e-15)
        XCTAssertEqual(dilated.segments(from: 0, to: 2).map(\.1), [1, 2])
        XCTAssertEqual(dilated.segments(from: 2, to: 0.5).map(\.1), [1, 0.5])
        XCTAssertThrowsError(try DilatedSchedule(base: LinearSchedule(), k: 10, dimension: .finite(100))) {
            XCTAssertTrue("\($0)".contains("k = 10"), "\($0)")
        }
    }

    func testProblemValidationNamesTheValue() {
        for (d, p, sigma, fragment) in [(0.0, 0.5, 1.0, "d"), (10, 1.0, 1, "p"), (10, 0.5, -2, "-2"), (.nan, 0.5, 1, "nan"), (3.5, 0.5, 1, "3.5")] {
            XCTAssertThrowsError(try Problem(dimension: FlowModel.Dimension(d), p: p, sigma: sigma)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
        // Problem checks a Dimension built directly, unchecked, too.
        for (d, fragment) in [(FlowModel.Dimension.finite(0), "got 0"), (.infinite, "inf")] {
            XCTAssertThrowsError(try Problem(dimension: d, p: 0.5, sigma: 1)) { XCTAssertTrue("\($0)".contains(fragment), "\($0)") }
        }
        XCTAssertThrowsError(try ScheduleName(parsing: "cosine")) { XCTAssertTrue("\($0)".contains("cosine")) }
    }
}
