import Foundation
import FlowModel
import GSLKit

extension LearnedFlow {
    /// The continuous flow at d = ∞ on the dilated clock, with the GSL ODE driver. The mode is
    /// decided on the signal axis S = β√d ∈ [0, ∞) (phase 1 is S ≤ k; S > k is the boundary layer
    /// at τ = 1⁺), where A = 1 and c̃√d dτ = dS (AT.43, AT.44):
    ///
    ///   dζ/dS = m(S) φ,   dΨ/dS = (ρ₊ − ρ₋)(S) φ,   φ = tanh(b(S) + ω(S)(ζ + σΨ/2)),
    ///
    /// with the learned network at each S: the trivial branch below the boundary S* (φ = sign e,
    /// ρ₊ = ρ₋: ζ drifts by S*·m_triv, AT.36) and, above it, the non-trivial branch tabulated on
    /// `nodes` points of [S*, S_max] and interpolated (Catmull–Rom). The mode is the sign of the
    /// pre-activation at S_max. σ̂ integrates d log G/dτ' = (αα̇ + ββ̇D)/(α² + β²D) over phase 2
    /// (GSL), whose closed form is σ̂ = √D (AT.20).
    public static func continuousAtInfiniteD(_ theory: AutoencoderTheory, signalMax: Double = 80,
                                             nodes: Int = 96) throws -> Prediction {
        guard !theory.dimension.isFinite else { throw InputError("continuousAtInfiniteD needs d = inf") }
        let problem = theory.problem, sigma = problem.sigma
        let interpolation: LearnedInterpolation
        var trivialBelow = 0.0, trivialDrift = 0.0
        if problem.isInfinite {
            interpolation = try LearnedInterpolation(from: 0, to: signalMax, nodes: nodes) { s in
                var net = LearnedParameters()
                net.m = 1; net.b = problem.logOdds; net.omega = s
                return net
            }
        } else {
            // The boundary: continuation from kτ = 4 (from S_max if the mode is not learned at 4).
            let step = 0.25
            let crossing: PhaseOneBoundary.Crossing
            if let near = try? PhaseOneBoundary.signal(problem, moments: theory.moments, from: min(4, signalMax), step: step) {
                crossing = near
            } else {
                crossing = try PhaseOneBoundary.signal(problem, moments: theory.moments, from: signalMax, step: step)
            }
            // If the branch wins down to S = 1e-4·step (crossing.value = 0), start there. If the
            // continued branch is lost above the start (large n, where it approaches the trivial
            // one as S → 0), start at the last node where it was found. Either way the trivial
            // drift m_triv sign e = ne/(L_u + n) below the start equals the learned drift m φ → e
            // of the n = ∞ network up to O(1/n), so only the interval's length times 1/n is lost.
            var lower = max(crossing.value, 1e-4 * step)
            var table: [LearnedParameters] = []
            for _ in 0..<3 {
                var start: (w: Double, bias: Double)?
                // Nodes uniform in x = √((S − S*)/(S_max − S*)): near a saddle-node the branch varies
                // like √(S − S_spinodal), and S* lies close to the spinodal for large n.
                let signals = (0..<nodes).map { lower + (signalMax - lower) * pow(Double($0) / Double(nodes - 1), 2) }
                var nets = [LearnedParameters]()
                var lostAt: Int?
                for j in (0..<nodes).reversed() {
                    let objective = PhaseOneObjective(problem: problem, signal: signals[j], moments: theory.moments)
                    let from = start ?? (signals[j], atanh(max(-0.999, min(0.999, problem.imbalance))))
                    guard let net = try PhaseOneSolver.branch(objective, start: from) else { lostAt = j; break }
                    start = (net.halfGap, net.bEff)
                    nets.append(net)
                }
                if let j = lostAt {
                    guard j + 1 < nodes - 1 else { throw InputError("the learned branch is lost at kτ = \(signals[j])") }
                    lower = signals[j + 1]
                    continue
                }
                table = nets.reversed()
                break
            }
            guard !table.isEmpty else { throw InputError("the learned branch could not be followed above kτ = \(lower)") }
            trivialBelow = lower
            let trivial = PhaseOneObjective(problem: problem, signal: 0, moments: theory.moments).trivialParameters
            trivialDrift = trivialBelow * trivial.m * (trivial.b > 0 ? 1 : -1)
            interpolation = try LearnedInterpolation(from: trivialBelow, to: signalMax, table: table, squareRootSpacing: true)
        }
        let integrator = try ODEIntegrator(dimension: 2, tolerance: ODETolerance(absolute: 1e-11, relative: 1e-11)) { s, y, dy in
            let net = interpolation.at(s)
            let phi = tanh(net.b + net.omega * (y[0] + sigma * y[1] / 2))
            dy[0] = net.m * phi
            dy[1] = net.dRho * phi
        }
        let last = interpolation.at(signalMax)
        let pHat = try modeProbability(psiScale: (4 * problem.gamma).squareRoot(), alpha0: 1) { zeta0, psi0 in
            var y = [zeta0 + trivialDrift, psi0]
            try integrator.integrate(&y, from: interpolation.lower, to: signalMax)
            return last.b + last.omega * (y[0] + sigma * y[1] / 2)
        }
        // σ̂: log G over phase 2, α = 1 − τ', β = τ' (up to τ' = 1 − 1e-12; A is finite at α = 0), and
        // δ/G with δ = D_s/√d the memorised class mean, driven by (β̇ − α̇β/α)ρ_s = ασ/((α² + β²D)(n + L_u)) (FD.5).
        let dVar = problem.believedVariance
        let rho = problem.isInfinite ? 0 : sigma / (problem.n + problem.penaltyU)
        let gainODE = try ODEIntegrator(dimension: 2) { tp, y, dy in
            let (a, b) = (1 - tp, tp)
            dy[0] = (-a + b * dVar) / (a * a + b * b * dVar)
            dy[1] = a * rho / (a * a + b * b * dVar) * exp(-y[0])
        }
        var logG = [0.0, 0.0]
        try gainODE.integrate(&logG, from: 0, to: 1)
        let gain = exp(logG[0]), mean = gain * logG[1]
        let memorised = problem.isInfinite ? 0 : problem.n * mean * mean
        return Prediction(pHat: pHat, sigmaHat: (gain * gain + memorised).squareRoot(), modeSpread: gain, trivialBelow: trivialBelow)
    }
}

/// The learned network's (m, ρ₊ − ρ₋, b, ω) as smooth functions of S: Catmull–Rom cubic
/// interpolation on a grid uniform in S, or in x = √((S − lower)/(upper − lower)) (third-order
/// accurate; ghost nodes by linear extrapolation).
final class LearnedInterpolation: @unchecked Sendable {
    struct Values { var m = 0.0, dRho = 0.0, b = 0.0, omega = 0.0 }
    let lower: Double, upper: Double
    let squareRootSpacing: Bool
    /// The nodes, in memory owned by the interpolation: `at` runs inside the ODE right-hand side
    /// millions of times per p̂, and reading an array there costs a retain and a release per call.
    private let nodes: UnsafeMutableBufferPointer<Values>
    var values: [Values] { Array(nodes) }

    init(from lower: Double, to upper: Double, table: [LearnedParameters], squareRootSpacing: Bool = false) throws {
        guard table.count >= 2, upper > lower else { throw InputError("interpolation needs ≥ 2 nodes on an interval") }
        self.lower = lower
        self.upper = upper
        self.squareRootSpacing = squareRootSpacing
        nodes = .allocate(capacity: table.count)
        _ = nodes.initialize(from: table.map { Values(m: $0.m, dRho: $0.rhoPlus - $0.rhoMinus, b: $0.b, omega: $0.omega) })
    }

    convenience init(from lower: Double, to upper: Double, nodes: Int, _ f: (Double) throws -> LearnedParameters) throws {
        let table = try (0..<nodes).map { try f(lower + (upper - lower) * Double($0) / Double(nodes - 1)) }
        try self.init(from: lower, to: upper, table: table)
    }

    deinit { nodes.deallocate() }

    func at(_ s: Double) -> Values {
        let values = nodes
        let count = values.count
        let unit = min(max((s - lower) / (upper - lower), 0), 1)
        let x = (squareRootSpacing ? unit.squareRoot() : unit) * Double(count - 1)
        let i = min(Int(x), count - 2), t = x - Double(i)
        @inline(__always) func node(_ k: Int) -> Values {
            if k < 0 { return lerp(values[0], values[1], Double(k)) }
            if k >= count { return lerp(values[count - 2], values[count - 1], Double(k - count + 2)) }
            return values[k]
        }
        let (p0, p1, p2, p3) = (node(i - 1), node(i), node(i + 1), node(i + 2))
        @inline(__always) func cr(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
            b + 0.5 * t * (c - a + t * (2 * a - 5 * b + 4 * c - d + t * (3 * (b - c) + d - a)))
        }
        return Values(m: cr(p0.m, p1.m, p2.m, p3.m), dRho: cr(p0.dRho, p1.dRho, p2.dRho, p3.dRho),
                      b: cr(p0.b, p1.b, p2.b, p3.b), omega: cr(p0.omega, p1.omega, p2.omega, p3.omega))
    }

    @inline(__always) private func lerp(_ a: Values, _ b: Values, _ t: Double) -> Values {
        Values(m: a.m + t * (b.m - a.m), dRho: a.dRho + t * (b.dRho - a.dRho), b: a.b + t * (b.b - a.b), omega: a.omega + t * (b.omega - a.omega))
    }
}
