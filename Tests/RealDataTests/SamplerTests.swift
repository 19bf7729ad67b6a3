import XCTest
import FlowModel
import GSLKit
@testable import RealData

/// Data N(m, s²) in each coordinate: E[x₁ | x_t] = m + β s² (x − β m)/(β² s² + α²) (RD.3).
struct GaussianDataDenoiser: Denoiser {
    let dimension: Int
    let mean: Double, sd: Double
    let schedule: any Schedule
    func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double] {
        let v = schedule.values(at: t)
        let gain = v.beta * sd * sd / (v.beta * v.beta * sd * sd + v.alpha * v.alpha)
        return x.map { mean + gain * ($0 - v.beta * mean) }
    }
}

final class SamplerTests: XCTestCase {
    /// The probability-flow ODE maps x at t₀ to m + s (x − β₀m)/√(β₀²s² + α₀²) (RD.4); the Euler error
    /// of the x₁-prediction form falls with the step count.
    func testODETransportsGaussian() throws {
        let schedule = LinearSchedule()
        let model = GaussianDataDenoiser(dimension: 1, mean: 0.7, sd: 0.3, schedule: schedule)
        let t0 = 0.2, v = schedule.values(at: t0)
        let start: [Double] = [-1.5, -0.2, 0.1, 0.9, 2.0]
        let exact = start.map { 0.7 + 0.3 * ($0 - v.beta * 0.7) / (v.beta * v.beta * 0.09 + v.alpha * v.alpha).squareRoot() }
        func maxError(_ steps: Int) throws -> Double {
            let grid = try SamplingGrid.logSNRUniform(schedule: schedule, from: t0, steps: steps)
            let x = try FlowSamplers.probabilityFlow(denoiser: model, schedule: schedule, grid: grid, start: start, count: 5)
            return zip(x, exact).map { abs($0 - $1) }.max()!
        }
        let coarse = try maxError(50), fine = try maxError(400)
        print("ODE transport error: \(coarse) (50 steps), \(fine) (400 steps)")
        XCTAssertLessThan(fine, 5e-3)
        XCTAssertLessThan(fine, coarse / 4, "first-order convergence expected: \(coarse) → \(fine)")
    }

    /// The ancestral step's joint law of (x_s, x_t) equals the forward chain's (RD.7–RD.10): starting
    /// from x_s ~ N(β_s x₁, α_s²) with x₁ known, x_t has mean β_t x₁, variance α_t², and
    /// Cov(x_s, x_t) = r α_t², r = β_s/β_t. Monte Carlo with 5σ tolerances.
    func testAncestralStepReproducesPosterior() throws {
        let schedule = VariancePreservingSchedule()
        let s = schedule.values(at: 0.3), t = schedule.values(at: 0.55)
        let c = AncestralCoefficients(from: s, to: t)
        let x1 = 0.8, n = 200_000
        let stream = try RandomStream(seed: 11)
        var sumT = 0.0, sumTT = 0.0, sumST = 0.0, sumS = 0.0
        for _ in 0..<n {
            let xs = s.beta * x1 + s.alpha * stream.gaussian()
            let xt = c.data * x1 + c.state * xs + c.spread * stream.gaussian()
            sumT += xt; sumTT += xt * xt; sumST += xs * xt; sumS += xs
        }
        let N = Double(n)
        let meanT = sumT / N, varT = sumTT / N - meanT * meanT
        let cov = sumST / N - (sumS / N) * meanT
        let r = s.beta / t.beta
        XCTAssertEqual(meanT, t.beta * x1, accuracy: 5 * t.alpha / N.squareRoot())
        XCTAssertEqual(varT, t.alpha * t.alpha, accuracy: 5 * t.alpha * t.alpha * (2 / N).squareRoot())
        XCTAssertEqual(cov, r * t.alpha * t.alpha, accuracy: 5 * s.alpha * t.alpha / N.squareRoot())
    }

    /// With the exact Gaussian denoiser the ancestral sampler from the exact marginal at t₀ ends at
    /// N(m, s²) as the grid is refined (mean and variance within Monte Carlo error plus a small
    /// discretisation allowance).
    func testAncestralSamplerEndsAtGaussianData() throws {
        let schedule = LinearSchedule()
        let m = -0.4, sd = 0.5, n = 20_000
        let model = GaussianDataDenoiser(dimension: 1, mean: m, sd: sd, schedule: schedule)
        let data = try FlowSamplers.noise([Double](repeating: m, count: n), count: n, schedule: schedule, t: 1 - 1e-12, seed: 3)
            .map { m + sd * ($0 - m) / 1e-12 }  // N(m, s²) draws: the noise helper at α ≈ 1e-12
        let t0 = 0.25
        let start = try FlowSamplers.noise(data, count: n, schedule: schedule, t: t0, seed: 4)
        let grid = try SamplingGrid.logSNRUniform(schedule: schedule, from: t0, steps: 300)
        let x = try FlowSamplers.ancestral(denoiser: model, schedule: schedule, grid: grid, start: start, count: n, seed: 5)
        let (mean, _) = meanAndStandardError(x)
        let sdHat = standardDeviation(x)
        XCTAssertEqual(mean, m, accuracy: 5 * sd / Double(n).squareRoot())
        XCTAssertEqual(sdHat, sd, accuracy: 5 * sd / (2 * Double(n)).squareRoot() + 0.01)
    }
}
