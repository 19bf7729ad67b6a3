import Foundation
import BLASKit
import FlowModel

/// How the bank is initialised.
public enum Initialisation: String, Sendable, CaseIterable {
    /// The authors': c, b, and every entry of u, w iid N(0, 1).
    case paper
    /// The ODE theory's: c = b = 0, u, w with iid N(0, 1) entries (q = r = 1, m, ω = O(d^-1/2)).
    case theory
}

/// The paper's bank of K networks, one per grid time (SIM.2):
/// f_j(x) = c_j x + u_j tanh(b_j + w_j·x/√d). u and w are d×K column-major (column j = time j).
public final class Bank<T: BLASScalar>: @unchecked Sendable {
    public let d: Int
    public let steps: Int
    public let c: Buffer<Double>
    public let b: Buffer<Double>
    public let u: Buffer<T>
    public let w: Buffer<T>

    public init(d: Int, steps: Int) {
        self.d = d
        self.steps = steps
        c = Buffer(repeating: 0, count: steps)
        b = Buffer(repeating: 0, count: steps)
        u = Buffer(repeating: 0, count: d * steps)
        w = Buffer(repeating: 0, count: d * steps)
    }

    /// A seeded initialisation (stream "initialisation" of `seed`).
    public convenience init(d: Int, steps: Int, initialisation: Initialisation, seed: UInt64) {
        self.init(d: d, steps: steps)
        var stream = NormalStream(seed: StreamSeed.derive(seed, .initialisation))
        for j in 0..<steps {
            c[j] = initialisation == .paper ? stream.gaussian() : 0
            b[j] = initialisation == .paper ? stream.gaussian() : 0
        }
        for i in 0..<(d * steps) { u[i] = T(stream.gaussian()) }
        for i in 0..<(d * steps) { w[i] = T(stream.gaussian()) }
    }

    /// The exact denoiser's parameters at finite d (AT.8): c = βσ²/v, u = (α²/v)μ, w = (β√d/v)μ,
    /// b = h, v = α² + β²σ².
    public convenience init(exactFor problem: Problem, mean: [Double], grid: TrainingGrid) {
        self.init(d: problem.d, steps: grid.steps)
        let s2 = problem.sigma * problem.sigma, sd = problem.sqrtD
        for j in 0..<steps {
            let a = grid.alpha[j], be = grid.beta[j], v = a * a + be * be * s2
            c[j] = be * s2 / v
            b[j] = problem.logOdds
            for i in 0..<d {
                u[j * d + i] = T(a * a / v * mean[i])
                w[j * d + i] = T(be * sd / v * mean[i])
            }
        }
    }

    /// Conditions the start on m·ω ≥ 0 (TD.20): negates w_j wherever (u_j·μ)(w_j·μ) < 0. With the
    /// sign convention m ≥ 0 (SIM.3) this leaves every time with ω ≥ 0.
    public func alignStarts(mean: [Double]) {
        for j in 0..<steps where projection(u, j, mean) * projection(w, j, mean) < 0 {
            let wp = w.pointer + j * d
            for i in 0..<d { wp[i] = -wp[i] }
        }
    }

    /// Plants a macroscopic start (TD.20): shifts u_j and w_j along μ, at every time j, so that
    /// u_j·μ/d = m and w_j·μ/d = ω (exact up to rounding in precision T). The rest of the
    /// initialisation is unchanged; q, r, uw move accordingly.
    public func plant(_ overlap: PlantedOverlap, mean: [Double]) {
        let squaredNorm = mean.reduce(0) { $0 + $1 * $1 }, dd = Double(d)
        for j in 0..<steps {
            for (vector, target) in [(u, overlap.m), (w, overlap.omega)] {
                let shift = (target * dd - projection(vector, j, mean)) / squaredNorm
                let p = vector.pointer + j * d
                for i in 0..<d { p[i] = T(Double(p[i]) + shift * mean[i]) }
            }
        }
    }

    /// v_j·μ for column j of u or w.
    private func projection(_ v: Buffer<T>, _ j: Int, _ mean: [Double]) -> Double {
        let p = v.pointer + j * d
        var sum = 0.0
        for i in 0..<d { sum += Double(p[i]) * mean[i] }
        return sum
    }

    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func copy() -> Bank<T> {
        let other = Bank<T>(d: d, steps: steps)
        other.c.copy(from: c); other.b.copy(from: b); other.u.copy(from: u); other.w.copy(from: w)
        return other
    }

    /// The same bank in Double precision.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func inDouble() -> Bank<Double> {
        let other = Bank<Double>(d: d, steps: steps)
        other.c.copy(from: c); other.b.copy(from: b)
        for i in 0..<(d * steps) { other.u[i] = Double(u[i]); other.w[i] = Double(w[i]) }
        return other
    }

    /// The order parameters of time j (AT.4) with the sign symmetry (u, w, b) → (−u, −w, −b)
    /// resolved by m ≥ 0 (SIM.3).
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func orderParameters(at j: Int, mean: [Double]) -> OrderParameters {
        let dd = Double(d)
        var um = 0.0, wm = 0.0, uu = 0.0, ww = 0.0, uw = 0.0
        let up = u.pointer + j * d, wp = w.pointer + j * d
        for i in 0..<d {
            let ui = Double(up[i]), wi = Double(wp[i])
            um += ui * mean[i]; wm += wi * mean[i]; uu += ui * ui; ww += wi * wi; uw += ui * wi
        }
        let flip: Double = um < 0 ? -1 : 1
        return OrderParameters(c: c[j], b: flip * b[j], m: flip * um / dd, omega: flip * wm / dd,
                               q: uu / dd, r: ww / dd, uw: uw / dd)
    }
}
