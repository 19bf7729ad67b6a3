import Dynamics
import FlowModel
import Foundation
import GSLKit
import XCTest

/// Adam's mean field (derivations/adam-offset.md §5): the gradient moments of AD.5 against the one-draw
/// gradients of actual vectors.
final class AdamMeanFieldTests: XCTestCase {
    /// d = 1000, n = 12, a network with m, ω = O(1) and unsaturated pre-activations, at τ = ½ and 1 (k = 2):
    /// 4000 draws of one base noise per point; per group the mean over draws of the squared gradient per
    /// coordinate (c, b: the scalar; u, w: averaged over coordinates) against G² + s² of AD.5, and its
    /// variance part against s². Tolerance 7 %: three Monte Carlo standard errors of a variance from 4000
    /// draws (√(2/4000) = 2.2 % for the scalars; less for u, w, averaged over coordinates). Measured:
    /// within 3 % everywhere (the c noise without its O(d^{-1/2}) cross terms was 30–50 % off).
    func testGradientMomentsAreThoseOfOneDrawGradients() throws {
        let d = 1000, n = 12, sigma = 1.0, draws = 4000, dd = Double(d)
        let random = try RandomStream(seed: 5)
        func gaussians(_ count: Int) -> [Double] { (0..<count).map { _ in random.gaussian() } }
        let mean = (0..<d).map { _ in random.uniform() < 0.5 ? -1.0 : 1.0 }      // |μ|² = d
        let noise = (0..<n).map { _ in gaussians(d) }
        let signs: [Double] = (0..<n).map { $0 < 9 ? 1 : -1 }
        let u = zip(mean, gaussians(d)).map { 0.6 * $0 + 0.5 * $1 }, w = zip(mean, gaussians(d)).map { 0.5 * $0 + 0.6 * $1 }
        let c = 0.2, b = 0.3
        let points = (0..<n).map { nu in (0..<d).map { signs[nu] * mean[$0] + sigma * noise[nu][$0] } }
        for tau in [0.5, 1.0] {
            let setting = try TrainingSetting(setup: try Setup(dimension: .finite(d), p: 0.75, sigma: sigma, k: 2), tau: tau, learningRate: 1,
                                              penaltyU: 0.5, penaltyW: 0.5, rule: .gradientFlow)
            let flow = try FiniteSampleFlow(setting: setting, data: try FiniteSampleData(signs: signs, sigma: sigma, mean: mean, noise: noise))
            let adam = try AdamMeanField(flow: flow, learningRate: 0.01, lossScale: 1)
            let predicted = adam.gradientMoments(FiniteSampleState(c: c, b: b, u: u, w: w, mean: mean, noise: noise))
            let (alpha, beta) = (setting.alpha, setting.beta)
            // One draw: the gradient of (1/n) Σ_ν |e_ν|²/d + (L_u|u|² + L_w|w|²)/(nd), e = c x_t + u φ − x₁.
            var sumC = 0.0, sumB = 0.0, squareC = 0.0, squareB = 0.0
            var sumU = [Double](repeating: 0, count: d), sumW = sumU, squareU = 0.0, squareW = 0.0
            for _ in 0..<draws {
                var gc = 0.0, gb = 0.0
                var gu = u.map { 2 * 0.5 * $0 / (Double(n) * dd) }, gw = w.map { 2 * 0.5 * $0 / (Double(n) * dd) }
                for nu in 0..<n {
                    let z = gaussians(d)
                    let xt = (0..<d).map { alpha * z[$0] + beta * points[nu][$0] }
                    let phi = tanh(b + zip(w, xt).reduce(0) { $0 + $1.0 * $1.1 } / dd.squareRoot()), slope = 1 - phi * phi
                    let e = (0..<d).map { c * xt[$0] + u[$0] * phi - points[nu][$0] }
                    let eu = zip(e, u).reduce(0) { $0 + $1.0 * $1.1 }, scale = 2 / (Double(n) * dd)
                    gc += scale * zip(e, xt).reduce(0) { $0 + $1.0 * $1.1 }
                    gb += scale * eu * slope
                    for i in 0..<d {
                        gu[i] += scale * e[i] * phi
                        gw[i] += scale * eu * slope * xt[i] / dd.squareRoot()
                    }
                }
                sumC += gc; squareC += gc * gc; sumB += gb; squareB += gb * gb
                for i in 0..<d { sumU[i] += gu[i]; sumW[i] += gw[i] }
                squareU += gu.reduce(0) { $0 + $1 * $1 } / dd
                squareW += gw.reduce(0) { $0 + $1 * $1 } / dd
            }
            let m = Double(draws)
            // Per group: E g² per coordinate, and its variance part E g² − (E g)².
            let measured: [(String, Double, Double, Double, Double)] = [
                ("c", squareC / m, squareC / m - (sumC / m) * (sumC / m), predicted.mean.c + predicted.noise.c, predicted.noise.c),
                ("b", squareB / m, squareB / m - (sumB / m) * (sumB / m), predicted.mean.b + predicted.noise.b, predicted.noise.b),
                ("u", squareU / m, squareU / m - sumU.reduce(0) { $0 + ($1 / m) * ($1 / m) } / dd, predicted.mean.u + predicted.noise.u, predicted.noise.u),
                ("w", squareW / m, squareW / m - sumW.reduce(0) { $0 + ($1 / m) * ($1 / m) } / dd, predicted.mean.w + predicted.noise.w, predicted.noise.w),
            ]
            for (group, total, variance, totalAD5, varianceAD5) in measured {
                print(String(format: "τ %.1f %@: E g² %.4e (AD.5 %.4e), Var %.4e (AD.5 %.4e)", tau, group, total, totalAD5, variance, varianceAD5))
                XCTAssertEqual(total / totalAD5, 1, accuracy: 0.07, "E g² of \(group) at τ = \(tau)")
                XCTAssertEqual(variance / varianceAD5, 1, accuracy: 0.07, "the noise of \(group) at τ = \(tau)")
            }
        }
    }
}
