import FlowModel
import Foundation
import GSLKit

/// The state of the finite-n equations (TD.30): the seven order parameters and the per-point
/// overlaps ρ_ν = u·η^ν/d, π_ν = w·η^ν/d (AT.4). As a vector: the order parameters in column order
/// (`OrderParameters.values`: c, b, m, ω, q, r, uw), then ρ₁…ρ_n, π₁…π_n.
public struct FiniteSampleState: Sendable, Equatable {
    public var order: OrderParameters
    public var rho: [Double]
    public var pi: [Double]

    public init(order: OrderParameters, rho: [Double], pi: [Double]) {
        precondition(rho.count == pi.count, "ρ and π need one entry per training point")
        self.order = order; self.rho = rho; self.pi = pi
    }

    /// From the flat vector of a system with n training points.
    public init(_ y: [Double], n: Int) {
        let rhoAt = OrderParameter.count, piAt = OrderParameter.count + n
        self.init(order: OrderParameters(values: y[..<rhoAt]), rho: Array(y[rhoAt..<piAt]), pi: Array(y[piAt..<(piAt + n)]))
    }

    public var n: Int { rho.count }
    public var vector: [Double] { order.values + rho + pi }

    /// The same network under (u, w, b) → (−u, −w, −b) (TD.9): ρ and π change sign too.
    public var mirrored: FiniteSampleState {
        FiniteSampleState(order: order.mirrored, rho: rho.map { -$0 }, pi: pi.map { -$0 })
    }

    /// The representative with m ≥ 0 (TD.9).
    public var signFixed: FiniteSampleState { order.m >= 0 ? self : mirrored }

    /// A class-symmetric state, ρ_ν = ρ_{s^ν}, π_ν = π_{s^ν} (the invariant subspace of TD.39).
    public static func classSymmetric(order: OrderParameters, signs: [Double], rho: (plus: Double, minus: Double),
                                      pi: (plus: Double, minus: Double)) -> FiniteSampleState {
        FiniteSampleState(order: order, rho: signs.map { $0 > 0 ? rho.plus : rho.minus },
                          pi: signs.map { $0 > 0 ? pi.plus : pi.minus })
    }

    /// The overlaps of actual vectors (AT.4): μ, the noise vectors η^ν, u and w, all of length d.
    public init(c: Double, b: Double, u: [Double], w: [Double], mean: [Double], noise: [[Double]]) {
        let d = Double(mean.count)
        let order = OrderParameters(c: c, b: b, m: dot(u, mean) / d, q: dot(u, u) / d, omega: dot(w, mean) / d,
                                    r: dot(w, w) / d, uw: dot(u, w) / d)
        self.init(order: order, rho: noise.map { dot(u, $0) / d }, pi: noise.map { dot(w, $0) / d })
    }

    /// A d = ∞ start standing in for a random initialisation (TD.38): c = b = uw = 0, q = r = 1,
    /// m = ω = `overlap`, ρ_ν iid N(0, overlap²) and π_ν iid N(0, piScale²) (default: overlap) from
    /// `seed`, so not class-symmetric.
    public static func randomStart(n: Int, overlap: Double, piScale: Double? = nil, seed: UInt64) throws -> FiniteSampleState {
        let random = try RandomStream(seed: seed)
        let rho = (0..<n).map { _ in overlap * random.gaussian() }
        let pi = (0..<n).map { _ in (piScale ?? overlap) * random.gaussian() }
        return FiniteSampleState(order: .theoryInit(m: overlap, omega: overlap), rho: rho, pi: pi)
    }
}
