import Foundation
import XCTest
import FlowModel
import GSLKit
@testable import Theory

/// derivations/autoencoder-theory.md: closed forms, finite n, and their limits.
final class AutoencoderTheoryTests: XCTestCase {
    private func theory(n: Double = .infinity, p: Double = 0.8, sigma: Double = 1, l: Double = 2, d: Double = .infinity) throws -> AutoencoderTheory {
        try AutoencoderTheory(problem: AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: n), penaltyU: l, penaltyW: l), k: 2, dimension: try FlowModel.Dimension(d))
    }

    /// AT.12 against the exact denoiser (EF.5): c = βσ²/v, m = α²/v; the numbers at σ = 1.
    func testInfiniteNPhaseTwoIsTheExactDenoiser() throws {
        let t = try theory()
        for (tau, c, m) in [(1.25, 0.4, 0.9), (1.5, 1.0, 0.5), (1.75, 1.2, 0.1)] {
            let row = try t.parameters(at: tau)
            XCTAssertEqual(row.phase, 2)
            XCTAssertEqual(row.c, c, accuracy: 1e-14)
            XCTAssertEqual(row.m, m, accuracy: 1e-14)
            XCTAssertEqual(row.q, m * m, accuracy: 1e-14)
            XCTAssertEqual(row.t, tau - 1, accuracy: 1e-15)
        }
        // General σ: the exact field's coefficients (EF.3, EF.5) on the dilated schedule at d = 10¹²
        // (k/√d = 2e-6 away from the d = ∞ clock).
        for sigma in [0.3, 1.7] {
            let exact = ExactField(problem: try Problem(dimension: .finite(1_000_000_000_000), p: 0.8, sigma: sigma),
                                   schedule: try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(1_000_000_000_000)))
            for tau in [1.1, 1.4, 1.9] {
                let e = exact.coefficients(at: tau), row = try theory(sigma: sigma).parameters(at: tau)
                XCTAssertEqual(row.c, e.values.beta * sigma * sigma / e.v, accuracy: 1e-5)
                XCTAssertEqual(row.m, e.values.alpha * e.values.alpha / e.v, accuracy: 1e-5)
            }
        }
    }

    /// AT.13: c → 0, b = atanh(2p − 1), ω = √r = kτ, m = √q = 1; at finite d the exact denoiser AT.8
    /// (ω = β√d/v, c = βσ²/v) with c√d → kτσ².
    func testInfiniteNPhaseOneLearnsTheModeDirection() throws {
        for p in [0.3, 0.8] {
            let t = try theory(p: p, sigma: 1.5)
            for tau in [0.1, 0.5, 0.9] {
                let row = try t.parameters(at: tau)
                XCTAssertEqual(row.c, 0)
                XCTAssertEqual(row.b, atanh(2 * p - 1), accuracy: 1e-14)
                XCTAssertEqual(row.omega, 2 * tau, accuracy: 1e-14)
                XCTAssertEqual(row.r, 4 * tau * tau, accuracy: 1e-14)
                XCTAssertEqual(row.m, 1)
            }
        }
        let finite = try theory(sigma: 1.5, d: 1e8).parameters(at: 0.5)
        XCTAssertEqual(finite.c * 1e4, 1 * 2.25, accuracy: 1e-3)
        XCTAssertEqual(finite.omega, 1, accuracy: 1e-3)
    }

    /// The n = ∞ closed form is the minimiser of the reduced objective: AT.31 at n = ∞ minimised by
    /// Nelder–Mead lands on W = kτ, b = h, m = 1 (Bayes), from a distant start.
    func testInfiniteNObjectiveIsMinimisedByTheClosedForm() throws {
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1))
        for s in [0.5, 1.5] {
            let objective = PhaseOneObjective(problem: problem, signal: s, moments: try TanhMoments())
            let found = try XCTUnwrap(try PhaseOneSolver.branch(objective, start: (0.3, 0)))
            XCTAssertEqual(found.halfGap, s, accuracy: 2e-4)
            XCTAssertEqual(found.b, problem.logOdds, accuracy: 2e-4)
            XCTAssertEqual(found.m, 1, accuracy: 1e-6)
        }
    }

    /// Finite n → ∞: phase 2 at τ' = ½, σ = 1, L = 2 has n(c − 1) → ½ and n(m − ½) → −5/4 (AT.20,
    /// AT.21 expanded by hand); phase 1 converges at rate 1/n: the error halves when n doubles.
    func testFiniteNConvergesToClosedFormsAtRateOneOverN() throws {
        for n in [1e4, 1e6] {
            let row = try theory(n: n).parameters(at: 1.5)
            XCTAssertEqual(n * (row.c - 1), 0.5, accuracy: 5 / n * 10)
            XCTAssertEqual(n * (row.m - 0.5), -1.25, accuracy: 5 / n * 10)
        }
        let ns = [2048.0, 4096, 8192]
        let rows = try ns.map { try theory(n: $0).parameters(at: 0.5) }   // kτ = 1
        let h = atanh(0.6)
        let errors = rows.map { [$0.omega - 1, $0.b - h, $0.m - 1] }
        for i in 0..<3 {
            let ratio1 = errors[0][i] / errors[1][i], ratio2 = errors[1][i] / errors[2][i]
            XCTAssertEqual(ratio1, 2, accuracy: 0.1, "component \(i): \(errors.map { $0[i] })")
            XCTAssertEqual(ratio2, 2, accuracy: 0.1, "component \(i): \(errors.map { $0[i] })")
        }
        for row in rows { XCTAssertLessThan(row.gradientNorm, 1e-6); XCTAssertTrue(row.converged) }
    }

    /// AT.20/AT.21 equal a direct numerical minimisation (Nelder–Mead over c, m, ρ₊, ρ₋) of the
    /// d → ∞ phase-2 objective, AT.17 summed over the training set with φ_ν = s^ν.
    func testPhaseTwoClosedFormEqualsDirectMinimisation() throws {
        for (n, nPlus, lu, sigma, tau) in [(8.0, 5.0, 2.0, 1.0, 1.5), (32, 20, 0.5, 1.7, 1.8), (5, 2, 7, 0.6, 1.2)] {
            let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: sigma, n: n), nPlus: nPlus, penaltyU: lu, penaltyW: 1)
            let (alpha, beta) = (2 - tau, tau - 1)
            let nMinus = n - nPlus
            let found = try Minimizer.nelderMead(start: [0.5, 0.5, 0, 0], initialStep: [0.1, 0.1, 0.01, 0.01], sizeTolerance: 1e-8, maxIterations: 200_000) { x in
                let (c, m, rp, rm) = (x[0], x[1], x[2], x[3])
                let q = m * m + nPlus * rp * rp + nMinus * rm * rm
                let shrink = 1 - c * beta
                // Σ_ν [c²α² + (1 − cβ)²(1 + σ²) + q − 2(1 − cβ)(m + σ s^ν ρ_ν)] + L_u q, per sample.
                return c * c * alpha * alpha + shrink * shrink * (1 + sigma * sigma) + q
                    - 2 * shrink * (m + sigma * (nPlus * rp - nMinus * rm) / n) + lu * q / n
            }
            let closed = PhaseTwo.parameters(problem, alpha: alpha, beta: beta)
            XCTAssertEqual(found.point[0], closed.c, accuracy: 1e-6)
            XCTAssertEqual(found.point[1], closed.m, accuracy: 1e-6)
            XCTAssertEqual(found.point[2], closed.rhoPlus, accuracy: 1e-6)
            XCTAssertEqual(found.point[3], closed.rhoMinus, accuracy: 1e-6)
            XCTAssertEqual(found.value, closed.objective, accuracy: 1e-12)
        }
    }

    /// AT.18–AT.21 against an exact ridge least-squares solve with real vectors: d = 2000, n = 8,
    /// 24 data sets. For the saturated unit the z-averaged loss is c²α²d + Σ|(cβ − 1)x₁^ν + s^ν u|²,
    /// minimised exactly over u ∈ ℝ^d and c; c and m = u·μ/d fluctuate by O((nd)^{-1/2}) around
    /// AT.20/AT.21, so the data-set mean must agree within 4 standard errors, and the mean is
    /// far (> 10 standard errors) from the notes' formula (§8.1).
    func testPhaseTwoAgainstExactRidgeSolveAtFiniteD() throws {
        let (d, n, lu, tau) = (2000, 8, 2.0, 1.5)
        let (alpha, beta) = (2 - tau, tau - 1)
        let random = try RandomStream(seed: 20241210)
        var cs = [Double](), ms = [Double]()
        for _ in 0..<24 {
            var sumSX = [Double](repeating: 0, count: d), sumSquares = 0.0
            for nu in 0..<n {
                let s: Double = nu < 5 ? 1 : -1
                for i in 0..<d {
                    let x = s * 1 + random.gaussian()      // μ = all-ones, σ = 1
                    sumSX[i] += s * x
                    sumSquares += x * x
                }
            }
            // Given c: u = (1 − cβ) Σ s x₁/(n + L); J(c)/(nd) = c²α² + (1 − cβ)² D̂ (exact for these data).
            let dHat = (sumSquares - sumSX.reduce(0) { $0 + $1 * $1 } / (Double(n) + lu)) / Double(n * d)
            let c = beta * dHat / (alpha * alpha + beta * beta * dHat)
            cs.append(c)
            ms.append((1 - c * beta) * sumSX.reduce(0, +) / (Double(n) + lu) / Double(d))
        }
        let problem = try AutoencoderProblem(setup: Setup(p: 5.0 / 8, sigma: 1, n: 8), nPlus: 5, penaltyU: lu, penaltyW: 1)
        let closed = PhaseTwo.parameters(problem, alpha: alpha, beta: beta)
        for (values, target) in [(cs, closed.c), (ms, closed.m)] {
            let mean = values.reduce(0, +) / Double(values.count)
            let se = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) / Double(values.count)).squareRoot()
            XCTAssertLessThan(abs(mean - target), 4 * se, "mean \(mean) vs \(target), se \(se)")
        }
        let notes = tau - 1 == 0.5 ? 1.0 : .nan   // the notes' c at L = 2, σ = 1 is the n = ∞ curve: 1 at τ' = ½
        let mean = cs.reduce(0, +) / Double(cs.count)
        let se = (cs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cs.count * (cs.count - 1))).squareRoot()
        XCTAssertGreaterThan(abs(mean - notes), 10 * se)
    }

    /// Fixed noise (one z^ν per point, Cui et al.): AT.22 against the exact ridge solve over
    /// (c, u) of Σ_ν |c(αz^ν + βx₁^ν) + s^ν u − x₁^ν|² + L|u|² at d = 2000, n = 8, 24 data sets
    /// (data-set mean within 4 standard errors); it differs from the redrawn-noise c (AT.20).
    func testFixedNoisePhaseTwoAgainstExactRidgeSolve() throws {
        let (d, n, lu, tau) = (2000, 8, 2.0, 1.5)
        let (alpha, beta) = (2 - tau, tau - 1)
        let random = try RandomStream(seed: 7)
        var cs = [Double]()
        for _ in 0..<24 {
            var sx = [Double](repeating: 0, count: d), sy = sx
            var xx = 0.0, xy = 0.0, yy = 0.0
            for nu in 0..<n {
                let s: Double = nu < 5 ? 1 : -1
                for i in 0..<d {
                    let x = s + random.gaussian(), y = alpha * random.gaussian() + beta * x
                    sx[i] += s * x; sy[i] += s * y
                    xx += x * x; xy += x * y; yy += y * y
                }
            }
            let m = Double(n) + lu
            let b = xy - zip(sx, sy).reduce(0) { $0 + $1.0 * $1.1 } / m
            let c = yy - sy.reduce(0) { $0 + $1 * $1 } / m
            cs.append(b / c)
        }
        let problem = try AutoencoderProblem(setup: Setup(p: 5.0 / 8, sigma: 1, n: 8), nPlus: 5, penaltyU: lu, penaltyW: 1)
        let fixed = PhaseTwo.parameters(problem, alpha: alpha, beta: beta, noise: .fixed).c
        let redrawn = PhaseTwo.parameters(problem, alpha: alpha, beta: beta).c
        let mean = cs.reduce(0, +) / Double(cs.count)
        let se = (cs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cs.count * (cs.count - 1))).squareRoot()
        XCTAssertLessThan(abs(mean - fixed), 4 * se, "mean \(mean) vs \(fixed), se \(se)")
        XCTAssertGreaterThan(abs(fixed - redrawn), 0.05)
    }

    /// Finite d on another schedule: the linear schedule at t and the dilated one at the clock time
    /// with the same β (same α, β, S = β√d) give the same learned network (phase 1 and saturated).
    func testFiniteDOnAnySchedule() throws {
        let problem = try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 64), penaltyU: 2, penaltyW: 2)
        let linear = try AutoencoderTheory(problem: problem, schedule: LinearSchedule(), dimension: .finite(5000))
        let dilated = try AutoencoderTheory(problem: problem, k: 2, dimension: .finite(5000))
        let schedule = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(5000))
        for t in [0.005, 0.02, 0.5] {
            let tau = try schedule.clock(atLogSNR: 2 * log(t / (1 - t)))
            let a = try linear.parameters(at: t), b = try dilated.parameters(at: tau)
            XCTAssertEqual(a.t, t, accuracy: 1e-12)
            for (x, y) in [(a.c, b.c), (a.m, b.m), (a.omega, b.omega), (a.b, b.b), (a.q, b.q)] {
                XCTAssertEqual(x, y, accuracy: 1e-6, "t = \(t)")
            }
            XCTAssertEqual(a.phase, t < 0.1 ? 1 : 2)
        }
    }

    /// AT.5: the authors' λ = 1e-5 with K = 80 times at d = 5000 is L = 2; a per-time mean over d
    /// and n (A = 1/(nd)) with n = 128 needs λ = 2L/(nd).
    func testPenaltyMap() throws {
        XCTAssertEqual(try PenaltyMap.authorsPenalty(weightDecay: 1e-5, dimension: .finite(5000), times: 80), 2, accuracy: 1e-12)
        let a = 1.0 / (128 * 5000)
        XCTAssertEqual(try PenaltyMap.weightDecay(penalty: 2, lossScale: a), 4.0 / (128 * 5000), accuracy: 1e-18)
        XCTAssertEqual(try PenaltyMap.penalty(weightDecay: PenaltyMap.weightDecay(penalty: 3, lossScale: a), lossScale: a), 3, accuracy: 1e-12)
        XCTAssertThrowsError(try PenaltyMap.penalty(weightDecay: -1, lossScale: 1))
    }

    /// The notes' phase-2 formula differs from AT.20 (σ = 1) by +α² in the denominator, and at
    /// L = 2 collapses to the n = ∞ curve (§8.1).
    func testNotesPhaseTwoFormulaIsOffByAlphaSquared() throws {
        for (n, l, tp) in [(16.0, 2.0, 0.3), (128, 5, 0.6), (7, 0.5, 0.9)] {
            let notes = (2 * tp * (l + n) - tp * (1 + n)) / ((l + n) * (1 - 2 * tp + 3 * tp * tp) + (1 - 2 * tp - n * tp * tp))
            let ours = try theory(n: n, l: l).parameters(at: 1 + tp).c
            let denominatorOurs = tp * (2 * l + n - 1) / ours, denominatorNotes = tp * (2 * l + n - 1) / notes
            XCTAssertEqual(denominatorNotes - denominatorOurs, (1 - tp) * (1 - tp) * (l + n) / (l + n), accuracy: 1e-9)
        }
        let collapsed = (2 * 0.5 * 130 - 0.5 * 129) / (130 * (1 - 1 + 0.75) + (1 - 1 - 32))
        XCTAssertEqual(collapsed, 1, accuracy: 1e-12)
    }
}
