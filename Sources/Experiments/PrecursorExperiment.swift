import Foundation
import FlowModel
import GSLKit
import Theory

/// The precursor's headline, reproduced (derivations/precursor.md): per n the learned mean's error
/// ‖μ̂ − μ‖²/d of the continuous flow (PC.4, PC.6) or of K Euler steps (PC.5), its fitted log–log
/// slope against n (PC.7), and optionally the d-dimensional simulation at the same n (PC.8).
///
///     let result = try PrecursorExperiment.run(.init())   // σ = 0.5, L = 0.1, n = 2 … 1024
///     print(result.slope)                                  // ≈ −1
public enum PrecursorExperiment {
    public struct Setup: Sendable {
        public var sigma = 0.5, penalty = 0.1
        public var ns = [2, 4, 6, 8, 16, 32, 64, 128, 256, 512, 1024]
        /// 0: the continuous flow; K > 0: K Euler steps (needed for the simulation).
        public var steps = 0
        /// Simulate at these n (a subset of `ns`) in dimension `dimension` (finite) with `seeds` data sets.
        public var simulateNs: [Int] = [], seeds = 5, samples = 16, seed: UInt64 = 1
        public var dimension = FlowModel.Dimension.finite(8000)
        public init() {}

        /// d of the simulation as a whole number (it needs a finite d).
        func simulationDimension() throws -> Int {
            guard let d = dimension.finite else { throw InputError("the precursor simulation needs a finite d; got d = inf") }
            return d
        }
    }

    public struct Entry: Sendable {
        public var n: Int
        public var state: PrecursorTheory.State
        public var meanError: Double
        public var comparison: PrecursorSimulation.Comparison?
    }

    public struct Result: Sendable {
        public var entries: [Entry]
        public var slope, slopeStandardError: Double
    }

    public static func run(_ setup: Setup, progress: (String) -> Void = { _ in }) throws -> Result {
        try setup.validate()
        var rows = [Entry]()
        for n in setup.ns {
            let theory = try PrecursorTheory(sigma: setup.sigma, n: Double(n), penalty: setup.penalty)
            let end = setup.steps > 0 ? try theory.grid(steps: setup.steps).last! : try theory.flow().last!
            var row = Entry(n: n, state: end, meanError: theory.meanError(end))
            if setup.simulateNs.contains(n) {
                progress("precursor simulation n = \(n), d = \(setup.dimension)")
                var s = PrecursorSimulation.Setup(d: try setup.simulationDimension(), n: n, seed: setup.seed)
                s.sigma = setup.sigma; s.penalty = setup.penalty; s.steps = setup.steps; s.samples = setup.samples
                row.comparison = try PrecursorSimulation.compare(s, seeds: setup.seeds)
            }
            rows.append(row)
        }
        let fit = try LinearFit(x: rows.map { log(Double($0.n)) }, y: rows.map { log($0.meanError) })   // PC.7
        return Result(entries: rows, slope: fit.slope, slopeStandardError: fit.slopeStandardError)
    }

    /// A gnuplot script for `precursor.csv`: ‖μ̂ − μ‖²/d against n on log–log axes, the theory and
    /// the simulation points with ± SE bars, and the reference 1/n.
    /// The columns of precursor.csv, in order.
    public static let figureColumns = ["n", "gen_m", "gen_eta_overlap", "gen_base_noise_overlap", "sigma_hat", "n_mean_error", "mean_error",
                                       "mean_error_sim", "mean_error_sim_se"]

    public static func gnuplotScript(csv: String = "precursor.csv", png: String = "precursor.png", simulation: Bool = true, sigma: Double = 0.5) -> String {
        // Columns by name (their place in `figureColumns`).
        func c(_ key: String) -> Int { figureColumns.firstIndex(of: key)! + 1 }
        let simulated = simulation ? "\"\(csv)\" using \(c("n")):($\(c("mean_error_sim")) > 0 ? $\(c("mean_error_sim")) : NaN):\(c("mean_error_sim_se")) with yerrorbars pt 7 title \"simulation\", \\\n     " : ""
        return """
        set terminal pngcairo size 700,480 font ",10"
        set output "\(png)"
        set datafile separator ","
        set key autotitle columnhead
        set logscale xy
        set xlabel "n"
        set ylabel "‖μ̂ − μ‖²/d"
        set title "Cui et al. as a special case: the learned mean's error (theory PC.6, simulation PC.8)" noenhanced
        plot "\(csv)" using \(c("n")):\(c("mean_error")) with linespoints title "theory", \\
             \(simulated)"\(csv)" using \(c("n")):(\(2 * sigma * sigma)/$\(c("n"))) with lines dt 2 title "2σ²/n (PC.7)"

        """
    }
}
