import FlowModel

/// An x₁-predictor (denoiser) E[x₁ | x_t = x] for the interpolant x_t = α_t z + β_t x₁ of a FlowModel schedule (t: 0 noise, end data).
///
/// `t` is the schedule's clock τ (the interpolant time for the base schedules). Implementations
/// must be deterministic: the same input gives the same output (RD.1).
///
/// ```swift
/// let model = try GaussianClassModel(fitting: y, labels: labels, classCount: 2, dimension: 64,
///                                    rank: 32, schedule: LinearSchedule())
/// let xHat = try model.predictData(noisy, count: 100, t: 0.4)   // 100 × 64 predictions
/// ```
public protocol Denoiser {
    var dimension: Int { get }
    /// x: `count` rows of `dimension` values, row-major; returns the predictions in the same layout.
    func predictData(_ x: [Double], count: Int, t: Double) throws -> [Double]
}
