import Foundation
import BLASKit
import FlowModel
import GSLKit

/// Two-class logistic regression P(label 1 | y) = σ(w·y + b), fitted by Newton's method (IRLS) on
/// the ridge-penalised log-likelihood, −Σ log-lik + (ridge/2)‖w‖² (RD.22); the Hessian is formed
/// with BLAS and solved by GSL's Cholesky.
///
/// ```swift
/// let clf = try LogisticClassifier(fitting: y, labels: labels, dimension: 64)
/// let accuracy = clf.accuracy(yTest, labels: testLabels)
/// ```
public struct LogisticClassifier: Sendable {
    public let dimension: Int
    public let weights: [Double]
    public let bias: Double
    public let ridge: Double
    public let iterations: Int

    public init(fitting y: [Double], labels: [Int], dimension d: Int, ridge: Double = 1, maxIterations: Int = 100) throws {
        try require("ridge", ridge, "> 0") { $0 > 0 }
        let n = labels.count
        precondition(y.count == n * d)
        guard Set(labels) == [0, 1] else { throw InputError("logistic regression needs labels 0 and 1 both present") }
        BLAS.singleThreaded()
        let q = d + 1
        var augmented = [Double](repeating: 1, count: n * q)        // rows (y, 1), column-major q × n
        for i in 0..<n { for j in 0..<d { augmented[i * q + j] = y[i * d + j] } }
        var theta = [Double](repeating: 0, count: q)
        var iterations = 0
        for iteration in 1...maxIterations {
            iterations = iteration
            var eta = [Double](repeating: 0, count: n)
            Double.gemv(.transpose, m: q, n: n, alpha: 1, a: augmented, lda: q, x: theta, incx: 1, beta: 0, y: &eta, incy: 1)
            var residual = [Double](repeating: 0, count: n), weighted = augmented
            for i in 0..<n {
                let p = 1 / (1 + exp(-eta[i]))
                residual[i] = p - Double(labels[i])
                let s = (p * (1 - p)).squareRoot()
                for j in 0..<q { weighted[i * q + j] *= s }
            }
            var gradient = [Double](repeating: 0, count: q)
            Double.gemv(.none, m: q, n: n, alpha: 1, a: augmented, lda: q, x: residual, incx: 1, beta: 0, y: &gradient, incy: 1)
            var hessian = [Double](repeating: 0, count: q * q)
            Double.gemm(.none, .transpose, m: q, n: q, k: n, alpha: 1, a: weighted, lda: q, b: weighted, ldb: q, beta: 0, c: &hessian, ldc: q)
            for j in 0..<d { gradient[j] += ridge * theta[j]; hessian[j * q + j] += ridge }
            hessian[d * q + d] += 1e-10 * Double(n)
            let step = try choleskySolve(hessian, order: q, gradient)
            for j in 0..<q { theta[j] -= step[j] }
            if step.map(abs).max()! < 1e-10 * max(1, theta.map(abs).max()!) { break }
        }
        dimension = d; weights = Array(theta[0..<d]); bias = theta[d]; self.ridge = ridge; self.iterations = iterations
    }

    /// P(label 1 | y) for `count` rows.
    public func probability(_ y: [Double], count n: Int) -> [Double] {
        var eta = [Double](repeating: bias, count: n)
        Double.gemv(.transpose, m: dimension, n: n, alpha: 1, a: y, lda: dimension, x: weights, incx: 1, beta: 1, y: &eta, incy: 1)
        return eta.map { 1 / (1 + exp(-$0)) }
    }

    /// Labels 0/1 (probability above ½ ⇒ 1).
    public func classify(_ y: [Double], count n: Int) -> [Int] { probability(y, count: n).map { $0 > 0.5 ? 1 : 0 } }

    /// The fraction of rows classified as their label.
    public func accuracy(_ y: [Double], labels: [Int]) -> Double {
        let predicted = classify(y, count: labels.count)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}
