import Foundation
import XCTest
import BLASKit
import FlowModel
@testable import Simulation

/// Monte Carlo at finite d (derivations/simulation-fast-path.md): gradients, the fast path against
/// the dense reference, reproducibility, generation with exact parameters, and convergence of
/// training to the static theory's closed forms.
final class SimulationTests: XCTestCase {
    private func setting(d: Int, n: Int, steps: Int, p: Double = 0.8, sigma: Double = 1, seed: UInt64 = 7)
        throws -> (Problem, TrainingSet, TrainingGrid) {
        let problem = try Problem(dimension: .finite(d), p: p, sigma: sigma)
        return (problem, try TrainingSet(problem: problem, n: n, seed: seed), try TrainingGrid(problem: problem, k: 2, steps: steps))
    }

    /// Σ_j S_j and its gradient with the random numbers of `seed` (a fresh context each call, so
    /// every call sees the same draws).
    private func evaluate(_ bank: Bank<Double>, data: TrainingSet, grid: TrainingGrid, fast: Bool, seed: UInt64 = 99)
        throws -> (Double, Bank<Double>) {
        let ctx = try GradientContext<Double>(data: data, grid: grid, seed: seed)
        let block: any GradientBlock<Double> = fast ? FastBlock(context: ctx, times: 0..<grid.steps) : DenseBlock(context: ctx, times: 0..<grid.steps)
        let gradient = Bank<Double>(d: bank.d, steps: bank.steps), loss = Buffer<Double>(repeating: 0, count: grid.steps)
        block.evaluate(bank: bank, gradient: gradient, loss: loss)
        return (loss.array.reduce(0, +), gradient)
    }

    /// Dense path: every partial derivative against central differences at fixed noise (SIM.5).
    func testDenseGradientMatchesFiniteDifferences() throws {
        let (_, data, grid) = try setting(d: 24, n: 4, steps: 4)
        let bank = Bank<Double>(d: 24, steps: 4, initialisation: .paper, seed: 3)
        for j in 0..<4 { bank.c[j] *= 0.5 }
        let (_, g) = try evaluate(bank, data: data, grid: grid, fast: false)
        let h = 1e-6
        func fd(_ poke: (Bank<Double>, Double) -> Void) throws -> Double {
            let plus = bank.copy(), minus = bank.copy()
            poke(plus, h); poke(minus, -h)
            return (try evaluate(plus, data: data, grid: grid, fast: false).0 - evaluate(minus, data: data, grid: grid, fast: false).0) / (2 * h)
        }
        for j in 0..<4 {
            XCTAssertEqual(g.c[j], try fd { $0.c[j] += $1 }, accuracy: 1e-5 * max(1, abs(g.c[j])), "c_\(j)")
            XCTAssertEqual(g.b[j], try fd { $0.b[j] += $1 }, accuracy: 1e-5 * max(1, abs(g.b[j])), "b_\(j)")
            for i in [0, 5, 23] {
                XCTAssertEqual(g.u[j * 24 + i], try fd { $0.u[j * 24 + i] += $1 }, accuracy: 1e-5 * max(1, abs(g.u[j * 24 + i])), "u_\(j)[\(i)]")
                XCTAssertEqual(g.w[j * 24 + i], try fd { $0.w[j * 24 + i] += $1 }, accuracy: 1e-5 * max(1, abs(g.w[j * 24 + i])), "w_\(j)[\(i)]")
            }
        }
    }

    /// Fast path: directional derivatives against central differences along the directions that
    /// leave V_j and its basis unchanged, where the sampled noise is a fixed function of the draws
    /// (SIM.19): c, b, u along u, w and the data points, w along w and the data points.
    func testFastGradientMatchesFiniteDifferencesAlongV() throws {
        let d = 40, K = 4
        let (_, data, grid) = try setting(d: d, n: 4, steps: K)
        let bank = Bank<Double>(d: d, steps: K, initialisation: .paper, seed: 5)
        for j in 0..<K { bank.c[j] *= 0.5 }
        let (_, g) = try evaluate(bank, data: data, grid: grid, fast: true)
        let h = 1e-6
        func fd(_ poke: (Bank<Double>, Double) -> Void) throws -> Double {
            let plus = bank.copy(), minus = bank.copy()
            poke(plus, h); poke(minus, -h)
            return (try evaluate(plus, data: data, grid: grid, fast: true).0 - evaluate(minus, data: data, grid: grid, fast: true).0) / (2 * h)
        }
        func directional(_ grad: Buffer<Double>, _ j: Int, _ dir: [Double]) -> Double {
            (0..<d).reduce(0) { $0 + grad[j * d + $1] * dir[$1] }
        }
        for j in 0..<K {
            XCTAssertEqual(g.c[j], try fd { $0.c[j] += $1 }, accuracy: 1e-5 * max(1, abs(g.c[j])), "c_\(j)")
            XCTAssertEqual(g.b[j], try fd { $0.b[j] += $1 }, accuracy: 1e-5 * max(1, abs(g.b[j])), "b_\(j)")
            let uj = (0..<d).map { bank.u[j * d + $0] }, wj = (0..<d).map { bank.w[j * d + $0] }
            let x0 = (0..<d).map { data.points[$0] }, x2 = (0..<d).map { data.points[2 * d + $0] }
            for (name, dir) in [("u", uj), ("w", wj), ("x0", x0), ("x2", x2)] {
                let a = directional(g.u, j, dir)
                let b = try fd { bank, e in for i in 0..<d { bank.u[j * d + i] += e * dir[i] } }
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(a)), "u_\(j) along \(name)")
            }
            for (name, dir) in [("w", wj), ("x0", x0), ("x2", x2)] {
                let a = directional(g.w, j, dir)
                let b = try fd { bank, e in for i in 0..<d { bank.w[j * d + i] += e * dir[i] } }
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(a)), "w_\(j) along \(name)")
            }
        }
    }

    /// Means and variances of the loss and of gradient summaries, over many noise draws at one
    /// parameter point, agree between the fast and the dense path within their standard errors (SIM.7–SIM.12).
    func testFastAndDenseGradientStatisticsAgree() throws {
        let d = 48, n = 6, K = 4, draws = 400
        let (_, data, grid) = try setting(d: d, n: n, steps: K)
        let bank = Bank<Double>(d: d, steps: K, initialisation: .paper, seed: 11)
        for j in 0..<K { bank.c[j] = 0.8; bank.b[j] = 0.3 }
        // A fixed direction projected off V_j = span(X₁, w_j, u_j): its overlaps with the gradients
        // see only the sampled orthogonal part Z⊥φ, Z⊥γ (SIM.10).
        let raw = (0..<d).map { Double((($0 * 7919) % 13)) - 6 }
        let probes: [[Double]] = (0..<K).map { j in
            var basis = [[Double]]()
            let spanning = (0..<n).map { nu in (0..<d).map { data.points[nu * d + $0] } }
                + [(0..<d).map { bank.w[j * d + $0] }, (0..<d).map { bank.u[j * d + $0] }]
            func orthogonalised(_ v0: [Double]) -> [Double] {
                var v = v0
                for _ in 0..<2 { for e in basis { let a = zip(e, v).reduce(0) { $0 + $1.0 * $1.1 }; for i in 0..<d { v[i] -= a * e[i] } } }
                return v
            }
            for v in spanning {
                let o = orthogonalised(v), norm = o.reduce(0) { $0 + $1 * $1 }.squareRoot()
                basis.append(o.map { $0 / norm })
            }
            return orthogonalised(raw)
        }
        func statistics(fast: Bool) throws -> [[Double]] {
            let ctx = try GradientContext<Double>(data: data, grid: grid, seed: fast ? 1 : 2)
            let block: any GradientBlock<Double> = fast ? FastBlock(context: ctx, times: 0..<K) : DenseBlock(context: ctx, times: 0..<K)
            let gradient = Bank<Double>(d: d, steps: K), loss = Buffer<Double>(repeating: 0, count: K)
            var rows = [[Double]]()
            for _ in 0..<draws {
                block.evaluate(bank: bank, gradient: gradient, loss: loss)
                var row = [Double]()
                for j in 0..<K {
                    var um = 0.0, uu = 0.0, wm = 0.0, ww = 0.0, wx = 0.0, uuj = 0.0, up = 0.0, wp = 0.0
                    for i in 0..<d {
                        let gu = gradient.u[j * d + i], gw = gradient.w[j * d + i]
                        um += gu * data.mean[i]; uu += gu * gu; wm += gw * data.mean[i]; ww += gw * gw
                        wx += gw * data.points[d + i]; uuj += gu * bank.u[j * d + i]; up += gu * probes[j][i]; wp += gw * probes[j][i]
                    }
                    row += [loss[j], gradient.c[j], gradient.b[j], um / Double(d), uu / Double(d), wm / Double(d), ww / Double(d), wx / Double(d), uuj / Double(d), up / Double(d), wp / Double(d)]
                }
                rows.append(row)
            }
            return rows
        }
        let fast = try statistics(fast: true), dense = try statistics(fast: false)
        func moments(_ rows: [[Double]], _ k: Int) -> (mean: Double, meanSE: Double, variance: Double, varianceSE: Double) {
            let x = rows.map { $0[k] }, N = Double(x.count)
            let m = x.reduce(0, +) / N
            let dev = x.map { ($0 - m) * ($0 - m) }
            let v = dev.reduce(0, +) / (N - 1)
            let vv = dev.reduce(0) { $0 + ($1 - v) * ($1 - v) } / (N - 1)
            return (m, (v / N).squareRoot(), v, (vv / N).squareRoot())
        }
        var worst = 0.0
        for k in 0..<fast[0].count {
            let a = moments(fast, k), b = moments(dense, k)
            let zMean = abs(a.mean - b.mean) / (a.meanSE * a.meanSE + b.meanSE * b.meanSE).squareRoot()
            let zVar = abs(a.variance - b.variance) / (a.varianceSE * a.varianceSE + b.varianceSE * b.varianceSE).squareRoot()
            worst = max(worst, zMean, zVar)
            XCTAssertLessThan(zMean, 4.5, "statistic \(k): mean \(a.mean) ± \(a.meanSE) vs \(b.mean) ± \(b.meanSE)")
            XCTAssertLessThan(zVar, 4.5, "statistic \(k): variance \(a.variance) ± \(a.varianceSE) vs \(b.variance) ± \(b.varianceSE)")
            XCTAssertGreaterThan(a.variance, 0, "statistic \(k) has no noise")
        }
        print("fast vs dense gradient statistics: worst z = \(worst) over \(fast[0].count) statistics × 2")
    }

    /// A seed gives bit-identical training and generation, for any thread count; another seed differs.
    func testSeedIsBitReproducible() throws {
        let problem = try Problem(dimension: .finite(64), p: 0.8, sigma: 1)
        func run(seed: UInt64, threads: Int, path: GradientPathChoice = .fast, proto: any TrainingProtocol = .adam) throws -> [Double] {
            var options = TrainingOptions()
            options.trainingProtocol = proto; options.epochs = 6; options.threads = threads; options.path = path
            let trainer = try Trainer<Double>(problem: problem, n: 8, k: 2, steps: 18, options: options, seed: seed)
            trainer.train(epochs: 6)
            let stats = try Generator.generate(bank: trainer.bank, grid: trainer.grid, mean: trainer.data.mean, samples: 50, seed: seed)
            return trainer.bank.u.array + trainer.bank.w.array + trainer.bank.c.array + trainer.bank.b.array + trainer.loss.array
                + [stats.pHat, stats.sigmaHat, stats.magnetisation]
        }
        for (path, proto) in [(.fast, .adam), (.dense, .adam), (.fast, .gd), (.fast, .online)] as [(GradientPathChoice, any TrainingProtocol)] {
            let a = try run(seed: 1, threads: 1, path: path, proto: proto)
            let b = try run(seed: 1, threads: 1, path: path, proto: proto)
            let c = try run(seed: 1, threads: 3, path: path, proto: proto)
            let other = try run(seed: 2, threads: 1, path: path, proto: proto)
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(path) \(proto): same seed twice")
            XCTAssertEqual(a.map(\.bitPattern), c.map(\.bitPattern), "\(path) \(proto): 1 vs 3 threads")
            XCTAssertNotEqual(a, other, "\(path) \(proto): different seeds")
            XCTAssertTrue(a.allSatisfy(\.isFinite))
        }
    }

    /// Full-batch protocols restricted to some grid times (`trainedTimes`): a trained time has the bits
    /// of a run of all times (its own noise stream, its own gradient block columns), an untrained one
    /// keeps its initial state, for adam and gd, fast and dense, across a block boundary (20).
    func testTrainedTimesFollowTheAllTimesRunBitForBit() throws {
        let problem = try Problem(dimension: .finite(64), p: 0.8, sigma: 1), times = [2, 3, 5, 19, 20, 23]
        func run(_ trained: [Int]?, path: GradientPathChoice, proto: any TrainingProtocol, epochs: Int) throws -> Trainer<Double> {
            var options = TrainingOptions()
            options.trainingProtocol = proto; options.epochs = epochs; options.path = path; options.trainedTimes = trained
            let trainer = try Trainer<Double>(problem: problem, n: 8, k: 2, steps: 24, options: options, seed: 3)
            trainer.train(epochs: epochs)
            return trainer
        }
        func column(_ t: Trainer<Double>, _ j: Int) -> [UInt64] {
            let d = t.problem.d
            return ((0..<d).map { t.bank.u[j * d + $0] } + (0..<d).map { t.bank.w[j * d + $0] } + [t.bank.c[j], t.bank.b[j], t.loss[j]]).map(\.bitPattern)
        }
        for (path, proto) in [(.fast, .adam), (.dense, .adam), (.fast, .gd)] as [(GradientPathChoice, any TrainingProtocol)] {
            let all = try run(nil, path: path, proto: proto, epochs: 5), some = try run(times, path: path, proto: proto, epochs: 5)
            let start = try run(nil, path: path, proto: proto, epochs: 0)
            for j in 0..<24 {
                if times.contains(j) {
                    XCTAssertEqual(column(some, j), column(all, j), "\(path) \(proto): trained time \(j)")
                    XCTAssertNotEqual(column(some, j), column(start, j), "\(path) \(proto): time \(j) must move")
                } else {
                    XCTAssertEqual(Array(column(some, j).dropLast()), Array(column(start, j).dropLast()), "\(path) \(proto): untrained time \(j)")
                }
            }
        }
    }

    /// With the exact denoiser's parameters (AT.8) in the bank, the x1-prediction update on a fine
    /// grid generates p̂ = p and σ̂ = σ within three standard errors at d = 2000 (SIM.17, SIM.18).
    /// σ̂ is also checked against the grid's own prediction α₀ Π_j (a_j + c̃_j c_j) (EF.15), which
    /// is a sharper test of the sampler.
    func testExactParametersGenerateTheTarget() throws {
        // The x1-prediction grid's own σ bias is ≈ 2.4/K here (EF.15 product); K = 4000 makes it
        // smaller than one standard error of σ̂ with 500 samples. The second case checks p̂ and the
        // grid product on a coarser grid.
        for (p, sigma, K, samples) in [(0.8, 1.0, 4000, 500), (0.3, 0.7, 200, 1000)] {
            let d = 2000
            let problem = try Problem(dimension: .finite(d), p: p, sigma: sigma)
            let grid = try TrainingGrid(problem: problem, k: 2, steps: K)
            let mean = [Double](repeating: 1, count: d)
            let bank = Bank<Double>(exactFor: problem, mean: mean, grid: grid)
            let stats = try Generator.generate(bank: bank, grid: grid, mean: mean, samples: samples, seed: 4)
            XCTAssertLessThan(abs(stats.pHat - p), 3 * stats.pHatSE, "p̂ = \(stats.pHat) ± \(stats.pHatSE)")
            if K == 4000 {
                XCTAssertLessThan(abs(stats.sigmaHat - sigma), 3 * stats.sigmaHatSE, "σ̂ = \(stats.sigmaHat) ± \(stats.sigmaHatSE)")
            }
            var gain = grid.alpha[0]
            for j in 0..<K {
                let keep = grid.alpha[j + 1] / grid.alpha[j], c̃ = grid.beta[j + 1] - grid.alpha[j + 1] * grid.beta[j] / grid.alpha[j]
                gain *= keep + c̃ * bank.c[j]
            }
            XCTAssertLessThan(abs(stats.sigmaHat - gain), 3 * stats.sigmaHatSE, "σ̂ vs grid product \(gain)")
            XCTAssertEqual(stats.magnetisation, 2 * p - 1, accuracy: 3 * stats.magnetisationSE)
        }
    }

    /// Full-batch GD with the static theory's ridge L_u converges, in phase 2, to the closed form
    /// (AT.19)–(AT.21) evaluated on the run's own training set (SIM.20):
    /// D = [Σ|x₁^ν|²/d − |Σ s^ν x₁^ν|²/(d(n + L_u))]/n, c = βD/(α² + β²D),
    /// m = (1 − cβ) μ·Σ s^ν x₁^ν/(d(n + L_u)). Tolerances are the standard errors across seeds of
    /// the time-averaged parameters; both gradient paths are checked, and against each other.
    func testGDConvergesToPhaseTwoClosedForm() throws {
        let d = 200, n = 8, K = 8, Lu = 2.0, epochs = 700, burnIn = 200
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let phaseTwo = [5, 6, 7]   // τ' = 0.25, 0.5, 0.75
        func deviations(path: GradientPathChoice, seeds: [UInt64]) throws -> [[Double]] {
            try seeds.map { seed in
                var options = TrainingOptions()
                options.trainingProtocol = .gd; options.penaltyU = Lu; options.initialisation = .theory
                options.path = path; options.learningRate = 0.05
                let trainer = try Trainer<Double>(problem: problem, n: n, k: 2, steps: K, options: options, seed: seed)
                // Phase 2 has φ = s once w ∥ μ with β√d ω ≫ 1 (AT.18); w starts there (β√d ω = 12),
                // so the run tests the closed form for c and u rather than the slow logarithmic
                // growth of |w| that L_w = 0 allows.
                for j in phaseTwo {
                    let lambda = 12 / (trainer.grid.beta[j] * Double(d).squareRoot())
                    for i in 0..<d { trainer.bank.w[j * d + i] = lambda * trainer.data.mean[i] }
                }
                var sums = [Double](repeating: 0, count: 2 * phaseTwo.count)
                for e in 1...epochs {
                    trainer.step()
                    if e > burnIn {
                        for (i, j) in phaseTwo.enumerated() {
                            let o = trainer.bank.orderParameters(at: j, mean: trainer.data.mean)
                            sums[2 * i] += o.c; sums[2 * i + 1] += o.m
                        }
                    }
                }
                let data = trainer.data
                var sx = [Double](repeating: 0, count: d)
                for nu in 0..<n { for i in 0..<d { sx[i] += data.signs[nu] * data.points[nu * d + i] } }
                let sx2 = sx.reduce(0) { $0 + $1 * $1 }, sxm = zip(sx, data.mean).reduce(0) { $0 + $1.0 * $1.1 }
                let D = (data.squaredNorms.reduce(0, +) / Double(d) - sx2 / (Double(d) * (Double(n) + Lu))) / Double(n)
                return phaseTwo.enumerated().flatMap { i, j -> [Double] in
                    let a = trainer.grid.alpha[j], b = trainer.grid.beta[j]
                    let c = b * D / (a * a + b * b * D), m = (1 - c * b) * sxm / (Double(d) * (Double(n) + Lu))
                    return [sums[2 * i] / Double(epochs - burnIn) - c, sums[2 * i + 1] / Double(epochs - burnIn) - m]
                }
            }
        }
        func meanAndSE(_ rows: [[Double]], _ k: Int) -> (Double, Double) {
            let x = rows.map { $0[k] }, N = Double(x.count), m = x.reduce(0, +) / N
            return (m, (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (N - 1) / N).squareRoot())
        }
        let fast = try deviations(path: .fast, seeds: [1, 2, 3, 4, 5, 6])
        let dense = try deviations(path: .dense, seeds: [1, 2, 3, 4])
        for k in 0..<fast[0].count {
            let (f, fse) = meanAndSE(fast, k), (g, gse) = meanAndSE(dense, k)
            print(String(format: "phase-2 statistic %d: fast %.5f ± %.5f, dense %.5f ± %.5f (deviation from closed form)", k, f, fse, g, gse))
            XCTAssertLessThan(abs(f), 4 * fse, "fast, statistic \(k)")
            XCTAssertLessThan(abs(g), 4 * gse, "dense, statistic \(k)")
            XCTAssertLessThan(abs(f - g), 4 * (fse * fse + gse * gse).squareRoot(), "fast vs dense, statistic \(k)")
            XCTAssertLessThan(fse, 0.02, "the check must be sharp")
        }
    }

    /// The Float fast path follows the Double one (same draws, converted): after a few Adam epochs
    /// the banks agree to single-precision accuracy, and the order parameters are finite.
    func testFloatFastPathTracksDouble() throws {
        let problem = try Problem(dimension: .finite(120), p: 0.8, sigma: 1)
        var options = TrainingOptions()
        options.epochs = 3
        let a = try Trainer<Double>(problem: problem, n: 8, k: 2, steps: 6, options: options, seed: 3)
        let b = try Trainer<Float>(problem: problem, n: 8, k: 2, steps: 6, options: options, seed: 3)
        a.train(epochs: 3); b.train(epochs: 3)
        var worst = 0.0
        for i in 0..<(120 * 6) {
            worst = max(worst, abs(a.bank.u[i] - Double(b.bank.u[i])), abs(a.bank.w[i] - Double(b.bank.w[i])))
        }
        for j in 0..<6 { worst = max(worst, abs(a.bank.c[j] - b.bank.c[j]), abs(a.bank.b[j] - b.bank.b[j])) }
        XCTAssertLessThan(worst, 1e-3, "Float vs Double after 3 Adam epochs")
        XCTAssertTrue(b.orderParameters().allSatisfy { $0.values.allSatisfy(\.isFinite) })
        XCTAssertEqual(a.loss.array, b.loss.array.map { $0 }, accuracy: 1e-4)
    }

    /// Online SGD's per-sample gradient (SIM.15) against central differences of e.
    func testOnlineGradientMatchesFiniteDifferences() {
        let d = 30
        var rng = NormalStream(seed: 8)
        var u = (0..<d).map { _ in rng.gaussian() }, w = (0..<d).map { _ in rng.gaussian() }
        let x1 = (0..<d).map { _ in 1 + rng.gaussian() }, x = (0..<d).map { _ in rng.gaussian() }
        var c = 0.3, b = 0.2
        var r = [Double](repeating: 0, count: d)
        func e() -> Double { onlineGradient(c: c, b: b, u: u, w: w, x1: x1, x: x, residual: &r, d: d).loss }
        let g = onlineGradient(c: c, b: b, u: u, w: w, x1: x1, x: x, residual: &r, d: d)
        let rSaved = r, h = 1e-6
        func central(_ poke: (Double) -> Void) -> Double { poke(h); let a = e(); poke(-2 * h); let m = e(); poke(h); return (a - m) / (2 * h) }
        XCTAssertEqual(g.c, central { c += $0 }, accuracy: 1e-7)
        XCTAssertEqual(g.b, central { b += $0 }, accuracy: 1e-7)
        for i in [0, 7, 29] {
            XCTAssertEqual(g.uResidual * rSaved[i], central { u[i] += $0 }, accuracy: 1e-7, "u[\(i)]")
            XCTAssertEqual(g.wInput * x[i], central { w[i] += $0 }, accuracy: 1e-7, "w[\(i)]")
        }
    }

    /// The library entry point for several seeds gives the same snapshots as single runs.
    func testRunSeedsMatchesSingleRuns() throws {
        var options = TrainingOptions()
        options.epochs = 4
        var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(40), n: 4), steps: 4, training: options)
        config.samples = 20
        config.recordEpochs = [0, 2]
        let all = try SimulationRunner.runSeeds(config, seeds: [5, 6, 7], threads: 2)
        var single = [Snapshot]()
        try SimulationRunner.run(config, seed: 6) { single.append($0) }
        XCTAssertEqual(all[6]?.map(\.epoch), [0, 2, 4])
        XCTAssertEqual(all[6]?.map { $0.orderParameters }, single.map { $0.orderParameters })
        XCTAssertEqual(all[6]?.map { $0.generation?.pHat }, single.map { $0.generation?.pHat })
        let summary = SimulationRunner.summarize(all.values.map { $0.last! })
        XCTAssertEqual(summary.count, 4)
        XCTAssertEqual(summary[0].seeds, 3)
        XCTAssertGreaterThan(summary[2].standardError.q, 0)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy * max(1, abs(x)), file: file, line: line) }
}
