import FlowModel
import XCTest
import GSLKit
@testable import Dynamics

/// derivations/plateau-escape.md §5.
final class PlateauEscapeTests: XCTestCase {
    private func escape(d: Double?, tau: Double = 0.5, lr: Double = 0.5, penalties: Double = 0) throws -> PlateauEscape {
        let setting = try TrainingSetting(setup: try Setup(dimension: try d.map { try FlowModel.Dimension($0) } ?? .infinite, p: 0.8, sigma: 1, k: 2), tau: tau, learningRate: lr,
                                          penaltyU: penalties, penaltyW: penalties, rule: .onlineSGD)
        return try PlateauEscape(flow: try OrderParameterFlow(setting: setting))
    }

    /// (PE.3) against central differences of the full right-hand side in (m, b, ω).
    func testJacobianMatchesFiniteDifferences() throws {
        let random = try RandomStream(seed: 7)
        for (d, tau, pen) in [(1000.0, 0.5, 0.0), (1000, 1.3, 0.2), (nil, 0.5, 0.3)] as [(Double?, Double, Double)] {
            let model = try escape(d: d, tau: tau, penalties: pen)
            for _ in 0..<4 {
                let base = OrderParameters(c: 0.3 * random.gaussian(), b: 0, m: 0, q: 0.5 + random.uniform(), omega: 0,
                                           r: 0.3 + 2 * random.uniform(), uw: 0.2 * random.gaussian())
                let J = model.driftMatrix(base)
                let index: [OrderParameter] = [.m, .b, .omega]   // the drift matrix's order
                let h = 1e-5
                for (col, k) in index.enumerated() {
                    var plus = base, minus = base
                    plus[k] += h; minus[k] -= h
                    let fp = model.flow.rightHandSide(plus), fm = model.flow.rightHandSide(minus)
                    for (row, i) in index.enumerated() {
                        let numeric = (fp[i] - fm[i]) / (2 * h)
                        XCTAssertEqual(J[row][col], numeric, accuracy: 1e-7 * max(1, abs(numeric)),
                                       "d = \(String(describing: d)), τ = \(tau), J[\(row)][\(col)]")
                    }
                }
            }
        }
    }

    /// (PE.5) against the empirical covariance of single online-SGD steps (the gradients of TD §1
    /// evaluated on d-dimensional samples) of a network on the plateau.
    func testNoiseCovarianceMatchesSampledSteps() throws {
        let d = 1000, samples = 40_000
        let model = try escape(d: Double(d), tau: 0.5, lr: 0.5, penalties: 0.1)
        let st = model.flow.setting
        let random = try RandomStream(seed: 11)
        // u, w orthogonal to μ = (1, …, 1), with q = 1.3 and r = 0.8; c = 0.2, b = 0.
        func plateauVector(_ norm2: Double) -> [Double] {
            var v = (0..<d).map { _ in random.gaussian() }
            let mean = v.reduce(0, +) / Double(d)
            v = v.map { $0 - mean }
            let scale = (norm2 * Double(d) / v.reduce(0) { $0 + $1 * $1 }).squareRoot()
            return v.map { $0 * scale }
        }
        let u = plateauVector(1.3), w = plateauVector(0.8)
        let base = OrderParameters(c: 0.2, b: 0, m: 0, q: 1.3, omega: 0, r: 0.8,
                                   uw: zip(u, w).reduce(0) { $0 + $1.0 * $1.1 } / Double(d))
        let n = Double(d), eta = st.learningRate
        var sum = [0.0, 0, 0], cross = [[Double]](repeating: [0, 0, 0], count: 3)
        for _ in 0..<samples {
            let s: Double = random.uniform() < st.p ? 1 : -1
            var xs = 0.0, x1s = 0.0, ux = 0.0, ux1 = 0.0, wx = 0.0
            u.withUnsafeBufferPointer { u in
                w.withUnsafeBufferPointer { w in
                    for i in 0..<d {
                        let x1 = s + st.sigma * random.gaussian()
                        let x = st.alpha * random.gaussian() + st.beta * x1
                        xs += x; x1s += x1; ux += u[i] * x; ux1 += u[i] * x1; wx += w[i] * x
                    }
                }
            }
            let phi = tanh(base.b + wx / n.squareRoot()), dphi = 1 - phi * phi
            // The exact single-step changes of m, b, ω (TD §1 gradients; Σu = 0 because m = 0).
            let residualMu = (base.c * xs - x1s) / n                     // (f − x₁)·μ/d
            let A = (base.c * ux + phi * base.q * n - ux1) / n            // u·(f − x₁)/d
            let dm = -(2 * eta / n) * (phi * residualMu + st.penaltyU * base.m)
            let db = -(eta / n) * 2 * A * dphi
            let dw = -eta * (2 * A * dphi * (xs / n) / n.squareRoot() + 2 * st.penaltyW * base.omega / n)
            let delta = [dm, db, dw]
            for i in 0..<3 {
                sum[i] += delta[i]
                for j in 0..<3 { cross[i][j] += delta[i] * delta[j] }
            }
        }
        let sigma = model.noiseCovariance(base)
        let m = Double(samples)
        for i in 0..<3 {
            for j in 0..<3 {
                // Σ = d² × the covariance of one step (d steps per unit time, covariance Σ/d).
                let empirical = n * n * (cross[i][j] / m - sum[i] * sum[j] / (m * m))
                let scale = (sigma[i][i] * sigma[j][j]).squareRoot()
                XCTAssertEqual(empirical, sigma[i][j], accuracy: 0.04 * scale, "Σ[\(i)][\(j)]")
            }
        }
    }

    /// The switch from the linear SDE to the ODE (PE.9) does not move the escape-time law.
    func testSwitchTimeDoesNotMatter() throws {
        let model = try escape(d: 4000)
        let times = IntegrationOptions.grid(timeMax: 16, points: 160)
        let early = try EscapeEnsemble(escape: model, start: .theoryInit, members: 100, times: times, seed: 3, switchOverlap: 0.025)
        let late = try EscapeEnsemble(escape: model, start: .theoryInit, members: 100, times: times, seed: 3, switchOverlap: 0.1)
        let a = meanAndStandardError(early.escapeTimes), b = meanAndStandardError(late.escapeTimes)
        print("escape time: m₁ = 0.025: \(a.mean) ± \(a.standardError); m₁ = 0.1: \(b.mean) ± \(b.standardError); switch at \(early.regime.time), \(late.regime.time)")
        XCTAssertLessThan(early.regime.time, late.regime.time)
        XCTAssertEqual(a.mean, b.mean, accuracy: 2 * (a.standardError + b.standardError))
    }

    /// The same seed gives bit-identical ensembles (members are drawn in order, then integrated in
    /// parallel); another seed gives another one.
    func testEnsembleIsReproducible() throws {
        let model = try escape(d: 1000)
        let times = IntegrationOptions.grid(timeMax: 12, points: 24)
        func escapes(_ seed: UInt64) throws -> [Double] {
            try EscapeEnsemble(escape: model, start: .theoryInit, members: 8, times: times, seed: seed).escapeTimes
        }
        let first = try escapes(9)
        XCTAssertEqual(first, try escapes(9))
        XCTAssertNotEqual(first, try escapes(10))
    }
}
