import Foundation

/// Adam's settings (Kingma & Ba; PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸).
///
///     let settings = AdamSettings(learningRate: 1e-3)
///     let first = settings.coefficients(step: 1)   // stepSize = lr/(1 − β₁)
public struct AdamSettings: Sendable, Equatable {
    public let learningRate, beta1, beta2, epsilon: Double
    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// The per-step constants of step t ≥ 1 (TS.14a): stepSize = lr/(1 − β₁ᵗ),
    /// rootBias2 = √(1 − β₂ᵗ), inverseRootBias2 = 1/rootBias2, all in Double, with Foundation's `pow`
    /// (the simulation's Adam protocol calls this with its epoch as t).
    public func coefficients(step t: Int) -> AdamCoefficients {
        precondition(t >= 1, "Adam's step counter starts at 1")
        let bias1 = 1 - pow(beta1, Double(t)), bias2 = 1 - pow(beta2, Double(t))
        let root = bias2.squareRoot()
        return AdamCoefficients(settings: self, stepSize: learningRate / bias1, rootBias2: root, inverseRootBias2: 1 / root)
    }
}

/// How the second moment's bias correction enters the denominator (rounding-level different).
public enum BiasCorrection: Sendable {
    /// √v · (1/√(1 − β₂ᵗ)) + ε — PyTorch's and the default.
    case multiplyByInverseRoot
    /// √v / √(1 − β₂ᵗ) + ε — the form of the simulation's c, b update (`AdamProtocol`).
    case divideByRoot
}

/// The constants of one Adam step and the fused in-place update of a contiguous segment
/// (TS.14a). For every i, in this order and in the arithmetic of T:
///
///     g  = scale·∇ᵢ (+ λ θᵢ)           gradient pre-scale; coupled weight decay when λ is given
///     mᵢ = β₁ mᵢ + (1 − β₁) g
///     vᵢ = β₂ vᵢ + (1 − β₂) g g
///     θᵢ −= stepSize mᵢ / (√vᵢ · (1/√(1 − β₂ᵗ)) + ε)
///
/// Every constant is computed in Double and rounded once to T. Segments are independent, so a
/// caller may update its groups in any order or in parallel with the same result.
///
///     let c = AdamSettings(learningRate: 1e-2).coefficients(step: t)
///     c.update(parameters: theta, gradient: g, m: m, v: v, count: d, gradientScale: 1 / Double(d), weightDecay: 1e-3)
public struct AdamCoefficients: Sendable, Equatable {
    public let settings: AdamSettings
    public let stepSize, rootBias2, inverseRootBias2: Double

    public init(settings: AdamSettings, stepSize: Double, rootBias2: Double, inverseRootBias2: Double) {
        self.settings = settings
        self.stepSize = stepSize
        self.rootBias2 = rootBias2
        self.inverseRootBias2 = inverseRootBias2
    }

    /// The fused update of `count` entries. `weightDecay` nil leaves the gradient as scaled (no
    /// λθ term at all, not even 0·θ); `gradientScale` 1 skips the multiplication (exact anyway).
    @inlinable
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func update<T: BinaryFloatingPoint>(parameters theta: UnsafeMutablePointer<T>, gradient: UnsafePointer<T>,
                                               m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, count: Int,
                                               gradientScale: Double = 1, weightDecay: Double? = nil,
                                               biasCorrection: BiasCorrection = .multiplyByInverseRoot) {
        let step = T(stepSize), eps = T(settings.epsilon), scale = T(gradientScale)
        let rb = T(inverseRootBias2), r = T(rootBias2)
        // One specialised loop per (bias correction, gradient form): the closures inline.
        switch (biasCorrection, weightDecay) {
        case (.multiplyByInverseRoot, let lambda?):
            let l = T(lambda)
            fused(theta, m, v, gradient, count, step) { $0 * rb + eps } gradient: { $0 * scale + l * $1 }
        case (.divideByRoot, let lambda?):
            let l = T(lambda)
            fused(theta, m, v, gradient, count, step) { $0 / r + eps } gradient: { $0 * scale + l * $1 }
        case (.multiplyByInverseRoot, nil) where gradientScale != 1:
            fused(theta, m, v, gradient, count, step) { $0 * rb + eps } gradient: { g, _ in g * scale }
        case (.divideByRoot, nil) where gradientScale != 1:
            fused(theta, m, v, gradient, count, step) { $0 / r + eps } gradient: { g, _ in g * scale }
        case (.multiplyByInverseRoot, nil):
            fused(theta, m, v, gradient, count, step) { $0 * rb + eps } gradient: { g, _ in g }
        case (.divideByRoot, nil):
            fused(theta, m, v, gradient, count, step) { $0 / r + eps } gradient: { g, _ in g }
        }
    }

    /// The update with one denominator for the whole segment, the coordinate mean s̄ of √vᵢ: the moments
    /// as in `update`, then θᵢ −= stepSize mᵢ / (s̄ · (1/√(1 − β₂ᵗ)) + ε). A diagnostic, not PyTorch's Adam:
    /// Adam with its preconditioner replaced by a scalar per segment, i.e. SGD with momentum at rate
    /// lr/s̄ (derivations/adam-offset.md §7).
    ///
    ///     c.updateSharingDenominator(parameters: theta, gradient: g, m: m, v: v, count: d, gradientScale: 1 / Double(d), weightDecay: 1e-3)
    public func updateSharingDenominator<T: BinaryFloatingPoint>(parameters theta: UnsafeMutablePointer<T>, gradient: UnsafePointer<T>,
                                                                 m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, count: Int,
                                                                 gradientScale: Double = 1, weightDecay: Double = 0) {
        guard count > 0 else { return }
        let b1 = T(settings.beta1), b2 = T(settings.beta2), ob1 = T(1 - settings.beta1), ob2 = T(1 - settings.beta2)
        let scale = T(gradientScale), l = T(weightDecay)
        var rootSum = 0.0
        for i in 0..<count {
            let g = gradient[i] * scale + l * theta[i]
            m[i] = b1 * m[i] + ob1 * g
            v[i] = b2 * v[i] + ob2 * g * g
            rootSum += Double(v[i].squareRoot())
        }
        let denominator = T(rootSum / Double(count) * inverseRootBias2 + settings.epsilon), step = T(stepSize)
        for i in 0..<count { theta[i] -= step * m[i] / denominator }
    }

    /// mᵢ = β₁ mᵢ + (1 − β₁) g, vᵢ = β₂ vᵢ + (1 − β₂) g g, θᵢ −= stepSize mᵢ / denominator(√vᵢ), with
    /// g = gradient(∇ᵢ, θᵢ), in one pass that the compiler vectorises (square root included). The root
    /// is taken of |vᵢ|: on Linux `squareRoot()` of a value not known to be ≥ 0 carries a libm call
    /// (errno on negative input) that keeps its loop scalar, and vᵢ is never below +0 (it starts at
    /// +0 and each step adds (1 − β₂)g² ≥ +0 to β₂vᵢ ≥ +0), so |vᵢ| = vᵢ and every entry sees exactly
    /// the operations above, in that order, rounded as the scalar loop rounds them.
    @inlinable @inline(__always)
    func fused<T: BinaryFloatingPoint>(_ theta: UnsafeMutablePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
                                       _ raw: UnsafePointer<T>, _ count: Int, _ step: T,
                                       denominator: (T) -> T, gradient: (_ raw: T, _ theta: T) -> T) {
        let b1 = T(settings.beta1), b2 = T(settings.beta2)
        let ob1 = T(1 - settings.beta1), ob2 = T(1 - settings.beta2)
        for i in 0..<count {
            let g = gradient(raw[i], theta[i])
            let mi = b1 * m[i] + ob1 * g
            let vi = b2 * v[i] + ob2 * g * g
            m[i] = mi
            v[i] = vi
            theta[i] -= step * mi / denominator(vi.magnitude.squareRoot())
        }
    }
}

/// Adam's moments over a flat buffer of `count` parameters and its step counter: the whole-buffer
/// form of `AdamCoefficients.update` (the moments start at 0, the first step is t = 1).
///
///     let adam = AdamState<Float>(count: parameters.count, settings: AdamSettings(learningRate: 1e-3))
///     parameters.withUnsafeMutableBufferPointer { p in gradient.withUnsafeBufferPointer { adam.step(p, gradient: $0) } }
public final class AdamState<T: BinaryFloatingPoint> {
    public let settings: AdamSettings
    public let count: Int
    public private(set) var step = 0
    public let m: UnsafeMutableBufferPointer<T>, v: UnsafeMutableBufferPointer<T>

    public init(count: Int, settings: AdamSettings) {
        precondition(count >= 0)
        self.count = count
        self.settings = settings
        m = .allocate(capacity: count)
        m.initialize(repeating: 0)
        v = .allocate(capacity: count)
        v.initialize(repeating: 0)
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// Advances the step counter and updates the whole buffer (`parameters.count` must be `count`).
    @inlinable
    public func step(_ parameters: UnsafeMutableBufferPointer<T>, gradient: UnsafeBufferPointer<T>,
                     gradientScale: Double = 1, weightDecay: Double? = nil) {
        precondition(parameters.count == count && gradient.count == count)
        let c = advance()
        guard count > 0 else { return }
        c.update(parameters: parameters.baseAddress!, gradient: gradient.baseAddress!, m: m.baseAddress!, v: v.baseAddress!,
                 count: count, gradientScale: gradientScale, weightDecay: weightDecay)
    }

    /// Advances the step counter and returns the step's constants, for callers that update their
    /// segments themselves (e.g. with weight decay on some groups only), with `m`, `v` at the same
    /// offsets as the parameters.
    public func advance() -> AdamCoefficients {
        step += 1
        return settings.coefficients(step: step)
    }
}
