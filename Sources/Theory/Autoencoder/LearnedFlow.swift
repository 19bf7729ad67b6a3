import Foundation
import FlowModel
import GSLKit

/// The generative flow driven by the learned networks, reduced to the projections of the sample X
/// on μ (ζ = μ·X/√d) and on the class-mean training noise (Ψ = S₊/n₊ − S₋/n₋, S_s the sum of
/// η^ν·X/√d over class s), plus the orthogonal gain G (AT.41–AT.45):
///
///   ζ_{j+1} = A_j ζ_j + c̃_j √d m_j φ_j,   Ψ_{j+1} = A_j Ψ_j + c̃_j √d (ρ₊ − ρ₋)_j φ_j,   G_{j+1} = A_j G_j,
///   φ_j = tanh(b_j + ω_j ζ_j + σ ω_j Ψ_j / 2),   A_j = α_{j+1}/α_j + c̃_j c_j,
///   c̃_j = β_{j+1} − α_{j+1} β_j / α_j,
///
/// from ζ₀ ~ N(0, α₀²), Ψ₀ ~ N(0, 4γ_n α₀²) independent. p̂ = P(ζ_K > 0); the spread of a mode about
/// its centre is α₀ G_K (AT.48), and σ̂ about the μ axis (what SIM.18 measures) adds the memorised class
/// means, σ̂² = (α₀G_K)² + E[n₊D₊² + n₋D₋²]/(d − 1) with D_s driven by c̃_j √d ρ_s,j φ_j (FD.5).
///
///     let prediction = try LearnedFlow.continuousAtInfiniteD(theory)   // p̂, σ̂ of the learned flow at d = ∞
///     let grid = try LearnedFlow.dilatedGridAtInfiniteD(theory, steps: 80)
public enum LearnedFlow {
    /// The generated mode probability and within-mode spread.
    public struct Prediction: Sendable {
        public let pHat: Double
        /// σ̂ as the simulation measures it (SIM.18): the spread about the μ axis, i.e. the mode's own
        /// spread plus the memorised class means (FD.5).
        public let sigmaHat: Double
        /// The spread of a generated mode about its own centre, the gain α₀ G_K (AT.48).
        public let modeSpread: Double
        /// The signal S = β√d (kτ at d = ∞) up to which the trivial branch is learned: the boundary
        /// S* for the continuous flow, the largest such grid signal on a grid; 0 if none.
        public let trivialBelow: Double
    }

    /// One step of the reduced recursion; `saturated` steps (phase 2, w ∥ μ) use φ = sign(ζ), the
    /// others φ = tanh(b + ω(ζ + σΨ/2)) (the trivial branch has b = ±19.1: φ = ±1 exactly).
    struct Step {
        var a = 1.0, zetaDrift = 0.0, psiDrift = 0.0
        var bias = 0.0, omega = 0.0, saturated = false
        /// c̃_j √d ρ_±,j: the drive of one training-noise coordinate of class ± (FD.5).
        var plusDrift = 0.0, minusDrift = 0.0
    }

    /// p̂ = E_{Ψ₀}[P(ζ₀ > ζ₀*(Ψ₀))], the root ζ₀* of the final decision variable found by Brent for
    /// each Gauss–Hermite node of Ψ₀ (the decision is increasing in ζ₀).
    static func modeProbability(psiScale: Double, alpha0: Double,
                                decision: @escaping (Double, Double) throws -> Double) throws -> Double {
        let hermite = try GaussHermite(order: psiScale > 0 ? 24 : 1)
        return try hermite.expectation { g in
            let psi0 = psiScale * g
            let bound = 12.0
            if try decision(-bound * alpha0, psi0) > 0 { return 1 }
            if try decision(bound * alpha0, psi0) <= 0 { return 0 }
            // The decision variable itself (continuous, or with a jump at the separatrix when φ = sign):
            // Brent converges superlinearly where it is smooth.
            let root = try RootFinder.brent(in: -bound * alpha0, bound * alpha0, absolute: 1e-11, relative: 1e-11) {
                try decision($0, psi0)
            }
            return StandardNormal.upperTail(root / alpha0)
        }
    }

    // MARK: - Grids

    /// On K uniform steps of the dilated clock at d = ∞: phase 1 in the signal S = kτ (A = 1,
    /// c̃√d = ΔS); the first phase-2 step carries ζ to ±O(√d) with the sign of the pre-activation of
    /// the network at τ = 1 (S = k), which decides the mode; σ̂ is the product of the phase-2 A_j.
    public static func dilatedGridAtInfiniteD(_ theory: AutoencoderTheory, steps: Int) throws -> Prediction {
        guard !theory.dimension.isFinite else { throw InputError("dilatedGridAtInfiniteD needs d = inf") }
        guard steps >= 2, steps % 2 == 0 else { throw InputError("steps must be even and ≥ 2 on the dilated clock at d = inf; got \(steps)") }
        let half = steps / 2, delta = 2 / Double(steps)
        let networks = try phaseOneNetworks(theory, signals: (0...half).map { theory.k * Double($0) * delta })
        let sigma = theory.problem.sigma
        var program = [Step]()
        for j in 0..<half {
            let net = networks[j], ds = theory.k * delta
            program.append(Step(a: 1, zetaDrift: ds * net.m, psiDrift: ds * (net.rhoPlus - net.rhoMinus),
                                bias: net.b, omega: net.omega))
        }
        let last = networks[half]
        let pHat = try modeProbability(psiScale: (4 * theory.problem.gamma).squareRoot(), alpha0: 1) { zeta0, psi0 in
            let (zeta, psi, _, _) = run(program, zeta0, psi0, sigma: sigma)
            return preactivation(last, zeta, psi, sigma: sigma)
        }
        // Phase 2: the gain and the memorised class means D_±/√d (FD.5; phase 1 adds O(1/√d) to D/√d).
        var (gain, plus, minus) = (1.0, 0.0, 0.0)
        for j in half..<steps {
            let (tau, next) = (Double(j) * delta, Double(j + 1) * delta)
            let (a0, b0, a1, b1) = (2 - tau, tau - 1, 2 - next, next - 1)
            let net = PhaseTwo.parameters(theory.problem, alpha: a0, beta: b0)
            let ct = b1 - a1 * b0 / a0, a = a1 / a0 + ct * net.c
            (gain, plus, minus) = (gain * a, a * plus + ct * net.rhoPlus, a * minus + ct * net.rhoMinus)
        }
        let problem = theory.problem
        let memorised = problem.isInfinite ? 0 : problem.nPlus * plus * plus + problem.nMinus * minus * minus
        let trivial = networks.filter { $0.solution == .trivial }.map(\.signal).max() ?? 0
        return Prediction(pHat: pHat, sigmaHat: (gain * gain + memorised).squareRoot(), modeSpread: gain, trivialBelow: trivial)
    }

    /// On K uniform steps of any schedule at finite d (the practitioner's grid): each grid time's
    /// network from the phase-1 reduction at S = β√d while S ≤ `saturation`, the saturated phase-2
    /// closed form (φ = sign ζ) beyond; p̂ = P(ζ_K > 0).
    public static func grid(_ problem: AutoencoderProblem, schedule: any Schedule, dimension: FlowModel.Dimension, steps: Int,
                            moments: TanhMoments, saturation: Double = AutoencoderTheory.saturationSignal) throws -> Prediction {
        guard steps >= 1 else { throw InputError("steps must be ≥ 1; got \(steps)") }
        guard dimension.isFinite else { throw InputError("the grid flow needs a finite d; got d = inf") }
        let sqrtD = dimension.squareRoot, sigma = problem.sigma
        let values = (0...steps).map { schedule.values(atStep: $0, of: steps) }
        // Networks at the grid times with S ≤ saturation, by continuation downward in S.
        var nets = [LearnedParameters?](repeating: nil, count: steps)
        var start: (w: Double, bias: Double)?
        // At n = ∞ the closed form (AT.8) is the exact denoiser at every S, so it is never replaced by
        // the saturated form: the grid is then the exact-field x₁-prediction grid (EF.12) itself.
        for j in (0..<steps).reversed() where problem.isInfinite || values[j].beta * sqrtD <= saturation {
            let v = values[j], s = v.beta * sqrtD
            if problem.isInfinite {
                let var_ = v.alpha * v.alpha + v.beta * v.beta * sigma * sigma
                var net = LearnedParameters()
                net.c = v.beta * sigma * sigma / var_; net.m = v.alpha * v.alpha / var_
                net.b = problem.logOdds; net.omega = s / var_
                nets[j] = net
                continue
            }
            let objective = PhaseOneObjective(problem: problem, signal: s, alpha: v.alpha, beta: v.beta, moments: moments)
            let var_ = v.alpha * v.alpha + v.beta * v.beta * sigma * sigma
            let net = try PhaseOneSolver.solve(objective, start: start ?? (s / var_, atanh(max(-0.999, min(0.999, problem.imbalance)))))
            if net.solution == .learned { start = (net.halfGap, net.bEff) }
            nets[j] = net
        }
        return try flow(problem, values: values, dimension: dimension, networks: nets)
    }

    /// The same grid driven by given networks, one per grid time (e.g. the finite-d theory's table
    /// with FD.1–FD.8, which `compare` tests against the simulation): φ = tanh(b + ω(ζ + σΨ/2)) at every
    /// step, the saturated closed form only where a row is one (ω = 0, AT.20).
    public static func grid(_ problem: AutoencoderProblem, schedule: any Schedule, dimension: FlowModel.Dimension,
                            networks: [LearnedParameters]) throws -> Prediction {
        guard !networks.isEmpty else { throw InputError("the grid needs at least one network") }
        guard dimension.isFinite else { throw InputError("the grid flow needs a finite d; got d = inf") }
        let values = (0...networks.count).map { schedule.values(atStep: $0, of: networks.count) }
        return try flow(problem, values: values, dimension: dimension, networks: networks.map { $0.solution == .closedForm ? nil : $0 })
    }

    /// The reduced recursion (AT.43–AT.45, FD.5) on the schedule values of the K + 1 grid points, with
    /// network j at step j (nil: the saturated phase-2 closed form).
    static func flow(_ problem: AutoencoderProblem, values: [ScheduleValues], dimension: FlowModel.Dimension,
                     networks nets: [LearnedParameters?]) throws -> Prediction {
        let steps = nets.count, sqrtD = dimension.squareRoot, sigma = problem.sigma
        var program = [Step]()
        var gain = values[0].alpha
        for j in 0..<steps {
            let (now, next) = (values[j], values[j + 1])
            guard now.alpha > 0 else { throw InputError("the schedule reaches α = 0 before its last step") }
            let ct = next.beta - next.alpha * now.beta / now.alpha
            if let net = nets[j] {
                let a = next.alpha / now.alpha + ct * net.c
                program.append(Step(a: a, zetaDrift: ct * sqrtD * net.m, psiDrift: ct * sqrtD * (net.rhoPlus - net.rhoMinus),
                                    bias: net.b, omega: net.omega, plusDrift: ct * sqrtD * net.rhoPlus, minusDrift: ct * sqrtD * net.rhoMinus))
                gain *= a
            } else {
                let net = PhaseTwo.parameters(problem, alpha: now.alpha, beta: now.beta)
                let a = next.alpha / now.alpha + ct * net.c
                program.append(Step(a: a, zetaDrift: ct * sqrtD * net.m, psiDrift: ct * sqrtD * (net.rhoPlus - net.rhoMinus),
                                    saturated: true, plusDrift: ct * sqrtD * net.rhoPlus, minusDrift: ct * sqrtD * net.rhoMinus))
                gain *= a
            }
        }
        let alpha0 = values[0].alpha, psiScale = (4 * problem.gamma).squareRoot() * alpha0
        let pHat = try modeProbability(psiScale: psiScale, alpha0: alpha0) { zeta0, psi0 in
            run(program, zeta0, psi0, sigma: sigma).zeta
        }
        let memorised = problem.isInfinite ? 0
            : try memorisedMeans(program, alpha0: alpha0, psiScale: psiScale, sigma: sigma, nPlus: problem.nPlus, nMinus: problem.nMinus)
                / (dimension.value - 1)
        let trivial = (0..<steps).filter { nets[$0]?.solution == .trivial }.map { values[$0].beta * sqrtD }.max() ?? 0
        return Prediction(pHat: pHat, sigmaHat: (gain * gain + memorised).squareRoot(), modeSpread: gain, trivialBelow: trivial)
    }

    /// The sample's path through the program: ζ, Ψ and the memorised class-mean displacements D_± (FD.5).
    static func run(_ program: [Step], _ zeta0: Double, _ psi0: Double, sigma: Double)
        -> (zeta: Double, psi: Double, plus: Double, minus: Double) {
        var (zeta, psi, plus, minus) = (zeta0, psi0, 0.0, 0.0)
        for s in program {
            let phi = s.saturated ? (zeta > 0 ? 1.0 : zeta < 0 ? -1 : 0) : tanh(s.bias + s.omega * (zeta + sigma * psi / 2))
            (zeta, psi) = (s.a * zeta + s.zetaDrift * phi, s.a * psi + s.psiDrift * phi)
            (plus, minus) = (s.a * plus + s.plusDrift * phi, s.a * minus + s.minusDrift * phi)
        }
        return (zeta, psi, plus, minus)
    }

    /// E[n₊D₊² + n₋D₋²] over (ζ₀, Ψ₀) (FD.5): D_s, the displacement of each training-noise coordinate
    /// of class s, follows D_{j+1} = A_j D_j + c̃_j √d ρ_s,j φ_j from 0 along the sample's own path.
    static func memorisedMeans(_ program: [Step], alpha0: Double, psiScale: Double, sigma: Double,
                               nPlus: Double, nMinus: Double) throws -> Double {
        let hermite = try GaussHermite(order: 24)
        return hermite.expectation { g in
            hermite.expectation { h in
                let end = run(program, alpha0 * g, psiScale * h, sigma: sigma)
                return nPlus * end.plus * end.plus + nMinus * end.minus * end.minus
            }
        }
    }

    static func preactivation(_ net: LearnedParameters, _ zeta: Double, _ psi: Double, sigma: Double) -> Double {
        net.b + net.omega * (zeta + sigma * psi / 2)
    }

    /// The learned phase-1 networks at d = ∞ at the given signals, by continuation from the
    /// largest signal downward (closed form AT.13 at n = ∞).
    static func phaseOneNetworks(_ theory: AutoencoderTheory, signals: [Double]) throws -> [LearnedParameters] {
        let problem = theory.problem
        var out = [LearnedParameters?](repeating: nil, count: signals.count)
        var start: (w: Double, bias: Double)?
        for j in signals.indices.sorted(by: { signals[$0] > signals[$1] }) {
            let s = signals[j]
            if problem.isInfinite {
                var net = LearnedParameters()
                net.m = 1; net.b = problem.logOdds; net.omega = s; net.halfGap = s; net.signal = s
                out[j] = net
                continue
            }
            let objective = PhaseOneObjective(problem: problem, signal: s, moments: theory.moments)
            var net = try PhaseOneSolver.solve(objective, start: start ?? (s, atanh(max(-0.999, min(0.999, problem.imbalance)))))
            if net.solution == .learned { start = (net.halfGap, net.bEff) }
            net.signal = s
            out[j] = net
        }
        return out.map { $0! }
    }
}
