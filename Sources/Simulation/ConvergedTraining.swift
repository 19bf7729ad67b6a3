import Foundation
import BLASKit
import GSLKit
import FlowModel

/// Where the converged protocol stopped at one grid time: the gradient norm of J/n in the variables
/// [c, b, ũ, w̃] (CV.6), the number of BFGS iterations, whether the norm fell below the tolerance,
/// and J/n there.
public struct StoppingState: Sendable, Equatable {
    public var gradientNorm: Double
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    public init(gradientNorm: Double, iterations: Int, converged: Bool, objective: Double) {
        self.gradientNorm = gradientNorm; self.iterations = iterations; self.converged = converged; self.objective = objective
    }
}

/// The converged protocol at one grid time (derivations/converged-protocol.md): the exact z-averaged
/// J of (AT.2) at finite d, minimised by BFGS (`GradientMinimizer.bfgs`, GSL vector_bfgs2) from the
/// bank's current parameters, in the coordinates of V = span(X₁, w, u) (CV.1), stopping when the
/// gradient norm of J/n is below `tolerance` (CV.6). The minimiser is written back into the bank.
///
///     let state = try ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: 0.5, beta: 0.5,
///                                                penaltyU: 2, penaltyW: 2, moments: try TanhMoments())
enum ConvergedTraining {
    /// CV.6: |∇(J/n)| below this (J/n = O(1); the floor set by double precision is ~1e-8).
    static let tolerance = 1e-7
    static let maxIterations = 20_000
    /// CV.7: the restart's tolerance, below the floor (~1e-8), so that it ends where the line search stalls.
    static let restartTolerance = 1e-10

    /// The reduced problem of grid time j at the bank's current parameters (CV.1): the exact
    /// objective, the start [c, b, ũ, w̃] and the extra basis vectors (e_w, e_u) of V beyond Q_X.
    static func reduce<T: BLASScalar>(bank: Bank<T>, time j: Int, data: TrainingSet, alpha: Double, beta: Double,
                                      penaltyU: Double, penaltyW: Double, moments: TanhMoments)
        -> (objective: ExactObjective, start: [Double], extra: [[Double]]) {
        let d = data.d, n = data.n, sqrtD = Double(d).squareRoot()
        let q = data.basis.pointer
        let w = (0..<d).map { Double(bank.w[j * d + $0]) }, u = (0..<d).map { Double(bank.u[j * d + $0]) }
        // CV.1: orthonormal extra directions e_w, e_u (Gram–Schmidt against Q_X, twice).
        var extra = [[Double]]()
        var coordinates = [[Double]]()   // per vector (w, u): coefficients on Q_X then on the extras
        for v in [w, u] {
            var residual = v
            var y = [Double](repeating: 0, count: n)
            var z = [Double](repeating: 0, count: extra.count)
            for _ in 0..<2 {
                var h = [Double](repeating: 0, count: n)
                residual.withUnsafeMutableBufferPointer { rp in
                    h.withUnsafeMutableBufferPointer { hp in
                        Double.gemv(.transpose, m: d, n: n, alpha: 1, a: q, lda: d, x: rp.baseAddress!, incx: 1, beta: 0, y: hp.baseAddress!, incy: 1)
                        Double.gemv(.none, m: d, n: n, alpha: -1, a: q, lda: d, x: hp.baseAddress!, incx: 1, beta: 1, y: rp.baseAddress!, incy: 1)
                    }
                }
                for i in 0..<n { y[i] += h[i] }
                for (k, e) in extra.enumerated() {
                    let dot = zip(e, residual).reduce(0.0) { $0 + $1.0 * $1.1 }
                    z[k] += dot
                    for i in 0..<d { residual[i] -= dot * e[i] }
                }
            }
            let norm2 = residual.reduce(0.0) { $0 + $1 * $1 }, total2 = v.reduce(0.0) { $0 + $1 * $1 }
            if norm2 > 1e-20 * max(total2, 1e-300) {
                let norm = norm2.squareRoot()
                extra.append(residual.map { $0 / norm })
                z.append(norm)
            }
            coordinates.append(y + z)
        }
        let m = n + extra.count
        func padded(_ c: [Double]) -> [Double] { c + [Double](repeating: 0, count: m - c.count) }
        let wc = padded(coordinates[0]), uc = padded(coordinates[1])
        var points = [Double](repeating: 0, count: m * n)
        for nu in 0..<n { for i in 0...nu { points[nu * m + i] = data.triangle[nu * n + i] / sqrtD } }
        let objective = ExactObjective(points: points, n: n, dimension: m, alpha: alpha, beta: beta, d: d,
                                       penaltyU: penaltyU, penaltyW: penaltyW, moments: moments)
        let start = [bank.c[j], bank.b[j]] + uc.map { $0 / sqrtD } + wc.map { $0 / sqrtD }
        return (objective, start, extra)
    }

    static func minimise<T: BLASScalar>(bank: Bank<T>, time j: Int, data: TrainingSet, alpha: Double, beta: Double,
                                        penaltyU: Double, penaltyW: Double, moments: TanhMoments,
                                        tolerance: Double = tolerance, maxIterations: Int = maxIterations, restart: Bool = true) throws
        -> (state: StoppingState, dataLoss: Double) {
        let d = data.d, n = data.n, sqrtD = Double(d).squareRoot(), q = data.basis.pointer
        let (objective, start, extra) = reduce(bank: bank, time: j, data: data, alpha: alpha, beta: beta,
                                               penaltyU: penaltyU, penaltyW: penaltyW, moments: moments)
        let m = objective.dimension
        func descend(_ from: [Double], _ tolerance: Double) throws -> MinimizationResult {
            try GradientMinimizer.bfgs(start: from, gradientTolerance: tolerance, maxIterations: maxIterations) { x, g in
                let value = objective.evaluate(x, gradient: &g)
                guard value.isFinite else { throw InputError("the converged protocol's objective is not finite at grid time \(j)") }
                return value
            }
        }
        var result = try descend(start, tolerance), iterations = result.iterations
        // CV.7: one restart from the CV.6 stop, with a fresh inverse-Hessian estimate, run to the double-precision
        // floor; kept where it lowers J/n, and followed by CV.6 again if it ended above the tolerance.
        if restart {
            let restarted = try descend(result.point, restartTolerance)
            iterations += restarted.iterations
            if restarted.value < result.value {
                result = restarted
                if result.convergenceMeasure >= tolerance {
                    result = try descend(result.point, tolerance)
                    iterations += result.iterations
                }
            }
        }
        let x = result.point
        bank.c[j] = x[0]; bank.b[j] = x[1]
        for (offset, target) in [(2, bank.u), (2 + m, bank.w)] {
            var v = [Double](repeating: 0, count: d)
            let coefficients = (0..<n).map { x[offset + $0] * sqrtD }
            coefficients.withUnsafeBufferPointer { cp in
                v.withUnsafeMutableBufferPointer { vp in
                    Double.gemv(.none, m: d, n: n, alpha: 1, a: q, lda: d, x: cp.baseAddress!, incx: 1, beta: 0, y: vp.baseAddress!, incy: 1)
                }
            }
            for (k, e) in extra.enumerated() {
                let a = x[offset + n + k] * sqrtD
                for i in 0..<d { v[i] += a * e[i] }
            }
            for i in 0..<d { target[j * d + i] = T(v[i]) }
        }
        let state = StoppingState(gradientNorm: result.convergenceMeasure, iterations: iterations,
                                  converged: result.convergenceMeasure < tolerance, objective: result.value)
        return (state, objective.dataLoss(x))
    }
}
