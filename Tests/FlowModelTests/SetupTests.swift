import Foundation
import XCTest
@testable import FlowModel

/// The one owner of the setup: d (finite or ∞), the dilated clock κ(τ) and its d = ∞ limit, the
/// setup value, the log-odds, and the order-parameter schema.
final class SetupTests: XCTestCase {
    /// κ(τ) of EF §7 / TD.2 from its definition: kτ/√d, then linear to 1 at τ = 2; continuous at
    /// τ = 1; β√d = kτ in phase 1; the schedule re-clocks its base with the same κ.
    func testDilatedClockAtFiniteD() throws {
        let d = 10_000, k = 2.0
        let clock = try DilatedClock(k: k, dimension: .finite(d))
        let kappaOne = k / Double(d).squareRoot()
        for tau in stride(from: 0.0, through: 1.999, by: 0.125) {
            let expected = tau < 1 ? kappaOne * tau : kappaOne + (1 - kappaOne) * (tau - 1)
            XCTAssertEqual(clock.interpolantTime(at: tau), expected, accuracy: 1e-15)
            let v = clock.linear(at: tau)
            XCTAssertEqual(v.alpha + v.beta, 1, accuracy: 1e-15)
            XCTAssertEqual(v.signal, v.beta * Double(d).squareRoot(), accuracy: 1e-12)
            if tau < 1 { XCTAssertEqual(v.signal, k * tau, accuracy: 1e-12) }
        }
        XCTAssertEqual(clock.interpolantTime(at: 1 - 1e-12), clock.interpolantTime(at: 1), accuracy: 1e-12)
        XCTAssertEqual(clock.interpolantTime(at: 2), 1, accuracy: 1e-15)
        let schedule = try DilatedSchedule(base: LinearSchedule(), k: k, dimension: .finite(d))
        for tau in [0.3, 1.0, 1.7] {
            XCTAssertEqual(schedule.values(at: tau).beta, clock.linear(at: tau).beta, accuracy: 1e-15)
            XCTAssertEqual(schedule.values(at: tau).betaDot, clock.rate(at: tau), accuracy: 1e-15)
        }
    }

    /// The d = ∞ clock is the limit of the finite-d one: α → 1, β → 0, β√d = kτ in phase 1;
    /// α = 2 − τ, β = τ − 1 in phase 2 (TD §5, AT §2), checked against d = 10¹².
    func testDilatedClockLimit() throws {
        let limit = try DilatedClock(k: 2, dimension: .infinite), large = try DilatedClock(k: 2, dimension: .finite(1_000_000_000_000))
        XCTAssertEqual(limit.kappaOne, 0)
        for tau in [0.0, 0.25, 0.9, 1.2, 1.75] {
            let a = limit.linear(at: tau), b = large.linear(at: tau)
            XCTAssertEqual(a.alpha, b.alpha, accuracy: 1e-5)
            XCTAssertEqual(a.beta, b.beta, accuracy: 1e-5)
            if tau < 1 { XCTAssertEqual(a.signal, b.signal, accuracy: 1e-9) } else { XCTAssertEqual(a.signal, .infinity) }
            XCTAssertEqual(limit.interpolantTime(at: tau), tau < 1 ? 0 : tau - 1)
        }
        XCTAssertThrowsError(try DilatedClock(k: 2, dimension: .finite(4)))   // k must be < √d
        XCTAssertThrowsError(try DilatedClock(k: 0, dimension: .infinite))
    }

    /// d has one representation: whole numbers (1e5 accepted) or ∞; anything else is refused with
    /// a message naming d.
    func testDimension() throws {
        XCTAssertEqual(try Dimension(1e5), .finite(100_000))
        XCTAssertEqual(try Dimension(.infinity), .infinite)
        XCTAssertEqual(try Dimension(.infinity).value, .infinity)
        XCTAssertEqual(try Dimension(5000).finite, 5000)
        XCTAssertEqual("\(try Dimension(.infinity))", "inf")
        for bad in [0.5, 0, -3, .nan, -.infinity, 1e13] {
            XCTAssertThrowsError(try Dimension(bad)) { XCTAssertTrue("\($0)".hasPrefix("d must"), "\($0)") }
        }
    }

    /// The setup validates p, σ, k, n once; its clock needs k < √d only when asked for; its finite-d
    /// target matches `Problem`; the log-odds is atanh(2p − 1).
    func testSetup() throws {
        let setup = try Setup(dimension: .finite(4), p: 0.7, sigma: 2, k: 3, n: 16)
        XCTAssertThrowsError(try setup.clock())   // k = 3 ≥ √4: only the dilated clock refuses it
        XCTAssertEqual(try setup.problem(), try Problem(dimension: .finite(4), p: 0.7, sigma: 2))
        XCTAssertEqual(setup.logOdds, atanh(2 * 0.7 - 1), accuracy: 1e-15)
        XCTAssertEqual(logOdds(p: 0.8), atanh(0.6), accuracy: 1e-15)
        XCTAssertThrowsError(try Setup(dimension: .infinite, p: 0.7, sigma: 1, k: 2).problem())
        XCTAssertThrowsError(try Setup(dimension: .infinite, p: 1, sigma: 1, k: 2))
        XCTAssertThrowsError(try Setup(dimension: .infinite, p: 0.5, sigma: 0, k: 2))
        XCTAssertThrowsError(try Setup(dimension: .infinite, p: 0.5, sigma: 1, k: -1))
        XCTAssertThrowsError(try Setup(dimension: .infinite, p: 0.5, sigma: 1, k: 2, n: 0.5))
    }

    /// A setup at another n, a target at another d: everything else carried over (μ included), and
    /// the new value checked like any other.
    func testSameSetupAtAnotherNAndTargetAtAnotherD() throws {
        let setup = try Setup(dimension: .finite(400), p: 0.7, sigma: 2, k: 3, n: 16)
        XCTAssertEqual(try setup.with(n: 64), try Setup(dimension: .finite(400), p: 0.7, sigma: 2, k: 3, n: 64))
        XCTAssertThrowsError(try setup.with(n: 0.5))
        let target = try Problem(dimension: .finite(100), p: 0.3, sigma: 0.5, mean: .random(seed: 7))
        XCTAssertEqual(try target.at(.finite(900)), try Problem(dimension: .finite(900), p: 0.3, sigma: 0.5, mean: .random(seed: 7)))
        XCTAssertThrowsError(try target.at(.infinite))
    }

    /// One schema: the column order is c, b, m, omega, q, r, uw; subscripts read and write the
    /// named fields, on the value and on a vector in column order (an ODE state).
    func testOrderParameterSchema() {
        XCTAssertEqual(OrderParameters.keys, ["c", "b", "m", "omega", "q", "r", "uw"])
        let o = OrderParameters(c: 1, b: 2, m: 3, omega: 4, q: 5, r: 6, uw: 7)
        XCTAssertEqual(o.values, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(OrderParameters(values: o.values), o)
        XCTAssertEqual(OrderParameters(values: o.values + [8, 9]), o)   // a state that continues after them
        XCTAssertEqual(OrderParameter.allCases.map(\.index), Array(0..<OrderParameter.count))
        XCTAssertEqual(OrderParameters { o[$0] }, o)
        var p = o
        p[.q] = -1
        XCTAssertEqual(p.q, -1)
        XCTAssertEqual(p[.omega], 4)
        var y = o.values
        XCTAssertEqual(y[.q], 5)
        y[.omega] = -4
        XCTAssertEqual(OrderParameters(values: y).omega, -4)
    }
}
