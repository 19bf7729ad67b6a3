import Foundation
import FlowModel

/// d (FlowModel's; Foundation also has a `Dimension`, the unit class).
typealias Dimension = FlowModel.Dimension

/// How the network at one grid time is trained (TD §1).
public enum TrainingRule: String, Sendable, CaseIterable {
    /// Gradient flow on the population loss: the η → 0 limit at fixed η·time (TD.10).
    case gradientFlow = "gf"
    /// Online SGD, one fresh sample per step: drift (TD.10) plus the O(η²) noise terms (TD.16–TD.18).
    case onlineSGD = "sgd"
}

/// One grid time of the dilated clock and everything the order-parameter equations need there.
///
/// At finite d the interpolant is the dilated linear schedule, α = 1 − κ, β = κ (TD.2). In the
/// limit d → ∞ (TD §5):
/// - phase 1 (τ < 1): β√d → kτ, β → 0, α → 1, v → 1, and every explicit 1/√d term drops (TD.21);
/// - phase 2 (τ ≥ 1): α = 1 − τ', β = τ' with τ' = τ − 1, and φ → s·sign(ω) (TD.23).
///
///     let setup = try Setup(dimension: .finite(1000), p: 0.8, sigma: 1, k: 2)
///     let setting = try TrainingSetting(setup: setup, tau: 0.5, learningRate: 0.5, rule: .onlineSGD)
///     print(setting.interpolantTime, setting.phase)   // κ(0.5), 1
public struct TrainingSetting: Sendable {
    /// d, p, σ, k (validated once, where the setup was built); n is not used by the n = ∞ equations.
    public let setup: Setup
    public let tau: Double
    public let learningRate: Double
    public let penaltyU, penaltyW: Double
    public let rule: TrainingRule
    /// α, β at this grid time, v = α² + β²σ² (EF.3), a = β√d (coefficient of s·ω in the pre-activation).
    public let alpha, beta, v, a: Double
    /// 1/√d (0 in the limit).
    public let invSqrtD: Double
    /// True in phase 2 at d = ∞, where φ = s·sign(ω) exactly.
    public let saturated: Bool

    /// The setting at clock time τ of a setup; the clock (and its k < √d) comes from the setup.
    public init(setup: Setup, tau: Double, learningRate: Double, penaltyU: Double = 0, penaltyW: Double = 0,
                rule: TrainingRule) throws {
        try require("tau", tau, "in [0, 2)") { $0 >= 0 && $0 < 2 }
        try require("lr", learningRate, "> 0") { $0 > 0 }
        try require("penalty-u", penaltyU, "≥ 0") { $0 >= 0 }
        try require("penalty-w", penaltyW, "≥ 0") { $0 >= 0 }
        self.setup = setup; self.tau = tau
        self.learningRate = learningRate
        self.penaltyU = penaltyU; self.penaltyW = penaltyW
        self.rule = rule
        // κ(τ) and its d → ∞ limit come from the one clock (TD.2, TD §5).
        let linear = try setup.clock().linear(at: tau)
        alpha = linear.alpha
        beta = linear.beta
        saturated = !setup.dimension.isFinite && DilatedClock.phase(at: tau) == 2   // φ = s·sign(ω): the signal no longer enters (TD.23)
        a = saturated ? 0 : linear.signal
        invSqrtD = setup.dimension.finite.map { 1 / Double($0).squareRoot() } ?? 0
        v = alpha * alpha + beta * beta * setup.sigma * setup.sigma
    }

    public var p: Double { setup.p }
    public var sigma: Double { setup.sigma }
    public var k: Double { setup.k }
    /// `.infinite` means the limit d → ∞.
    public var dimension: FlowModel.Dimension { setup.dimension }
    public var phase: Int { DilatedClock.phase(at: tau) }
    /// Interpolant time κ (the `t` key); in the limit, κ = 0 throughout phase 1.
    public var interpolantTime: Double { beta }
    public var logOdds: Double { FlowModel.logOdds(p: p) }
}

/// The order parameters (defined in FlowModel, shared with the simulation), under the name this
/// module has always exported.
public typealias OrderParameters = FlowModel.OrderParameters
