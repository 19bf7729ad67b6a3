import XCTest
import FlowModel
import GSLKit
import Theory
@testable import Simulation

/// FD.7 (derivations/finite-d-corrections.md §3b'): in phase 2 at small L the minimiser of J builds a
/// per-point direction in w along each point's own μ-noise g_ν = μ·η^ν/√d, with slope κ. Measured on the
/// converged minimiser (exact J, BFGS) by regressing w·η^ν/d on g_ν within each class, minus ω/√d (the
/// part that w's μ-component carries), against κ of the per-point problem; AT.31 has κ = 0. And the
/// phase-2 ω, which FD.3 (points exchangeable) puts 26 % too high at this L.
final class PerPointSlopeTests: XCTestCase {
    func testMinimiserSlopeAlongEachPointsMuNoiseIsFD7() throws {
        let d = 2000, n = 128, penalty = 0.2, tau = 1.5, sigma = 1.0
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: sigma)
        let values = try DilatedSchedule(base: LinearSchedule(), k: 2, dimension: .finite(d)).values(at: tau)
        // The three seeds are independent (minimiser and theory single-threaded): on all cores, in seed order.
        struct SeedResult: Sendable { var slope: Double, omega: Double, fd7: LearnedParameters, omegaFD3: Double }
        let results = try parallelMap(Array(UInt64(1)...3)) { seed -> SeedResult in
            let data = try TrainingSet(problem: problem, n: n, seed: seed)
            let bank = Bank<Double>(d: d, steps: 1, initialisation: .paper, seed: seed)
            _ = try ConvergedTraining.minimise(bank: bank, time: 0, data: data, alpha: values.alpha, beta: values.beta,
                                               penaltyU: penalty, penaltyW: penalty, moments: try TanhMoments())
            let mu = data.mean, rootD = Double(d).squareRoot()
            func dot(_ a: UnsafePointer<Double>, _ b: [Double]) -> Double { (0..<d).reduce(0) { $0 + a[$1] * b[$1] } }
            let flip: Double = dot(bank.u.pointer, mu) < 0 ? -1 : 1   // the sign symmetry: m ≥ 0
            let omega = flip * dot(bank.w.pointer, mu) / Double(d)
            var g = [Double](), pi = [Double]()
            for nu in 0..<n {
                let eta = (0..<d).map { (data.points[nu * d + $0] - data.signs[nu] * mu[$0]) / sigma }
                g.append(zip(mu, eta).reduce(0) { $0 + $1.0 * $1.1 } / rootD)
                pi.append(flip * dot(bank.w.pointer, eta) / Double(d))
            }
            // One slope, an intercept per class (the class means of AT.32).
            var sxy = 0.0, sxx = 0.0
            for s in [1.0, -1.0] {
                let idx = (0..<n).filter { data.signs[$0] == s }
                let gm = idx.reduce(0) { $0 + g[$1] } / Double(idx.count), pm = idx.reduce(0) { $0 + pi[$1] } / Double(idx.count)
                for i in idx { sxy += (g[i] - gm) * (pi[i] - pm); sxx += (g[i] - gm) * (g[i] - gm) }
            }
            let nPlus = Double(data.signs.filter { $0 > 0 }.count)
            var theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: sigma, n: Double(n)), nPlus: nPlus,
                                                                               penaltyU: penalty, penaltyW: penalty), k: 2, dimension: .finite(d))
            theory.finiteDReduced = true
            theory.branchRule = .learnedIfExists
            let fd7 = try theory.table(at: [1.0, 1.25, tau]).last!
            theory.perPointCoordinates = false
            return SeedResult(slope: sxy / sxx - omega / rootD, omega: omega, fd7: fd7,
                              omegaFD3: try theory.table(at: [1.0, 1.25, tau]).last!.omega)
        }
        let measured = results.map(\.slope), predicted = results.map(\.fd7.pointSlope)
        let omegas = results.map(\.omega), omegaFD7 = results.map(\.fd7.omega), omegaFD3 = results.map(\.omegaFD3)
        let (mean, se) = meanAndStandardError(measured), theory = predicted.reduce(0, +) / 3
        let bound = largestStudentTThreshold(count: 1, dof: 2)
        print("κ measured \(mean) ± \(se) (seeds \(measured)); FD.7 \(theory)")
        XCTAssertLessThan(abs(mean - theory) / se, bound, "FD.7 κ")
        XCTAssertGreaterThan(mean / se, bound, "AT.31's κ = 0 should be excluded")
        // The phase-2 ω this slope costs: FD.7 within the bound, the exchangeable-points FD.3 outside it.
        let omega = meanAndStandardError(omegas), fd7 = omegaFD7.reduce(0, +) / 3, fd3 = omegaFD3.reduce(0, +) / 3
        print("ω measured \(omega.mean) ± \(omega.standardError); FD.7 \(fd7), FD.3 \(fd3)")
        XCTAssertLessThan(abs(omega.mean - fd7) / omega.standardError, bound, "FD.7 ω")
        XCTAssertGreaterThan(abs(omega.mean - fd3) / omega.standardError, bound, "FD.3 ω should be excluded")
    }
}
