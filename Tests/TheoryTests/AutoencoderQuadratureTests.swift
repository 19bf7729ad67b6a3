import FlowModel
import Foundation
import XCTest
import GSLKit
@testable import Theory

/// The Gaussian integrals of the theory (TanhMoments) and their effect on the learned parameters.
final class AutoencoderQuadratureTests: XCTestCase {
    /// Doubling the nodes per panel changes Φ1, Φ2 by < 1e-13 over the whole range used.
    func testMomentsStableWhenOrderDoubled() throws {
        let base = try TanhMoments(nodesPerPanel: 8), doubled = try TanhMoments(nodesPerPanel: 16)
        for a in [-9.0, -2.5, -0.3, 0, 0.7, 3, 12] {
            for s in [0.01, 0.4, 1, 1.0000001, 2.5, 7, 30] {
                let x = base.moments(mean: a, scale: s), y = doubled.moments(mean: a, scale: s)
                XCTAssertEqual(x.first, y.first, accuracy: 1e-13, "a = \(a), s = \(s)")
                XCTAssertEqual(x.second, y.second, accuracy: 1e-13, "a = \(a), s = \(s)")
            }
        }
    }

    /// Independent methods: the g-space rule (s ≤ 1) and the x-space rule (s > 1) agree across
    /// s = 1; Gauss–Hermite of order 60 agrees at small s (where it converges geometrically);
    /// closed forms: Φ1 = 0 at a = 0, Φ2 → tanh²a as s → 0, Φ1(a, s) = −Φ1(−a, s).
    func testMomentsAgainstIndependentRules() throws {
        let moments = try TanhMoments(), hermite = try GaussHermite(order: 60)
        for a in [-1.3, 0.2, 2] {
            let below = moments.moments(mean: a, scale: 1), above = moments.moments(mean: a, scale: 1 + 1e-12)
            XCTAssertEqual(below.first, above.first, accuracy: 1e-12)
            XCTAssertEqual(below.second, above.second, accuracy: 1e-12)
            for s in [0.05, 0.2] {
                let m = moments.moments(mean: a, scale: s)
                XCTAssertEqual(m.first, hermite.expectation { tanh(a + s * $0) }, accuracy: 1e-13)
                XCTAssertEqual(m.second, hermite.expectation { pow(tanh(a + s * $0), 2) }, accuracy: 1e-13)
            }
            XCTAssertEqual(moments.moments(mean: a, scale: 3).first, -moments.moments(mean: -a, scale: 3).first, accuracy: 1e-15)
            XCTAssertEqual(moments.moments(mean: a, scale: 1e-9).second, tanh(a) * tanh(a), accuracy: 1e-12)
        }
        XCTAssertEqual(moments.moments(mean: 0, scale: 2.3).first, 0, accuracy: 1e-15)
    }

    /// The learned table with doubled quadrature order: objectives agree to 1e-10 and the
    /// parameters to 1e-6 (the resolution of the minimiser, F being flat to double precision within
    /// ~1e-8 of its minimum); the quadrature itself contributes < 1e-12 (objective at fixed points).
    func testLearnedTableStableWhenOrderDoubled() throws {
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 64), penaltyU: 2, penaltyW: 2)
        let rule8 = try TanhMoments(nodesPerPanel: 8), rule16 = try TanhMoments(nodesPerPanel: 16)
        let a = try AutoencoderTheory(problem: problem, moments: rule8).table(pointsPerPhase: 20)
        let b = try AutoencoderTheory(problem: problem, moments: rule16).table(pointsPerPhase: 20)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.solution, y.solution)
            XCTAssertEqual(x.objective, y.objective, accuracy: 1e-10)
            for (u, v) in [(x.c, y.c), (x.b, y.b), (x.m, y.m), (x.omega, y.omega), (x.q, y.q), (x.r, y.r), (x.uw, y.uw)] {
                XCTAssertEqual(u, v, accuracy: 1e-6, "tau = \(x.tau)")
            }
            XCTAssertTrue(x.converged, "tau = \(x.tau)")
            let f8 = PhaseOneObjective(problem: problem, signal: 2 * x.tau, moments: rule8)
            let f16 = PhaseOneObjective(problem: problem, signal: 2 * x.tau, moments: rule16)
            if x.tau <= 1 {
                XCTAssertEqual(f8.value(halfGap: x.halfGap, bias: x.bEff), f16.value(halfGap: x.halfGap, bias: x.bEff), accuracy: 1e-12)
            }
        }
    }
}
