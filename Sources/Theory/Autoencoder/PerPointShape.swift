import Foundation
import GSLKit

/// The minimum of FD.13a (derivations/finite-d-corrections.md §3g): FD.7's F with w's per-point coefficient a free
/// function z_s(g) of the point's μ-noise, on quadrature nodes per class, with no cross overlaps (Δ = 0). `slope` is the
/// weighted least-squares slope of z on g, `nonLinear` the part of r that a class intercept and that slope leave.
///
///     let shape = try objective.perPointShape(nodes: [rule.nodes, rule.nodes], weights: [rule.weights, rule.weights],
///                                             start: (bias: fd7.b, omega: fd7.omega, pi: (fd7.piPlus, fd7.piMinus), slope: fd7.pointSlope))
public struct PerPointShape: Sendable {
    public var bias = 0.0, omega = 0.0, r = 0.0, slope = 0.0, nonLinear = 0.0, objective = 0.0
    /// u's order parameters at the minimum: FD.7d on the node sums, then FD.12's −k w.
    public var m = 0.0, q = 0.0, uw = 0.0
    /// z_s at the nodes of each class (+, −).
    public var coefficients = [[Double]]()
}

extension PhaseOneObjective {
    /// FD.13a per sample at x = [b, ω, z₊(nodes), z₋(nodes)], and its gradient (Stein derivatives CV.4 of the node moments).
    func shapeFunctional(_ x: [Double], nodes: [[Double]], weights: [[Double]], gradient: inout [Double]) -> Double {
        let pr = problem, sigma = pr.sigma, n = pr.n, rootD = perPointRootD ?? 1, a2 = alpha * alpha, sh = shrink
        let counts = [pr.nPlus, pr.nMinus], signs = [1.0, -1.0], fractions = [pr.plusFraction, 1 - pr.plusFraction]
        let b = x[0], omega = x[1]
        var offsets = [2], r = omega * omega
        offsets.append(2 + nodes[0].count)
        for s in 0..<2 { for k in nodes[s].indices { r += counts[s] * weights[s][k] * x[offsets[s] + k] * x[offsets[s] + k] } }
        let scale = alpha * r.squareRoot()
        // Node moments and the sums P = P1', Q = Q1, R = R2, Z = Σ n_s E(Φ1 z), with their derivatives in r.
        var t = [[[Double]]]()
        var p = 0.0, q = 0.0, rr = 0.0, z = 0.0, pr_ = 0.0, qr = 0.0, rrr = 0.0, zr = 0.0
        for s in 0..<2 {
            var ts = [[Double]]()
            for k in nodes[s].indices {
                let g = nodes[s][k], zk = x[offsets[s] + k]
                let a = b + signs[s] * signal * omega + beta * sigma * omega * g + signal * sigma * zk
                let m = moments.powers(center: a, scale: scale, upTo: 4)
                ts.append(m)
                let w = fractions[s] * weights[s][k], v = counts[s] * weights[s][k], tv = signs[s] + sigma * g / rootD
                let d1r = -a2 * (m[1] - m[3]), d2r = a2 * (1 - 4 * m[2] + 3 * m[4])
                p += w * tv * m[1]; q += w * m[1] * m[1]; rr += w * m[2]; z += v * m[1] * zk
                pr_ += w * tv * d1r; qr += w * 2 * m[1] * d1r; rrr += w * d2r; zr += v * zk * d1r
            }
            t.append(ts)
        }
        let A = pr.penaltyU + n * rr, u = sh * (omega * n * p + sigma * z) / A
        let stein = 2 * c * a2 / rootD, e = 1 - rr
        let coupling = c * c * a2 * a2 * n / (rootD * rootD)   // FD.12: k²A r/n = coupling (1 − R)² r/A
        let value = -sh * sh * (n * p * p + sigma * sigma * q) / A + stein * u * e + pr.penaltyW * r / n - coupling * e * e * r / A
        // ∂F/∂(P, Q, R, Z) and the explicit parts in ω and r.
        let fP = -sh * sh * 2 * n * p / A + stein * e * sh * omega * n / A
        let fQ = -sh * sh * sigma * sigma / A
        let fR = sh * sh * (n * p * p + sigma * sigma * q) * n / (A * A) + stein * (-u * n * e / A - u)
            + coupling * r * (2 * e / A + e * e * n / (A * A))
        let fZ = stein * e * sh * sigma / A
        let fOmega = stein * e * sh * n * p / A
        let fr = pr.penaltyW / n - coupling * e * e / A
        let gR = fr + fP * pr_ + fQ * qr + fR * rrr + fZ * zr
        gradient = [Double](repeating: 0, count: x.count)
        gradient[1] = fOmega + gR * 2 * omega
        for s in 0..<2 {
            for k in nodes[s].indices {
                let m = t[s][k], g = nodes[s][k], zk = x[offsets[s] + k]
                let w = fractions[s] * weights[s][k], v = counts[s] * weights[s][k], tv = signs[s] + sigma * g / rootD
                let ga = fP * w * tv * (1 - m[2]) + fQ * w * 2 * m[1] * (1 - m[2]) + fR * w * 2 * (m[1] - m[3]) + fZ * v * zk * (1 - m[2])
                gradient[0] += ga
                gradient[1] += ga * (signs[s] * signal + beta * sigma * g)
                gradient[offsets[s] + k] = ga * signal * sigma + gR * 2 * v * zk + fZ * v * m[1]
            }
        }
        return value
    }

    /// FD.13a minimised by BFGS from FD.7's linear coefficients (b, ω, π_s + κg).
    public func perPointShape(nodes: [[Double]], weights: [[Double]],
                              start: (bias: Double, omega: Double, pi: (Double, Double), slope: Double)) throws -> PerPointShape {
        precondition(nodes.count == 2 && weights.count == 2 && isPerPoint, "two classes of nodes, per-point problem")
        var x = [start.bias, start.omega]
        x += nodes[0].map { start.pi.0 + start.slope * $0 }
        x += nodes[1].map { start.pi.1 + start.slope * $0 }
        let f: ([Double], inout [Double]) throws -> Double = { y, g in self.shapeFunctional(y, nodes: nodes, weights: weights, gradient: &g) }
        var result = try GradientMinimizer.bfgs(start: x, gradientTolerance: 1e-10, maxIterations: 20_000, f)
        let polished = try GradientMinimizer.bfgs(start: result.point, gradientTolerance: 1e-11, maxIterations: 20_000, f)
        if polished.value < result.value { result = polished }
        let y = result.point
        var out = PerPointShape(bias: y[0], omega: y[1], objective: result.value)
        let counts = [problem.nPlus, problem.nMinus]
        out.coefficients = [Array(y[2..<(2 + nodes[0].count)]), Array(y[(2 + nodes[0].count)...])]
        var sxy = 0.0, sxx = 0.0, means = [(Double, Double)]()
        out.r = y[1] * y[1]
        for s in 0..<2 {
            let zs = out.coefficients[s]
            let gm = zip(weights[s], nodes[s]).reduce(0) { $0 + $1.0 * $1.1 }, zm = zip(weights[s], zs).reduce(0) { $0 + $1.0 * $1.1 }
            means.append((gm, zm))
            for k in nodes[s].indices {
                out.r += counts[s] * weights[s][k] * zs[k] * zs[k]
                sxy += counts[s] * weights[s][k] * (nodes[s][k] - gm) * (zs[k] - zm)
                sxx += counts[s] * weights[s][k] * (nodes[s][k] - gm) * (nodes[s][k] - gm)
            }
        }
        out.slope = sxy / sxx
        (out.m, out.q, out.uw) = shapeOrderParameters(y, nodes: nodes, weights: weights)
        for s in 0..<2 {
            for k in nodes[s].indices {
                let e = out.coefficients[s][k] - means[s].1 - out.slope * (nodes[s][k] - means[s].0)
                out.nonLinear += counts[s] * weights[s][k] * e * e
            }
        }
        return out
    }

    /// m, q, u·w/d at x = [b, ω, z₊, z₋] of FD.13a: FD.7d with the node sums (m₀ = (1 − cβ)nP1'/A, q₀ = m₀² + (1 − cβ)²σ²nQ1/A²,
    /// uw₀ = (1 − cβ)(ωnP1' + σZ)/A), then FD.12 (m₀ − kω, q₀ − 2k uw₀ + k²r, uw₀ − kr).
    func shapeOrderParameters(_ x: [Double], nodes: [[Double]], weights: [[Double]]) -> (m: Double, q: Double, uw: Double) {
        let pr = problem, sigma = pr.sigma, n = pr.n, rootD = perPointRootD ?? 1, sh = shrink
        let counts = [pr.nPlus, pr.nMinus], signs = [1.0, -1.0], fractions = [pr.plusFraction, 1 - pr.plusFraction]
        let omega = x[1]
        var offsets = [2], r = omega * omega
        offsets.append(2 + nodes[0].count)
        for s in 0..<2 { for k in nodes[s].indices { r += counts[s] * weights[s][k] * x[offsets[s] + k] * x[offsets[s] + k] } }
        var p = 0.0, q = 0.0, rr = 0.0, z = 0.0
        for s in 0..<2 {
            for k in nodes[s].indices {
                let g = nodes[s][k], zk = x[offsets[s] + k]
                let a = x[0] + signs[s] * signal * omega + beta * sigma * omega * g + signal * sigma * zk
                let m = moments.powers(center: a, scale: alpha * r.squareRoot(), upTo: 2)
                let w = fractions[s] * weights[s][k]
                p += w * (signs[s] + sigma * g / rootD) * m[1]; q += w * m[1] * m[1]; rr += w * m[2]; z += counts[s] * weights[s][k] * m[1] * zk
            }
        }
        let A = pr.penaltyU + n * rr, m0 = sh * n * p / A, uw0 = sh * (omega * n * p + sigma * z) / A
        let k = steinCoupled ? steinCoupling(r2: rr, a: A) : 0
        return (m0 - k * omega, m0 * m0 + sh * sh * sigma * sigma * n * q / (A * A) - 2 * k * uw0 + k * k * r, uw0 - k * r)
    }
}

extension AutoencoderTheory {
    /// FD.14 on a phase-2 FD.8 row (learned branch, minimiser of J): X = X_FD.8 + (X_FD.13a − X_FD.7(Δ = 0)) for X = r, ω, b,
    /// m, q, uw, both on orthonormal noise at the row's c, FD.13a on 24 Gauss–Hermite nodes per class shifted by ḡ_s = ε_s√d/σ
    /// (FD.10). Other rows unchanged.
    func withPerPointShape(_ row: LearnedParameters, at tau: Double) throws -> LearnedParameters {
        guard perPointShape, row.solution == .learned, adamLearningRate == nil else { return row }
        var objective = phaseOneObjective(at: tau, skipWeight: row.c, response: 1)
        guard objective.crossResponse, let rootD = objective.perPointRootD else { return row }
        objective.orthonormalNoise = true
        guard let ansatz = try PhaseOneSolver.branch(objective, start: (row.halfGap, row.bEff), slope: row.pointSlope) else { return row }
        let rule = Self.shapeRule, shift = [classMeanOffsets.plus, classMeanOffsets.minus].map { $0 * rootD / problem.sigma }
        let shape = try objective.perPointShape(nodes: shift.map { g in rule.nodes.map { $0 + g } }, weights: [rule.weights, rule.weights],
                                                start: (ansatz.b, ansatz.omega, (ansatz.piPlus, ansatz.piMinus), ansatz.pointSlope))
        var out = row
        out.r += shape.r - ansatz.r
        out.omega += shape.omega - ansatz.omega
        out.b += shape.bias - ansatz.b
        out.m += shape.m - ansatz.m
        out.q += shape.q - ansatz.q
        out.uw += shape.uw - ansatz.uw
        return out
    }

    static let shapeRule = try! GaussHermite(order: 24)
}
