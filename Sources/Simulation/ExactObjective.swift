import Foundation
import GSLKit

/// The z-averaged objective J/n of one grid time (AT.2), exactly at finite d, with its gradient, in
/// coordinates of the (m+2)-dimensional space V = span(X₁, w₀, u₀) that contains every gradient
/// (derivations/converged-protocol.md CV.1–CV.6). Variables x = [c, b, ũ, w̃] with u = √d Σ ũ_a e_a,
/// w = √d Σ w̃_a e_a in an orthonormal basis e of V; R̃ = R/√d holds the data's coordinates.
///
///     let objective = ExactObjective(points: rt, n: 8, dimension: 10, alpha: 0.5, beta: 0.5, d: 2000,
///                                    penaltyU: 2, penaltyW: 2, moments: try TanhMoments())
///     var g = [Double](repeating: 0, count: objective.variables)
///     let jOverN = objective.evaluate(x, gradient: &g)
struct ExactObjective {
    /// R̃, dim × n column-major: column ν = coordinates of x₁^ν/√d.
    let points: [Double]
    let n: Int, dimension: Int
    let alpha: Double, beta: Double, sqrtD: Double
    let penaltyU: Double, penaltyW: Double
    let moments: TanhMoments
    /// |x₁^ν|²/d.
    let squaredNorms: [Double]

    init(points: [Double], n: Int, dimension: Int, alpha: Double, beta: Double, d: Int,
         penaltyU: Double, penaltyW: Double, moments: TanhMoments) {
        self.points = points; self.n = n; self.dimension = dimension
        self.alpha = alpha; self.beta = beta; sqrtD = Double(d).squareRoot()
        self.penaltyU = penaltyU; self.penaltyW = penaltyW; self.moments = moments
        squaredNorms = (0..<n).map { nu in (0..<dimension).reduce(0.0) { $0 + points[nu * dimension + $1] * points[nu * dimension + $1] } }
    }

    var variables: Int { 2 + 2 * dimension }

    /// The data part of J/n (the expected loss per sample and coordinate) at x.
    func dataLoss(_ x: [Double]) -> Double {
        var g = [Double](repeating: 0, count: variables)
        let total = evaluate(x, gradient: &g)
        let m = dimension
        var q = 0.0, r = 0.0
        for a in 0..<m { q += x[2 + a] * x[2 + a]; r += x[2 + m + a] * x[2 + m + a] }
        return total - (penaltyU * q + penaltyW * r) / Double(n)
    }

    /// J/n (CV.3) and its gradient (CV.5) in the variables [c, b, ũ, w̃].
    func evaluate(_ x: [Double], gradient g: inout [Double]) -> Double {
        let m = dimension, c = x[0], b = x[1]
        let a2 = alpha * alpha, e = c * beta - 1
        var q = 0.0, r = 0.0, uw = 0.0
        for a in 0..<m {
            let u = x[2 + a], w = x[2 + m + a]
            q += u * u; r += w * w; uw += u * w
        }
        let s = alpha * r.squareRoot()
        // ∂J_ν/∂Φ2 (Φ' = 1 − Φ2 enters through the Stein term of CV.2).
        let kappa2 = q - 2 * c * a2 * uw / sqrtD
        var total = 0.0, gc = 0.0, gb = 0.0, jr = 0.0, sumPhi2 = 0.0, sumPrime = 0.0
        var coefU = [Double](repeating: 0, count: n), coefW = [Double](repeating: 0, count: n)
        for nu in 0..<n {
            var p = 0.0, aw = 0.0
            let col = nu * m
            for a in 0..<m { p += points[col + a] * x[2 + a]; aw += points[col + a] * x[2 + m + a] }
            let t = moments.powers(center: b + beta * sqrtD * aw, scale: s, upTo: 4)
            let phi1 = t[1], phi2 = t[2], prime = 1 - phi2
            let dn = squaredNorms[nu]
            total += c * c * a2 + e * e * dn + q * phi2 + 2 * c * a2 * uw * prime / sqrtD + 2 * e * phi1 * p
            let kappa1 = 2 * e * p
            // Stein (CV.4): ∂Φ1/∂a = 1 − Φ2, ∂Φ2/∂a = 2(Φ1 − Φ3), ∂Φ1/∂r = −α²(Φ1 − Φ3), ∂Φ2/∂r = α²(1 − 4Φ2 + 3Φ4).
            let ja = kappa1 * (1 - phi2) + kappa2 * 2 * (phi1 - t[3])
            jr += kappa1 * (-a2 * (phi1 - t[3])) + kappa2 * a2 * (1 - 4 * phi2 + 3 * t[4])
            gc += 2 * c * a2 + 2 * beta * e * dn + 2 * a2 * uw * prime / sqrtD + 2 * beta * phi1 * p
            gb += ja
            sumPhi2 += phi2; sumPrime += prime
            coefU[nu] = 2 * e * phi1
            coefW[nu] = ja * beta * sqrtD
        }
        total += penaltyU * q + penaltyW * r
        let inv = 1 / Double(n)
        g[0] = gc * inv; g[1] = gb * inv
        for a in 0..<m {
            let u = x[2 + a], w = x[2 + m + a]
            var ru = 0.0, rw = 0.0
            for nu in 0..<n { ru += points[nu * m + a] * coefU[nu]; rw += points[nu * m + a] * coefW[nu] }
            g[2 + a] = (2 * u * (sumPhi2 + penaltyU) + 2 * c * a2 * w * sumPrime / sqrtD + ru) * inv
            g[2 + m + a] = (2 * c * a2 * u * sumPrime / sqrtD + rw + 2 * w * (jr + penaltyW)) * inv
        }
        return total * inv
    }
}
