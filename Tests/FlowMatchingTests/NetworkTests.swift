import XCTest
import GSLKit
@testable import FlowMatching

final class NetworkTests: XCTestCase {
    /// Small synthetic data: two Gaussian blobs in d dimensions (rows, row-major).
    static func blobs(count: Int, dimension: Int, seed: UInt64) throws -> [Double] {
        let s = try RandomStream(seed: seed)
        var x = [Double]()
        for r in 0..<count {
            let sign: Double = r % 5 == 0 ? -1 : 1
            for i in 0..<dimension { x.append((i == 0 ? 2 * sign : 0) + 0.5 * s.gaussian()) }
        }
        return x
    }

    /// The backprop gradient (TS.11) against central finite differences of the loss (TS.13) on
    /// every parameter block. The network computes in Float (relative rounding 6e-8), so with step
    /// h the difference quotient carries a rounding error ~ 6e-8·L/h ≈ 1e-5 at h = 5e-3 and a
    /// truncation error ~ h²·L‴/6 ≈ 1e-5; the tolerance 2 % + 2e-4 is far above both and far
    /// below the O(1) relative error of a wrong transpose, sign or SiLU′.
    func testGradientMatchesFiniteDifferences() throws {
        let d = 5, batch = 7
        let model = try FlowMatchingModel(dataMean: [0.1, -0.2, 0, 0.3, 0], dataVariance: 0.8, hidden: 9,
                                          embedding: TimeEmbedding(pairs: 2), seed: 11)
        let s = try RandomStream(seed: 5)
        let x1 = (0..<(d * batch)).map { _ in s.gaussian() }
        let z = (0..<(d * batch)).map { _ in s.gaussian() }
        let times = (0..<batch).map { _ in 0.02 + 0.96 * s.uniform() }
        var gradient = [Float](repeating: 0, count: model.network.parameterCount)
        _ = withUnsafeMutablePointer(to: &gradient) { model.loss(data: x1, noise: z, times: times, gradient: $0) }
        let net = model.network
        let probes = [net.w1, net.w1 + 17, net.b1 + 3, net.w2 + 40, net.b2, net.w3 + 12, net.w3 + 44, net.b3 + 4]
        let h: Float = 5e-3
        for p in probes {
            let saved = net.parameters[p]
            net.parameters[p] = saved + h
            let up = model.loss(data: x1, noise: z, times: times)
            net.parameters[p] = saved - h
            let down = model.loss(data: x1, noise: z, times: times)
            net.parameters[p] = saved
            let numeric = (up - down) / (2 * Double(h))
            XCTAssertEqual(Double(gradient[p]), numeric, accuracy: 0.02 * abs(numeric) + 2e-4, "parameter \(p)")
            XCTAssertGreaterThan(abs(numeric), 1e-3, "probe \(p) has a gradient large enough to test")
        }
    }

    func testLossDecreasesAndSeedReproducesBitForBit() throws {
        let data = try Self.blobs(count: 200, dimension: 6, seed: 2)
        var settings = TrainingSettings(hidden: 32, batch: 32, learningRate: 2e-3, seed: 7)
        settings.tMin = 1e-4
        func run() throws -> FlowMatchingTrainer {
            let trainer = try FlowMatchingTrainer(data: data, count: 200, settings: settings)
            try trainer.train(steps: 1000, density: UniformDensity())
            return trainer
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.model.network.parameters, b.model.network.parameters)
        XCTAssertEqual(a.losses, b.losses)
        // Mean batch loss over the first 20 and the last 200 steps; each is an average of noisy batch
        // losses, so compare the drop with their standard errors.
        let first = meanAndStandardError(Array(a.losses.prefix(20))), last = meanAndStandardError(Array(a.losses.suffix(200)))
        XCTAssertLessThan(last.mean + 3 * (first.standardError + last.standardError), first.mean,
                          "loss \(first.mean) ± \(first.standardError) → \(last.mean) ± \(last.standardError)")
        // A different seed gives different parameters.
        settings.seed = 8
        let c = try run()
        XCTAssertNotEqual(a.model.network.parameters, c.model.network.parameters)
    }
}

final class PreconditioningTests: XCTestCase {
    /// TS.7–TS.8: for Gaussian data x₁ ~ N(μ, σ_d² I), the regression target of F,
    /// (x₁ − μ − c_skip (x_t − tμ))/c_out, is exactly N(0, 1) at every t, so the loss of F ≡ 0 has
    /// mean 1 and standard error √(2/(B d)). A wrong c_skip or c_out (e.g. σ_d instead of σ_d²)
    /// moves it by far more than 4 SE.
    func testGaussianTargetHasUnitVariance() throws {
        let d = 4, batch = 20_000, variance = 2.5
        let mean = [0.3, -1.0, 0.0, 2.0]
        let model = try FlowMatchingModel(dataMean: mean, dataVariance: variance, hidden: 4, seed: 1)
        let net = model.network
        for i in net.w3..<net.parameters.count { net.parameters[i] = 0 }   // F ≡ 0
        let s = try RandomStream(seed: 9)
        for tRange in [(0.001, 0.2), (0.2, 0.8), (0.8, 0.999)] {
            let times = (0..<batch).map { _ in tRange.0 + (tRange.1 - tRange.0) * s.uniform() }
            let x1 = (0..<(d * batch)).map { mean[$0 % d] + variance.squareRoot() * s.gaussian() }
            let z = (0..<(d * batch)).map { _ in s.gaussian() }
            let loss = model.loss(data: x1, noise: z, times: times)
            XCTAssertEqual(loss, 1, accuracy: 4 * (2 / Double(batch * d)).squareRoot(), "t in \(tRange)")
        }
    }
}
