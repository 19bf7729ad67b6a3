import XCTest
import GSLKit
@testable import FlowMatching

final class DensityTests: XCTestCase {
    static let densities: [any TrainingDensity] = [
        UniformDensity(), LogitNormalDensity.sd3, LogitNormalDensity.edm, LaplaceLogSNRDensity.standard,
        try! IntervalAdaptiveDensity(lo: 0.05, hi: 0.2, fraction: 0.5),
        try! IntervalAdaptiveDensity(lo: 0, hi: 0.1, fraction: 0.7),
    ]

    /// ∫₀¹ pdf = 1 and ∫₀^t pdf = cdf(t), by composite Gauss–Legendre with panels split at the
    /// adaptive density's jumps (exact for piecewise constants; the logit-normal's error at 400
    /// panels of order 8 is below 1e-12).
    func testDensitiesIntegrateToOneAndMatchTheirCdf() throws {
        for density in Self.densities {
            var knots = [0.0, 1.0]
            if let a = density as? IntervalAdaptiveDensity { knots = [0, a.lo, a.hi, 1].filter { $0 >= 0 }; knots = Array(Set(knots)).sorted() }
            for upper in [0.03, 0.15, 0.5, 1.0] {
                var total = 0.0
                for (a, b) in zip(knots, knots.dropFirst()) where a < upper {
                    let q = try CompositeGaussLegendre(from: a, to: min(b, upper), panelWidth: 0.0025)
                    total += zip(q.nodes, q.weights).reduce(0) { $0 + $1.1 * density.pdf($1.0) }
                }
                XCTAssertEqual(total, density.cdf(upper), accuracy: 1e-9, "\(density.name) up to \(upper)")
            }
            XCTAssertEqual(density.cdf(1), 1)
            for u in [0.001, 0.2, 0.5, 0.9, 0.999] {
                XCTAssertEqual(density.cdf(density.quantile(u)), u, accuracy: 1e-12, "\(density.name) quantile(\(u))")
            }
        }
    }

    func testAdaptiveDensityPutsRequestedMassOnInterval() throws {
        for (lo, hi, f) in [(0.05, 0.2, 0.5), (0.0, 0.1, 0.7), (0.3, 1.0, 0.25)] {
            let a = try IntervalAdaptiveDensity(lo: lo, hi: hi, fraction: f)
            XCTAssertEqual(a.cdf(hi) - a.cdf(lo), f, accuracy: 1e-14)
        }
        XCTAssertThrowsError(try IntervalAdaptiveDensity(lo: 0.2, hi: 0.1))
        XCTAssertThrowsError(try IntervalAdaptiveDensity(lo: 0, hi: 1))
        XCTAssertThrowsError(try IntervalAdaptiveDensity(lo: 0.1, hi: 0.2, fraction: 1))
    }

    func testDensityNamesRoundTrip() throws {
        for name in TrainingDensityName.allCases {
            let density = try name.density(interval: (0.1, 0.3))
            XCTAssertEqual(density.name, name.rawValue)
        }
        XCTAssertThrowsError(try TrainingDensityName.adaptive.density(interval: nil))
        XCTAssertThrowsError(try TrainingDensityName(parsing: "cosine"))
    }

    /// The Laplace schedule: λ = 2 log(t/(1 − t)) of the drawn t has P(λ ≤ x) = the Laplace(0, 0.5)
    /// cdf, ½e^{x/b} below 0 and 1 − ½e^{−x/b} above (TS.25).
    func testLaplaceDensityIsLaplaceInLogSNR() {
        let laplace = LaplaceLogSNRDensity.standard
        for x in [-2.0, -0.3, 0.0, 0.4, 1.7] {
            let t = 1 / (1 + exp(-x / 2))
            let expected = x < 0 ? 0.5 * exp(x / 0.5) : 1 - 0.5 * exp(-x / 0.5)
            XCTAssertEqual(laplace.cdf(t), expected, accuracy: 1e-12, "λ = \(x)")
        }
        XCTAssertThrowsError(try LaplaceLogSNRDensity(scale: 0))
    }

    /// EDM's noise levels: σ = (1 − t)/t of the drawn t has ln σ ~ N(−1.2, 1.2²) (TS.5).
    func testEDMDensityIsLogNormalNoiseLevel() {
        let edm = LogitNormalDensity.edm
        for lnSigma in [-3.0, -1.2, 0.0, 1.5] {
            let t = 1 / (1 + exp(lnSigma))
            // P(ln σ ≤ s) = P(t ≥ 1/(1 + e^s)).
            XCTAssertEqual(1 - edm.cdf(t), StandardNormal.cdf((lnSigma + 1.2) / 1.2), accuracy: 1e-12)
        }
    }

    /// Binned χ² of 20 000 draws in 20 bins with edges at the quantiles k/20, the expected counts
    /// being the pdf's integral over each bin (Gauss–Legendre): under a correct sampler χ² ~ χ²₁₉,
    /// whose 99.9 % point is 43.8 (gsl_cdf_chisq_Qinv); a sampler off by a few per cent of mass in
    /// any bin exceeds it.
    func testSamplerDrawsMatchTheDensity() throws {
        let n = 20_000, bins = 20
        let threshold = chiSquaredQuantile(upperTail: 0.001, dof: Double(bins - 1))
        for density in Self.densities {
            let edges = (0...bins).map { k in k == 0 ? 0 : k == bins ? 1 : density.quantile(Double(k) / Double(bins)) }
            var mass = [Double]()
            for (a, b) in zip(edges, edges.dropFirst()) {
                let q = try CompositeGaussLegendre(from: a, to: b, panelWidth: (b - a) / 50)
                mass.append(zip(q.nodes, q.weights).reduce(0) { $0 + $1.1 * density.pdf($1.0) })
            }
            let stream = try RandomStream(seed: 42)
            var counts = [Int](repeating: 0, count: bins)
            for _ in 0..<n {
                let t = density.sample(stream)
                let k = edges.lastIndex(where: { $0 <= t }) ?? 0
                counts[min(k, bins - 1)] += 1
            }
            let chi2 = zip(counts, mass).reduce(0) { $0 + pow(Double($1.0) - Double(n) * $1.1, 2) / (Double(n) * $1.1) }
            XCTAssertLessThan(chi2, threshold, "\(density.name)")
        }
    }
}
