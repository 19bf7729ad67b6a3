import Foundation

/// What the files of a schedules run say about the summaries: their columns (lower_snake_case) and
/// numbers, which noise their standard errors cover, and a gnuplot script drawing error and sliced
/// Wasserstein against the budget (derivations/training-schedules.md §4; a summary over one seed
/// has SE 0). The rows themselves are written by the one CSV writer (`render` in Experiments).
///
///     let report = SchedulesReport(result: result)
///     let script = report.gnuplotScript()   // reads schedules_summary.csv by column name
public struct SchedulesReport: Sendable {
    public let result: SchedulesResult
    public init(result: SchedulesResult) { self.result = result }

    public static let summaryHeader = ["schedule", "budget", "feature_error", "feature_error_se",
                                       "majority_bias", "majority_bias_se", "binomial_se",
                                       "sliced_wasserstein", "sliced_wasserstein_se", "feature_error_diff_vs_uniform",
                                       "feature_error_diff_se", "sliced_wasserstein_diff_vs_uniform", "sliced_wasserstein_diff_se",
                                       "majority_bias_diff_vs_uniform", "majority_bias_diff_se"]

    /// Which noise the standard errors over seeds cover (TS.20): `training` (initialisation, data
    /// order, training noise and times, generation noise) or `training_and_split` (also the choice
    /// of training and held-out images).
    public var seCovers: String { result.splitPerSeed ? "training_and_split" : "training" }

    /// The numbers of one summary row, in `summaryHeader` order after schedule and budget.
    public func summaryNumbers(_ s: ScheduleSummary) -> [Double] {
        [s.errorMean, s.errorSE, s.biasMean, s.biasSE, s.binomialSEMean, s.swMean, s.swSE, s.errorDiffMean, s.errorDiffSE,
         s.swDiffMean, s.swDiffSE, s.biasDiffMean, s.biasDiffSE]
    }

    /// Three panels against the step budget (log axis): feature error ± SE, its paired difference
    /// vs uniform ± SE (TS.21), and sliced W₂ ± SE; one line per schedule (rows of
    /// `schedules_summary.csv` selected by name, shifted slightly in x so error bars do not overlap).
    public func gnuplotScript(summaryFile: String = "schedules_summary.csv", png: String = "schedules.png") -> String {
        var names: [String] = []
        for s in result.summaries where !names.contains(s.schedule) { names.append(s.schedule) }
        // Columns by name (their place in `summaryHeader`), never by a number written here.
        func column(_ key: String) -> Int { Self.summaryHeader.firstIndex(of: key)! + 1 }
        func plots(_ key: String, _ se: String) -> String {
            let (x, y, dy) = (column("budget"), column(key), column(se))
            return names.enumerated().map { i, name in
                "'\(summaryFile)' using (strcol(1) eq '\(name)' ? $\(x) * \(1 + 0.04 * Double(i - names.count / 2)) : NaN):\(y):\(dy) with yerrorlines lw 2 title '\(name)'"
            }.joined(separator: ", \\\n     ")
        }
        return """
        set terminal pngcairo size 1650,500 enhanced
        set output '\(png)'
        set datafile separator ','
        set key autotitle columnhead
        set logscale x
        set multiplot layout 1,3
        set xlabel 'training steps'
        set ylabel '|generated majority fraction - data fraction|'
        set title 'feature error (mean ± SE over seeds)'
        plot \(plots("feature_error", "feature_error_se"))
        set ylabel 'feature error - uniform (same seed)'
        set title 'paired difference vs uniform (mean ± SE)'
        plot \(plots("feature_error_diff_vs_uniform", "feature_error_diff_se")), 0 with lines lc 'gray' notitle
        set ylabel 'sliced W_2 to held-out data'
        set title 'other features: sliced Wasserstein (floor \(String(format: "%.3f", result.swFloor)))'
        plot \(plots("sliced_wasserstein", "sliced_wasserstein_se"))
        unset multiplot

        """
    }
}
