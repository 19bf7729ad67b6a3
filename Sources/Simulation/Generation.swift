import Foundation
import BLASKit
import FlowModel

/// The grid integrator used for generation.
public enum GenerationScheme: String, Sendable, CaseIterable {
    /// X_{j+1} = X_j + Δτ [(α̇/α) X_j + (β̇ − α̇β/α) f_j(X_j)] (SIM.16).
    case euler
    /// X_{j+1} = (α_{j+1}/α_j) X_j + (β_{j+1} − α_{j+1}β_j/α_j) f_j(X_j) (SIM.17), exact for a
    /// denoiser constant on each step and well defined at the last step (α_K = 0).
    case x1Pred = "x1-pred"
}

/// Statistics of generated samples, with standard errors over the samples (SIM.18).
public struct GenerationStatistics: Sendable {
    public var samples: Int
    /// p̂ = fraction of samples with μ·X > 0.
    public var pHat: Double, pHatSE: Double
    /// σ̂ = √(mean over samples of |X − (μ·X/d)μ|²/(d − 1)) (EF.15's estimator).
    public var sigmaHat: Double, sigmaHatSE: Double
    /// Mean magnetisation μ·X/d.
    public var magnetisation: Double, magnetisationSE: Double

    public init(samples: Int, pHat: Double, pHatSE: Double, sigmaHat: Double, sigmaHatSE: Double,
                magnetisation: Double, magnetisationSE: Double) {
        self.samples = samples; self.pHat = pHat; self.pHatSE = pHatSE; self.sigmaHat = sigmaHat
        self.sigmaHatSE = sigmaHatSE; self.magnetisation = magnetisation; self.magnetisationSE = magnetisationSE
    }
}

/// Usage:
///
///     let stats = try Generator.generate(bank: trainer.bank, grid: trainer.grid, mean: trainer.data.mean, samples: 256, seed: 1)
///     print(stats.pHat, stats.sigmaHat)
public enum Generator {
    /// Generates `samples` points from N(0, I_d) through every grid step to the data end (τ_K = 2)
    /// with the bank's networks, and measures them. Seeded by the stream "generation" of `seed`.
    public static func generate(bank: Bank<Double>, grid: TrainingGrid, mean: [Double], samples: Int,
                                scheme: GenerationScheme = .x1Pred, seed: UInt64) throws -> GenerationStatistics {
        try require("samples", Double(samples), "a whole number ≥ 2") { $0 >= 2 }
        BLAS.singleThreaded()
        let d = bank.d, N = samples, dd = Double(d), sqrtD = dd.squareRoot()
        var stream = NormalStream(seed: StreamSeed.derive(seed, .generation))
        let X = Buffer<Double>(repeating: 0, count: d * N)
        for i in 0..<(d * N) { X[i] = grid.alpha[0] * stream.gaussian() }   // X₀ = α₀ z (α₀ = 1)
        let pre = Buffer<Double>(repeating: 0, count: N), phi = Buffer<Double>(repeating: 0, count: N)
        for j in 0..<grid.steps {
            let a0 = grid.alpha[j], b0 = grid.beta[j], a1 = grid.alpha[j + 1], b1 = grid.beta[j + 1]
            let keep: Double, gain: Double
            switch scheme {
            case .x1Pred:
                keep = a1 / a0
                gain = b1 - a1 * b0 / a0
            case .euler:
                let h = grid.tau[j + 1] - grid.tau[j]
                let ad = grid.alphaDot[j], bd = grid.betaDot[j]
                keep = 1 + h * ad / a0
                gain = h * (bd - ad * b0 / a0)
            }
            // f_j(X) = c X + u φᵀ, φ = tanh(b + Xᵀw/√d); X ← keep·X + gain·f_j(X).
            Double.gemv(.transpose, m: d, n: N, alpha: 1 / sqrtD, a: X.pointer, lda: d, x: bank.w.pointer + j * d, incx: 1,
                        beta: 0, y: pre.pointer, incy: 1)
            for s in 0..<N { phi[s] = tanh(bank.b[j] + pre[s]) }
            Double.scal(d * N, keep + gain * bank.c[j], X.pointer, 1)
            Double.ger(m: d, n: N, alpha: gain, x: bank.u.pointer + j * d, incx: 1, y: phi.pointer, incy: 1, a: X.pointer, lda: d)
        }
        return measure(X, d: d, samples: N, mean: mean)
    }

    /// p̂, σ̂ and the magnetisation of N samples (columns of a d×N matrix) (SIM.18).
    public static func measure(_ X: Buffer<Double>, d: Int, samples N: Int, mean: [Double]) -> GenerationStatistics {
        let dd = Double(d)
        var positive = 0.0, y = [Double](), mags = [Double]()
        mean.withUnsafeBufferPointer { mp in
            for s in 0..<N {
                let col = X.pointer + s * d
                let proj = Double.dot(d, mp.baseAddress!, 1, col, 1)
                let norm2 = Double.dot(d, col, 1, col, 1)
                if proj > 0 { positive += 1 }
                mags.append(proj / dd)
                y.append(max(norm2 - proj * proj / dd, 0) / (dd - 1))    // |X⊥|²/(d − 1), |μ|² = d
            }
        }
        let n = Double(N)
        func meanAndSE(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / n
            let varv = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
            return (m, (varv / n).squareRoot())
        }
        let p = positive / n
        let (y2, y2se) = meanAndSE(y)
        let (mag, magse) = meanAndSE(mags)
        let sig = y2.squareRoot()
        return GenerationStatistics(samples: N, pHat: p, pHatSE: (p * (1 - p) / n).squareRoot(),
                                    sigmaHat: sig, sigmaHatSE: sig > 0 ? y2se / (2 * sig) : 0,
                                    magnetisation: mag, magnetisationSE: magse)
    }
}
