/// The training rows' mean and their mean per-coordinate variance (divisor n d): the μ and σ_d² of
/// the model's preconditioning (TS.7), computed once here for the trainer and for the zero-shot
/// bias forecast (MB.1), so both see the same bits.
///
///     let moments = DataMoments(rows: [0, 1, 2, 3], count: 2)   // mean [1, 2], variance 1
struct DataMoments {
    let mean: [Double]
    let variance: Double

    /// - Parameters: rows: `count` rows of one dimension (row-major); count ≥ 1.
    init(rows: [Double], count: Int) {
        let d = rows.count / count
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<count { for i in 0..<d { mean[i] += rows[r * d + i] } }
        for i in 0..<d { mean[i] /= Double(count) }
        var variance = 0.0
        for r in 0..<count { for i in 0..<d { let v = rows[r * d + i] - mean[i]; variance += v * v } }
        self.mean = mean
        self.variance = variance / Double(count * d)
    }
}
