import Foundation
import FlowModel
import GSLKit
import Theory

/// J/n (TD.31) and its partial derivatives in the 7 + 2n variables, in the order of
/// `FiniteSampleState.vector`: (c, b, m, ω, q, r, uw, ρ₁…ρ_n, π₁…π_n).
public struct FiniteSampleGradient: Sendable {
    public var loss = 0.0
    public var partials: [Double]
}

/// Full-batch gradient flow on J/n of (AT.2) with n fixed training points and the base noise
/// averaged out (derivations/training-dynamics.md §8, TD.30–TD.41): closed on the seven order
/// parameters and the overlaps ρ_ν, π_ν with the training noise, at every d.
///
/// The setting gives the grid time (α, β, a = β√d, 1/√d, or the d = ∞ limits of TD.40, TD.41) and
/// η; its `penaltyU`, `penaltyW` are the L_u, L_w of (AT.2) (per sample ℓ = L/n, AT.3). Training
/// time is the gd protocol's epoch count (SIM.14): c, b move by −η ∂(J/n), u, w by −η d ∇(J/n).
///
///     let data = try FiniteSampleData.idealised(signs: FiniteSampleData.typicalSigns(n: 16, p: 0.8), sigma: 1)
///     let flow = try FiniteSampleFlow(setting: setting, data: data)   // setting.rule == .gradientFlow
///     let run = try flow.integrate(from: try FiniteSampleState.randomStart(n: 16, overlap: 1e-3, seed: 1), options: IntegrationOptions(times: [0, 10]))
public struct FiniteSampleFlow: ClosedFlow {
    public let setting: TrainingSetting
    public let data: FiniteSampleData
    private let quadrature: TanhMoments

    public init(setting: TrainingSetting, data: FiniteSampleData) throws {
        guard setting.rule == .gradientFlow else {
            throw InputError("the finite-n equations are full-batch gradient flow (--training gf); got \(setting.rule.rawValue)")
        }
        guard abs(data.sigma - setting.sigma) <= 1e-12 * setting.sigma else {
            throw InputError("the data's σ = \(data.sigma) differs from the setting's σ = \(setting.sigma)")
        }
        self.setting = setting
        self.data = data
        quadrature = try TanhMoments()
    }

    public var n: Int { data.n }
    public var stateDimension: Int { OrderParameter.count + 2 * data.n }
    public var learningRate: Double { setting.learningRate }
    public func derivative(_ y: [Double]) -> [Double] { rightHandSide(FiniteSampleState(y, n: n)) }
    public func lossValue(_ y: [Double]) -> Double { lossGradient(FiniteSampleState(y, n: n)).loss }

    /// w·x₁^ν/d = s^ν ω + σ π_ν (exact; TD.32).
    public func projection(_ x: FiniteSampleState, _ nu: Int) -> Double {
        data.signs[nu] * x.order.omega + data.sigma * x.pi[nu]
    }

    /// T_k(ν) = E_g tanh^k(λ_ν), k = 0…top, λ_ν = b + a P_ν + α√r g (TD.32). At d = ∞ in phase 2 the
    /// unit is saturated, φ_ν = sign P_ν (TD.41).
    func pointMoments(_ x: FiniteSampleState, upTo top: Int = 4) -> [[Double]] {
        let st = setting, o = x.order
        return (0..<n).map { nu in
            let p = projection(x, nu)
            if st.saturated {
                let phi: Double = p > 0 ? 1 : (p < 0 ? -1 : data.signs[nu] * (o.omega >= 0 ? 1 : -1))
                return (0...top).map { $0 % 2 == 0 ? 1 : phi }
            }
            return quadrature.powers(center: o.b + st.a * p, scale: st.alpha * max(o.r, 0).squareRoot(), upTo: top)
        }
    }

    /// J/n and its partials (TD.31–TD.34).
    public func lossGradient(_ x: FiniteSampleState) -> FiniteSampleGradient {
        lossGradient(x, moments: pointMoments(x))
    }

    /// The same from the point moments T_k(ν) (k ≤ 4 used).
    func lossGradient(_ x: FiniteSampleState, moments: [[Double]]) -> FiniteSampleGradient {
        let st = setting, o = x.order, n = self.n, nn = Double(n)
        let (alpha, beta, a) = (st.alpha, st.beta, st.a)
        let a2 = alpha * alpha, sigma = data.sigma
        let shrink = 1 - o.c * beta                         // 1 − cβ
        let k = 2 * o.c * a2 * o.uw * st.invSqrtD           // K = 2cα² uw/√d
        let qk = o.q - k
        let rhoAt = OrderParameter.count, piAt = OrderParameter.count + n   // where ∂/∂ρ_ν and ∂/∂π_ν start
        var g = FiniteSampleGradient(partials: [Double](repeating: 0, count: OrderParameter.count + 2 * n))
        var loss = 0.0, gc = 0.0, gb = 0.0, gm = 0.0, gq = 0.0, gw = 0.0, gr = 0.0, guw = 0.0
        for (nu, t) in moments.enumerated() {
            let s = data.signs[nu], xn = data.squaredNorm(nu)
            let overlap = s * o.m + sigma * x.rho[nu]      // u·x₁^ν/d
            // e_ν of (TD.32): c²α² + (1 − cβ)² X_ν + (q − K) T2 − 2(1 − cβ)(u·x₁^ν/d) T1 + K.
            loss += o.c * o.c * a2 + shrink * shrink * xn + qk * t[2] - 2 * shrink * overlap * t[1] + k
            gc += 2 * o.c * a2 - 2 * beta * shrink * xn + 2 * beta * overlap * t[1] + 2 * a2 * o.uw * st.invSqrtD * (1 - t[2])
            gm += -2 * shrink * s * t[1]
            gq += t[2]
            guw += 2 * o.c * a2 * st.invSqrtD * (1 - t[2])
            g.partials[rhoAt + nu] = -2 * shrink * sigma * t[1] / nn
            if st.saturated { continue }                    // every λ-derivative vanishes (TD.41)
            // ∂e_ν/∂λ-centre and ∂e_ν/∂r (Stein, TD.34).
            let centre = 2 * qk * (t[1] - t[3]) - 2 * shrink * overlap * (1 - t[2])
            let width = a2 * (qk * (1 - 4 * t[2] + 3 * t[4]) - 2 * shrink * overlap * (t[3] - t[1]))
            gb += centre
            gw += a * s * centre
            gr += width
            g.partials[piAt + nu] = a * sigma * centre / nn
        }
        g.loss = (loss + st.penaltyU * o.q + st.penaltyW * o.r) / nn
        g.partials[.c] = gc / nn
        g.partials[.b] = gb / nn
        g.partials[.m] = gm / nn
        g.partials[.q] = (gq + st.penaltyU) / nn
        g.partials[.omega] = gw / nn
        g.partials[.r] = (gr + st.penaltyW) / nn
        g.partials[.uw] = guw / nn
        return g
    }

    /// d(state)/d(training time) (TD.36, TD.37): gradient flow on J/n in the metric of the weights.
    public func rightHandSide(_ x: FiniteSampleState) -> [Double] {
        let eta = setting.learningRate
        return velocity(x, rates: ParameterGroups(c: eta, b: eta, u: eta, w: eta))
    }

    /// d(state)/d(time) when c, b move by −η_c ∂(J/n), −η_b ∂(J/n) and u, w by −η_u d ∇_u(J/n),
    /// −η_w d ∇_w(J/n) (TD.36, TD.37 with one rate per parameter group; Adam's mean field, AD.6).
    public func velocity(_ x: FiniteSampleState, rates: ParameterGroups) -> [Double] {
        velocity(x, partials: lossGradient(x).partials, rates: rates)
    }

    func velocity(_ x: FiniteSampleState, partials e: [Double], rates: ParameterGroups) -> [Double] {
        let o = x.order, n = self.n, (ec, eb, eu, ew) = (rates.c, rates.b, rates.u, rates.w)
        let (jc, jb, jm, jq, jw, jr, juw) = (e[.c], e[.b], e[.m], e[.q], e[.omega], e[.r], e[.uw])
        let rhoAt = OrderParameter.count, piAt = OrderParameter.count + n   // where ρ and π start in the state
        let jRho = Array(e[rhoAt..<piAt]), jPi = Array(e[piAt...])
        let mo = data.meanOverlaps
        let gRho = data.gramTimes(jRho), gPi = data.gramTimes(jPi)
        var dy = [Double](repeating: 0, count: OrderParameter.count + 2 * n)
        dy[.c] = -ec * jc
        dy[.b] = -eb * jb
        dy[.m] = -eu * (jm + 2 * jq * o.m + juw * o.omega + dot(jRho, mo))
        dy[.q] = -2 * eu * (jm * o.m + 2 * jq * o.q + juw * o.uw + dot(jRho, x.rho))
        dy[.omega] = -ew * (jw + 2 * jr * o.omega + juw * o.m + dot(jPi, mo))
        dy[.r] = -2 * ew * (jw * o.omega + 2 * jr * o.r + juw * o.uw + dot(jPi, x.pi))
        dy[.uw] = -eu * (jm * o.omega + 2 * jq * o.uw + juw * o.r + dot(jRho, x.pi))
            - ew * (jw * o.m + 2 * jr * o.uw + juw * o.q + dot(jPi, x.rho))
        for nu in 0..<n {
            dy[rhoAt + nu] = -eu * (jm * mo[nu] + 2 * jq * x.rho[nu] + juw * x.pi[nu] + gRho[nu])
            dy[piAt + nu] = -ew * (jw * mo[nu] + 2 * jr * x.pi[nu] + juw * x.rho[nu] + gPi[nu])
        }
        return dy
    }

    /// −(dJ/n)/d(time) along the flow (TD.42): η [J_c² + J_b² + |∇_u|²/d + |∇_w|²/d] in the
    /// order parameters, ≥ 0 for any state realised by vectors.
    public func dissipation(_ x: FiniteSampleState) -> Double {
        let eta = setting.learningRate
        return dissipation(x, partials: lossGradient(x).partials, rates: ParameterGroups(c: eta, b: eta, u: eta, w: eta))
    }

    /// The same with one rate per group: a group moved alone at unit rate dissipates J_c², J_b², or
    /// d|∇_u(J/n)|², d|∇_w(J/n)|² (AD.5's mean parts).
    func dissipation(_ x: FiniteSampleState, partials e: [Double], rates: ParameterGroups) -> Double {
        -zip(e, velocity(x, partials: e, rates: rates)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Integrates from `start` (TD §4 options; stops when |dy/dtime|/η < convergence).
    public func integrate(from start: FiniteSampleState, options: IntegrationOptions) throws -> FiniteSampleTrajectory {
        precondition(start.n == n, "start has \(start.n) training points, the data \(n)")
        let run = try integrateStates(from: start.vector, options: options)
        let points = run.points.map {
            FiniteSamplePoint(time: $0.time, state: FiniteSampleState($0.state, n: n), loss: $0.loss, speed: $0.speed)
        }
        return FiniteSampleTrajectory(setting: setting, data: data, points: points, converged: run.converged)
    }
}

/// One number per parameter group c, b, u, w: a learning rate (c, b per unit of ∂(J/n); u, w per
/// unit of d ∇(J/n)), or a per-coordinate gradient moment.
public struct ParameterGroups: Sendable, Equatable {
    public var c, b, u, w: Double
    public init(c: Double, b: Double, u: Double, w: Double) { self.c = c; self.b = b; self.u = u; self.w = w }

    public static func + (x: ParameterGroups, y: ParameterGroups) -> ParameterGroups {
        ParameterGroups(c: x.c + y.c, b: x.b + y.b, u: x.u + y.u, w: x.w + y.w)
    }
}

/// One output point of a finite-n trajectory.
public struct FiniteSamplePoint: Sendable {
    public let time: Double
    public let state: FiniteSampleState
    /// J/n (TD.31).
    public let loss: Double
    public let speed: Double
}

public struct FiniteSampleTrajectory: Sendable {
    public let setting: TrainingSetting
    public let data: FiniteSampleData
    public let points: [FiniteSamplePoint]
    public let converged: Bool

    public var final: FiniteSamplePoint { points[points.count - 1] }

    /// The seven order parameters and J/n as a `Trajectory`, for the readouts and times of TD §6.
    public var orderParameterTrajectory: Trajectory {
        Trajectory(setting: setting, points: points.map {
            TrajectoryPoint(time: $0.time, state: $0.state.order, loss: $0.loss, speed: $0.speed)
        }, converged: converged)
    }
}
