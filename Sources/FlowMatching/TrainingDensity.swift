import FlowModel
import Foundation
import GSLKit

/// A density of training times t ∈ (0, 1) for flow matching (derivations/training-schedules.md §1).
/// Draws use the inverse cdf of one uniform (TS.2), so schedules given the same uniform stream
/// draw paired times (common random numbers).
///
///     let density = LogitNormalDensity.sd3
///     let t = density.sample(try RandomStream(seed: 1))
public protocol TrainingDensity: Sendable {
    /// The name in tables and CSV (`schedule` column).
    var name: String { get }
    func pdf(_ t: Double) -> Double
    func cdf(_ t: Double) -> Double
    /// The inverse cdf, u ∈ (0, 1).
    func quantile(_ u: Double) -> Double
}

extension TrainingDensity {
    /// One draw, t = F⁻¹(u) with u uniform on (0, 1) (TS.2). gsl's mt19937 uniform is k/2³², k < 2³²;
    /// adding 2⁻³³ keeps u away from 0, where the logit-normal quantile is −∞.
    public func sample(_ stream: RandomStream) -> Double {
        quantile(stream.uniform() + 0x1p-33)
    }
}

/// t uniform on (0, 1) (TS.3).
public struct UniformDensity: TrainingDensity {
    public init() {}
    public var name: String { "uniform" }
    public func pdf(_ t: Double) -> Double { (t >= 0 && t <= 1) ? 1 : 0 }
    public func cdf(_ t: Double) -> Double { min(max(t, 0), 1) }
    public func quantile(_ u: Double) -> Double { u }
}

/// t = sigmoid(n), n ~ N(mean, sd²) (TS.4). SD3's logit-normal is (0, 1); EDM's log-normal noise
/// level ln σ ~ N(−1.2, 1.2²) on the linear interpolant (σ = (1 − t)/t) is the logit-normal with
/// mean +1.2 and sd 1.2 (TS.5).
public struct LogitNormalDensity: TrainingDensity {
    public let name: String
    public let mean: Double
    public let sd: Double

    public init(name: String, mean: Double, sd: Double) throws {
        try require("logit-normal mean", mean, "finite") { _ in true }
        try require("logit-normal sd", sd, "> 0") { $0 > 0 }
        self.name = name
        self.mean = mean
        self.sd = sd
    }

    /// Stable Diffusion 3's logit-normal(0, 1).
    public static let sd3 = try! LogitNormalDensity(name: "logit-normal", mean: 0, sd: 1)
    /// EDM's ln σ ~ N(P_mean = −1.2, P_std = 1.2) mapped through σ = (1 − t)/t (TS.5).
    public static let edm = try! LogitNormalDensity(name: "edm", mean: 1.2, sd: 1.2)

    public func pdf(_ t: Double) -> Double {
        guard t > 0, t < 1 else { return 0 }
        let z = (log(t / (1 - t)) - mean) / sd
        return exp(-0.5 * z * z) / ((2 * Double.pi).squareRoot() * sd * t * (1 - t))
    }
    public func cdf(_ t: Double) -> Double {
        if t <= 0 { return 0 }
        if t >= 1 { return 1 }
        return StandardNormal.cdf((log(t / (1 - t)) - mean) / sd)
    }
    public func quantile(_ u: Double) -> Double {
        1 / (1 + exp(-(mean + sd * StandardNormal.quantile(u))))
    }
}

/// Log-SNR drawn from a Laplace density centred at λ = 0 (Hang et al. 2024), λ = 2 log(β/α) ~
/// Laplace(0, b); on the linear interpolant λ = 2 logit t, so logit t ~ Laplace(0, b/2) (TS.25).
public struct LaplaceLogSNRDensity: TrainingDensity {
    /// The scale b of the Laplace density of λ.
    public let scale: Double

    public init(scale: Double) throws {
        try require("laplace scale", scale, "> 0") { $0 > 0 }
        self.scale = scale
    }

    /// The Laplace(0, 0.5) log-SNR density.
    public static let standard = try! LaplaceLogSNRDensity(scale: 0.5)

    public var name: String { "laplace" }
    /// The scale of logit t = λ/2.
    private var logitScale: Double { scale / 2 }

    public func pdf(_ t: Double) -> Double {
        guard t > 0, t < 1 else { return 0 }
        return exp(-abs(log(t / (1 - t))) / logitScale) / (2 * logitScale * t * (1 - t))
    }
    public func cdf(_ t: Double) -> Double {
        if t <= 0 { return 0 }
        if t >= 1 { return 1 }
        let n = log(t / (1 - t))
        return n < 0 ? 0.5 * exp(n / logitScale) : 1 - 0.5 * exp(-n / logitScale)
    }
    public func quantile(_ u: Double) -> Double {
        let n = u < 0.5 ? logitScale * log(2 * u) : -logitScale * log(2 * (1 - u))
        return 1 / (1 + exp(-n))
    }
}

/// The feature-adaptive density (TS.6): mass `fraction` uniform on [lo, hi], the rest uniform on
/// the remainder of [0, 1] — the paper's two-rate dilation with the feature's interval in place
/// of [0, k/√d]; its cdf is piecewise linear.
public struct IntervalAdaptiveDensity: TrainingDensity {
    public let lo, hi, fraction: Double
    public init(lo: Double, hi: Double, fraction: Double = 0.5) throws {
        try require("interval start", lo, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        try require("interval end", hi, "in (start, 1]") { $0 > lo && $0 <= 1 }
        guard hi - lo < 1 else { throw InputError("the adaptive interval must be shorter than [0, 1]; got [\(lo), \(hi)]") }
        try require("adaptive fraction", fraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        self.lo = lo
        self.hi = hi
        self.fraction = fraction
    }
    public var name: String { "adaptive" }
    private var inside: Double { fraction / (hi - lo) }
    private var outside: Double { (1 - fraction) / (1 - (hi - lo)) }

    public func pdf(_ t: Double) -> Double {
        guard t >= 0, t <= 1 else { return 0 }
        return (t >= lo && t <= hi) ? inside : outside
    }
    public func cdf(_ t: Double) -> Double {
        if t <= 0 { return 0 }
        if t >= 1 { return 1 }
        if t < lo { return outside * t }
        if t <= hi { return outside * lo + inside * (t - lo) }
        return outside * lo + fraction + outside * (t - hi)
    }
    public func quantile(_ u: Double) -> Double {
        let atLo = outside * lo, atHi = atLo + fraction
        if u < atLo { return u / outside }
        if u <= atHi { return lo + (u - atLo) / inside }
        return min(hi + (u - atHi) / outside, 1)
    }
}

/// The densities a user can name (`--schedules`), built from the adaptive interval when needed.
///
///     let density = try TrainingDensityName(parsing: "edm").density(interval: nil)
public enum TrainingDensityName: String, CaseIterable, Sendable {
    case uniform, logitNormal = "logit-normal", edm, laplace, adaptive

    public init(parsing text: String) throws {
        guard let name = TrainingDensityName(rawValue: text) else {
            throw InputError("unknown schedule '\(text)'; known: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = name
    }

    /// The density; `adaptive` needs the interval (TS.6) and uses `fraction` of the mass on it.
    public func density(interval: (lo: Double, hi: Double)?, fraction: Double = 0.5) throws -> any TrainingDensity {
        switch self {
        case .uniform: return UniformDensity()
        case .logitNormal: return LogitNormalDensity.sd3
        case .edm: return LogitNormalDensity.edm
        case .laplace: return LaplaceLogSNRDensity.standard
        case .adaptive:
            guard let interval else { throw InputError("the adaptive schedule needs an interval") }
            return try IntervalAdaptiveDensity(lo: interval.lo, hi: interval.hi, fraction: fraction)
        }
    }
}
