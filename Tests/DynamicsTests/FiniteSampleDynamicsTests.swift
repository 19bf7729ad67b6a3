import FlowModel
import Dynamics
import Foundation
import GSLKit
import Theory
import XCTest

/// The finite-n order-parameter equations (derivations/training-dynamics.md §8, TD.30–TD.43).
final class FiniteSampleDynamicsTests: XCTestCase {
    let p = 0.8, sigma = 1.0, k = 2.0, penalty = 2.0

    private func setting(tau: Double, d: Double?, lr: Double = 1) throws -> TrainingSetting {
        try TrainingSetting(setup: try Setup(dimension: try d.map { try FlowModel.Dimension($0) } ?? .infinite, p: p, sigma: sigma, k: k), tau: tau, learningRate: lr,
                            penaltyU: penalty, penaltyW: penalty, rule: .gradientFlow)
    }

    /// Gradient flow from a non-class-symmetric random start (TD.38) at d = ∞ converges to the static
    /// finite-n theory: AT.31–AT.34 in phase 1 (Nelder–Mead, simplex size 1e-8), AT.20–AT.21 in phase 2.
    func testFixedPointsEqualStaticFiniteNTheory() throws {
        let n = 32
        let signs = FiniteSampleData.typicalSigns(n: n, p: p)
        let plus = signs.filter { $0 > 0 }.count
        let data = try FiniteSampleData.idealised(signs: signs, sigma: sigma)
        let problem = try AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: Double(n)), nPlus: Double(plus), penaltyU: penalty, penaltyW: penalty)
        let theory = try AutoencoderTheory(problem: problem, k: k)
        var worst = 0.0
        for tau in [0.5, 0.8, 1.5] {
            let expected = try theory.parameters(at: tau)
            if tau < 1 { XCTAssertEqual(expected.solution, .learned, "tau = \(tau) must be inside the learned phase") }
            let flow = try FiniteSampleFlow(setting: try setting(tau: tau, d: nil), data: data)
            // Phase 2 at d = ∞ freezes the sign pattern sign(s^ν ω + σ π_ν) (TD.41): start it at s^ν.
            let start = try FiniteSampleState.randomStart(n: n, overlap: 1e-3, piScale: tau < 1 ? 1e-3 : 0, seed: 11)
            let options = IntegrationOptions(times: IntegrationOptions.grid(timeMax: 40_000, points: 400), convergence: 1e-11)
            let run = try flow.integrate(from: start, options: options)
            let x = run.final.state.signFixed, o = x.order
            var pairs: [(String, Double, Double)] = [("c", o.c, expected.c), ("m", o.m, expected.m), ("q", o.q, expected.q)]
            for nu in 0..<n {
                pairs.append(("rho_\(nu)", x.rho[nu], signs[nu] > 0 ? expected.rhoPlus : expected.rhoMinus))
            }
            if tau < 1 {
                XCTAssertTrue(run.converged, "tau = \(tau): not converged by time \(run.final.time)")
                pairs += [("b", o.b, expected.b), ("omega", o.omega, expected.omega), ("r", o.r, expected.r), ("uw", o.uw, expected.uw)]
                for nu in 0..<n { pairs.append(("pi_\(nu)", x.pi[nu], signs[nu] > 0 ? expected.piPlus : expected.piMinus)) }
            } else {
                // b, ω, r are not determined in phase 2 (AT.12 remark): ω, π decay only through L_w.
                XCTAssertEqual(o.omega / (1e-3 * exp(-2 * penalty / Double(n) * run.final.time)), 1, accuracy: 1e-6)
            }
            for (name, got, want) in pairs {
                XCTAssertEqual(got, want, accuracy: 1e-6, "tau = \(tau): \(name)")
                worst = max(worst, abs(got - want))
            }
            print(String(format: "finite-n fixed point tau = %.2f: time %.0f, largest |ODE − static| = %.2e", tau, run.final.time,
                         pairs.map { abs($0.1 - $0.2) }.max()!))
        }
        print(String(format: "finite-n fixed points: largest deviation %.2e", worst))
    }

    /// J/n is non-increasing along the flow (TD.42), at finite d on a sampled data set from a random
    /// init and at d = ∞ from a non-symmetric start.
    func testLossDecreasesMonotonically() throws {
        let sampled = try FiniteSampleData.sample(n: 8, p: p, sigma: sigma, dimension: 300, seed: 3)
        let cases: [(TrainingSetting, FiniteSampleData, FiniteSampleState)] = [
            (try setting(tau: 0.5, d: 300), sampled.data, sampled.start),
            (try setting(tau: 1.5, d: 300), sampled.data, sampled.start),
            (try setting(tau: 0.5, d: nil), try FiniteSampleData.idealised(signs: FiniteSampleData.typicalSigns(n: 10, p: p), sigma: sigma),
             try FiniteSampleState.randomStart(n: 10, overlap: 0.05, seed: 5)),
        ]
        for (st, data, start) in cases {
            let flow = try FiniteSampleFlow(setting: st, data: data)
            let run = try flow.integrate(from: start, options: IntegrationOptions(times: IntegrationOptions.grid(timeMax: 40, points: 80), convergence: 0))
            let losses = run.points.map(\.loss)
            for (a, b) in zip(losses, losses.dropFirst()) { XCTAssertLessThanOrEqual(b, a + 1e-12, "tau = \(st.tau)") }
            XCTAssertLessThan(losses.last!, losses.first! - 0.01, "tau = \(st.tau): the loss should fall")
            for point in run.points { XCTAssertGreaterThanOrEqual(flow.dissipation(point.state), -1e-12) }
        }
    }

    /// The right-hand side equals gradient flow on J/n in the weights themselves: for actual vectors
    /// (μ, η^ν, u, w in ℝ^D), central differences of J/n in c, b and every coordinate of u, w give
    /// the velocities of (TD.35), projected onto the order parameters (TD.36, TD.37). Finite d with
    /// random data constants, and d = ∞ with orthogonal data (M = 0, G = I, X = 1 + σ²).
    func testRightHandSideMatchesFiniteDifferenceGradient() throws {
        let random = try RandomStream(seed: 21)
        let n = 3, dim = 9
        func gaussians(_ count: Int, _ scale: Double = 1) -> [Double] { (0..<count).map { _ in scale * random.gaussian() } }
        // Finite d: random μ (|μ|² = d) and noise.
        var mu = gaussians(dim)
        let norm = dot(mu, mu).squareRoot()
        mu = mu.map { $0 * Double(dim).squareRoot() / norm }
        let noise = (0..<n).map { _ in gaussians(dim) }
        // d = ∞: μ = √D e₀, η^ν = √D e_ν, so M = 0 and G = I exactly.
        let root = Double(dim).squareRoot()
        let axis: (Int) -> [Double] = { i in (0..<dim).map { $0 == i ? root : 0 } }
        let signs: [Double] = [1, -1, 1]
        let cases: [(Double?, Double, [Double], [[Double]])] = [
            (Double(dim), 0.5, mu, noise), (Double(dim), 1.5, mu, noise),
            (nil, 0.5, axis(0), (1...n).map(axis)), (nil, 1.5, axis(0), (1...n).map(axis)),
        ]
        for (d, tau, mean, eta) in cases {
            let st = try setting(tau: tau, d: d, lr: 0.7)
            let data = try FiniteSampleData(signs: signs, sigma: sigma, mean: mean, noise: eta)
            if d == nil {
                XCTAssertEqual(data.meanOverlaps.map(abs).max()!, 0, accuracy: 1e-15)
                for i in 0..<n { for j in 0..<n { XCTAssertEqual(data.gram(i, j), i == j ? 1 : 0, accuracy: 1e-15) } }
            }
            let flow = try FiniteSampleFlow(setting: st, data: data)
            // Scale 0.6: pre-activations O(1), unit not saturated at finite d.
            let u = gaussians(dim, 0.6), w = gaussians(dim, 0.6), c = 0.3, b = -0.2
            let loss: (Double, Double, [Double], [Double]) -> Double = { c, b, u, w in
                flow.lossGradient(FiniteSampleState(c: c, b: b, u: u, w: w, mean: mean, noise: eta)).loss
            }
            let h = 1e-5, eta0 = st.learningRate, dd = Double(dim)
            let dc = -eta0 * (loss(c + h, b, u, w) - loss(c - h, b, u, w)) / (2 * h)
            let db = -eta0 * (loss(c, b + h, u, w) - loss(c, b - h, u, w)) / (2 * h)
            var du = [Double](repeating: 0, count: dim), dw = du
            for i in 0..<dim {
                var up = u, um = u, wp = w, wm = w
                up[i] += h; um[i] -= h; wp[i] += h; wm[i] -= h
                du[i] = -eta0 * dd * (loss(c, b, up, w) - loss(c, b, um, w)) / (2 * h)   // TD.35: rate η·d on vectors
                dw[i] = -eta0 * dd * (loss(c, b, u, wp) - loss(c, b, u, wm)) / (2 * h)
            }
            var expected = OrderParameters(c: dc, b: db, m: dot(du, mean) / dd, q: 2 * dot(u, du) / dd, omega: dot(dw, mean) / dd,
                                           r: 2 * dot(w, dw) / dd, uw: (dot(u, dw) + dot(w, du)) / dd).values   // the state's order
            expected += eta.map { dot(du, $0) / dd } + eta.map { dot(dw, $0) / dd }
            let got = flow.rightHandSide(FiniteSampleState(c: c, b: b, u: u, w: w, mean: mean, noise: eta))
            let scale = expected.map(abs).max()!
            XCTAssertGreaterThan(scale, 1e-3)
            for i in got.indices {
                XCTAssertEqual(got[i], expected[i], accuracy: 1e-7 * max(scale, 1), "d = \(String(describing: d)), tau = \(tau), component \(i)")
            }
        }
    }

    /// The per-point loss (TD.32) against a direct z-average for actual vectors at finite d: with
    /// z = g ŵ + z⊥, E_z|f − x₁|²/d = c²α² + [2cα E(g ŵ·v(g)) + E|v(g)|²]/d, v = (cβ − 1)x₁ + uφ(g),
    /// integrated by the trapezoidal rule in g (independent of `TanhMoments`).
    func testLossAgainstDirectNoiseAverage() throws {
        let dim = 50, n = 4
        let random = try RandomStream(seed: 8)
        let mean = [Double](repeating: 1, count: dim)
        let noise = (0..<n).map { _ in (0..<dim).map { _ in random.gaussian() } }
        let signs: [Double] = [1, 1, -1, 1]
        let u = (0..<dim).map { _ in 0.4 * random.gaussian() + 0.3 }, w = (0..<dim).map { _ in 0.5 * random.gaussian() + 0.2 }
        let (c, b) = (0.4, 0.1)
        for tau in [0.5, 1.3] {
            let st = try setting(tau: tau, d: Double(dim))
            let flow = try FiniteSampleFlow(setting: st, data: try FiniteSampleData(signs: signs, sigma: sigma, mean: mean, noise: noise))
            let dd = Double(dim), wn = dot(w, w).squareRoot()
            var total = 0.0
            for nu in 0..<n {
                let x1 = (0..<dim).map { signs[nu] * mean[$0] + sigma * noise[nu][$0] }
                let centre = b + st.beta * dot(w, x1) / dd.squareRoot(), width = st.alpha * wn / dd.squareRoot()
                var integral = 0.0
                let steps = 4000, lo = -12.0, dg = 24.0 / Double(steps)
                for i in 0...steps {
                    let g = lo + Double(i) * dg, weight = exp(-g * g / 2) / (2 * Double.pi).squareRoot() * dg * (i == 0 || i == steps ? 0.5 : 1)
                    let phi = tanh(centre + width * g)
                    var vv = 0.0, wv = 0.0
                    for j in 0..<dim {
                        let v = (c * st.beta - 1) * x1[j] + u[j] * phi
                        vv += v * v; wv += w[j] / wn * v
                    }
                    integral += weight * (2 * c * st.alpha * g * wv + vv)
                }
                total += c * c * st.alpha * st.alpha + integral / dd
            }
            let state = FiniteSampleState(c: c, b: b, u: u, w: w, mean: mean, noise: noise)
            let expected = (total + penalty * state.order.q + penalty * state.order.r) / Double(n)
            XCTAssertEqual(flow.lossGradient(state).loss, expected, accuracy: 1e-10, "tau = \(tau)")
        }
    }

    /// As n → ∞ (d = ∞, data constants at their d = ∞ values, class-symmetric state with the O(1/n)
    /// overlaps of the fixed point, n₊ = pn), the seven order-parameter velocities approach the
    /// infinite-n gradient flow (TD.10 with ℓ = L/n): the difference is O(1/n) (TD.43).
    func testLargeNApproachesPopulationFlow() throws {
        let order = OrderParameters(c: 0.1, b: 0.3, m: 0.7, q: 0.9, omega: 0.8, r: 1.1, uw: 0.4)
        for tau in [0.5, 1.5] {
            var scaled: [Double] = []
            for n in [500, 1000, 2000] {
                let signs = FiniteSampleData.typicalSigns(n: n, p: p)
                let nn = Double(n)
                let data = try FiniteSampleData.idealised(signs: signs, sigma: sigma)
                let flow = try FiniteSampleFlow(setting: try setting(tau: tau, d: nil), data: data)
                let state = FiniteSampleState.classSymmetric(order: order, signs: signs, rho: (0.5 / nn, -0.4 / nn), pi: (0.6 / nn, -0.7 / nn))
                let population = try OrderParameterFlow(setting: try TrainingSetting(
                    setup: try Setup(dimension: .infinite, p: p, sigma: sigma, k: k), tau: tau, learningRate: 1, penaltyU: penalty / nn, penaltyW: penalty / nn,
                    rule: .gradientFlow))
                let finite = flow.rightHandSide(state), infinite = population.rightHandSide(order)
                let deviation = OrderParameter.allCases.map { abs(finite[$0] - infinite[$0]) }.max()!
                let lossDeviation = abs(flow.lossGradient(state).loss - (population.lossGradient(order).loss))
                scaled.append(nn * deviation)
                XCTAssertLessThan(lossDeviation, 10 / nn, "tau = \(tau), n = \(n)")
                print(String(format: "n → ∞, tau = %.1f, n = %d: max |finite-n − population| velocity = %.3e (× n = %.4f), loss %.2e",
                             tau, n, deviation, nn * deviation, lossDeviation))
            }
            // O(1/n): n·deviation settles (ratio of successive values within 10 %).
            for (a, b) in zip(scaled, scaled.dropFirst()) { XCTAssertEqual(b / a, 1, accuracy: 0.1, "tau = \(tau): \(scaled)") }
            XCTAssertGreaterThan(scaled.last!, 1e-3, "the finite-n correction should be visible")
        }
    }

    /// At d = ∞ the class-symmetric subspace is invariant (TD.39): from a symmetric state the
    /// velocities of ρ_ν, π_ν are equal within each class.
    func testClassSymmetricSubspaceIsInvariant() throws {
        let signs = FiniteSampleData.typicalSigns(n: 12, p: p)
        let data = try FiniteSampleData.idealised(signs: signs, sigma: sigma)
        let order = OrderParameters(c: 0.05, b: 0.4, m: 0.6, q: 0.8, omega: 0.9, r: 1.2, uw: 0.3)
        let state = FiniteSampleState.classSymmetric(order: order, signs: signs, rho: (0.03, -0.02), pi: (0.04, -0.05))
        for tau in [0.5, 1.5] {
            let dy = try FiniteSampleFlow(setting: try setting(tau: tau, d: nil), data: data).rightHandSide(state)
            for nu in 1..<12 {
                let first = signs[nu] > 0 ? 0 : signs.firstIndex(of: -1)!
                XCTAssertEqual(dy[7 + nu], dy[7 + first], accuracy: 1e-15)
                XCTAssertEqual(dy[19 + nu], dy[19 + first], accuracy: 1e-15)
            }
        }
    }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
