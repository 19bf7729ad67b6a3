import Foundation
import FlowModel

/// The learned network at one time of the clock, in the order parameters of AT.4 (sign fixed by
/// m ≥ 0). Overlaps with the training noise are per point and class-symmetric: ρ_ν = ρ_{s^ν},
/// π_ν = π_{s^ν} (AT.21, AT.33, AT.34). The seven order parameters are one `OrderParameters`
/// value; the rest are the extras of the static theory.
///
///     let theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128)), k: 2)
///     let learned = try theory.parameters(at: 0.5)
///     print(learned.orderParameters[.omega], learned.solution)   // ω at τ = 0.5, .learned
public struct LearnedParameters: Sendable, Equatable {
    public enum Solution: String, Sendable {
        /// Closed form: AT.12/AT.13 (n = ∞, exact denoiser AT.8 at finite d) or AT.20/AT.21 (phase 2).
        case closedForm = "closed-form"
        /// Minimiser of the reduced phase-1 objective (AT.31) on the non-trivial branch (w ≠ 0).
        case learned
        /// The trivial branch w = 0, |b| = ∞ (AT.36): the network outputs the shrunk empirical mean.
        case trivial
    }

    /// Clock τ, interpolant time t = κ(τ), phase (1 for τ < 1), signal S = β√d (kτ at d = ∞).
    public var tau = 0.0, t = 0.0, phase = 1, signal = 0.0
    /// c, b, m, ω, q, r, uw of the learned network.
    public var orderParameters = OrderParameters.zero
    public var c: Double { get { orderParameters.c } set { orderParameters.c = newValue } }
    public var b: Double { get { orderParameters.b } set { orderParameters.b = newValue } }
    public var m: Double { get { orderParameters.m } set { orderParameters.m = newValue } }
    public var omega: Double { get { orderParameters.omega } set { orderParameters.omega = newValue } }
    public var q: Double { get { orderParameters.q } set { orderParameters.q = newValue } }
    public var r: Double { get { orderParameters.r } set { orderParameters.r = newValue } }
    public var uw: Double { get { orderParameters.uw } set { orderParameters.uw = newValue } }
    /// ρ_± = u·η^ν/d and π_± = w·η^ν/d for a training point ν of class ±.
    public var rhoPlus = 0.0, rhoMinus = 0.0, piPlus = 0.0, piMinus = 0.0
    /// b_eff and the half-gap W of the class pre-activations a_± = b_eff ± S W (AT.31).
    public var bEff = 0.0, halfGap = 0.0
    /// κ: w's overlap with a point's own noise per unit of its μ-noise g (FD.7; 0 in AT.31).
    public var pointSlope = 0.0
    /// χ: the fraction of the quenched cross-overlap noise ε_ν that w's per-point coefficients cancel (FD.8; 0 without it).
    public var noiseResponse = 0.0
    /// Adam's stationary bulk fluctuations included in r and q (AD.3, AD.4; zero for a minimiser of J).
    public var bulk = AdamBulk.zero
    /// The unit is saturated (φ = sign of the pre-activation): phase 2, or the trivial branch.
    public var saturated = false
    public var solution = Solution.closedForm
    /// Reduced objective per sample at the solution (J/n up to a constant; AT.31 divided by n).
    public var objective = 0.0
    /// Nelder–Mead iterations, final simplex size, finite-difference gradient norm at the minimum,
    /// and whether the simplex met its tolerance (all zero/true for closed forms).
    public var iterations = 0, simplexSize = 0.0, gradientNorm = 0.0, converged = true

    public init() {}

    /// b as a finite number: ±∞ on the trivial branch is reported as ±19.1 (tanh b = ±1 in double).
    public static let saturatedBias = 19.1
}
