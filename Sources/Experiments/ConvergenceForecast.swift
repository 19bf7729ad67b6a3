import Foundation

/// When a trajectory will stop on convergence (TD.25a: |dy/dtime|/η below the threshold), for the
/// ETA of a progress line: near the fixed point the speed decays exponentially, so log(speed) is
/// about linear in training time; the slope fitted over the recent output points extrapolates to the
/// time the threshold is crossed. No forecast (the last output time) while the speed is not falling.
///
///     let forecast = ConvergenceForecast(times: [0, 1, 2, 3, 4], threshold: 1e-10)
///     let points = forecast.expectedPoints(done: 3, speed: 1e-4)   // output points the run will write
final class ConvergenceForecast: @unchecked Sendable {
    let times: [Double]
    let threshold: Double
    private var logSpeeds: [Double] = []
    private let lock = NSLock()

    init(times: [Double], threshold: Double) { self.times = times; self.threshold = threshold }

    /// The number of output points the run is expected to write, in [done, times.count].
    func expectedPoints(done: Int, speed: Double) -> Int {
        lock.lock(); defer { lock.unlock() }
        logSpeeds.append(log(max(speed, .leastNormalMagnitude)))
        let total = times.count
        guard threshold > 0, done >= 5, done == logSpeeds.count, speed > threshold else { return total }
        // Least-squares slope of log(speed) over time on the last tenth of the points (at least 5).
        let window = max(5, done / 10)
        let t = Array(times[(done - window)..<done]), y = Array(logSpeeds[(done - window)..<done])
        let tMean = t.reduce(0, +) / Double(window), yMean = y.reduce(0, +) / Double(window)
        let sxx = t.reduce(0) { $0 + ($1 - tMean) * ($1 - tMean) }
        let sxy = zip(t, y).reduce(0) { $0 + ($1.0 - tMean) * ($1.1 - yMean) }
        guard sxx > 0, sxy / sxx < 0 else { return total }
        let stop = times[done - 1] + (log(threshold) - logSpeeds[done - 1]) / (sxy / sxx)
        let index = times.firstIndex { $0 >= stop } ?? (total - 1)
        return max(done, min(total, index + 1))
    }
}
