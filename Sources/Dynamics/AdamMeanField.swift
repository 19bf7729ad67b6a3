import FlowModel
import Foundation
import GSLKit

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

    /// The state after Adam's first step is taken from x: v = (1 − β₂) × the mean square gradient,
    /// so v̂ is exactly that mean square (the one step itself, O(lr), is not moved).
    public func start(_ x: FiniteSampleState) -> [Double] {
        let m = gradientMoments(x, moments: flow.pointMoments(x, upTo: 6), partials: flow.lossGradient(x).partials)
        let total = m.mean + m.noise
        return x.vector + [total.c, total.b, total.u, total.w].map { log((1 - Self.beta2) * $0) } + [1]
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
        func dissipation(_ rates: ParameterGroups) -> Double {
            -zip(e, flow.velocity(x, partials: e, rates: rates)).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let mean = ParameterGroups(c: e[.c] * e[.c], b: e[.b] * e[.b],
                                   u: dissipation(ParameterGroups(c: 0, b: 0, u: 1, w: 0)) / (d * d),
                                   w: dissipation(ParameterGroups(c: 0, b: 0, u: 0, w: 1)) / (d * d))
        let st = flow.setting, o = x.order, (alpha, beta) = (st.alpha, st.beta)
        let a2 = alpha * alpha, shrink = 1 - o.c * beta
        let qk = o.q - 2 * o.c * a2 * o.uw * st.invSqrtD       // q − K of TD.32
        var vc = 0.0, vb = 0.0, vu = 0.0, vw = 0.0
        for (nu, t) in moments.enumerated() {
            let xn = flow.data.squaredNorm(nu)
            let overlap = flow.data.signs[nu] * o.m + flow.data.sigma * x.rho[nu]   // u·x₁^ν/d
            // ε_ν = u·e_ν/d = (q − K)φ − (1 − cβ)u·x₁^ν/d; ε φ' with φ' = 1 − φ².
            let bias = shrink * overlap
            let slope = qk * (t[1] - t[3]) - bias * (1 - t[2])
            let slope2 = qk * qk * (t[2] - 2 * t[4] + t[6]) - 2 * qk * bias * (t[1] - 2 * t[3] + t[5])
                + bias * bias * (1 - 2 * t[2] + t[4])
            let varPhi = t[2] - t[1] * t[1]
            vb += slope2 - slope * slope + o.c * o.c * a2 * o.q * (1 - 2 * t[2] + t[4]) / d
            vw += a2 * slope2 + beta * beta * xn * (slope2 - slope * slope)
            vu += o.c * o.c * a2 * t[2] + shrink * shrink * xn * varPhi - 2 * shrink * overlap * (t[3] - t[1] * t[2])
                + o.q * (t[4] - t[2] * t[2])
            vc += beta * beta * overlap * overlap * varPhi
                + (2 * o.c * o.c * a2 * a2 + a2 * (1 - 2 * o.c * beta) * (1 - 2 * o.c * beta) * xn + a2 * o.q * t[2]) / d
        }
        let nn = Double(n), per = 4 / (nn * nn)            // Var of (2/n) Σ_ν (…): 4/n² Σ_ν Var
        let noise = ParameterGroups(c: per * vc, b: per * vb, u: per * vu / (d * d), w: per * vw / d)
        return (mean, noise)
    }

    /// d(state)/d(step) (AD.6, AD.7).
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
    /// ODE runs from step 1 (`start`), so its time is the epoch minus one.
    public func integrate(from start: FiniteSampleState, epochs: [Double], stepper: ODEStepper = .msbdf) throws -> FiniteSampleTrajectory {
        let options = IntegrationOptions(times: epochs.map { max($0 - 1, 0) }, stepper: stepper,
                                         tolerance: ODETolerance(absolute: 1e-9, relative: 1e-6, initialStep: 1e-2), convergence: 0)
        let run = try integrateStates(from: self.start(start), options: options)
        let points = zip(epochs, run.points).map { epoch, p in
            FiniteSamplePoint(time: epoch, state: FiniteSampleState(Array(p.state[..<base]), n: n), loss: p.loss, speed: p.speed)
        }
        return FiniteSampleTrajectory(setting: flow.setting, data: flow.data, points: points, converged: false)
    }
}
