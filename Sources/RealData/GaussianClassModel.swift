import Foundation
import BLASKit
import FlowModel
import GSLKit

/// One class of the Gaussian model: mean m, covariance Σ = U diag(λ) Uᵀ + s² (I − U Uᵀ) (RD.15).
public struct GaussianClass: Sendable {
    public let mean: [Double]
    /// Column-major dimension × rank; orthonormal columns.
    public let directions: [Double]
    public let variances: [Double]
    public let isotropicVariance: Double
}

/// A class-conditional Gaussian fitted to data — per-class mean, low-rank-plus-isotropic covariance,
/// class priors — and its exact denoiser E[x₁ | x_t] under a schedule (RD.15–RD.19): a Gaussian
/// mixture's posterior mean, computed in each class's eigenbasis (the Woodbury form), so one call
/// costs O(count · classes · dimension · rank).
///
/// ```swift
/// let model = try GaussianClassModel(fitting: y, labels: labels, classCount: 2, dimension: 64,
///                                    rank: 32, schedule: LinearSchedule())
/// let r = try model.classPosterior(xt, count: n, t: 0.3)     // n × 2
/// ```
public struct GaussianClassModel: Denoiser, Sendable {
    public let dimension: Int
    public let rank: Int
    public let classes: [GaussianClass]
    public let priors: [Double]
    public let schedule: any Schedule

    public init(classes: [GaussianClass], priors: [Double], schedule: any Schedule) {
        precondition(!classes.isEmpty && classes.count == priors.count)
        self.classes = classes; self.priors = priors; self.schedule = schedule
        dimension = classes[0].mean.count; rank = classes[0].variances.count
    }

    /// Fits each class's mean, its covariance's top `rank` eigenpairs (n − 1 divisor) and the mean
    /// of the remaining eigenvalues as the isotropic part; priors are the class frequencies (RD.15).
    public init(fitting x: [Double], labels: [Int], classCount: Int, dimension d: Int, rank: Int,
                schedule: any Schedule) throws {
        guard rank >= 0, rank <= d else { throw InputError("rank must be in 0…\(d); got \(rank)") }
        precondition(x.count == labels.count * d)
        BLAS.singleThreaded()
        var fitted: [GaussianClass] = [], priors: [Double] = []
        for c in 0..<classCount {
            let rows = labels.indices.filter { labels[$0] == c }
            guard rows.count >= 2 else { throw InputError("class \(c) has \(rows.count) training images; need at least 2") }
            var mean = [Double](repeating: 0, count: d)
            for i in rows { for j in 0..<d { mean[j] += x[i * d + j] } }
            for j in 0..<d { mean[j] /= Double(rows.count) }
            var centred = [Double](repeating: 0, count: rows.count * d)
            for (r, i) in rows.enumerated() { for j in 0..<d { centred[r * d + j] = x[i * d + j] - mean[j] } }
            var cov = [Double](repeating: 0, count: d * d)
            Double.gemm(.none, .transpose, m: d, n: d, k: rows.count, alpha: 1 / Double(rows.count - 1),
                        a: centred, lda: d, b: centred, ldb: d, beta: 0, c: &cov, ldc: d)
            let eigen = try SymmetricEigen(matrix: cov, order: d)
            let values = eigen.values.map { max($0, 0) }
            let total = values.reduce(0, +)
            // Floor: a class with fewer images than dimensions has exact zero eigenvalues; the
            // isotropic part keeps Σ invertible at the data end (α = 0).
            let floor = 1e-6 * total / Double(d)
            let rest = rank < d ? values[rank...].reduce(0, +) / Double(d - rank) : 0
            fitted.append(GaussianClass(mean: mean, directions: Array(eigen.vectors[0..<(d * rank)]),
                                        variances: values.prefix(rank).map { max($0, floor) },
                                        isotropicVariance: max(rest, floor)))
            priors.append(Double(rows.count) / Double(labels.count))
        }
        self.init(classes: fitted, priors: priors, schedule: schedule)
    }

    public func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double] {
        try posteriorAndPrediction(x, count: count, t: t).prediction
    }

    /// r_c(x_t) = P(class c | x_t), `count` × classes row-major (RD.17).
    public func classPosterior(_ x: [Double], count: Int, t: Double) throws -> [Double] {
        try posteriorAndPrediction(x, count: count, t: t, predict: false).posterior
    }

    /// The class posterior (RD.17) and the mixture's E[x₁ | x_t] = Σ_c r_c E[x₁ | x_t, c] (RD.18–RD.19).
    public func posteriorAndPrediction(_ x: [Double], count n: Int, t: Double, predict: Bool = true) throws
        -> (posterior: [Double], prediction: [Double]) {
        let d = dimension, r = rank, k = classes.count
        guard n > 0, x.count == n * d else { throw InputError("denoiser: \(x.count) values are not \(n) rows of dimension \(d)") }
        let v = schedule.values(at: t)
        let a2 = v.alpha * v.alpha, b = v.beta, b2 = b * b
        var logWeight = [Double](repeating: 0, count: n * k)
        var conditional = predict ? [Double](repeating: 0, count: k * n * d) : []
        var e = [Double](repeating: 0, count: n * d), q = [Double](repeating: 0, count: max(n * r, 1))
        for (c, cls) in classes.enumerated() {
            for i in 0..<n { for j in 0..<d { e[i * d + j] = x[i * d + j] - b * cls.mean[j] } }
            if r > 0 {  // q = Uᵀ e per row (column-major r × n)
                Double.gemm(.transpose, .none, m: r, n: n, k: d, alpha: 1, a: cls.directions, lda: d, b: e, ldb: d,
                            beta: 0, c: &q, ldc: r)
            }
            let isoVar = b2 * cls.isotropicVariance + a2          // RD.16
            let lowVar = cls.variances.map { b2 * $0 + a2 }
            var logDet = Double(d - r) * log(isoVar)
            for w in lowVar { logDet += log(w) }
            for i in 0..<n {
                var ee = 0.0, qq = 0.0, quad = 0.0
                for j in 0..<d { ee += e[i * d + j] * e[i * d + j] }
                for m in 0..<r { let z = q[i * r + m]; qq += z * z; quad += z * z / lowVar[m] }
                quad += max(ee - qq, 0) / isoVar
                logWeight[i * k + c] = log(priors[c]) - 0.5 * (quad + logDet)
            }
            guard predict else { continue }
            // E[x₁ | x_t, c] = m + g_iso e + U diag(g_m − g_iso) q, g = β λ/(β²λ + α²)  (RD.18)
            let gIso = b * cls.isotropicVariance / isoVar
            for i in 0..<n { for m in 0..<r { q[i * r + m] *= b * cls.variances[m] / lowVar[m] - gIso } }
            conditional.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress! + c * n * d
                for i in 0..<n { for j in 0..<d { base[i * d + j] = cls.mean[j] + gIso * e[i * d + j] } }
                if r > 0 {
                    Double.gemm(.none, .none, m: d, n: n, k: r, alpha: 1, a: cls.directions, lda: d, b: q, ldb: r,
                                beta: 1, c: base, ldc: d)
                }
            }
        }
        var posterior = logWeight
        for i in 0..<n {  // softmax per row (RD.17)
            var top = -Double.infinity
            for c in 0..<k { top = max(top, logWeight[i * k + c]) }
            var sum = 0.0
            for c in 0..<k { let w = exp(logWeight[i * k + c] - top); posterior[i * k + c] = w; sum += w }
            for c in 0..<k { posterior[i * k + c] /= sum }
        }
        guard predict else { return (posterior, []) }
        var prediction = [Double](repeating: 0, count: n * d)
        for c in 0..<k {
            for i in 0..<n {
                let w = posterior[i * k + c]
                for j in 0..<d { prediction[i * d + j] += w * conditional[c * n * d + i * d + j] }
            }
        }
        return (posterior, prediction)
    }

    /// `count` draws of x₁ from class c: m + U diag(√λ) ξ + s (η − U Uᵀ η) (RD.15).
    public func sample(classIndex c: Int, count n: Int, stream: RandomStream) -> [Double] {
        let cls = classes[c], d = dimension, r = rank
        var out = [Double](repeating: 0, count: n * d)
        let s = cls.isotropicVariance.squareRoot()
        for i in 0..<n {
            var eta = (0..<d).map { _ in stream.gaussian() }
            for m in 0..<r {
                var proj = 0.0
                for j in 0..<d { proj += cls.directions[m * d + j] * eta[j] }
                let xi = stream.gaussian() * cls.variances[m].squareRoot()
                for j in 0..<d { eta[j] -= cls.directions[m * d + j] * proj }  // η − U Uᵀ η
                for j in 0..<d { out[i * d + j] += cls.directions[m * d + j] * xi }
            }
            for j in 0..<d { out[i * d + j] += cls.mean[j] + s * eta[j] }
        }
        return out
    }
}
