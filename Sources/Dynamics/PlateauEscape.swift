import Foundation
import FlowModel
import GSLKit
import Theory

/// The escape of online SGD from the plateau {m = b = ω = 0} at finite d
/// (derivations/plateau-escape.md): the linearised drift (PE.3), the plateau noise (PE.5), the
/// moments of the linear SDE (PE.7), and the ensemble of trajectories it implies (PE.9).
///
///     let escape = try PlateauEscape(flow: try OrderParameterFlow(setting: setting))   // online SGD at finite d
///     let drift = escape.driftMatrix(.theoryInit(m: 0, omega: 0))
public struct PlateauEscape: Sendable {
    public let flow: OrderParameterFlow
    private let moments: TanhMoments

    public init(flow: OrderParameterFlow) throws {
        guard !flow.setting.saturated else {
            throw InputError("the plateau expansion needs an unsaturated unit (phase 1, or a finite d)")
        }
        self.flow = flow
        moments = try TanhMoments()
    }

    private var setting: TrainingSetting { flow.setting }

    /// t₂, t₄, t₆ of φ = tanh(√(vr) g) on the plateau (PE notation).
    private func evenMoments(_ base: OrderParameters) -> (t2: Double, t4: Double, t6: Double) {
        let t = moments.powers(center: 0, scale: (setting.v * max(base.r, 0)).squareRoot())
        return (t[2], t[4], t[6])
    }

    /// J of (PE.3): d(m, b, ω)/dtime = J (m, b, ω) to first order about the plateau, at the base
    /// (c, q, r, uw) of `base` (its m, b, ω are ignored).
    public func driftMatrix(_ base: OrderParameters) -> [[Double]] {
        let st = setting
        let (t2, t4, _) = evenMoments(base)
        let P = 1 - t2, R = 1 - 4 * t2 + 3 * t4
        let gamma = 2 * st.p - 1, a = st.a, k1 = base.c * st.beta - 1
        let coupling = 2 * (base.c * st.v - st.beta * st.sigma * st.sigma) * st.invSqrtD
        let qK = base.q - coupling * base.uw, e = coupling * P
        let er0 = qK * st.v * R + st.penaltyW
        let h = [[t2 + st.penaltyU, k1 * gamma * P, k1 * a * P + e / 2],
                 [k1 * gamma * P, qK * R, qK * gamma * a * R],
                 [k1 * a * P + e / 2, qK * gamma * a * R, a * a * qK * R + er0]]
        return h.map { $0.map { -2 * st.learningRate * $0 } }
    }

    /// Σ of (PE.5): d × the covariance of the SGD increments of (m, b, ω) per unit training time.
    public func noiseCovariance(_ base: OrderParameters) -> [[Double]] {
        let st = setting
        let (t2, t4, t6) = evenMoments(base)
        let gamma = 2 * st.p - 1, a = st.a, k1 = base.c * st.beta - 1, q = base.q
        let f2 = t2, f2p = t2 - t4, f2pp = t2 - 2 * t4 + t6   // E φ², E φ²φ', E φ²φ'²
        let s = [[k1 * k1 * f2, k1 * q * gamma * f2p, k1 * q * a * f2p],
                 [k1 * q * gamma * f2p, q * q * f2pp, q * q * gamma * a * f2pp],
                 [k1 * q * a * f2p, q * q * gamma * a * f2pp, q * q * f2pp * (a * a + st.v)]]
        let eta2 = st.learningRate * st.learningRate
        return s.map { $0.map { 4 * eta2 * $0 } }
    }

    /// The Gaussian law of (m, b, ω) at the end of the linear regime (PE.7).
    public struct LinearRegime: Sendable {
        /// time₁ and the base state there (m = b = ω = 0).
        public let time: Double
        public let base: OrderParameters
        /// Φ(time₁) and C(time₁) of (PE.7), rows and columns in (m, b, ω) order.
        public let propagator: [[Double]]
        public let covariance: [[Double]]
    }

    /// Integrates the base (PE.1) with Φ and C (PE.7) until the root-mean-square m,
    /// √((Φ M₀ Φᵀ)_mm + C_mm), reaches `switchOverlap` (M₀ = E[X₀X₀ᵀ]).
    public func linearRegime(base start: OrderParameters, startMoment: [[Double]], switchOverlap: Double,
                             timeMax: Double) throws -> LinearRegime {
        guard let d = setting.dimension.finite.map(Double.init) else { throw InputError("the plateau noise needs a finite d") }
        // The state: the base's order parameters (column order), then Φ and C row by row.
        let phiAt = OrderParameter.count, covarianceAt = phiAt + 9
        let onPlateau: ([Double]) -> OrderParameters = { y in
            var o = OrderParameters(values: y[..<phiAt]); o.m = 0; o.b = 0; o.omega = 0; return o
        }
        let integrator = try ODEIntegrator(dimension: covarianceAt + 9) { _, y, dy in
            let base = onPlateau(Array(y))
            for (i, rate) in self.flow.rightHandSide(base).enumerated() { dy[i] = rate }
            let J = self.driftMatrix(base), S = self.noiseCovariance(base)
            let phi = unpack(y, at: phiAt), C = unpack(y, at: covarianceAt)
            let jPhi = product(J, phi), jC = product(J, C)
            for i in 0..<3 {
                for j in 0..<3 {
                    dy[phiAt + 3 * i + j] = jPhi[i][j]
                    dy[covarianceAt + 3 * i + j] = jC[i][j] + jC[j][i] + S[i][j] / d   // J C + C Jᵀ + Σ/d (C symmetric)
                }
            }
        }
        let identity = [[1.0, 0, 0], [0, 1, 0], [0, 0, 1]]
        var y = onPlateau(start.values).values + identity.flatMap { $0 } + [Double](repeating: 0, count: 9)
        guard switchOverlap * switchOverlap > startMoment[0][0] else {
            throw InputError(String(format: "switch-overlap %.4g must exceed the start's root-mean-square m (%.4g; theory init m = 1/√d): raise --switch-overlap or d, or give a smaller --m0",
                                    switchOverlap, startMoment[0][0].squareRoot()))
        }
        let step = 0.02 / setting.learningRate
        var time = 0.0
        while time < timeMax {
            try integrator.integrate(&y, from: time, to: time + step)
            time += step
            let phi = unpack(y, at: phiAt), C = unpack(y, at: covarianceAt)
            let spread = product(product(phi, startMoment), transpose(phi))[0][0] + C[0][0]
            if spread >= switchOverlap * switchOverlap {
                return LinearRegime(time: time, base: onPlateau(y), propagator: phi, covariance: C)
            }
        }
        throw InputError(String(format: "no escape from the plateau before time %.4g (raise --time-max)", timeMax))
    }
}

/// The predicted distribution of trajectories from a start on the plateau (PE.9).
///
///     let ensemble = try EscapeEnsemble(escape: escape, start: .theoryInit, members: 200, times: [0, 2, 4, 6], seed: 1, switchOverlap: 0.05)
///     let law = ensemble.escapeTimes   // per member (TD.27)
public struct EscapeEnsemble: Sendable {
    public let regime: PlateauEscape.LinearRegime
    /// Per member: its trajectory from time 0 (the start, then the output times after time₁).
    public let members: [Trajectory]
    /// Per member: the escape time of (TD.27).
    public let escapeTimes: [Double]

    /// Where the ensemble starts: a given X₀ (with its base), or theory init with X₀ drawn as
    /// (|g₁|, 0, |g₂|)/√d (conditioned on m₀ω₀ ≥ 0 with m₀ ≥ 0, TD.20).
    public enum Start: Sendable { case given(OrderParameters), theoryInit }

    public init(escape: PlateauEscape, start origin: Start, members count: Int, times: [Double], seed: UInt64,
                switchOverlap: Double = 0.05) throws {
        let st = escape.flow.setting
        guard let d = st.dimension.finite.map(Double.init) else { throw InputError("the escape ensemble needs a finite d") }
        try require("members", Double(count), "≥ 2") { $0 >= 2 }
        try require("switch-overlap", switchOverlap, "in (0, 0.5)") { $0 > 0 && $0 < 0.5 }
        let base: OrderParameters, moment: [[Double]], drawn: Bool
        switch origin {
        case let .given(o):
            base = o
            let x = [o.m, o.b, o.omega]
            moment = x.map { xi in x.map { xi * $0 } }
            drawn = false
        case .theoryInit:
            base = .theoryInit(m: 0, omega: 0)
            let cross = 2 / (Double.pi * d)   // E|g₁||g₂|/d
            moment = [[1 / d, 0, cross], [0, 0, 0], [cross, 0, 1 / d]]
            drawn = true
        }
        let regime = try escape.linearRegime(base: base, startMoment: moment, switchOverlap: switchOverlap,
                                             timeMax: times.last ?? 0)
        self.regime = regime
        let noise = try MultivariateNormal(mean: [0, 0, 0], covariance: regime.covariance)
        let random = try RandomStream(seed: seed)
        let later = times.filter { $0 > regime.time }
        // Statistical errors of the ensemble dominate, so a looser tolerance than the single ODE's.
        let options = IntegrationOptions(times: [0] + later.map { $0 - regime.time },
                                         tolerance: ODETolerance(absolute: 1e-9, relative: 1e-7, initialStep: 1e-2), convergence: 0)
        // Draw every member's start first (one stream, fixed order), then integrate in parallel.
        var starts: [(start: OrderParameters, switched: OrderParameters)] = []
        for _ in 0..<count {
            var start = base
            if drawn {
                let scale = 1 / d.squareRoot()
                start.m = abs(random.gaussian()) * scale; start.b = 0; start.omega = abs(random.gaussian()) * scale
            }
            let x0 = [start.m, start.b, start.omega]
            let xi = try noise.draw(random)
            let x1 = (0..<3).map { i in (0..<3).reduce(xi[i]) { $0 + regime.propagator[i][$1] * x0[$1] } }
            var switched = regime.base
            switched.m = x1[0]; switched.b = x1[1]; switched.omega = x1[2]
            starts.append((start, switched))
        }
        let flow = escape.flow
        let members = try parallelMap(starts) { start, switched -> Trajectory in
            let path = try flow.integrate(from: switched, options: options)
            let initial = TrajectoryPoint(time: 0, state: start, loss: flow.lossGradient(start).loss, speed: 0)
            let points = [initial] + path.points.dropFirst().map {
                TrajectoryPoint(time: $0.time + regime.time, state: $0.state, loss: $0.loss, speed: $0.speed)
            }
            return Trajectory(setting: st, points: points, converged: false)
        }
        let escapes = members.map { m in
            TrajectoryMeasurements.escapeTime(times: m.points.map(\.time), states: m.points.map(\.state)) ?? .nan
        }
        self.members = members
        escapeTimes = escapes
    }
}

/// The 3×3 matrix stored row-major at `offset` of the state vector.
private func unpack<C: RandomAccessCollection<Double>>(_ y: C, at offset: Int) -> [[Double]] where C.Index == Int {
    (0..<3).map { i in (0..<3).map { y[offset + 3 * i + $0] } }
}

private func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
    a.map { row in (0..<b[0].count).map { j in zip(row, b).reduce(0) { $0 + $1.0 * $1.1[j] } } }
}

private func transpose(_ a: [[Double]]) -> [[Double]] {
    (0..<a[0].count).map { j in a.map { $0[j] } }
}
