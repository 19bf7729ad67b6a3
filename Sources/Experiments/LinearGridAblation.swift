import Foundation
import FlowModel
import GSLKit
import Simulation
import Theory

/// The paper's central ablation, simulated (derivations/ablation.md): the same bank of K networks
/// trained on the dilated clock and on the undilated linear (or vp) clock, at several d; per d and
/// clock the generated p̂ (simulation ± SE across seeds, and the finite-d, finite-n theory on the
/// same grid), the learned bias averaged over the window 0 < S = β√d ≤ k (AB.1), and the gradient
/// of the time-averaged loss with respect to the biases (AB.3; theory and a d-dimensional Monte Carlo).
///
///     let setup = try Setup(n: 64)                  // p, σ, k and n; d: each of spec.dims
///     var spec = LinearGridAblation.Spec(); spec.dims = [.finite(500), .finite(2000)]; spec.trainingTime = 10
///     let rows = try LinearGridAblation.run(setup, spec) { print($0) }
public enum LinearGridAblation {
    /// The training spec of the ablation; the target, the clock's k and n come from the `Setup`
    /// (its d is replaced by each of `dims`, `Setup.at`).
    public struct Spec: Sendable {
        public var dims: [FlowModel.Dimension] = [.finite(500), .finite(2000), .finite(5000), .finite(20000)]
        public var schedules: [ScheduleName] = [.dilated, .linear]
        public var steps = 40, seeds = 4, firstSeed: UInt64 = 1
        /// Full-batch gd redraws the base noise every epoch, so its fixed point is O(η) from the static
        /// theory (the η → 0 limit); the learned b is extrapolated linearly in η from η and η/2
        /// (AB.7). Training time η·epochs is the same for both runs.
        public var learningRate = 0.02, trainingTime = 50.0, penalty = 2.0
        public var samples = 512
        /// Monte Carlo samples per grid time for the bias gradient (0: theory only).
        public var gradientSamples = 400
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public init() {}
    }

    /// One (d, clock) entry of the ablation table.
    public struct Entry: Sendable {
        public var dimension: FlowModel.Dimension, schedule: ScheduleName
        public var pHat = 0.0, pHatSE = 0.0, pHatTheory = 0.0
        /// Grid times with 0 < S ≤ k (AB.1) where the theory's unit is learned (not the trivial
        /// branch), and the learned b averaged over them (per seed, then mean ± SE across seeds)
        /// beside the theory's; nil when the window holds no such grid time.
        public var windowTimes = 0
        public var bWindow: Double?, bWindowSE: Double?, bWindowTheory: Double?
        /// The decision time: the first grid time with S = β√d ≥ 1 (S = 1 exactly on the dilated
        /// clock, S ∈ [1, 1 + √d/K) on the linear one), its S, the learned b there (η → 0
        /// extrapolation, mean ± SE across seeds) and the theory's.
        public var decisionSignal = 0.0, bDecision = 0.0, bDecisionSE = 0.0, bDecisionTheory = 0.0
        /// p̂ of the η/2 run itself (no extrapolation), pooled across seeds: the extrapolation AB.7
        /// assumes converged runs with a bias linear in η; where they differ much, it is not valid.
        public var pHatHalfRate = 0.0, pHatHalfRateSE = 0.0
        /// ∂J/∂b at b = 0 (AB.3): theory and the d-dimensional Monte Carlo ± SE.
        public var gradientTheory = 0.0, gradientMonteCarlo: Double?, gradientMonteCarloSE: Double?
    }

    /// The window of grid times (AB.1): 0 < β_j√d ≤ k.
    /// The window of grid times (AB.1) at the setup's d and k: 0 < β_j√d ≤ k.
    public static func window(_ grid: TrainingGrid, _ setup: Setup) -> [Int] {
        let sqrtD = setup.dimension.squareRoot
        return (0..<grid.steps).filter { grid.beta[$0] > 0 && grid.beta[$0] * sqrtD <= setup.k * (1 + 1e-12) }
    }

    public static func run(_ setup: Setup, _ spec: Spec, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> [Entry] {
        try spec.validate(setup)
        var rows = [Entry]()
        for d in spec.dims {
            for schedule in spec.schedules {
                progress("ablation d = \(d) \(schedule.rawValue)")
                rows.append(try row(try setup.at(d), spec, schedule: schedule))
            }
        }
        return rows
    }

    /// n of the setup as a whole number (the simulation trains on a finite set).
    static func trainingPoints(_ setup: Setup) throws -> Int {
        guard setup.n.isFinite, setup.n == setup.n.rounded(), setup.n <= 1e15 else {
            throw InputError("the ablation trains on a finite set: n must be a whole number; got n = \(setup.n)")
        }
        let n = Int(setup.n)
        try requireCount("n", n, atMost: 100_000)
        return n
    }

    /// The gd protocol with the theory's penalties L_u = L_w (AT.2), from theory init aligned (TD.20),
    /// at the setup's d (finite).
    public static func configuration(_ setup: Setup, _ spec: Spec, schedule: ScheduleName, learningRate: Double) throws -> SimulationConfiguration {
        var training = TrainingOptions()
        training.trainingProtocol = .gd
        training.epochs = Int((spec.trainingTime / learningRate).rounded())
        training.learningRate = learningRate
        training.penaltyU = spec.penalty; training.penaltyW = spec.penalty
        training.initialisation = .theory
        training.alignedStart = true
        training.schedule = schedule
        _ = try trainingPoints(setup)   // the ablation's bound on n and its message
        var config = try SimulationConfiguration(setup: setup, steps: spec.steps, training: training)
        config.samples = spec.samples
        return config
    }

    /// One (d, clock) entry at the setup's d (finite).
    public static func row(_ setup: Setup, _ spec: Spec, schedule: ScheduleName) throws -> Entry {
        let problem = try setup.problem(), d = problem.d, n = try trainingPoints(setup)
        let seeds = (0..<spec.seeds).map { spec.firstSeed + UInt64($0) }
        func finalSnapshots(_ eta: Double) throws -> [Snapshot] {
            let runs = try SimulationRunner.runSeeds(try configuration(setup, spec, schedule: schedule, learningRate: eta),
                                                     seeds: seeds, threads: spec.threads)
            return try seeds.map { seed -> Snapshot in
                guard let last = runs[seed]?.last else { throw InputError("seed \(seed) produced no snapshot") }
                return last
            }
        }
        let coarse = try finalSnapshots(spec.learningRate), finals = try finalSnapshots(spec.learningRate / 2)
        // AB.7: b(η → 0) ≈ 2 b(η/2) − b(η), per seed (same data and start in both runs).
        func extrapolatedB(_ seed: Int, _ j: Int) -> Double { 2 * finals[seed].orderParameters[j].b - coarse[seed].orderParameters[j].b }
        let grid = finals[0].grid
        var out = Entry(dimension: setup.dimension, schedule: schedule)
        // p̂ carries the same O(η) bias: AB.7 per seed, mean ± SE across seeds.
        (out.pHat, out.pHatSE) = meanAndStandardError(seeds.indices.map { 2 * finals[$0].generation!.pHat - coarse[$0].generation!.pHat })
        (out.pHatHalfRate, out.pHatHalfRateSE) = meanAndStandardError(finals.map { $0.generation!.pHat })
        // The theory at each seed's n₊ (AT §4.3), averaged over seeds like the simulation.
        let taus = Array(grid.tau[0..<grid.steps]), win = window(grid, setup)
        var cache = [Double: (pHat: Double, table: [LearnedParameters])]()
        var perSeedTheory = [(pHat: Double, table: [LearnedParameters])]()
        for s in finals {
            let nPlus = (s.trainingFraction * Double(n)).rounded()
            if cache[nPlus] == nil {
                let problem = try AutoencoderProblem(setup: setup, nPlus: nPlus, penaltyU: spec.penalty, penaltyW: spec.penalty)
                let theory = schedule == .dilated
                    ? try AutoencoderTheory(problem: problem, k: setup.k, dimension: setup.dimension)
                    : try AutoencoderTheory(problem: problem, schedule: grid.schedule, dimension: setup.dimension)
                let table = win.isEmpty ? [] : try theory.table(at: win.map { taus[$0] })
                let prediction = try LearnedFlow.grid(problem, schedule: grid.schedule, dimension: setup.dimension, steps: spec.steps, moments: theory.moments)
                cache[nPlus] = (prediction.pHat, table)
            }
            perSeedTheory.append(cache[nPlus]!)
        }
        out.pHatTheory = perSeedTheory.map(\.pHat).reduce(0, +) / Double(finals.count)
        // Window times where the theory's unit is learned for every seed's n₊ (on the trivial branch,
        // AT.36, b is infinite and not compared).
        let learned = win.indices.filter { i in perSeedTheory.allSatisfy { $0.table[i].solution != .trivial } }
        out.windowTimes = learned.count
        if !learned.isEmpty {
            let perSeed = finals.indices.map { i in learned.map { extrapolatedB(i, win[$0]) }.reduce(0, +) / Double(learned.count) }
            let (mean, se) = meanAndStandardError(perSeed)
            out.bWindow = mean; out.bWindowSE = se
            out.bWindowTheory = perSeedTheory.map { t in learned.map { t.table[$0].b }.reduce(0, +) / Double(learned.count) }
                .reduce(0, +) / Double(finals.count)
        }
        let sqrtD = Double(d).squareRoot()
        if let j = (0..<grid.steps).first(where: { grid.beta[$0] * sqrtD >= 1 - 1e-12 }) {
            out.decisionSignal = grid.beta[j] * sqrtD
            (out.bDecision, out.bDecisionSE) = meanAndStandardError(finals.indices.map { extrapolatedB($0, j) })
            var theoryB = [Double]()
            for s in finals {
                let nPlus = (s.trainingFraction * Double(n)).rounded()
                let problem = try AutoencoderProblem(setup: setup, nPlus: nPlus, penaltyU: spec.penalty, penaltyW: spec.penalty)
                let theory = schedule == .dilated
                    ? try AutoencoderTheory(problem: problem, k: setup.k, dimension: setup.dimension)
                    : try AutoencoderTheory(problem: problem, schedule: grid.schedule, dimension: setup.dimension)
                theoryB.append(try theory.table(at: [grid.tau[j]])[0].b)
            }
            out.bDecisionTheory = theoryB.reduce(0, +) / Double(theoryB.count)
        }
        let gradient = try BiasGradient(setup: setup)
        let points = (0..<grid.steps).map { (alpha: grid.alpha[$0], beta: grid.beta[$0]) }
        out.gradientTheory = gradient.timeAveraged(grid: points, dimension: setup.dimension)
        if spec.gradientSamples > 0 {
            var sum = 0.0, variance = 0.0
            for (j, point) in points.enumerated() {
                let mc = try gradient.monteCarlo(alpha: point.alpha, beta: point.beta, dimension: setup.dimension, samples: spec.gradientSamples,
                                                 seed: spec.firstSeed &* 1_000_003 &+ UInt64(j))
                sum += mc.mean; variance += mc.standardError * mc.standardError
            }
            out.gradientMonteCarlo = sum / Double(points.count)
            out.gradientMonteCarloSE = variance.squareRoot() / Double(points.count)
        }
        return out
    }

    /// A gnuplot script for `ablation.csv` (as written by `columns`/`values`, rows grouped by clock): p̂ and the
    /// learned b against d, both clocks; theory lines, simulation points with ± SE bars, and |∂J/∂b|.
    public static func gnuplotScript(csv: String = "ablation.csv", png: String = "ablation.png") -> String {
        // Columns by name (their place in `columns`).
        func c(_ key: String) -> Int { columns.firstIndex(of: key)! + 1 }
        let pick = "(strcol(\(c("schedule"))) eq s ? $\(c("d")) : NaN)"
        return """
        # The ablation: theory (lines) and simulation (points, ± one standard error across seeds).
        set terminal pngcairo size 1400,420 font ",10"
        set output "\(png)"
        set datafile separator ","
        set logscale x
        set xlabel "d"
        set key font ",8"
        set multiplot layout 1,3
        set title "generated p̂ (target p = 0.8)" noenhanced
        plot for [s in "dilated linear vp"] "\(csv)" using \(pick):\(c("p_hat_theory")) with lines title "theory ".s, \\
             for [s in "dilated linear vp"] "\(csv)" using \(pick):\(c("p_hat")):\(c("p_hat_se")) with yerrorbars pt 7 title "sim ".s, \\
             0.8 with lines dt 3 lc rgb "gray" title "p"
        set title "learned b at the decision time (first β√d ≥ 1; η → 0)" noenhanced
        plot for [s in "dilated linear vp"] "\(csv)" using \(pick):\(c("b_decision_theory")) with linespoints dt 2 title "theory ".s, \\
             for [s in "dilated linear vp"] "\(csv)" using \(pick):\(c("b_decision")):\(c("b_decision_se")) with yerrorbars pt 7 title "sim ".s
        set title "|∂J/∂b| at b = 0 (AB.3)" noenhanced
        set logscale y
        plot for [s in "dilated linear vp"] "\(csv)" using \(pick):(abs($\(c("grad_b_theory")))) with lines title "theory ".s, \\
             for [s in "dilated linear vp"] "\(csv)" using \(pick):(abs($\(c("grad_b_mc")))):\(c("grad_b_mc_se")) with yerrorbars pt 6 title "Monte Carlo ".s
        unset multiplot

        """
    }

    /// Column names of the table, in the order the gnuplot script reads them.
    public static let columns = ["d", "schedule", "p_hat", "p_hat_se", "p_hat_theory", "window_times", "b_window", "b_window_se",
                                 "b_window_theory", "grad_b_theory", "grad_b_mc", "grad_b_mc_se",
                                 "decision_signal", "b_decision", "b_decision_se", "b_decision_theory", "p_hat_half_lr", "p_hat_half_lr_se"]

    /// The row's cells in `columns` order, typed; a missing value is `.missing` (never NaN).
    public static func cells(_ r: Entry) -> [Value] {
        func f(_ x: Double?) -> Value { x.map { .double($0) } ?? .missing }
        return [r.dimension.finite.map(Value.int) ?? .string(r.dimension.description), .string(r.schedule.rawValue), f(r.pHat), f(r.pHatSE), f(r.pHatTheory), .int(r.windowTimes), f(r.bWindow),
                f(r.bWindowSE), f(r.bWindowTheory), f(r.gradientTheory), f(r.gradientMonteCarlo), f(r.gradientMonteCarloSE),
                f(r.decisionSignal), f(r.bDecision), f(r.bDecisionSE), f(r.bDecisionTheory), f(r.pHatHalfRate), f(r.pHatHalfRateSE)]
    }
}
