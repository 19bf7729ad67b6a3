import Foundation
import XCTest
import BLASKit
import FlowModel
import Optimisers
@testable import Simulation

/// The batched fast path (two GEMMs per block of grid times, SIM.12) and the fused optimiser
/// updates that form ∂S/∂u, ∂S/∂w from the block's parts (SIM.8) against per-time references:
/// blocks of one grid time (same draws: every time has its own stream) with the whole gradient
/// written out, and Adam (SIM.13) / gradient descent (SIM.14) spelled out literally here.
final class BatchedPathTests: XCTestCase {
    private let d = 60, n = 6, steps = 6

    private func relativeGap(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    /// A block of several grid times that does not start at time 0 gives, time by time, the loss
    /// and gradient of blocks of one time each (to 1e-12 relative: only the GEMM summation order differs).
    func testBatchedBlockEqualsPerTimeBlocks() throws {
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        let data = try TrainingSet(problem: problem, n: n, seed: 4)
        let grid = try TrainingGrid(problem: problem, k: 2, steps: steps)
        let bank = Bank<Double>(d: d, steps: steps, initialisation: .paper, seed: 4)
        let times = 2..<steps
        let batchedContext = try GradientContext<Double>(data: data, grid: grid, seed: 9)
        let batched = Bank<Double>(d: d, steps: steps), batchedLoss = Buffer<Double>(repeating: 0, count: steps)
        FastBlock(context: batchedContext, times: times).evaluate(bank: bank, gradient: batched, loss: batchedLoss)
        let singleContext = try GradientContext<Double>(data: data, grid: grid, seed: 9)
        let single = Bank<Double>(d: d, steps: steps), singleLoss = Buffer<Double>(repeating: 0, count: steps)
        for j in times { FastBlock(context: singleContext, times: j..<(j + 1)).evaluate(bank: bank, gradient: single, loss: singleLoss) }
        for j in times {
            let column = (j * d)..<((j + 1) * d)
            XCTAssertLessThan(relativeGap([batchedLoss[j], batched.c[j], batched.b[j]], [singleLoss[j], single.c[j], single.b[j]]), 1e-12, "time \(j): S, ∂c, ∂b")
            XCTAssertLessThan(relativeGap(Array(batched.u.array[column]), Array(single.u.array[column])), 1e-12, "time \(j): ∂u")
            XCTAssertLessThan(relativeGap(Array(batched.w.array[column]), Array(single.w.array[column])), 1e-12, "time \(j): ∂w")
            XCTAssertGreaterThan(batched.u.array[column].map(abs).max()!, 0)
        }
        for j in 0..<times.lowerBound { XCTAssertEqual(batched.u.array[(j * d)..<((j + 1) * d)].map(abs).max(), 0, "time \(j) is outside the block") }
    }

    /// The trainer's fused Adam and gd steps equal the textbook updates applied to the whole
    /// gradient of per-time blocks, after three epochs (to 1e-11 relative).
    func testFusedUpdatesEqualReferenceSteps() throws {
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        for proto in [.adam, .gd] as [any TrainingProtocol] {
            var options = TrainingOptions()
            options.trainingProtocol = proto; options.epochs = 3; options.weightDecay = 0.01; options.penaltyU = 0.5; options.penaltyW = 1.5
            let trainer = try Trainer<Double>(problem: problem, n: n, k: 2, steps: steps, options: options, seed: 5)
            // The reference: same seed, so the same data, initialisation and noise streams.
            let reference = try Trainer<Double>(problem: problem, n: n, k: 2, steps: steps, options: options, seed: 5)
            let bank = reference.bank, context = reference.context
            let blocks = (0..<steps).map { FastBlock(context: context, times: $0..<($0 + 1)) }
            let gradient = Bank<Double>(d: d, steps: steps), loss = Buffer<Double>(repeating: 0, count: steps)
            let dK = Double(d * steps), lr = options.effectiveLearningRate, lambda = options.weightDecay, nn = Double(n)
            var moments = [[Double]](repeating: [Double](repeating: 0, count: 2 * d * steps + 2 * steps), count: 2)
            trainer.train(epochs: 3)
            for epoch in 1...3 {
                for block in blocks { block.evaluate(bank: bank, gradient: gradient, loss: loss) }
                // Parameters and gradients in one list: u, w (d·K each), then c, b.
                let theta = [bank.u, bank.w], grads = [gradient.u, gradient.w]
                var index = 0
                func update(_ value: inout Double, _ g: Double, vector: Bool, penalty: Double) {
                    switch proto {
                    case is AdamProtocol:
                        let gi = g / dK + (vector ? lambda * value : 0)
                        moments[0][index] = 0.9 * moments[0][index] + 0.1 * gi
                        moments[1][index] = 0.999 * moments[1][index] + 0.001 * gi * gi
                        let mHat = moments[0][index] / (1 - pow(0.9, Double(epoch))), vHat = moments[1][index] / (1 - pow(0.999, Double(epoch)))
                        value -= lr * mHat / (vHat.squareRoot() + 1e-8)
                    default:
                        value -= vector ? lr / nn * (g + 2 * penalty * value) : lr * g / (nn * Double(d))
                    }
                    index += 1
                }
                for (t, g, penalty) in zip(zip(theta, grads), [options.penaltyU, options.penaltyW]).map({ ($0.0, $0.1, $1) }) {
                    for i in 0..<(d * steps) { var v = t[i]; update(&v, g[i], vector: true, penalty: penalty); t[i] = v }
                }
                for (t, g) in [(bank.c, gradient.c), (bank.b, gradient.b)] {
                    for j in 0..<steps { var v = t[j]; update(&v, g[j], vector: false, penalty: 0); t[j] = v }
                }
            }
            let fused = trainer.bank
            XCTAssertLessThan(relativeGap(fused.u.array, bank.u.array), 1e-11, "\(proto): u")
            XCTAssertLessThan(relativeGap(fused.w.array, bank.w.array), 1e-11, "\(proto): w")
            XCTAssertLessThan(relativeGap(fused.c.array + fused.b.array, bank.c.array + bank.b.array), 1e-11, "\(proto): c, b")
            XCTAssertGreaterThan(relativeGap(fused.u.array, Bank<Double>(d: d, steps: steps, initialisation: .paper, seed: 5).u.array), 1e-4,
                                 "\(proto): training moved u")
        }
    }

    /// The Adam step completes ∂S/∂u, ∂S/∂w a chunk at a time and updates each chunk from scratch
    /// (`GradientParts.gradient`): bit for bit the step that first completes whole columns
    /// (`evaluate`) and then applies `AdamCoefficients.update` to the whole u, w, c, b arrays, over
    /// three epochs, in Double and Float, at a d of several chunks and a remainder.
    func testChunkedAdamEqualsWholeColumnAdamBitForBit() throws {
        try checkChunkedAdam(Double.self)
        try checkChunkedAdam(Float.self)
    }

    private func checkChunkedAdam<T: BLASScalar>(_: T.Type) throws {
        let d = 2 * AdamProtocol.State<T>.chunk + 77, n = 6, steps = 4, lambda = 0.01
        let problem = try Problem(dimension: .finite(d), p: 0.8, sigma: 1)
        var options = TrainingOptions()
        options.trainingProtocol = .adam; options.epochs = 3; options.weightDecay = lambda
        let trainer = try Trainer<T>(problem: problem, n: n, k: 2, steps: steps, options: options, seed: 5)
        let reference = try Trainer<T>(problem: problem, n: n, k: 2, steps: steps, options: options, seed: 5)
        let bank = reference.bank, block = FastBlock(context: reference.context, times: 0..<steps)
        let gradient = Bank<T>(d: d, steps: steps), loss = Buffer<Double>(repeating: 0, count: steps)
        let dK = d * steps, settings = AdamSettings(learningRate: options.effectiveLearningRate)
        let m = Buffer<T>(repeating: 0, count: 2 * dK), v = Buffer<T>(repeating: 0, count: 2 * dK)
        let ms = Buffer<Double>(repeating: 0, count: 2 * steps), vs = Buffer<Double>(repeating: 0, count: 2 * steps)
        trainer.train(epochs: 3)
        for epoch in 1...3 {
            block.evaluate(bank: bank, gradient: gradient, loss: loss)
            let k = settings.coefficients(step: epoch), scale = 1 / Double(dK)
            k.update(parameters: bank.u.pointer, gradient: gradient.u.pointer, m: m.pointer, v: v.pointer, count: dK,
                     gradientScale: scale, weightDecay: lambda)
            k.update(parameters: bank.w.pointer, gradient: gradient.w.pointer, m: m.pointer + dK, v: v.pointer + dK, count: dK,
                     gradientScale: scale, weightDecay: lambda)
            k.update(parameters: bank.c.pointer, gradient: gradient.c.pointer, m: ms.pointer, v: vs.pointer, count: steps,
                     gradientScale: scale, biasCorrection: .divideByRoot)
            k.update(parameters: bank.b.pointer, gradient: gradient.b.pointer, m: ms.pointer + steps, v: vs.pointer + steps, count: steps,
                     gradientScale: scale, biasCorrection: .divideByRoot)
        }
        let trained = trainer.bank
        XCTAssertEqual(trained.u.array, bank.u.array, "\(T.self): u")
        XCTAssertEqual(trained.w.array, bank.w.array, "\(T.self): w")
        XCTAssertEqual(trained.c.array + trained.b.array, bank.c.array + bank.b.array, "\(T.self): c, b")
        XCTAssertNotEqual(trained.u.array, Bank<T>(d: d, steps: steps, initialisation: .paper, seed: 5).u.array, "\(T.self): training moved u")
    }
}
