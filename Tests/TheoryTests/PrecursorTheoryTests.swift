import XCTest
import FlowModel
import GSLKit
@testable import Theory

/// derivations/precursor.md PC.1–PC.7 against independent computations.
final class PrecursorTheoryTests: XCTestCase {
    /// PC.1 is AT.22 on the linear clock (the Theory module's fixed-noise phase 2, PhaseTwo).
    func testSkipWeightIsTheFixedNoisePhaseTwoForm() throws {
        let theory = try PrecursorTheory(sigma: 0.5, n: 16, penalty: 0.1)
        let problem = try AutoencoderProblem(setup: Setup(p: 0.5, sigma: 0.5, n: 16), nPlus: 8, penaltyU: 0.1, penaltyW: 0.1)
        for t in [0.1, 0.5, 0.9] {
            let a = theory.network(at: t), b = PhaseTwo.parameters(problem, alpha: 1 - t, beta: t, noise: .fixed)
            XCTAssertEqual(a.c, b.c, accuracy: 1e-14)
            XCTAssertEqual(a.m, b.m, accuracy: 1e-14)
            XCTAssertEqual(a.etaOverlap, b.rhoPlus, accuracy: 1e-14)   // s u·η^ν/d = u·η̄/d at d = ∞
            XCTAssertEqual(a.q, b.q, accuracy: 1e-14)
            XCTAssertEqual(a.baseNoiseOverlap, PhaseTwo.baseNoiseOverlap(problem, alpha: 1 - t, beta: t), accuracy: 1e-14)
        }
    }

    /// PC.1–PC.3 against a direct minimisation of the ridge objective in d dimensions: one fixed
    /// (z^ν, η^ν) per point, signs ±, J(c) after the exact u(c); mean over data sets within 4 SE.
    func testClosedFormsAgainstRidgeSolveInDDimensions() throws {
        let d = 4000, n = 8, sigma = 0.5, penalty = 0.1, t = 0.6
        let theory = try PrecursorTheory(sigma: sigma, n: Double(n), penalty: penalty).network(at: t)
        var cs = [Double](), ms = [Double](), etas = [Double](), bases = [Double](), qs = [Double]()
        for seed in 1...12 {
            let rng = try RandomStream(seed: UInt64(seed))
            var sx = [Double](repeating: 0, count: d), sx1 = sx, etaBar = sx, xiBar = sx
            var xx = 0.0, xx1 = 0.0
            for nu in 0..<n {
                let s: Double = nu % 2 == 0 ? 1 : -1
                for i in 0..<d {
                    let eta = rng.gaussian(), z = rng.gaussian()
                    let x1 = s + sigma * eta, x = (1 - t) * z + t * x1
                    sx[i] += s * x; sx1[i] += s * x1; etaBar[i] += s * eta / Double(n); xiBar[i] += s * z / Double(n)
                    xx += x * x; xx1 += x * x1
                }
            }
            let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
            let r = 1 / (Double(n) + penalty)
            let c = (xx1 - dot(sx, sx1) * r) / (xx - dot(sx, sx) * r)
            let u = (0..<d).map { (sx1[$0] - c * sx[$0]) * r }
            cs.append(c); ms.append(u.reduce(0, +) / Double(d)); etas.append(dot(u, etaBar) / Double(d))
            bases.append(dot(u, xiBar) / Double(d)); qs.append(dot(u, u) / Double(d))
        }
        for (name, values, expected) in [("c", cs, theory.c), ("m", ms, theory.m), ("u·η̄", etas, theory.etaOverlap),
                                         ("u·ξ̄", bases, theory.baseNoiseOverlap), ("q", qs, theory.q)] {
            let (mean, se) = meanAndStandardError(values)
            XCTAssertLessThan(abs(mean - expected), 4 * se + 1e-3 * abs(expected), "\(name): \(mean) ± \(se) vs \(expected)")
        }
    }

    /// n = ∞ is the exact flow: M(1) = 1, σ̂ = G(1) = σ. PC.4a: along the flow M(t) = t n/(n + L)
    /// and P_η(t) = tσ/(n + L) exactly, on the grid for every K too; P_ξ and G converge at first
    /// order in 1/K (PC.5).
    func testInfiniteNClosedTrajectoriesAndGridConvergence() throws {
        let exact = try PrecursorTheory(sigma: 0.5, n: .infinity, penalty: 0.1)
        let end = try exact.flow().last!
        XCTAssertEqual(end.m, 1, accuracy: 1e-8)
        XCTAssertEqual(end.gain, 0.5, accuracy: 1e-8)
        let theory = try PrecursorTheory(sigma: 0.5, n: 32, penalty: 0.1)
        for s in try theory.flow(times: [0.25, 0.5, 1]) {
            XCTAssertEqual(s.m, s.t * 32 / 32.1, accuracy: 1e-9)
            XCTAssertEqual(s.etaOverlap, s.t * 0.5 / 32.1, accuracy: 1e-11)
        }
        for k in [1, 7, 100] {
            let e = try theory.grid(steps: k).last!
            XCTAssertEqual(e.m, 32 / 32.1, accuracy: 1e-13)
            XCTAssertEqual(e.etaOverlap, 0.5 / 32.1, accuracy: 1e-14)
        }
        let reference = try theory.flow().last!
        let coarse = try theory.grid(steps: 400).last!, fine = try theory.grid(steps: 800).last!
        XCTAssertEqual((fine.baseNoiseOverlap - reference.baseNoiseOverlap) / (coarse.baseNoiseOverlap - reference.baseNoiseOverlap), 0.5, accuracy: 0.02)
        XCTAssertEqual((fine.gain - reference.gain) / (coarse.gain - reference.gain), 0.5, accuracy: 0.02)
    }

    /// PC.7: ‖μ̂ − μ‖²/d = Θ(1/n): fitted log–log slope over n = 2 … 1024 within 0.1 of −1, and
    /// n·error approaches σ²I_η² + I_ξ² (the quadratures of PC.7, computed independently by GSL ODE
    /// of the n = ∞ propagator).
    func testMeanErrorRate() throws {
        let ns = [2, 4, 6, 8, 16, 32, 64, 128, 256, 512, 1024]
        let rate = try PrecursorTheory.rate(sigma: 0.5, penalty: 0.1, ns: ns)
        print("precursor rate: slope \(rate.slope) ± \(rate.slopeStandardError); errors \(rate.errors)")
        XCTAssertEqual(rate.slope, -1, accuracy: 0.1)
        let limit = try PrecursorTheory(sigma: 0.5, n: .infinity, penalty: 0.1).noiseConstant()
        XCTAssertEqual(limit, 2 * 0.25, accuracy: 1e-7)   // PC.7: I_η = 1, I_ξ = σ in closed form
        XCTAssertEqual(rate.errors.last! * 1024 / limit, 1, accuracy: 0.02)
    }
}
