import Foundation
import FlowModel
import GSLKit

/// The fixed training set x₁^ν = s^ν μ + σ η^ν (ν = 1…n, |μ|² = d) as the finite-n equations see
/// it (TD.30): the signs and the data constants
///
///   M_ν = μ·η^ν/d,   G_νν' = η^ν·η^ν'/d,   X_ν = |x₁^ν|²/d = 1 + 2σ s^ν M_ν + σ² G_νν.
///
/// At d = ∞ (n fixed) they are M = 0, G = I, X = 1 + σ² (`idealised`).
///
///     let (data, start) = try FiniteSampleData.sample(n: 16, p: 0.8, sigma: 1, dimension: 1000, seed: 1)   // a drawn set and theory init
public struct FiniteSampleData: Sendable {
    public let signs: [Double]
    public let sigma: Double
    /// M_ν.
    public let meanOverlaps: [Double]
    /// G, n×n row-major; nil means the identity (the d = ∞ values).
    public let gram: [Double]?

    public init(signs: [Double], sigma: Double, meanOverlaps: [Double], gram: [Double]?) throws {
        let n = signs.count
        guard n >= 1 else { throw InputError("n must be ≥ 1; got \(n)") }
        guard signs.allSatisfy({ $0 == 1 || $0 == -1 }) else { throw InputError("signs must be ±1") }
        try require("sigma", sigma, "> 0") { $0 > 0 }
        guard meanOverlaps.count == n, meanOverlaps.allSatisfy(\.isFinite) else {
            throw InputError("need \(n) finite overlaps μ·η^ν/d; got \(meanOverlaps.count)")
        }
        if let gram {
            guard gram.count == n * n, gram.allSatisfy(\.isFinite) else { throw InputError("the Gram matrix must be \(n)×\(n) and finite") }
            for i in 0..<n { guard gram[i * n + i] > 0 else { throw InputError("the Gram matrix needs a positive diagonal") } }
        }
        self.signs = signs
        self.sigma = sigma
        self.meanOverlaps = meanOverlaps
        self.gram = gram
    }

    /// The d = ∞ data constants (M = 0, G = I, X = 1 + σ²) for the given signs.
    public static func idealised(signs: [Double], sigma: Double) throws -> FiniteSampleData {
        try FiniteSampleData(signs: signs, sigma: sigma, meanOverlaps: [Double](repeating: 0, count: signs.count), gram: nil)
    }

    /// The typical signs: the first n₊ = round(p·n) points in the + mode (clamped to 1…n − 1 for n ≥ 2).
    public static func typicalSigns(n: Int, p: Double) -> [Double] {
        var plus = Int((p * Double(n)).rounded())
        if n >= 2 { plus = min(max(plus, 1), n - 1) }
        return (0..<n).map { $0 < plus ? 1 : -1 }
    }

    /// The data constants of actual vectors: μ (|μ|² = d is assumed, as in AT.4) and the noise
    /// vectors η^ν, each of length d.
    public init(signs: [Double], sigma: Double, mean: [Double], noise: [[Double]]) throws {
        let d = mean.count, n = noise.count
        guard noise.allSatisfy({ $0.count == d }), n == signs.count else { throw InputError("noise vectors must match μ and the signs") }
        let dd = Double(d)
        let overlaps = noise.map { dot($0, mean) / dd }
        var g = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let x = dot(noise[i], noise[j]) / dd; g[i * n + j] = x; g[j * n + i] = x } }
        try self.init(signs: signs, sigma: sigma, meanOverlaps: overlaps, gram: g)
    }

    public var n: Int { signs.count }
    public var plusCount: Int { signs.filter { $0 > 0 }.count }
    public var isIdealised: Bool { gram == nil && meanOverlaps.allSatisfy { $0 == 0 } }

    /// G_νν' (δ_νν' when idealised).
    public func gram(_ i: Int, _ j: Int) -> Double { gram.map { $0[i * n + j] } ?? (i == j ? 1 : 0) }

    /// X_ν = |x₁^ν|²/d = 1 + 2σ s^ν M_ν + σ² G_νν (|μ|²/d = 1).
    public func squaredNorm(_ nu: Int) -> Double {
        1 + 2 * sigma * signs[nu] * meanOverlaps[nu] + sigma * sigma * gram(nu, nu)
    }

    /// (G y)_ν.
    func gramTimes(_ y: [Double]) -> [Double] {
        guard let gram else { return y }
        let n = self.n
        return (0..<n).map { i in
            var s = 0.0
            for j in 0..<n { s += gram[i * n + j] * y[j] }
            return s
        }
    }

    /// A training set at finite d and a random initialisation, drawn from `seed`: μ = (1, …, 1),
    /// s^ν = +1 with probability p, η^ν, u, w with iid N(0, 1) entries, c = b = 0 (theory init,
    /// TD.19). Coordinates are drawn one at a time, so memory is O(n²), not O(nd); the returned
    /// start has the exact overlaps m, ω, ρ_ν, π_ν of the drawn vectors (TD.38).
    public static func sample(n: Int, p: Double, sigma: Double, dimension d: Int, seed: UInt64) throws
        -> (data: FiniteSampleData, start: FiniteSampleState) {
        guard n >= 1, d >= 1 else { throw InputError("n and d must be ≥ 1; got n = \(n), d = \(d)") }
        let random = try RandomStream(seed: seed)
        let signs: [Double] = (0..<n).map { _ in random.uniform() < p ? 1 : -1 }
        var g = [Double](repeating: 0, count: n * n), mo = [Double](repeating: 0, count: n)
        var rho = mo, pi = mo, eta = mo
        var m = 0.0, q = 0.0, om = 0.0, r = 0.0, uw = 0.0
        for _ in 0..<d {
            for nu in 0..<n { eta[nu] = random.gaussian() }
            let u = random.gaussian(), w = random.gaussian()
            m += u; q += u * u; om += w; r += w * w; uw += u * w
            for i in 0..<n {
                mo[i] += eta[i]; rho[i] += u * eta[i]; pi[i] += w * eta[i]
                for j in i..<n { g[i * n + j] += eta[i] * eta[j] }
            }
        }
        let dd = Double(d)
        for i in 0..<n { for j in i..<n { g[i * n + j] /= dd; g[j * n + i] = g[i * n + j] } }
        let data = try FiniteSampleData(signs: signs, sigma: sigma, meanOverlaps: mo.map { $0 / dd }, gram: g)
        let order = OrderParameters(c: 0, b: 0, m: m / dd, q: q / dd, omega: om / dd, r: r / dd, uw: uw / dd)
        return (data, FiniteSampleState(order: order, rho: rho.map { $0 / dd }, pi: pi.map { $0 / dd }))
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}
