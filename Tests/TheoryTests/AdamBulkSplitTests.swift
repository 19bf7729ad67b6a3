import FlowModel
import Theory
import XCTest

/// AD.9–AD.10 (derivations/adam-offset.md §7) against AD.3: in phase 1 (β√d = kτ, β = O(d^{-1/2})) the
/// draw-to-draw noise and the split over directions change δr by O(S²/n) only; at the end of phase 2
/// (β ≫ α) the bulk per direction is far below AD.3's and the span(X₁) directions carry the rest.
final class AdamBulkSplitTests: XCTestCase {
    func testSplitIsAD3InPhaseOneAndShrinksTheBulkAtTheEndOfPhaseTwo() throws {
        let d = 2000, L = 0.8
        var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), nPlus: 102, penaltyU: L, penaltyW: L),
                                           k: 2, dimension: .finite(d))
        theory.finiteDReduced = true
        theory.branchRule = .learnedIfExists
        theory.adamLearningRate = 0.01
        theory.adamBulkModel = .isotropic   // AD.3, against which the split is checked
        let taus = [0.5, 1.75]
        // The isotropic (AD.3) and the split (AD.9–AD.10) tables are independent solves: both at once.
        var splitTheory = theory
        splitTheory.adamBulkModel = .split
        let tables = try parallelMap([theory, splitTheory]) { try $0.table(at: taus) }
        let isotropic = tables[0], split = tables[1]
        // Phase 1: within S²/n = 0.25/128 · 4 of AD.3, the directions alike.
        XCTAssertEqual(split[0].bulk.r, isotropic[0].bulk.r, accuracy: 0.02 * isotropic[0].bulk.r)
        XCTAssertEqual(split[0].bulk.bulkDirection, split[0].bulk.dataDirection, accuracy: 0.02 * split[0].bulk.bulkDirection)
        // τ = 1.75: the bulk per direction well below AD.3's (measured 13–19 times below), the share consistent.
        XCTAssertLessThan(split[1].bulk.bulkDirection, isotropic[1].bulk.r / 4)
        let share = (Double(d - 129) * split[1].bulk.bulkDirection + 128 * split[1].bulk.dataDirection) / Double(d)
        XCTAssertEqual(split[1].bulk.r, share, accuracy: 1e-6 * share)
        XCTAssertEqual(split[1].bulk.dataShare, 128 * split[1].bulk.dataDirection / Double(d), accuracy: 1e-12)
    }
}
