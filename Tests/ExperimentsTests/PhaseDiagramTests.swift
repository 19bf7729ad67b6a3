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
        var diagram = PhaseDiagram(p: 0.8, sigma: 1, penaltyU: 2, penaltyW: 2)
        diagram.nMin = 8; diagram.nMax = 32; diagram.nCount = 3; diagram.signalCount = 40; diagram.threads = 1
        let (cells, boundary) = try diagram.run()
        XCTAssertEqual(cells.count, 120)
        let moments = try TanhMoments()
        for (row, n) in zip(boundary, diagram.ns) {
            let problem = try AutoencoderProblem(p: 0.8, sigma: 1, n: n, penaltyU: 2, penaltyW: 2)
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
}
