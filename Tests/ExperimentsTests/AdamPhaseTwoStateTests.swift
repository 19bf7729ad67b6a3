import FlowModel
import Foundation
import GSLKit
import Simulation
import Theory
import XCTest

/// derivations/adam-offset.md §8, AD.11–AD.12: Adam at the end of phase 2 (τ = 1.75, K = 8, λ = 10⁻⁴, n = 128).
final class AdamPhaseTwoStateTests: XCTestCase {
    static let n = 128, steps = 8, lambda = 1e-4, tau = 1.75, lr = 0.01

    static func theory(d: Int, seed: UInt64) throws -> AutoencoderTheory {
        let data = try TrainingSet(problem: try Problem(dimension: .finite(d), p: 0.8, sigma: 1), n: n, seed: seed)
        let nPlus = Double(data.signs.filter { $0 > 0 }.count), L = Double(steps) * lambda * Double(d) / 2
        var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: Double(n)), nPlus: nPlus, penaltyU: L, penaltyW: L),
                                           k: 2, dimension: .finite(d))
        theory.finiteDReduced = true
        theory.branchRule = .learnedIfExists
        return theory
    }

    /// AD.11: along w's bulk the reduced problem has one minimum: continued up from δr = 0 and down from
    /// 4·10⁻³ (u's bulk at AD.3's δq) it gives the same state at δr = 0 and 4·10⁻³, m moves by < 3 % over the range,
    /// and the Hessian of F/n in (W, b_eff, κ) stays positive. What moves m is u's δq: self-consistent
    /// (δq = AD.3 at the solution) it alone is within 3 % of AD.4, while δq taken at the minimiser is not.
    func testReducedProblemHasOneMinimumAlongTheBulk() throws {
        let d = 500, theory = try Self.theory(d: d, seed: 1)
        let minimiser = try theory.table(at: [Self.tau])[0]
        var adam = theory; adam.adamLearningRate = Self.lr; adam.adamBulkModel = .isotropic   // AD.4 with AD.3's bulk (AD.11)
        let ad4 = try adam.table(at: [Self.tau])[0]
        let grid = [0, 4e-3]
        var up = [LearnedParameters](), from = minimiser
        for dr in grid { from = try theory.parameters(at: Self.tau, bulk: AdamBulk(r: dr, q: ad4.bulk.q), warmStart: from); up.append(from) }
        for (i, dr) in grid.enumerated().reversed() {
            let bulk = AdamBulk(r: dr, q: ad4.bulk.q)
            from = try theory.parameters(at: Self.tau, bulk: bulk, warmStart: from)
            XCTAssertEqual(from.m, up[i].m, accuracy: 1e-5, "up and down differ at δr = \(dr)")
            XCTAssertGreaterThan(Self.smallestCurvature(theory, from, bulk), 0, "not a minimum at δr = \(dr)")
        }
        XCTAssertLessThan(abs(up.last!.m - up[0].m) / up[0].m, 0.03)
        // u's δq: self-consistent, and taken at the minimiser (the first step of that iteration).
        var q = 0.0, x = minimiser, atMinimiser = 0.0
        for step in 0..<30 {
            let target = AdamBulk.stationary(x, objective: theory.phaseOneObjective(at: Self.tau, skipWeight: x.c, bulk: AdamBulk(r: 0, q: q)),
                                             learningRate: Self.lr, dimension: Double(d)).q
            if step == 0 { atMinimiser = target }
            if abs(target - q) < 1e-8 { break }
            q = target
            x = try theory.parameters(at: Self.tau, bulk: AdamBulk(r: 0, q: q), warmStart: x)
        }
        let first = try theory.parameters(at: Self.tau, bulk: AdamBulk(r: 0, q: atMinimiser), warmStart: minimiser)
        print(String(format: "τ 1.75 d 500: m minimiser %.4f, AD.4 %.4f, δq alone self-consistent %.4f (δq %.2e), δq at the minimiser %.4f (δq %.2e)",
                     minimiser.m, ad4.m, x.m, q, first.m, atMinimiser))
        XCTAssertLessThan(abs(x.m - ad4.m) / ad4.m, 0.03)
        XCTAssertGreaterThan(abs(first.m - ad4.m) / ad4.m, 0.1)
    }

    /// The smallest leading principal minor of F/n's Hessian in (W, b_eff, κ) at x (central differences, each
    /// variable in units of its step): positive iff the Hessian is positive definite (Sylvester).
    static func smallestCurvature(_ theory: AutoencoderTheory, _ x: LearnedParameters, _ bulk: AdamBulk) -> Double {
        let o = theory.phaseOneObjective(at: tau, skipWeight: x.c, bulk: bulk)
        let p = [x.halfGap, x.bEff, x.pointSlope], h = [1e-4, 1e-4, 1e-5]
        func f(_ v: [Double]) -> Double { o.value(halfGap: v[0], bias: v[1], slope: v[2]) }
        var H = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in i..<3 {
            func at(_ si: Double, _ sj: Double) -> Double { var v = p; v[i] += si * h[i]; v[j] += sj * h[j]; return f(v) }
            H[i][j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / 4; H[j][i] = H[i][j]
        } }
        let m1 = H[0][0], m2 = H[0][0] * H[1][1] - H[0][1] * H[1][0]
        let m3 = H[0][0] * (H[1][1] * H[2][2] - H[1][2] * H[2][1]) - H[0][1] * (H[1][0] * H[2][2] - H[1][2] * H[2][0])
            + H[0][2] * (H[1][0] * H[2][1] - H[1][1] * H[2][0])
        return min(m1, m2, m3)
    }

    /// AD.12: u's bulk (u outside span(μ, X₁), per direction) in Adam's stationary state at τ = 1.75 is AD.3's δq
    /// at that state (the reduced problem at the δq that gives Adam's m, δq_eff), and δq_eff lies strictly between
    /// 0 (the minimiser) and that bulk (AD.4's residual at d = 500). d = 500, 4 seeds, one grid time, 16 000 epochs.
    func testUBulkAtTheEndOfPhaseTwoIsAD3() throws {
        let d = 500, seeds: [UInt64] = [1, 2, 3, 4], j = 7, epochs = 16_000
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        var options = TrainingOptions()
        options.learningRate = Self.lr; options.weightDecay = Self.lambda; options.epochs = epochs; options.trainedTimes = [j]
        let runs = try parallelMap(seeds) { [options] seed -> (OrderParameters, Double) in
            let trainer = try Trainer<Double>(problem: problem, n: Self.n, k: 2, steps: Self.steps, options: options, seed: seed)
            trainer.train(epochs: epochs)
            return (trainer.orderParameters()[j], Self.outside(trainer, trainer.bank.u, time: j))
        }
        let theory = try Self.theory(d: d, seed: 1)
        let m = runs.map(\.0.m).reduce(0, +) / Double(seeds.count)
        // The δq at which the reduced problem has Adam's m (m increases with δq: AD.11's map), by bisection.
        var lo = 0.0, hi = 4e-4, state = try theory.parameters(at: Self.tau, bulk: AdamBulk(r: 0, q: 2e-4), warmStart: nil)
        for _ in 0..<10 {
            let mid = (lo + hi) / 2
            state = try theory.parameters(at: Self.tau, bulk: AdamBulk(r: 0, q: mid), warmStart: state)
            if state.m < m { lo = mid } else { hi = mid }
        }
        let ad3 = AdamBulk.stationary(state, objective: theory.phaseOneObjective(at: Self.tau, skipWeight: state.c, bulk: AdamBulk(r: 0, q: lo)),
                                      learningRate: Self.lr, dimension: Double(d)).q
        let (bulk, bulkSE) = meanAndStandardError(runs.map(\.1))
        print(String(format: "τ 1.75, d 500: Adam m %.4f; u bulk per direction %.3e ± %.1e, AD.3 δq at Adam's state %.3e; δq that gives Adam's m %.3e",
                     m, bulk, bulkSE, ad3, lo))
        let bound = largestStudentTThreshold(count: 1, dof: seeds.count - 1)
        XCTAssertLessThan(abs(bulk - ad3) / bulkSE, bound, "u's bulk is not AD.3's δq")
        // The residual: Adam's m lies above the minimiser's (δq = 0) and below that of u's own bulk (δq_eff < δq).
        XCTAssertGreaterThan(lo, 0); XCTAssertLessThan(lo, bulk - bound * bulkSE)
    }

    /// |v_⊥|²/(d − n − 1) for the time-j column v of u or w, v_⊥ its part outside span(μ, X₁) (Gram–Schmidt).
    static func outside(_ trainer: Trainer<Double>, _ bank: Buffer<Double>, time j: Int) -> Double {
        let d = trainer.problem.d, data = trainer.data
        var basis = [[Double]]()
        for var v in [data.mean] + (0..<data.n).map({ nu in (0..<d).map { data.points[nu * d + $0] } }) {
            for e in basis { let p = zip(v, e).reduce(0) { $0 + $1.0 * $1.1 }; for i in 0..<d { v[i] -= p * e[i] } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-9 { basis.append(v.map { $0 / norm }) }
        }
        var v = (0..<d).map { bank[j * d + $0] }
        for e in basis { let p = zip(v, e).reduce(0) { $0 + $1.0 * $1.1 }; for i in 0..<d { v[i] -= p * e[i] } }
        return v.reduce(0) { $0 + $1 * $1 } / Double(d - data.n - 1)
    }
}
