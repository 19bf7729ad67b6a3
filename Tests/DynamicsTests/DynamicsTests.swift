import FlowModel
import Dynamics
import Foundation
import GSLKit
import XCTest

/// The order-parameter ODEs of the training dynamics (derivations/training-dynamics.md).
final class DynamicsTests: XCTestCase {
    let p = 0.8, sigma = 1.0, k = 2.0
    var h: Double { 0.5 * log(p / (1 - p)) }

    private func setting(tau: Double, d: Double?, lr: Double = 1, rule: TrainingRule = .gradientFlow,
                         penaltyU: Double = 0) throws -> TrainingSetting {
        try TrainingSetting(setup: try Setup(dimension: try d.map { try FlowModel.Dimension($0) } ?? .infinite, p: p, sigma: sigma, k: k), tau: tau, learningRate: lr, penaltyU: penaltyU, rule: rule)
    }

    private func converge(_ st: TrainingSetting, from start: OrderParameters, timeMax: Double = 4000) throws -> Trajectory {
        let flow = try OrderParameterFlow(setting: st)
        let options = IntegrationOptions(times: IntegrationOptions.grid(timeMax: timeMax, points: 400), convergence: 1e-12)
        let trajectory = try flow.integrate(from: start, options: options)
        XCTAssertTrue(trajectory.converged, "tau = \(st.tau), d = \(st.dimension) did not converge")
        return trajectory
    }

    private func assertClose(_ o: OrderParameters, _ expected: [String: Double], tolerance: Double, _ label: String) {
        let values = Dictionary(uniqueKeysWithValues: zip(OrderParameters.keys, o.values))
        for (name, value) in expected {
            XCTAssertEqual(values[name]!, value, accuracy: tolerance, "\(label): \(name)")
        }
    }

    /// Fixed points of gradient flow from theory init = the static closed forms:
    /// finite d phase 1 = the exact denoiser (AT.8); d → ∞ phase 1 = (AT.13); d → ∞ phase 2 = (AT.12),
    /// and with a ridge ℓ_u = (AT.15).
    func testFixedPointsEqualStaticClosedForms() throws {
        // Finite d, phase 1: AT.8 holds exactly at every d.
        let d = 1000.0
        let st = try setting(tau: 0.5, d: d)
        let seed = 1 / d.squareRoot()
        let finite = try converge(st, from: .theoryInit(m: seed, omega: seed)).final.state.signFixed
        let v = st.v
        let m8 = st.alpha * st.alpha / v, w8 = st.beta * d.squareRoot() / v
        assertClose(finite, ["c": st.beta * sigma * sigma / v, "b": h, "m": m8, "q": m8 * m8, "omega": w8, "r": w8 * w8, "uw": m8 * w8],
                    tolerance: 1e-6, "AT.8 at d = 1000")
        // d → ∞, phase 1 (AT.13): c = 0, b = h, m = √q = 1, ω = √r = kτ.
        for tau in [0.25, 0.5, 0.9] {
            let o = try converge(try setting(tau: tau, d: nil), from: .theoryInit(m: 1e-3, omega: 1e-3)).final.state.signFixed
            let kt = k * tau
            assertClose(o, ["c": 0, "b": h, "m": 1, "q": 1, "omega": kt, "r": kt * kt], tolerance: 1e-6, "AT.13 at tau = \(tau)")
        }
        // d → ∞, phase 2 (AT.12): c = βσ²/v, m = √q = α²/v; with ℓ_u (AT.15).
        for (tau, lu) in [(1.25, 0.0), (1.5, 0.0), (1.75, 0.0), (1.5, 0.3)] {
            let st2 = try setting(tau: tau, d: nil, penaltyU: lu)
            let o = try converge(st2, from: .theoryInit(m: 1e-3, omega: 1e-3)).final.state
            let (a, b) = (st2.alpha, st2.beta)
            let D = (lu + sigma * sigma * (1 + lu)) / (1 + lu)
            let c = b * D / (a * a + b * b * D), m = (1 - c * b) / (1 + lu)
            assertClose(o, ["c": c, "m": m, "q": m * m], tolerance: 1e-6, "AT.12/AT.15 at tau = \(tau), l_u = \(lu)")
            if lu == 0 {
                XCTAssertEqual(c, b * sigma * sigma / (a * a + b * b * sigma * sigma), accuracy: 1e-15)
            }
        }
    }

    /// Gradient flow decreases the population loss monotonically (TD.25), in both phases at finite d.
    func testGradientFlowDecreasesLossMonotonically() throws {
        for tau in [0.5, 1.5] {
            let d = 1000.0, seed = 1 / d.squareRoot()
            let flow = try OrderParameterFlow(setting: try setting(tau: tau, d: d))
            let options = IntegrationOptions(times: IntegrationOptions.grid(timeMax: 100, points: 200), convergence: 0)
            let losses = try flow.integrate(from: .theoryInit(m: seed, omega: seed), options: options).points.map(\.loss)
            for i in 1..<losses.count {
                XCTAssertLessThanOrEqual(losses[i], losses[i - 1] + 1e-13, "tau = \(tau), step \(i)")
            }
            XCTAssertLessThan(losses.last!, losses.first! - 0.5, "tau = \(tau): the loss must actually drop")
        }
    }

    /// The drift (TD.10) equals −η·M·∇ε with the loss differentiated numerically (central
    /// differences), at random order parameters; d → ∞ in both phases and finite d.
    func testRightHandSideMatchesFiniteDifferenceGradient() throws {
        let random = try RandomStream(seed: 7)
        let cases: [(Double, Double?)] = [(0.5, nil), (0.3, nil), (1.5, nil), (0.5, 1000), (1.4, 400)]
        for (tau, d) in cases {
            let flow = try OrderParameterFlow(setting: try setting(tau: tau, d: d, lr: 0.7))
            for _ in 0..<4 {
                let o = OrderParameters(c: random.gaussian() * 0.5, b: random.gaussian(), m: random.gaussian(), q: 0.2 + 2 * random.uniform(),
                                        omega: 0.5 + random.uniform(), r: 0.05 + 3 * random.uniform(), uw: random.gaussian())
                let grad = OrderParameters { key in
                    let step = 1e-5
                    var plus = o, minus = o
                    plus[key] += step
                    minus[key] -= step
                    return (flow.lossGradient(plus).loss - flow.lossGradient(minus).loss) / (2 * step)
                }
                let (Ec, Eb, Em, Eq, Ew, Er, Euw) = (grad.c, grad.b, grad.m, grad.q, grad.omega, grad.r, grad.uw)
                let eta = 0.7
                var expected = OrderParameters.zero
                expected.c = -eta * Ec
                expected.b = -eta * Eb
                expected.m = -eta * (Em + 2 * Eq * o.m + Euw * o.omega)
                expected.q = -2 * eta * (Em * o.m + 2 * Eq * o.q + Euw * o.uw)
                expected.omega = -eta * (Ew + 2 * Er * o.omega + Euw * o.m)
                expected.r = -2 * eta * (Ew * o.omega + 2 * Er * o.r + Euw * o.uw)
                expected.uw = -eta * (Em * o.omega + 2 * Eq * o.uw + Euw * o.r + Ew * o.m + 2 * Er * o.uw + Euw * o.q)
                let rhs = flow.rightHandSide(o)
                for key in OrderParameter.allCases {
                    XCTAssertEqual(rhs[key], expected[key], accuracy: 1e-7 * max(1, abs(expected[key])),
                                   "tau = \(tau), d = \(String(describing: d)), component \(key.rawValue)")
                }
            }
        }
    }

    /// The closed-form loss (TD.4) against an independent evaluation of AT.6 by Gauss–Hermite on
    /// a finer rule, for small and large pre-activation scale (both branches of TanhMoments).
    func testLossAgainstIndependentQuadrature() throws {
        let gh = try GaussHermite(order: 400)
        for (tau, d, r) in [(0.5, 1000.0, 0.3), (0.5, 1000.0, 9.0), (1.3, 500.0, 4.0)] {
            let st = try setting(tau: tau, d: d)
            let flow = try OrderParameterFlow(setting: st)
            let o = OrderParameters(c: 0.3, b: 0.4, m: 0.7, q: 0.9, omega: 0.05, r: r, uw: 0.2)
            var e1 = 0.0, e2 = 0.0, ep = 0.0
            for (s, weight) in [(1.0, p), (-1.0, 1 - p)] {
                let center = o.b + st.beta * d.squareRoot() * o.omega * s, scale = (st.v * o.r).squareRoot()
                e1 += weight * s * gh.expectation { tanh(center + scale * $0) }
                e2 += weight * gh.expectation { pow(tanh(center + scale * $0), 2) }
                ep += weight * gh.expectation { 1 - pow(tanh(center + scale * $0), 2) }
            }
            let (b, v, s2) = (st.beta, st.v, sigma * sigma)
            let loss = o.c * o.c * (b * b + v) - 2 * o.c * b * (1 + s2) + 1 + s2 + o.q * e2 + 2 * (o.c * b - 1) * o.m * e1
                + 2 * (o.c * v - b * s2) * o.uw / d.squareRoot() * ep
            XCTAssertEqual(flow.lossGradient(o).loss, loss, accuracy: 2e-6, "tau = \(tau), r = \(r)")
        }
    }

    /// Online-SGD equations → gradient flow as η → 0 at fixed η·time, with an O(η) gap.
    func testOnlineSGDReducesToGradientFlow() throws {
        let d = 1000.0, seed = 1 / d.squareRoot()
        let start = OrderParameters.theoryInit(m: seed, omega: seed)
        let reducedTimes = IntegrationOptions.grid(timeMax: 15, points: 30)
        let gf = try OrderParameterFlow(setting: try setting(tau: 0.5, d: d, lr: 1))
            .integrate(from: start, options: IntegrationOptions(times: reducedTimes, convergence: 0))
        var gaps: [Double] = []
        for eta in [0.04, 0.02] {
            let sgd = try OrderParameterFlow(setting: try setting(tau: 0.5, d: d, lr: eta, rule: .onlineSGD))
            let run = try sgd.integrate(from: start, options: IntegrationOptions(times: reducedTimes.map { $0 / eta }, convergence: 0))
            var gap = 0.0
            for (a, b) in zip(gf.points, run.points) {
                for (x, y) in zip(a.state.values, b.state.values) { gap = max(gap, abs(x - y)) }
            }
            gaps.append(gap)
        }
        XCTAssertGreaterThan(gaps[1], 0, "the noise terms must act")
        XCTAssertLessThan(gaps[1], 0.1, "gap at η = 0.02: \(gaps)")
        XCTAssertEqual(gaps[0] / gaps[1], 2, accuracy: 0.4, "the gap must be O(η): \(gaps)")
    }
}
