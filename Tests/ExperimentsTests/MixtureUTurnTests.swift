import Foundation
import XCTest
import FlowModel
import GSLKit
import Simulation
import Theory

/// The mixture's U-turn (derivations/mixture-uturn.md): closed forms against d-dimensional
/// simulations, the 1/√d window, the limits, and independent quadratures of the SDE curve.
final class MixtureUTurnTests: XCTestCase {
    static let curves = UTurnCurve.allCases

    /// Two-sided normal point for `comparisons` simultaneous z-tests at family-wise level 1 %.
    func zThreshold(comparisons: Int) -> Double { StandardNormal.quantile(1 - 0.005 / Double(comparisons)) }

    static func sampler(_ curve: UTurnCurve) -> UTurnSimulation.Sampler { curve.dynamics == .ode ? .probabilityFlow : .exactAncestral }

    /// Closed forms (UT.7, UT.10) against the d = 1000 simulation at the ODE window's 10/50/90 %
    /// times, both modes, ODE (second-order x₁-prediction, K = 50; step bias < 10⁻⁴ ≪ SE, §6) and
    /// exact ancestral SDE, 5000 samples each; every |z| below the Bonferroni 1 % point of 12 tests.
    func testClosedFormsAgainstSimulationAtD1000() throws {
        let problem = try Problem(dimension: .finite(1000), p: 0.8, sigma: 1)
        let schedule = LinearSchedule()
        let uturn = MixtureUTurn(problem: problem, schedule: schedule)
        let taus = try uturn.window(UTurnCurve(.ode, start: .plus)).points.map(\.clock)
        let threshold = zThreshold(comparisons: taus.count * Self.curves.count)
        // The 12 (t, curve) simulations are independent and single-threaded: run on all cores, each with
        // its own seed (101, 102, … in (t, curve) order), then checked in order.
        let cases = taus.flatMap { tau in Self.curves.map { (tau, $0) } }
        let results = try parallelMap(Array(cases.indices)) { i in
            let (tau, curve) = cases[i]
            let sim = UTurnSimulation(problem: problem, schedule: schedule, steps: curve.dynamics == .ode ? 50 : 20)
            return try sim.run(startPlus: curve.start == .plus, clock: tau, sampler: Self.sampler(curve), samples: 5000, seed: 101 + UInt64(i))
        }
        for ((tau, curve), result) in zip(cases, results) {
            let theory = try uturn.flip(curve, at: tau)
            let se = (theory * (1 - theory) / Double(result.samples)).squareRoot()
            let z = (result.fraction - theory) / se
            print(String(format: "d=1000 t=%.5f %@: simulation %.4f ± %.4f, closed form %.4f, z = %+.2f",
                         tau, curve.key, result.fraction, result.standardError, theory, z))
            XCTAssertLessThan(abs(z), threshold, "\(curve.key) at t = \(tau)")
        }
    }

    /// At d = 1, σ = 1 (a₁ = 1) the modes overlap at the data end, so the sign classifier's terms
    /// of UT.4–UT.10 are large; the 1-d simulation (200 000 samples) resolves them.
    func testExactFiniteDimensionTermsAgainstOneDimensionalSimulation() throws {
        let problem = try Problem(dimension: .finite(1), p: 0.7, sigma: 1)
        let schedule = LinearSchedule()
        let uturn = MixtureUTurn(problem: problem, schedule: schedule)
        let taus = [0.3, 0.6, 0.85]
        let threshold = zThreshold(comparisons: taus.count * Self.curves.count)
        var largestLatentGap = 0.0
        // The 12 (t, curve) simulations are independent and single-threaded (each with seed 7): run on all cores, checked in order.
        let cases = taus.flatMap { tau in Self.curves.map { (tau, $0) } }
        let results = try parallelMap(Array(cases.indices)) { i in
            let (tau, curve) = cases[i]
            let sim = UTurnSimulation(problem: problem, schedule: schedule, steps: curve.dynamics == .ode ? 50 : 20)
            return try sim.run(startPlus: curve.start == .plus, clock: tau, sampler: Self.sampler(curve), samples: 200_000, seed: 7)
        }
        for ((tau, curve), result) in zip(cases, results) {
            let theory = try uturn.flip(curve, at: tau)
            let z = (result.fraction - theory) / (theory * (1 - theory) / Double(result.samples)).squareRoot()
            print(String(format: "d=1 t=%.2f %@: simulation %.4f ± %.4f, closed form %.4f, z = %+.2f",
                         tau, curve.key, result.fraction, result.standardError, theory, z))
            XCTAssertLessThan(abs(z), threshold, "\(curve.key) at t = \(tau)")
            if curve.dynamics == .sde {
                let latent = try MixtureUTurn.impurityFlip(start: curve.start, signal: uturn.signal(at: tau), p: problem.p)
                largestLatentGap = max(largestLatentGap, abs(latent - theory) / result.standardError)
            }
        }
        // The d = ∞ impurity (latent mode) is far outside the error bars here: the test can tell them apart.
        XCTAssertGreaterThan(largestLatentGap, 10)
    }

    /// t10, t50, t90 ∝ 1/√d (UT.13, UT.14): a_q does not depend on d (up to Φ(−a₁)), and on the
    /// linear schedule t_q = a_q/(a_q + √(d − σ²a_q²)), so the slope of log t_q against log d
    /// over d = 10³, 10⁴, 10⁵ lies in [−½, −½ + δ], δ the largest ½ − d/(2w(a_q + w)), w = √(d − σ²a_q²).
    func testWindowScalesAsInverseSquareRootOfD() throws {
        let dims = [1e3, 1e4, 1e5]
        let (p, sigma) = (0.8, 1.0)
        let windows = try dims.map { d in
            try Self.curves.map { try MixtureUTurn(problem: Problem(dimension: FlowModel.Dimension(d), p: p, sigma: sigma), schedule: LinearSchedule()).window($0) }
        }
        for (c, curve) in Self.curves.enumerated() {
            let limit = try MixtureUTurn.limitWindowSignals(curve, p: p)
            for (q, fraction) in MixtureUTurn.windowFractions.enumerated() {
                let times = windows.map { $0[c].points[q].t }
                let fit = try LinearFit(x: dims.map { log($0) }, y: times.map { log($0) })
                let a = limit[q]
                let deviations = dims.map { d -> Double in
                    let w = (d - sigma * sigma * a * a).squareRoot()
                    return 0.5 - d / (2 * w * (a + w))
                }
                print(String(format: "%@ t%.0f: t = %.5f, %.5f, %.5f; t√d = %.4f, %.4f, %.4f (a_q = %.4f); slope %.4f",
                             curve.key, fraction * 100, times[0], times[1], times[2],
                             times[0] * 1e3.squareRoot(), times[1] * 1e4.squareRoot(), times[2] * 1e5.squareRoot(), a, fit.slope))
                XCTAssertGreaterThanOrEqual(fit.slope, -0.5 + deviations.min()! - 1e-6, "\(curve.key) t\(fraction)")
                XCTAssertLessThanOrEqual(fit.slope, -0.5 + deviations.max()! + 1e-6, "\(curve.key) t\(fraction)")
                XCTAssertLessThan(abs(fit.slope + 0.5), 0.04)
                for (i, d) in dims.enumerated() {
                    XCTAssertEqual(windows[i][c].points[q].signal, a, accuracy: 1e-8)
                    XCTAssertEqual(times[i] * d.squareRoot(), a, accuracy: 1.01 * a * a / d.squareRoot())
                }
            }
        }
    }

    /// a → 0 (τ = 0): every curve starts at P(end in the other mode) under the data law, q* for
    /// start + (→ 1 − p) and 1 − q* for start − (→ p) (UT.4); a → a₁ (data end): Φ(−a₁); the d = ∞
    /// curves tend to 0 as a → ∞; each curve decreases strictly in a (UT.8, UT.11).
    func testLimitsAndMonotonicity() throws {
        for (d, p, sigma) in [(1.0, 0.7, 1.0), (1000.0, 0.8, 1.0), (50.0, 0.3, 2.0)] {
            let problem = try Problem(dimension: FlowModel.Dimension(d), p: p, sigma: sigma)
            let uturn = MixtureUTurn(problem: problem, schedule: LinearSchedule())
            let a1 = uturn.endSignal
            let qStar = p * StandardNormal.cdf(-a1) + (1 - p) * StandardNormal.cdf(a1)
            for curve in Self.curves {
                let atNoise = try uturn.flip(curve, at: 0), atData = try uturn.flip(curve, at: 1)
                XCTAssertEqual(atNoise, curve.start == .plus ? qStar : 1 - qStar, accuracy: 1e-10, curve.key)
                XCTAssertEqual(atData, StandardNormal.cdf(-a1), accuracy: 1e-12 + 1e-9 * StandardNormal.cdf(-a1), curve.key)
                let values = try (0...40).map { try uturn.flip(curve, signal: a1 * Double($0) / 40) }
                for (x, y) in zip(values, values.dropFirst()) { XCTAssertLessThan(y, x, "\(curve.key) not decreasing at d = \(d)") }
            }
        }
        for curve in Self.curves {
            let p = 0.8
            XCTAssertEqual(try MixtureUTurn.limitFlip(curve, signal: 0, p: p), curve.start == .plus ? 1 - p : p, accuracy: 1e-12)
            XCTAssertLessThan(try MixtureUTurn.limitFlip(curve, signal: 30, p: p), 1e-100)
        }
        // Small signal (UT.8, UT.11): the ODE curve leaves 1 − p linearly, slope −2(1 − p)φ(Φ⁻¹(1 − p));
        // the SDE curve quadratically, (1 − p)(1 − 4p(1 − p)a²).
        for p in [0.6, 0.8, 0.95] {
            let a = 1e-3, u0 = StandardNormal.quantile(1 - p)
            let ode = try MixtureUTurn.limitFlip(UTurnCurve(.ode, start: .plus), signal: a, p: p)
            let sde = try MixtureUTurn.limitFlip(UTurnCurve(.sde, start: .plus), signal: a, p: p)
            let slope = -2 * (1 - p) * exp(-0.5 * u0 * u0) / (2 * Double.pi).squareRoot()
            XCTAssertEqual((ode - (1 - p)) / a, slope, accuracy: 1e-2 * abs(slope))
            XCTAssertEqual((sde - (1 - p)) / (a * a), -4 * p * (1 - p) * (1 - p), accuracy: 1e-2 * 4 * p * (1 - p) * (1 - p))
        }
    }

    /// Detailed balance (UT.5): p·flip₊ − (1 − p)·flip₋ = q* − (1 − p), for each dynamics, from two
    /// separate root findings (ODE) or integrals (SDE).
    func testDetailedBalance() throws {
        for (d, p, sigma) in [(1.0, 0.7, 1.0), (1000.0, 0.8, 1.0), (20.0, 0.25, 1.5)] {
            let uturn = MixtureUTurn(problem: try Problem(dimension: FlowModel.Dimension(d), p: p, sigma: sigma), schedule: LinearSchedule())
            let a1 = uturn.endSignal
            let qStar = p * StandardNormal.cdf(-a1) + (1 - p) * StandardNormal.cdf(a1)
            for dynamics in UTurnCurve.Dynamics.allCases {
                for a in [0.05, 0.3, 1, 2.5].map({ $0 * min(a1, 4) / 4 }) {
                    let plus = try uturn.flip(UTurnCurve(dynamics, start: .plus), signal: a)
                    let minus = try uturn.flip(UTurnCurve(dynamics, start: .minus), signal: a)
                    XCTAssertEqual(p * plus - (1 - p) * minus, qStar - (1 - p), accuracy: 1e-9, "\(dynamics) d = \(d) a = \(a)")
                }
            }
        }
    }

    /// The SDE curve three ways (UT.10, UT.11): the exact adaptive integral at d = 10⁴ (Φ(−100)
    /// corrections), the Gaussian–logistic integral by panelled Gauss–Legendre, and the impurity
    /// E[r₊ r₋]/p over the mixture marginal by adaptive quadrature.
    func testStochasticCurveEqualsPosteriorImpurity() throws {
        let p = 0.8, h = atanh(2 * p - 1)
        let uturn = MixtureUTurn(problem: try Problem(dimension: .finite(10_000), p: p, sigma: 1), schedule: LinearSchedule())
        for a in [0.1, 0.5, 1, 2, 3.5] {
            for start in UTurnCurve.StartMode.allCases {
                let exact = try uturn.flip(UTurnCurve(.sde, start: start), signal: a)
                let logistic = try MixtureUTurn.impurityFlip(start: start, signal: a, p: p)
                let impurity = try AdaptiveIntegral.integrate(from: -a - 12, to: a + 12, points: [0, -h / a]) { u in
                    let density = (p * exp(-0.5 * (u - a) * (u - a)) + (1 - p) * exp(-0.5 * (u + a) * (u + a))) / (2 * Double.pi).squareRoot()
                    let rPlus = (1 + tanh(h + a * u)) / 2
                    return density * rPlus * (1 - rPlus)
                } / (start == .plus ? p : 1 - p)
                XCTAssertEqual(exact, logistic, accuracy: 1e-9 * max(exact, 1e-3), "a = \(a) \(start)")
                XCTAssertEqual(exact, impurity, accuracy: 1e-9 * max(exact, 1e-3), "a = \(a) \(start)")
            }
        }
    }

    /// Quantile matching (UT.6) against the ODE itself: the threshold u* read off the ODE curve,
    /// ζ = √v u* at clock τ, pulled back to τ = 0 by Theory's adaptive integration of EF.9, lands on
    /// the same ξ* as the classifier's ζ = 0 at the data end; on the linear and vp schedules.
    func testODEThresholdIsTransportedToTheClassifier() throws {
        let problem = try Problem(dimension: .finite(1000), p: 0.8, sigma: 1)
        for schedule in [LinearSchedule(), VariancePreservingSchedule()] as [any Schedule] {
            let uturn = MixtureUTurn(problem: problem, schedule: schedule)
            let flow = try ContinuousFlow(field: ExactField(problem: problem, schedule: schedule))
            let xiStar = try flow.pullback(0, from: schedule.clockEnd)
            for curve in [UTurnCurve(.ode, start: .plus)] {
                for point in try uturn.window(curve).points {
                    let a = point.signal
                    let uStar = a + StandardNormal.quantile(try uturn.flip(curve, signal: a))
                    let s = schedule.values(at: point.clock)
                    let v = s.alpha * s.alpha + s.beta * s.beta * problem.sigma * problem.sigma
                    XCTAssertEqual(try flow.pullback(v.squareRoot() * uStar, from: point.clock), xiStar, accuracy: 1e-6, schedule.name)
                }
            }
        }
    }

    /// The log-SNR of a window point is the schedule's at its clock time, and the same on every schedule.
    func testWindowLogSNRIsScheduleFree() throws {
        let problem = try Problem(dimension: .finite(10_000), p: 0.8, sigma: 1)
        let reference = try MixtureUTurn(problem: problem, schedule: LinearSchedule()).window(UTurnCurve(.sde, start: .minus))
        for name in [ScheduleName.vp, .dilated] {
            let schedule = try name.make(for: problem)
            let window = try MixtureUTurn(problem: problem, schedule: schedule).window(UTurnCurve(.sde, start: .minus))
            for (point, ref) in zip(window.points, reference.points) {
                XCTAssertEqual(point.logSNR, ref.logSNR, accuracy: 1e-9)
                XCTAssertEqual(schedule.logSNR(at: point.clock), point.logSNR, accuracy: 1e-7)
            }
        }
    }

    /// GSLKit's qagp wrapper on integrals known in closed form; a bad interval throws instead of aborting.
    func testAdaptiveIntegral() throws {
        XCTAssertEqual(try AdaptiveIntegral.integrate(from: -1, to: 2, points: [0]) { abs($0) }, 2.5, accuracy: 1e-12)
        let mass = try AdaptiveIntegral.integrate(from: -8, to: 8, points: [0]) { exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }
        XCTAssertEqual(mass, 1 - 2 * StandardNormal.upperTail(8), accuracy: 1e-12)
        XCTAssertEqual(try AdaptiveIntegral.integrate(from: 0, to: 3, points: [1]) { $0 < 1 ? 1 : 0 }, 1, accuracy: 1e-12)
        XCTAssertThrowsError(try AdaptiveIntegral.integrate(from: 1, to: 0) { $0 })
    }

    /// Same seed, same counts, bit for bit.
    func testSimulationIsReproducible() throws {
        let problem = try Problem(dimension: .finite(200), p: 0.8, sigma: 1)
        let sim = UTurnSimulation(problem: problem, schedule: LinearSchedule(), steps: 30)
        for sampler in UTurnSimulation.Sampler.allCases {
            let a = try sim.run(startPlus: false, clock: 0.05, sampler: sampler, samples: 300, seed: 11)
            let b = try sim.run(startPlus: false, clock: 0.05, sampler: sampler, samples: 300, seed: 11)
            XCTAssertEqual(a, b)
        }
    }
}
