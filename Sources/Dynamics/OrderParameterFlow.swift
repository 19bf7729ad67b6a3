import FlowModel
import Foundation
import GSLKit
import Theory

/// The population loss (TD.4) and its partial derivatives in the order parameters (TD.11, TD.12).
public struct LossGradient: Sendable {
    public var loss = 0.0
    /// ∂ε/∂(c, b, m, ω, q, r, uw), in column order (`partials[.q]` is ∂ε/∂q).
    public var partials = [Double](repeating: 0, count: OrderParameter.count)
}

/// The closed order-parameter equations of one grid time (TD.10, TD.16–TD.18) and their integration.
///
///     let flow = try OrderParameterFlow(setting: setting)
///     let trajectory = try flow.integrate(from: .theoryInit(m: 0.03, omega: 0.03), options: IntegrationOptions(times: [0, 1, 2]))
public struct OrderParameterFlow: Sendable {
    public let setting: TrainingSetting
    private let quadrature: TanhMoments

    public init(setting: TrainingSetting) throws {
        self.setting = setting
        quadrature = try TanhMoments()
    }

    /// Class-resolved moments: for s = +1 (weight p) and s = −1 (weight 1 − p), T_k of (TD.14).
    private func classMoments(_ o: OrderParameters) -> [(s: Double, weight: Double, t: [Double])] {
        let st = setting
        return [(1.0, st.p), (-1.0, 1 - st.p)].map { s, weight in
            if st.saturated {
                // TD.23: φ = s·sign(ω) exactly, so T_k = (s·sign ω)^k.
                let phi = s * (o.omega >= 0 ? 1.0 : -1.0)
                return (s, weight, (0...6).map { pow(phi, Double($0)) })
            }
            let scale = (st.v * max(o.r, 0)).squareRoot()
            return (s, weight, quadrature.powers(center: o.b + st.a * o.omega * s, scale: scale))
        }
    }

    /// E[φ] over s and g (the data average of the hidden unit).
    public func meanActivation(_ o: OrderParameters) -> Double {
        classMoments(o).reduce(0) { $0 + $1.weight * $1.t[1] }
    }

    /// ε and ∂ε at the order parameters `o` (TD.4, TD.11–TD.13).
    public func lossGradient(_ o: OrderParameters) -> LossGradient {
        let st = setting
        let (beta, v, sig2) = (st.beta, st.v, st.sigma * st.sigma)
        let moments = classMoments(o)
        // Averages over s and g (TD.13): Φ2 = E φ², Φs = E sφ, Φp = E φ' and their b, ω, r derivatives.
        var phi2 = 0.0, phiS = 0.0
        var dbPhi2 = 0.0, dbPhiS = 0.0, dwPhi2 = 0.0, dwPhiS = 0.0, drPhi2 = 0.0, drPhiS = 0.0
        for (s, weight, t) in moments {
            phi2 += weight * t[2]
            phiS += weight * s * t[1]
            let odd = 2 * (t[1] - t[3])            // E (φ²)' = 2E φφ' = 2(T1 − T3)
            let prime = 1 - t[2]                   // E φ'
            let second = 1 - 4 * t[2] + 3 * t[4]  // ½E (φ²)'' = E(1 − 4φ² + 3φ⁴)
            dbPhi2 += weight * odd
            dbPhiS += weight * s * prime
            dwPhi2 += weight * st.a * s * odd
            dwPhiS += weight * st.a * prime
            drPhi2 += weight * v * second                 // (v/2)·E(φ²)'' by Stein (TD.12)
            drPhiS += weight * v * s * (t[3] - t[1])      // (v/2)·E s φ'' = v E s(φ³ − φ)
        }
        let phiP = 1 - phi2
        let coupling = 2 * (o.c * v - beta * sig2) * st.invSqrtD  // 2(cv − βσ²)/√d
        let K = coupling * o.uw
        let cb1 = o.c * beta - 1
        var g = LossGradient()
        g.loss = o.c * o.c * (beta * beta + v) - 2 * o.c * beta * (1 + sig2) + (1 + sig2)
            + o.q * phi2 + 2 * cb1 * o.m * phiS + K * phiP + st.penaltyU * o.q + st.penaltyW * o.r
        g.partials[.c] = 2 * o.c * (beta * beta + v) - 2 * beta * (1 + sig2) + 2 * beta * o.m * phiS
            + 2 * v * st.invSqrtD * o.uw * phiP
        // ∂Φp = −∂Φ2, so q Φ2 + K Φp differentiates to (q − K) ∂Φ2.
        g.partials[.b] = (o.q - K) * dbPhi2 + 2 * cb1 * o.m * dbPhiS
        g.partials[.m] = 2 * cb1 * phiS
        g.partials[.q] = phi2 + st.penaltyU
        g.partials[.omega] = (o.q - K) * dwPhi2 + 2 * cb1 * o.m * dwPhiS
        g.partials[.r] = (o.q - K) * drPhi2 + 2 * cb1 * o.m * drPhiS + st.penaltyW
        g.partials[.uw] = coupling * phiP
        return g
    }

    /// Right-hand side d(order parameters)/d(training time): drift (TD.10) plus, for online SGD,
    /// the noise terms (TD.16–TD.18).
    public func rightHandSide(_ o: OrderParameters) -> [Double] {
        let st = setting
        let eta = st.learningRate
        let e = lossGradient(o).partials
        let (Ec, Eb, Em, Eq, Ew, Er, Euw) = (e[.c], e[.b], e[.m], e[.q], e[.omega], e[.r], e[.uw])
        var dy = [Double](repeating: 0, count: OrderParameter.count)
        dy[.c] = -eta * Ec
        dy[.b] = -eta * Eb
        dy[.m] = -eta * (Em + 2 * Eq * o.m + Euw * o.omega)
        dy[.q] = -2 * eta * (Em * o.m + 2 * Eq * o.q + Euw * o.uw)
        dy[.omega] = -eta * (Ew + 2 * Er * o.omega + Euw * o.m)
        dy[.r] = -2 * eta * (Ew * o.omega + 2 * Er * o.r + Euw * o.uw)
        dy[.uw] = -eta * (Em * o.omega + 2 * Eq * o.uw + Euw * o.r + Ew * o.m + 2 * Er * o.uw + Euw * o.q)
        if st.rule == .onlineSGD {
            let noise = sgdNoise(o)
            dy[.q] += noise.q
            dy[.r] += noise.r
            dy[.uw] += noise.uw
        }
        return dy
    }

    /// The O(η²) terms of online SGD at their leading order in 1/d (TD.16–TD.18).
    public func sgdNoise(_ o: OrderParameters) -> (q: Double, r: Double, uw: Double) {
        let st = setting
        let eta2 = st.learningRate * st.learningRate
        let (alpha, beta, v, sig2) = (st.alpha, st.beta, st.v, st.sigma * st.sigma)
        let cb1 = o.c * beta - 1
        let k0 = o.c * o.c * alpha * alpha + cb1 * cb1 * (1 + sig2)
        let b0 = o.c * (beta * beta + v) - beta * (1 + sig2)
        var er = 0.0, eq = 0.0, euw = 0.0
        for (s, weight, t) in classMoments(o) {
            let a0 = cb1 * s * o.m   // A = a0 + qφ (TD.15)
            let q = o.q
            // E[A² φ'²] with φ'² = 1 − 2φ² + φ⁴, A² = a0² + 2a0qφ + q²φ².
            let a2 = a0 * a0, a1 = 2 * a0 * q, aa = q * q
            let ePoly: ([Double]) -> Double = { c in c.enumerated().reduce(0) { $0 + $1.element * t[$1.offset] } }
            er += weight * ePoly([a2, a1, aa - 2 * a2, -2 * a1, a2 - 2 * aa, a1, aa])
            // E[φ² R + 2ℓ_u φ A + ℓ_u² q], R = k0 + 2a0φ + qφ².
            let lu = st.penaltyU
            eq += weight * (k0 * t[2] + 2 * a0 * t[3] + q * t[4] + 2 * lu * (a0 * t[1] + q * t[2]) + lu * lu * q)
            // E[φ' A (φ B + ℓ_u β s m)], B = b0 + β s m φ.
            let bs = beta * s * o.m, lb = lu * beta * s * o.m
            // φ'A(φB + lb) = (1 − φ²)(a0 + qφ)(lb + b0 φ + bs φ²)
            let prodAB = polyMul([a0, q], [lb, b0, bs])
            euw += weight * ePoly(polyMul([1, 0, -1], prodAB))
        }
        let invD = st.invSqrtD * st.invSqrtD
        return (q: 4 * eta2 * invD * eq, r: 4 * eta2 * (beta * beta + v) * er, uw: 4 * eta2 * st.invSqrtD * euw)
    }
}

private func polyMul(_ a: [Double], _ b: [Double]) -> [Double] {
    var c = [Double](repeating: 0, count: a.count + b.count - 1)
    for i in a.indices { for j in b.indices { c[i + j] += a[i] * b[j] } }
    return c
}
