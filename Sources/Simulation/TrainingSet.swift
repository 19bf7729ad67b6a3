import Foundation
import BLASKit
import FlowModel

/// The n fixed training points x₁^ν = s^ν μ + σ η^ν (columns of a d×n matrix), the mean μ, and an
/// orthonormal basis Q of their span with X₁ = Q R (R upper triangular), computed once (SIM.4).
///
///     let data = try TrainingSet(problem: try Problem(dimension: .finite(500), p: 0.8, sigma: 1), n: 128, seed: 1)
///     data.positiveFraction   // n₊/n
public final class TrainingSet: @unchecked Sendable {
    public let problem: Problem
    public let n: Int
    public var d: Int { problem.d }
    /// μ (d), |μ|² = d.
    public let mean: [Double]
    /// s^ν ∈ {−1, +1}.
    public let signs: [Double]
    /// X₁, d×n column-major.
    public let points: Buffer<Double>
    /// Q, d×n column-major, orthonormal columns.
    public let basis: Buffer<Double>
    /// R, n×n column-major, upper triangular, X₁ = Q R.
    public let triangle: [Double]
    /// |x₁^ν|².
    public let squaredNorms: [Double]

    public init(problem: Problem, n: Int, seed: UInt64) throws {
        try require("n", Double(n), "a whole number ≥ 1") { $0 >= 1 }
        let d = problem.d
        guard d >= n + 4 else { throw InputError("d must be ≥ n + 4 for the simulation; got d = \(d), n = \(n)") }
        BLAS.singleThreaded()
        self.problem = problem
        self.n = n
        switch problem.mean {
        case .allOnes:
            mean = [Double](repeating: 1, count: d)
        case let .random(seed: meanSeed):
            var stream = NormalStream(seed: StreamSeed.derive(meanSeed, .mean))
            var v = (0..<d).map { _ in stream.gaussian() }
            let scale = Double(d).squareRoot() / v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] *= scale }
            mean = v
        }
        var stream = NormalStream(seed: StreamSeed.derive(seed, .data))
        let x = Buffer<Double>(repeating: 0, count: d * n)
        var s = [Double]()
        for nu in 0..<n {
            let sign: Double = stream.uniform() < problem.p ? 1 : -1
            s.append(sign)
            for i in 0..<d { x[nu * d + i] = sign * mean[i] + problem.sigma * stream.gaussian() }
        }
        signs = s
        points = x
        // Classical Gram–Schmidt with one re-orthogonalisation (CGS2), BLAS level 2.
        let q = Buffer<Double>(repeating: 0, count: d * n)
        var r = [Double](repeating: 0, count: n * n)
        var h = [Double](repeating: 0, count: n)
        var norms = [Double]()
        for nu in 0..<n {
            let col = q.pointer + nu * d
            col.update(from: x.pointer + nu * d, count: d)
            norms.append(Double.dot(d, col, 1, col, 1))
            for _ in 0..<2 where nu > 0 {
                h.withUnsafeMutableBufferPointer { hp in
                    Double.gemv(.transpose, m: d, n: nu, alpha: 1, a: q.pointer, lda: d, x: col, incx: 1, beta: 0, y: hp.baseAddress!, incy: 1)
                    Double.gemv(.none, m: d, n: nu, alpha: -1, a: q.pointer, lda: d, x: hp.baseAddress!, incx: 1, beta: 1, y: col, incy: 1)
                }
                for i in 0..<nu { r[nu * n + i] += h[i] }
            }
            let norm = Double.dot(d, col, 1, col, 1).squareRoot()
            guard norm > 1e-8 * norms[nu].squareRoot() else { throw InputError("training points are linearly dependent (n = \(n), d = \(d))") }
            r[nu * n + nu] = norm
            Double.scal(d, 1 / norm, col, 1)
        }
        basis = q
        triangle = r
        squaredNorms = norms
    }

    /// The fraction of training points in the + mode.
    public var positiveFraction: Double { Double(signs.filter { $0 > 0 }.count) / Double(n) }

    /// Per class s = ±1, the mean over its points of x₁^ν·μ/d − s, i.e. σ ḡ_s/√d with g_ν = μ·η^ν/√d
    /// (derivations/finite-d-corrections.md FD.10); 0 for a class without points.
    public var classMeanOffsets: (plus: Double, minus: Double) {
        var sum = (plus: 0.0, minus: 0.0), count = (plus: 0, minus: 0)
        for nu in 0..<n {
            var t = 0.0
            for i in 0..<d { t += points[nu * d + i] * mean[i] }
            let excess = t / Double(d) - signs[nu]
            if signs[nu] > 0 { sum.plus += excess; count.plus += 1 } else { sum.minus += excess; count.minus += 1 }
        }
        return (count.plus > 0 ? sum.plus / Double(count.plus) : 0, count.minus > 0 ? sum.minus / Double(count.minus) : 0)
    }
}
