import FlowModel
import Foundation
import GSLKit
import Theory

/// The authors' Adam protocol (full batch, one base-noise draw per point and step, β = (0.9, 0.999),
/// ε = 10⁻⁸, coupled weight decay) in its mean field at finite d (derivations/adam-offset.md §5):
/// the finite-n equations (TD.30–TD.37) with one rate per parameter group, lr/√v̂ (AD.6), where v̂ is
/// Adam's bias-corrected average of the squared gradient per coordinate, mean part plus one-draw
/// noise (AD.5), and the noise's random walk added to r and q (AD.7). Time is Adam's step count.
///
///     let adam = try AdamMeanField(flow: flow, learningRate: 0.01, lossScale: 128.0 / 80)   // n/K
///     let run = try adam.integrate(from: start, epochs: [0, 1000, 16_000])
///     run.final.state.order.b   // |b| ≥ 5: the run ends on the trivial plateau
public struct AdamMeanField: ClosedFlow {
    public let flow: FiniteSampleFlow
    /// Adam's lr.
    public let adamRate: Double
    /// Adam's ε in units of ∂(J/n): the authors' gradient is (n/K) ∂(J/n), so ε K/n.
    public let epsilon: Double
    let d: Double
    static let beta2 = 0.999, adamEpsilon = 1e-8

    /// `lossScale` is the authors' loss per unit of J/n (n/K for their Σ_j S_j/(dK)); it only
    /// sets ε's size. The flow's penalties are the L = Kλd/2 of the coupled weight decay λ (AT.5).
    public init(flow: FiniteSampleFlow, learningRate lr: Double, lossScale: Double) throws {
        try require("lr", lr, "> 0") { $0 > 0 }
        try require("loss scale", lossScale, "> 0") { $0 > 0 }
        guard let dimension = flow.setting.dimension.finite else {
            throw InputError("Adam's mean field needs a finite d (its noise is O(1/√d))")
        }
        self.flow = flow
        adamRate = lr
        epsilon = Self.adamEpsilon / lossScale
        d = Double(dimension)
    }

    var n: Int { flow.n }
    var base: Int { flow.stateDimension }
    /// The finite-n state, then log v_c, log v_b, log v_u, log v_w (Adam's second moments per
    /// coordinate, log so that the exponentially small values of the plateau keep their precision),
    /// then the step.
    public var stateDimension: Int { base + 5 }
    public var learningRate: Double { adamRate }
    public func lossValue(_ y: [Double]) -> Double { flow.lossValue(Array(y[..<base])) }

    /// The state after Adam's first step from x (AD.8): v = (1 − β₂) × the mean square gradient, so v̂
    /// is that mean square; the first step's own displacement, O(lr), is neglected.
    public func start(_ x: FiniteSampleState) -> [Double] {
        let m = gradientMoments(x), total = m.mean + m.noise
        return x.vector + [total.c, total.b, total.u, total.w].map { log((1 - Self.beta2) * max($0, .leastNormalMagnitude)) } + [1]
    }

    /// Per coordinate of each group, the square of the mean gradient of J/n and the variance of its
    /// one-draw estimate (AD.5).
    public func gradientMoments(_ x: FiniteSampleState) -> (mean: ParameterGroups, noise: ParameterGroups) {
        let t = flow.pointMoments(x, upTo: 6)
        return gradientMoments(x, moments: t, partials: flow.lossGradient(x, moments: t).partials)
    }

    /// Mean parts: J_c², J_b², |∇_u(J/n)|²/d, |∇_w(J/n)|²/d, the last two from the dissipation of
    /// each group's motion at unit rate (TD.42). Noise parts: AD.5 summed over the points.
    func gradientMoments(_ x: FiniteSampleState, moments: [[Double]], partials e: [Double])
        -> (mean: ParameterGroups, noise: ParameterGroups) {
        let mean = ParameterGroups(c: e[.c] * e[.c], b: e[.b] * e[.b],
                                   u: flow.dissipation(x, partials: e, rates: ParameterGroups(c: 0, b: 0, u: 1, w: 0)) / (d * d),
                                   w: flow.dissipation(x, partials: e, rates: ParameterGroups(c: 0, b: 0, u: 0, w: 1)) / (d * d))
        let st = flow.setting, o = x.order, (alpha, beta) = (st.alpha, st.beta)
        let a2 = alpha * alpha, shrink = 1 - o.c * beta, invRootD = 1 / d.squareRoot()
        let qk = o.q - 2 * o.c * a2 * o.uw * st.invSqrtD       // q − K of TD.32
        let along = o.r > 0 ? o.uw / o.r : 0                    // g_u = (uw/r) g_w + an independent part
        var vc = 0.0, vb = 0.0, vu = 0.0, vw = 0.0
        for (nu, t) in moments.enumerated() {
            let xn = flow.data.squaredNorm(nu), p = flow.projection(x, nu)   // X_ν, P_ν = w·x₁^ν/d
            let overlap = flow.data.signs[nu] * o.m + flow.data.sigma * x.rho[nu]   // U_ν = u·x₁^ν/d
            // Moments of φ, φ' = 1 − φ², φ'' = −2φφ' over the fresh noise.
            let slope1 = 1 - t[2], phiSlope = t[1] - t[3], slope2 = 1 - 2 * t[2] + t[4], varPhi = t[2] - t[1] * t[1]
            // ε_ν = (q − K)φ − (1 − cβ)U_ν (u·e_ν/d without its O(d^{-1/2}) part cα g_u/√d); ε φ'.
            let bias = shrink * overlap
            let (slope, slopeSquared) = AdamBulk.slopeMoments(t, q: qk, bias: bias)
            // b: Var(εφ') + (2cα/√d) Cov(εφ', g_u φ') + (cα)² q E φ'²/d, Cov by Stein: α uw (E(εφ'²)' − E εφ' E φ'').
            let slopeCubed = 1 - 3 * t[2] + 3 * t[4] - t[6]
            let derivative = qk * slopeCubed - 4 * (qk * (t[2] - 2 * t[4] + t[6]) - bias * (t[1] - 2 * t[3] + t[5]))
            let crossB = alpha * o.uw * (derivative + 2 * slope * phiSlope)
            vb += slopeSquared - slope * slope + 2 * o.c * alpha * invRootD * crossB + o.c * o.c * a2 * o.q * slope2 / d
            vw += AdamBulk.wNoise(t, q: qk, bias: bias, alpha: alpha, beta: beta, squaredNorm: xn)
            vu += AdamBulk.uNoise(t, c: o.c, alpha: alpha, shrink: shrink, squaredNorm: xn, overlap: overlap, q: o.q)
            // c: e·x_t/d − mean = βU(φ − Eφ) + [cα²√2 χ + α(2cβ − 1) g_x + α(φ g_u − E φ g_u)]/√d, with
            // g_x = z·x₁/√d, g_u = u·z/√d, g_w = w·z/√d (covariances P, U, uw) and χ = (|z|² − d)/√(2d).
            let covPhiX = alpha * p * slope1                                  // Cov(φ, g_x)
            let covPhiPhiU = alpha * o.uw * (2 * phiSlope - t[1] * slope1)    // Cov(φ, φ g_u)
            let phi2W2 = o.r * t[2] + o.r * o.r * a2 * (2 * slope2 - 4 * (t[2] - t[4]))   // E φ² g_w²
            let varPhiU = along * along * phi2W2 + (o.q - along * o.uw) * t[2] - pow(alpha * o.uw * slope1, 2)
            let covXPhiU = overlap * t[1] - 2 * p * o.uw * a2 * phiSlope       // E g_x g_u φ
            let twist = 2 * o.c * beta - 1
            vc += beta * beta * overlap * overlap * varPhi
                + 2 * invRootD * beta * overlap * alpha * (twist * covPhiX + covPhiPhiU)
                + (2 * o.c * o.c * a2 * a2 + a2 * twist * twist * xn + a2 * varPhiU + 2 * a2 * twist * covXPhiU) / d
        }
        let nn = Double(n), per = 4 / (nn * nn)            // Var of (2/n) Σ_ν (…): 4/n² Σ_ν Var
        let noise = ParameterGroups(c: per * vc, b: per * vb, u: per * vu / (d * d), w: per * vw / d)
        return (mean, noise)
    }

    /// d(state)/d(step) (AD.6–AD.8).
    public func derivative(_ y: [Double]) -> [Double] {
        let x = FiniteSampleState(Array(y[..<base]), n: n)
        let logV = Array(y[base..<(base + 4)]), step = y[base + 4]
        let t = flow.pointMoments(x, upTo: 6), e = flow.lossGradient(x, moments: t).partials
        let (mean, noise) = gradientMoments(x, moments: t, partials: e)
        let total = mean + noise
        // √v̂ + ε with v̂ = v/(1 − β₂^step).
        let correction = -log(1 - pow(Self.beta2, step))
        let root = logV.map { exp(0.5 * ($0 + correction)) + epsilon }
        let lr = adamRate
        var dy = flow.velocity(x, partials: e, rates: ParameterGroups(c: lr / root[0], b: lr / root[1],
                                                                      u: lr / (d * root[2]), w: lr / (d * root[3])))
        // The noise part of each step, a random walk of variance (lr/√v̂)² s² per coordinate and step (AD.7).
        dy[.r] += lr * lr * noise.w / (root[3] * root[3])
        dy[.q] += lr * lr * noise.u / (root[2] * root[2])
        // d log v/d step = (1 − β₂)(mean square/v − 1).
        let targets = [total.c, total.b, total.u, total.w]
        dy += zip(targets, logV).map { (1 - Self.beta2) * ($0 * exp(-$1) - 1) } + [1]
        return dy
    }

    /// The mean-field trajectory at the given epochs (Adam steps, increasing, the first 0): the
    /// ODE runs from step 1 (`start`), so its time is the epoch minus one (epochs 0 and 1 share it).
    public func integrate(from start: FiniteSampleState, epochs: [Double], stepper: ODEStepper = .msbdf) throws -> FiniteSampleTrajectory {
        let times = epochs.map { max($0 - 1, 0) }, distinct = Array(Set(times)).sorted()
        let options = IntegrationOptions(times: distinct, stepper: stepper,
                                         tolerance: ODETolerance(absolute: 1e-9, relative: 1e-6, initialStep: 1e-2), convergence: 0)
        let run = try integrateStates(from: self.start(start), options: options)
        let points = zip(epochs, times).map { epoch, time in
            let p = run.points[distinct.firstIndex(of: time)!]
            return FiniteSamplePoint(time: epoch, state: FiniteSampleState(Array(p.state[..<base]), n: n), loss: p.loss, speed: p.speed)
        }
        return FiniteSampleTrajectory(setting: flow.setting, data: flow.data, points: points, converged: false)
    }
}
