import GSLKit
import Experiments
import FlowModel
import Foundation
import Theory
import XCTest

/// The (n, kτ) phase diagram against the boundary search it replaces for grids: its boundary
/// kτ*(n) must equal `PhaseOneBoundary.signal` (a continuation with another step, then Brent on
/// another bracket: the same root of F_branch − F_triv, AT.31 vs AT.36), its cells must agree with
/// the sign of the gap around the boundary, and the result must not depend on the thread count.
final class PhaseDiagramTests: XCTestCase {
    func testBoundaryMatchesTheContinuationSearchAndThreadsDoNotMatter() throws {
        var diagram = PhaseDiagram(setup: try Setup(), penaltyU: 2, penaltyW: 2)
        diagram.nMin = 8; diagram.nMax = 32; diagram.nCount = 3; diagram.signalCount = 40; diagram.threads = 1
        let (cells, boundary) = try diagram.run()
        XCTAssertEqual(cells.count, 120)
        let moments = try TanhMoments()
        for (row, n) in zip(boundary, diagram.ns) {
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: n), penaltyU: 2, penaltyW: 2)
            let reference = try PhaseOneBoundary.signal(problem, moments: moments, from: 4, step: 0.05).value
            let star = try XCTUnwrap(row.fields.first { $0.key == "k_tau_star" }?.value)
            guard case let .double(value) = star else { return XCTFail("no boundary at n = \(n): \(star)") }
            // Both are Brent roots to 1e-10 of the same function on the same branch.
            XCTAssertEqual(value, reference, accuracy: 1e-8, "n = \(n)")
            // Cells: learned above the boundary, not learned below it.
            for cell in cells where cell.fields.first(where: { $0.key == "n" })?.value.text == "\(n)" {
                let kTau = Double(cell.fields.first { $0.key == "k_tau" }!.value.text)!
                let learned = cell.fields.first { $0.key == "learned" }!.value.text
                if abs(kTau - value) > 1e-6 { XCTAssertEqual(learned, kTau > value ? "1" : "0", "n = \(n), kτ = \(kTau)") }
            }
        }
        diagram.threads = 2
        let (cells2, boundary2) = try diagram.run()
        XCTAssertEqual(try render(cells, as: .csv), try render(cells2, as: .csv))
        XCTAssertEqual(try render(boundary, as: .csv), try render(boundary2, as: .csv))
    }

    /// The (n, p) boundary by Brent in log n: at n* the error |p̂ − p| equals the tolerance (to the
    /// 10⁻³ resolution in log n), above it at 0.9 n* and below it at 1.1 n*.
    func testSmallestNIsWhereTheErrorCrossesTheTolerance() throws {
        let search = BoundarySearch(setup: try Setup(dimension: .infinite, p: 0.8, sigma: 1, k: 2), penaltyU: 2, penaltyW: 2)
        let nStar = try XCTUnwrap(try search.smallestN(p: 0.8))
        // The error at n*, 0.9 n* and 1.1 n*: three independent solves, on all cores.
        let errors = try parallelMap([nStar, 0.9 * nStar, 1.1 * nStar]) { n in
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: n), penaltyU: 2, penaltyW: 2)
            return abs(try LearnedFlow.continuousAtInfiniteD(try AutoencoderTheory(problem: problem, k: 2)).pHat - 0.8)
        }
        // d log error / d log n is about −1 (the 1/n correction), so 10⁻³ in log n is 10⁻³ relative.
        XCTAssertEqual(errors[0], 0.01, accuracy: 0.01 * 2e-3)
        XCTAssertGreaterThan(errors[1], 0.01)
        XCTAssertLessThan(errors[2], 0.01)
    }
}
