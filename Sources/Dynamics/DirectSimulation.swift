import Foundation
import GSLKit
import FlowModel

/// A minimal direct online-SGD simulation of one grid time's network, for checking the ODEs at
/// finite d (TD §7). μ is the all-ones vector. One step draws (s, η, z), forms x = αz + β(sμ + ση),
/// and applies the update of (TD.3): η for u and w, η/d for c and b.
public final class DirectSimulation {
    public let setting: TrainingSetting
    public let d: Int
    private var u: [Double], w: [Double]
    private var c = 0.0, b = 0.0
    private var x: [Double], x1: [Double]
    private let random: RandomStream

    /// Theory init (TD.19): c = b = 0, u and w with iid N(0, 1) entries. With `alignedStart`, w is
    /// negated when u·μ and w·μ have opposite signs, i.e. the init is conditioned on m·ω ≥ 0 (TD.20).
    /// With `planted` = (m₀, ω₀), the mean of u and of w is shifted so that u·μ/d = m₀ and
    /// w·μ/d = ω₀ exactly (a macroscopic start, TD.20).
    public init(setting: TrainingSetting, seed: UInt64, alignedStart: Bool = false, planted: (Double, Double)? = nil) throws {
        guard let dd = setting.dimension else { throw GSLError(routine: "DirectSimulation", status: 4, reason: "needs a finite d") }
        let bytes = 32 * dd, available = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes < 0.8 * available else {
            throw InputError(String(format: "a direct simulation at d = %.0f needs %.1f GiB; this machine has %.1f GiB",
                                    dd, bytes / 1_073_741_824, available / 1_073_741_824))
        }
        self.setting = setting
        d = Int(dd)
        random = try RandomStream(seed: seed)
        u = [Double](repeating: 0, count: d)
        w = u; x = u; x1 = u
        u.withUnsafeMutableBufferPointer { random.fillGaussian($0) }
        w.withUnsafeMutableBufferPointer { random.fillGaussian($0) }
        if alignedStart, u.reduce(0, +) * w.reduce(0, +) < 0 { w = w.map { -$0 } }
        if let (m0, w0) = planted {
            let du = m0 - u.reduce(0, +) / Double(d), dw = w0 - w.reduce(0, +) / Double(d)
            u = u.map { $0 + du }
            w = w.map { $0 + dw }
        }
    }

    /// The order parameters of the current network (no sign fixing).
    public var orderParameters: OrderParameters {
        var m = 0.0, q = 0.0, om = 0.0, r = 0.0, uw = 0.0
        for i in 0..<d {
            m += u[i]; q += u[i] * u[i]; om += w[i]; r += w[i] * w[i]; uw += u[i] * w[i]
        }
        let n = Double(d)
        return OrderParameters(c: c, b: b, m: m / n, q: q / n, omega: om / n, r: r / n, uw: uw / n)
    }

    /// Runs on to each training time (rounded to whole steps, time = steps/d) and returns the order
    /// parameters there, all on the branch where the first has m ≥ 0 (TD.9), so that an ODE started
    /// from the first state follows the same network.
    public func orderParameters(at times: [Double]) -> [OrderParameters] {
        var states: [OrderParameters] = [], step = 0
        for time in times {
            let target = Int((time * Double(d)).rounded())
            run(steps: target - step)
            step = target
            states.append(orderParameters)
        }
        return states.first.map { $0.m < 0 } == true ? states.map(\.mirrored) : states
    }

    /// Runs `steps` online-SGD steps.
    public func run(steps: Int) {
        let st = setting
        let n = Double(d), sqrtD = n.squareRoot()
        let eta = st.learningRate
        let (alpha, beta, sigma) = (st.alpha, st.beta, st.sigma)
        let lu = st.penaltyU, lw = st.penaltyW
        u.withUnsafeMutableBufferPointer { u in
        w.withUnsafeMutableBufferPointer { w in
        x.withUnsafeMutableBufferPointer { x in
        x1.withUnsafeMutableBufferPointer { x1 in
            for _ in 0..<steps {
                let s: Double = random.uniform() < st.p ? 1 : -1
                var pre = 0.0
                for i in 0..<d {
                    let xi1 = s + sigma * random.gaussian()
                    let xi = alpha * random.gaussian() + beta * xi1
                    x1[i] = xi1; x[i] = xi
                    pre += w[i] * xi
                }
                let phi = tanh(b + pre / sqrtD)
                let dphi = 1 - phi * phi
                // residual ρ_i = c x_i + u_i φ − x1_i; A = u·ρ/d; gradient of c: (2/d) ρ·x.
                var ux = 0.0, rx = 0.0
                for i in 0..<d {
                    let res = c * x[i] + u[i] * phi - x1[i]
                    ux += u[i] * res
                    rx += res * x[i]
                    x1[i] = res  // keep the residual
                }
                let A = ux / n
                let gc = 2 * rx / n, gb = 2 * A * dphi
                let gw = 2 * A * dphi / sqrtD
                for i in 0..<d {
                    let gu = (2 / n) * (x1[i] * phi + lu * u[i])
                    let gwi = gw * x[i] + 2 * lw * w[i] / n
                    u[i] -= eta * gu
                    w[i] -= eta * gwi
                }
                c -= eta / n * gc
                b -= eta / n * gb
            }
        }}}}
    }
}
