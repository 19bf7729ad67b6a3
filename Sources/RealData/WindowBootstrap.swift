import Foundation
import FlowModel
import GSLKit

/// A 95 % percentile interval.
public struct Interval: Sendable {
    public let low: Double, high: Double
}

/// Bootstrap of the sigmoid window over pilot runs, start images and their noise (RD.25): each
/// replicate draws runs with replacement, then within each drawn run the start images (each with
/// its own noise and sampler path) with replacement, rebuilds the curve and refits.
///
/// ```swift
/// let boot = try WindowBootstrap(outcomes: outcomes, startClass: 1, replicates: 200, seed: 3)
/// print(boot.lambdaMid.low, boot.lambdaMid.high)
/// ```
public struct WindowBootstrap: Sendable {
    public let lambdaLow: Interval, lambdaMid: Interval, lambdaHigh: Interval
    /// Replicates whose fit failed (a flat resampled curve); they are left out of the intervals.
    public let failures: Int
    public let replicates: Int
    /// The one domain of `--bootstrap`: 20 replicates at least for a 95 % interval (its 2.5 % tails
    /// hold half a replicate each at 20), at most 10⁶.
    public static let replicateRange = 20...1_000_000

    public init(outcomes: UTurnOutcomes, startClass c: Int, replicates: Int, seed: UInt64) throws {
        try requireCount("bootstrap", replicates, atLeast: Self.replicateRange.lowerBound, atMost: Self.replicateRange.upperBound)
        let stream = try RandomStream(seed: seed)
        let runs = outcomes.switched.count, m = outcomes.lambdas.count
        var lows: [Double] = [], mids: [Double] = [], highs: [Double] = [], failures = 0
        for _ in 0..<replicates {
            var sum = [Double](repeating: 0, count: m), n = 0.0
            for _ in 0..<runs {
                let run = outcomes.switched[min(Int(stream.uniform() * Double(runs)), runs - 1)][c]
                for _ in 0..<run.count {
                    let image = run[min(Int(stream.uniform() * Double(run.count)), run.count - 1)]
                    n += 1
                    for j in 0..<m { sum[j] += image[j] }
                }
            }
            do {
                let fit = try SigmoidWindow(lambdas: outcomes.lambdas, values: sum.map { $0 / n })
                lows.append(fit.lambdaLow); mids.append(fit.lambdaMid); highs.append(fit.lambdaHigh)
            } catch { failures += 1 }
        }
        guard lows.count >= replicates / 2 else {
            throw InputError("the window fit failed in \(failures) of \(replicates) bootstrap replicates: the U-turn curve has no clear step")
        }
        func ci(_ x: [Double]) -> Interval { Interval(low: quantile(x, 0.025), high: quantile(x, 0.975)) }
        lambdaLow = ci(lows); lambdaMid = ci(mids); lambdaHigh = ci(highs)
        self.failures = failures; self.replicates = replicates
    }
}
