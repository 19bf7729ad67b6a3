import XCTest
import Foundation
@testable import Optimisers

final class AdamTests: XCTestCase {
    /// Closed form: under a constant gradient g the moments are m_t = (1 − β₁ᵗ) g and
    /// v_t = (1 − β₂ᵗ) g², so every bias-corrected step moves θ by exactly lr·g/(|g| + ε):
    /// θ_t = θ₀ − t·lr·g/(|g| + ε). A wrong bias correction (e.g. β₁ᵗ⁺¹, or none) changes the early
    /// steps by ≥ 10 %, a missing ε at |g| = 10⁻⁸ by a factor 2.
    func testConstantGradientMovesByTheClosedForm() {
        for g in [3.0, -0.25, 1e-8] {
            let settings = AdamSettings(learningRate: 0.01)
            let adam = AdamState<Double>(count: 1, settings: settings)
            var theta = [0.5], gradient = [g]
            for t in 1...50 {
                theta.withUnsafeMutableBufferPointer { p in gradient.withUnsafeBufferPointer { adam.step(p, gradient: $0) } }
                let expected = 0.5 - Double(t) * 0.01 * g / (abs(g) + 1e-8)
                XCTAssertEqual(theta[0], expected, accuracy: 1e-12 * Double(t), "g \(g), step \(t)")
            }
            XCTAssertEqual(adam.step, 50)
        }
    }

    /// The textbook scalar Adam of the documented formula, written out independently:
    /// g ← s·∇ + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    /// θ ← θ − (lr/(1 − β₁ᵗ)) m / (√v·(1/√(1 − β₂ᵗ)) + ε) (or √v/√(1 − β₂ᵗ)), constants rounded once to T.
    static func reference<T: BinaryFloatingPoint>(theta: inout T, m: inout T, v: inout T, gradient: T, t: Int, lr: Double,
                                                  scale: Double, lambda: Double?, divide: Bool) {
        let b1 = 0.9, b2 = 0.999, eps = 1e-8
        var g = gradient * T(scale)
        if let lambda { g = g + T(lambda) * theta }
        m = T(b1) * m + T(1 - b1) * g
        v = T(b2) * v + T(1 - b2) * g * g
        let stepSize = lr / (1 - pow(b1, Double(t)))
        let root = (1 - pow(b2, Double(t))).squareRoot()
        let denominator = divide ? v.squareRoot() / T(root) + T(eps) : v.squareRoot() * T(1 / root) + T(eps)
        theta = theta - T(stepSize) * m / denominator
    }

    /// The shared-denominator update (a diagnostic: SGD with momentum at rate lr/s̄): its moments are
    /// Adam's (written out independently here), and every coordinate moves by stepSize·mᵢ over
    /// one denominator, the mean of √vᵢ bias-corrected plus ε, computed here independently; with
    /// equal vᵢ it is Adam.
    func testSharedDenominatorIsSGDWithMomentumAtTheMeanRate() {
        let n = 9, settings = AdamSettings(learningRate: 0.02)
        let a = (0..<n).map { 0.3 + Double($0) }, c = (0..<n).map { cos(Double($0)) }
        var theta = [Double](repeating: 0.4, count: n), m = [Double](repeating: 0, count: n), v = m
        var refTheta = theta, refM = m, refV = m
        for t in 1...60 {
            let grad = (0..<n).map { a[$0] * (theta[$0] - c[$0]) }
            settings.coefficients(step: t).updateSharingDenominator(parameters: &theta, gradient: grad, m: &m, v: &v, count: n,
                                                                     gradientScale: 0.5, weightDecay: 0.01)
            var roots = 0.0
            for i in 0..<n {
                let g = 0.5 * a[i] * (refTheta[i] - c[i]) + 0.01 * refTheta[i]
                refM[i] = 0.9 * refM[i] + (1 - 0.9) * g
                refV[i] = 0.999 * refV[i] + (1 - 0.999) * g * g
                roots += refV[i].squareRoot()
            }
            let denominator = roots / Double(n) / (1 - pow(0.999, Double(t))).squareRoot() + 1e-8
            for i in 0..<n { refTheta[i] -= 0.02 / (1 - pow(0.9, Double(t))) * refM[i] / denominator }
            for i in 0..<n {   // equal up to the compiler's contraction of a·b + c (fused or not)
                XCTAssertEqual(m[i], refM[i], accuracy: 1e-15 * abs(refM[i])); XCTAssertEqual(v[i], refV[i], accuracy: 1e-14 * refV[i])
                XCTAssertEqual(theta[i], refTheta[i], accuracy: 1e-14, "step \(t), i \(i)")
            }
        }
        // One coordinate: the shared denominator is its own, i.e. Adam.
        var x = [0.7], mx = [0.0], vx = [0.0], y = [0.7], my = [0.0], vy = [0.0]
        for t in 1...20 {
            let k = settings.coefficients(step: t)
            k.updateSharingDenominator(parameters: &x, gradient: [x[0] - 0.1], m: &mx, v: &vx, count: 1)
            k.update(parameters: &y, gradient: [y[0] - 0.1], m: &my, v: &vy, count: 1)
            XCTAssertEqual(x[0], y[0], accuracy: 1e-15)
        }
    }

    /// Minimising Σᵢ ½ aᵢ (θᵢ − cᵢ)² (gradient aᵢ(θᵢ − cᵢ)) for 200 steps, in Float and Double, with
    /// and without gradient scale and weight decay, in one segment and in two: bit-identical to the
    /// scalar reference, and the iterates approach the minimiser (of the decayed objective).
    func testQuadraticMatchesScalarReferenceBitForBit() {
        check(Float.self)
        check(Double.self)
    }

    private func check<T: BinaryFloatingPoint>(_: T.Type) {
        let n = 37
        let a = (0..<n).map { T(0.5 + Double($0 % 7)) }, c = (0..<n).map { T(sin(Double($0)) * 2) }
        for (scale, lambda, divide) in [(1.0, nil, false), (0.25, nil, false), (1.0, 0.01, false), (0.5, 0.001, true)] as [(Double, Double?, Bool)] {
            let settings = AdamSettings(learningRate: 0.05)
            var theta = [T](repeating: 0, count: n), m = theta, v = theta
            var refTheta = theta, refM = theta, refV = theta
            var grad = theta
            for t in 1...200 {
                for i in 0..<n { grad[i] = a[i] * (theta[i] - c[i]) }
                let k = settings.coefficients(step: t)
                // Two segments (0..<split, split..<n) must give the same as one.
                let split = t % 2 == 0 ? n : 13
                theta.withUnsafeMutableBufferPointer { p in m.withUnsafeMutableBufferPointer { mp in v.withUnsafeMutableBufferPointer { vp in
                    grad.withUnsafeBufferPointer { g in
                        for (start, end) in [(0, split), (split, n)] where end > start {
                            k.update(parameters: p.baseAddress! + start, gradient: g.baseAddress! + start, m: mp.baseAddress! + start,
                                     v: vp.baseAddress! + start, count: end - start, gradientScale: scale, weightDecay: lambda,
                                     biasCorrection: divide ? .divideByRoot : .multiplyByInverseRoot)
                        }
                    }
                } } }
                for i in 0..<n {
                    Self.reference(theta: &refTheta[i], m: &refM[i], v: &refV[i], gradient: a[i] * (refTheta[i] - c[i]), t: t,
                                   lr: 0.05, scale: scale, lambda: lambda, divide: divide)
                }
                XCTAssertEqual(theta, refTheta, "\(T.self) scale \(scale) λ \(String(describing: lambda)) step \(t)")
                XCTAssertEqual(m, refM)
                XCTAssertEqual(v, refV)
            }
            // The minimiser of Σ ½ s aᵢ (θ − cᵢ)² + ½ λ θ²: θ* = s aᵢ cᵢ/(s aᵢ + λ).
            for i in 0..<n {
                let sa = Double(a[i]) * scale, target = sa * Double(c[i]) / (sa + (lambda ?? 0))
                XCTAssertEqual(Double(theta[i]), target, accuracy: 0.1, "\(T.self) coordinate \(i)")
            }
        }
    }

    /// The state's counter drives the bias correction: step 1 of a fresh state equals coefficients(step: 1).
    func testStateCountsSteps() {
        let settings = AdamSettings(learningRate: 1e-3)
        let state = AdamState<Float>(count: 4, settings: settings)
        XCTAssertEqual(state.advance(), settings.coefficients(step: 1))
        XCTAssertEqual(state.advance(), settings.coefficients(step: 2))
        XCTAssertEqual(settings.coefficients(step: 1).stepSize, 1e-3 / (1 - 0.9), accuracy: 1e-15)
    }
}
