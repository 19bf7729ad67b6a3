import XCTest
import FlowModel
import GSLKit
@testable import Theory
@testable import Simulation

/// FD.13 (derivations/finite-d-corrections.md §3g): the r gap left by FD.8 at small L is already present when the points'
/// noise off μ is exactly orthonormal (Δ = 0: no cross overlaps at all), and it comes from the shape of w's per-point
/// coefficient z_s(g) as a function of the point's μ-noise g, which FD.7 restricts to π_s + κ g. On one deterministic data
/// set (x₁^ν/√d = (s + σg_ν/√d; σ e_ν), g_ν the normal quantiles of each class, n = 128, n₊ = 102, L = 0.2, τ = 1.45) the
/// exact J (CV.2, CV.3) is minimised twice by BFGS: with z free, and with z constrained to the FD.7 ansatz. The free r lies
/// above FD.7's orthonormal limit (χ = 1, ν = 0 in FD.8) by more than 2 %, at d = 1000 and 4000 alike (no d^{−½} decay), and
/// freeing the shape alone raises r by more than 1 %; at L = 2 both effects are below 0.5 %.
final class PerPointShapeTests: XCTestCase {
    /// The exact minimiser on the orthonormal points, with z free or on the ansatz π_s + κ g; r = |w|²/d.
    private func exactR(g: [Double], signs: [Double], d: Int, alpha: Double, beta: Double, penalty: Double,
                        start th: LearnedParameters, linear: Bool) throws -> Double {
        let n = g.count, m = n + 1, rootD = Double(d).squareRoot()
        var points = [Double](repeating: 0, count: m * n)
        for nu in 0..<n { points[nu * m] = signs[nu] + g[nu] / rootD; points[nu * m + 1 + nu] = 1 }
        let objective = ExactObjective(points: points, n: n, dimension: m, alpha: alpha, beta: beta, d: d,
                                       penaltyU: penalty, penaltyW: penalty, moments: try TanhMoments())
        let u = [th.c, th.b, th.m] + signs.map { $0 > 0 ? th.rhoPlus : th.rhoMinus }
        // Free: [c, b, ũ, w̃]; linear: [c, b, ũ, ω, π₊, π₋, κ] mapped onto w̃ = (ω, π_s + κ g_ν).
        func expand(_ y: [Double]) -> [Double] {
            linear ? Array(y[0..<(2 + m)]) + [y[2 + m]] + (0..<n).map { (signs[$0] > 0 ? y[3 + m] : y[4 + m]) + y[5 + m] * g[$0] } : y
        }
        let start = u + (linear ? [th.omega, th.piPlus, th.piMinus, th.pointSlope]
                                : [th.omega] + (0..<n).map { (signs[$0] > 0 ? th.piPlus : th.piMinus) + th.pointSlope * g[$0] })
        var full = [Double](repeating: 0, count: objective.variables)
        let f: ([Double], inout [Double]) throws -> Double = { y, gr in
            let value = objective.evaluate(expand(y), gradient: &full)
            guard linear else { gr = full; return value }
            for i in 0...(2 + m) { gr[i] = full[i] }
            gr[3 + m] = 0; gr[4 + m] = 0; gr[5 + m] = 0
            for nu in 0..<n {
                gr[signs[nu] > 0 ? 3 + m : 4 + m] += full[3 + m + nu]
                gr[5 + m] += full[3 + m + nu] * g[nu]
            }
            return value
        }
        var result = try GradientMinimizer.bfgs(start: start, gradientTolerance: 1e-9, maxIterations: 20_000, f)
        let polished = try GradientMinimizer.bfgs(start: result.point, gradientTolerance: 1e-10, maxIterations: 20_000, f)
        if polished.value < result.value { result = polished }
        let w = expand(result.point)[(2 + m)...]
        return w.reduce(0) { $0 + $1 * $1 }
    }

    /// FD.13o's deterministic data set: the n₊ and n − n₊ class signs, and per class the normal quantiles scaled to unit variance.
    private func quantileData(n: Int, nPlus: Int) -> (signs: [Double], g: [Double]) {
        let signs = (0..<n).map { $0 < nPlus ? 1.0 : -1.0 }
        var g = [Double](repeating: 0, count: n)
        for (lo, count) in [(0, nPlus), (nPlus, n - nPlus)] {
            for i in 0..<count { g[lo + i] = StandardNormal.quantile((Double(i) + 0.5) / Double(count)) }
            let v = (lo..<(lo + count)).reduce(0.0) { $0 + g[$1] * g[$1] } / Double(count)
            for i in lo..<(lo + count) { g[i] /= v.squareRoot() }
        }
        return (signs, g)
    }

    /// FD.7's orthonormal limit (every cross-overlap term absent: χ = 1 at ν = 0) at FD.8's skip weight, and its minimiser.
    private func orthonormalLimit(n: Int, nPlus: Double, d: Int, penalty: Double, tau: Double)
        throws -> (fd8: LearnedParameters, objective: PhaseOneObjective, ansatz: LearnedParameters) {
        var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus,
                                                                           penaltyU: penalty, penaltyW: penalty), k: 2, dimension: .finite(d))
        theory.finiteDReduced = true
        theory.branchRule = .learnedIfExists
        theory.perPointShape = false   // FD.8's row (FD.14 is tested on its own below)
        let fd8 = try theory.table(at: [1.0, 1.2, 1.35, tau]).last!
        var objective = theory.phaseOneObjective(at: tau, skipWeight: fd8.c, response: 1)
        objective.orthonormalNoise = true
        return (fd8, objective, try XCTUnwrap(PhaseOneSolver.branch(objective, start: (fd8.halfGap, fd8.bEff), slope: fd8.pointSlope)))
    }

    func testPerPointCoefficientIsNotLinearInTheMuNoise() throws {
        let n = 128, nPlus = 102, tau = 1.45
        let (signs, g) = quantileData(n: n, nPlus: nPlus)
        var excess = [Int: Double]()
        for (d, penalty) in [(1000, 0.2), (4000, 0.2), (4000, 2.0)] {
            let values = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(d)).values(at: tau)
            let (_, _, ansatz) = try orthonormalLimit(n: n, nPlus: Double(nPlus), d: d, penalty: penalty, tau: tau)
            let free = try exactR(g: g, signs: signs, d: d, alpha: values.alpha, beta: values.beta, penalty: penalty, start: ansatz, linear: false)
            let linear = try exactR(g: g, signs: signs, d: d, alpha: values.alpha, beta: values.beta, penalty: penalty, start: ansatz, linear: true)
            print(String(format: "d = %d, L = %.1f: r free %.6f, on the ansatz %.6f, FD.7 (Δ = 0) %.6f: free/FD.7 − 1 = %+.2f %%, free/ansatz − 1 = %+.2f %%",
                         d, penalty, free, linear, ansatz.r, 100 * (free / ansatz.r - 1), 100 * (free / linear - 1)))
            if penalty < 1 {
                XCTAssertGreaterThan(free / ansatz.r - 1, 0.02, "the gap should be present without cross overlaps (d = \(d))")
                XCTAssertGreaterThan(free / linear - 1, 0.01, "the shape of z(g) should carry part of it (d = \(d))")
                excess[d] = free / ansatz.r - 1
            } else {
                XCTAssertLessThan(abs(free / ansatz.r - 1), 0.005, "at L = 2 FD.7 should hold on these points")
                XCTAssertLessThan(abs(free / linear - 1), 0.005, "at L = 2 the ansatz should suffice")
            }
        }
        // An O(1) effect at fixed L: d^{−½} would halve it from d = 1000 to 4000.
        XCTAssertGreaterThan(try XCTUnwrap(excess[4000]) / XCTUnwrap(excess[1000]), 0.75)
    }

    /// FD.13a's gradient against central differences, and its minimum on the data set's own g (nodes g_ν, weights 1/n_s)
    /// against the exact minimiser of J on the same points (an independent method: BFGS on CV.3 in ℝ^{n+1}).
    func testShapeFunctionalIsTheExactObjectiveOnOrthonormalPoints() throws {
        let n = 128, nPlus = 102, tau = 1.45, d = 1000, penalty = 0.2
        let (signs, g) = quantileData(n: n, nPlus: nPlus)
        let values = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(d)).values(at: tau)
        let (_, objective, ansatz) = try orthonormalLimit(n: n, nPlus: Double(nPlus), d: d, penalty: penalty, tau: tau)
        let nodes = [Array(g[0..<nPlus]), Array(g[nPlus...])]
        let weights = [[Double](repeating: 1 / Double(nPlus), count: nPlus), [Double](repeating: 1 / Double(n - nPlus), count: n - nPlus)]
        // Gradient check at a point off the minimum.
        var x = [ansatz.b, ansatz.omega * 1.05] + nodes[0].map { ansatz.piPlus + 1.1 * ansatz.pointSlope * $0 } + nodes[1].map { ansatz.piMinus + 0.9 * ansatz.pointSlope * $0 + 0.002 * $0 * $0 }
        var gradient = [Double](), scratch = [Double]()
        _ = objective.shapeFunctional(x, nodes: nodes, weights: weights, gradient: &gradient)
        for i in [0, 1, 2, 50, nPlus + 1, nPlus + 10] {
            let h = 1e-6, keep = x[i]
            x[i] = keep + h; let up = objective.shapeFunctional(x, nodes: nodes, weights: weights, gradient: &scratch)
            x[i] = keep - h; let down = objective.shapeFunctional(x, nodes: nodes, weights: weights, gradient: &scratch)
            x[i] = keep
            XCTAssertEqual(gradient[i], (up - down) / (2 * h), accuracy: max(1e-4 * abs(gradient[i]), 1e-9), "component \(i)")
        }
        let shape = try objective.perPointShape(nodes: nodes, weights: weights,
                                                start: (ansatz.b, ansatz.omega, (ansatz.piPlus, ansatz.piMinus), ansatz.pointSlope))
        let exact = try exactR(g: g, signs: signs, d: d, alpha: values.alpha, beta: values.beta, penalty: penalty, start: ansatz, linear: false)
        print("FD.13a on the points' own g: r \(shape.r), exact minimiser \(exact), FD.7 \(ansatz.r)")
        XCTAssertEqual(shape.r / exact, 1, accuracy: 1e-3, "FD.13a on the points' g should be the exact J's minimum (its c differs by 5e-4)")
        XCTAssertGreaterThan(shape.r / ansatz.r - 1, 0.02)
    }

    /// FD.13's factor r_FD.13a/r_FD.7 (Δ = 0, 24 Gauss–Hermite nodes per class) with FD.8's row at n₊, d, L, τ.
    private func shapeFactor(nPlus: Double, n: Int, d: Int, penalty: Double, tau: Double) throws -> (fd8: LearnedParameters, factor: Double) {
        let (fd8, objective, ansatz) = try orthonormalLimit(n: n, nPlus: nPlus, d: d, penalty: penalty, tau: tau)
        let rule = try GaussHermite(order: 24)
        let shape = try objective.perPointShape(nodes: [rule.nodes, rule.nodes], weights: [rule.weights, rule.weights],
                                                start: (ansatz.b, ansatz.omega, (ansatz.piPlus, ansatz.piMinus), ansatz.pointSlope))
        return (fd8, shape.r / ansatz.r)
    }

    /// FD.13 against the real data: r_FD.8 × FD.13's factor against the converged minimiser (n = 128, d = 1000, τ = 1.45,
    /// 4 seeds, theory at each seed's n₊), at L = 0.2 and 0.1. The factor is computed, not fitted; it must remove at least
    /// 60 % of FD.8's gap at both L (the rest, ≈ 1 % of r, is not derived: §3g).
    func testShapeFactorRemovesMostOfTheSmallPenaltyGap() throws {
        let d = 1000, n = 128, tau = 1.45
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let values = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: problem.dimension).values(at: tau)
        for penalty in [0.2, 0.1] {
            var measured = [Double](), fd8 = [Double](), corrected = [Double]()
            var cache = [Double: (fd8: LearnedParameters, factor: Double)]()
            for seed: UInt64 in 1...4 {
                let data = try TrainingSet(problem: problem, n: n, seed: seed)
                let bank = Bank<Double>(d: d, steps: 1, initialisation: .paper, seed: seed)
                _ = try ConvergedTraining.minimise(bank: bank, time: 0, data: data, alpha: values.alpha, beta: values.beta,
                                                   penaltyU: penalty, penaltyW: penalty, moments: try TanhMoments())
                measured.append((0..<d).reduce(0.0) { $0 + bank.w[$1] * bank.w[$1] } / Double(d))
                let nPlus = Double(data.signs.filter { $0 > 0 }.count)
                if cache[nPlus] == nil { cache[nPlus] = try shapeFactor(nPlus: nPlus, n: n, d: d, penalty: penalty, tau: tau) }
                fd8.append(cache[nPlus]!.fd8.r)
                corrected.append(cache[nPlus]!.fd8.r * cache[nPlus]!.factor)
            }
            let r = meanAndStandardError(measured), before = fd8.reduce(0, +) / 4, after = corrected.reduce(0, +) / 4
            print(String(format: "L = %.1f: r measured %.5f ± %.5f; FD.8 %.5f (z %.1f); FD.8 × FD.13 %.5f (z %.1f)", penalty, r.mean, r.standardError,
                         before, (r.mean - before) / r.standardError, after, (r.mean - after) / r.standardError))
            XCTAssertLessThan(abs(r.mean - after), 0.4 * abs(r.mean - before), "FD.13 should remove most of the gap at L = \(penalty)")
        }
    }

    /// FD.14 (§3h) against the converged minimiser at one grid time (τ = 1.45 from the paper's start, n = 128, L = 0.2, seeds 1–6,
    /// theory per seed at its n₊ and class-mean offsets, as `compare` runs it) at d = 1000, 2000, 4000: r, ω and m within the
    /// Student-t 95 % point at every d, where FD.8 alone (the same rows without the shape correction) is excluded in r at every d.
    func testShapeAndCrossOverlapCorrectionsAgreeAtThreeDimensions() throws {
        let n = 128, tau = 1.45, penalty = 0.2, seeds: [UInt64] = Array(1...6)
        let bound = largestStudentTThreshold(count: 9, dof: seeds.count - 1)
        for d in [1000, 2000, 4000] {
            let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
            let values = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: problem.dimension).values(at: tau)
            var sim = [[Double]](), fd14 = [[Double]](), fd8 = [[Double]]()
            for seed in seeds {
                let data = try TrainingSet(problem: problem, n: n, seed: seed)
                let bank = Bank<Double>(d: d, steps: 1, initialisation: .paper, seed: seed)
                _ = try ConvergedTraining.minimise(bank: bank, time: 0, data: data, alpha: values.alpha, beta: values.beta,
                                                   penaltyU: penalty, penaltyW: penalty, moments: try TanhMoments())
                var uMu = 0.0, wMu = 0.0, ww = 0.0
                for i in 0..<d { uMu += bank.u[i] * data.mean[i]; wMu += bank.w[i] * data.mean[i]; ww += bank.w[i] * bank.w[i] }
                let flip: Double = uMu < 0 ? -1 : 1   // the sign symmetry: m ≥ 0
                sim.append([ww / Double(d), flip * wMu / Double(d), flip * uMu / Double(d)])
                let nPlus = Double(data.signs.filter { $0 > 0 }.count), offsets = data.classMeanOffsets
                var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus,
                                                                                   penaltyU: penalty, penaltyW: penalty), k: 2, dimension: .finite(d))
                theory.finiteDReduced = true
                theory.branchRule = .learnedIfExists
                theory.classMeanOffsets = ClassMeanOffsets(plus: offsets.plus, minus: offsets.minus)
                theory.perPointShape = false
                var row = try theory.table(at: [1.0, 1.2, 1.35, tau]).last!
                fd8.append([row.r, row.omega, row.m])
                theory.perPointShape = true
                row = try theory.withPerPointShape(row, at: tau)
                fd14.append([row.r, row.omega, row.m])
            }
            for (k, name) in ["r", "ω", "m"].enumerated() {
                let measured = meanAndStandardError(sim.map { $0[k] })
                let z14 = (measured.mean - fd14.map { $0[k] }.reduce(0, +) / Double(seeds.count)) / measured.standardError
                let z8 = (measured.mean - fd8.map { $0[k] }.reduce(0, +) / Double(seeds.count)) / measured.standardError
                print(String(format: "d = %d, %@: measured %.6f ± %.6f; z FD.14 %+.2f, FD.8 %+.2f (bound %.2f)", d, name, measured.mean,
                             measured.standardError, z14, z8, bound))
                XCTAssertLessThan(abs(z14), bound, "FD.14's \(name) at d = \(d)")
                if k == 0 { XCTAssertGreaterThan(z8, bound, "FD.8 alone should leave r low at d = \(d)") }
            }
        }
    }
}
