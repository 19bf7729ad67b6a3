import ArgumentParser
import Foundation
import FlowModel
import Theory

/// `phaseflow boundaries`: the phase-1 boundary (mode learned or not) in the (n, kτ) and
/// (n, penalty) planes, and the (n, p) boundary where |p̂ − p| ≤ tolerance
/// (derivations/autoencoder-theory.md §6, §7). CSV files, a gnuplot script and, when gnuplot is
/// installed, a PNG.
struct BoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "Phase-1 boundaries kτ*(n), L*(n) and the (n, p) boundary of |p̂ − p| ≤ tolerance; CSV and a gnuplot figure.")

    @OptionGroup var training: AutoencoderOptions
    @Option(parsing: .upToNextOption, help: "Training-set sizes n of the (n, kτ) and (n, penalty) boundaries.")
    var ns: [Double] = [16, 32, 64, 128, 256]
    @Option(parsing: .upToNextOption, help: "Mode probabilities p of the (n, p) boundary.")
    var ps: [Double] = [0.6, 0.7, 0.8, 0.9]
    @Option(help: "The (n, p) boundary is the smallest n with |p̂ − p| ≤ tolerance.")
    var tolerance: Double = 0.01
    @Option(help: "Generation for p̂: continuous (d = inf, GSL ODE) or grid (d = inf, dilated, --steps).")
    var integrator: PredictCommand.IntegratorChoice = .continuous
    @Option(help: "Grid steps K when --integrator grid.")
    var steps: Int = 80
    @Option(help: "Output directory.")
    var out: String = "out"
    @Flag(name: .customLong("no-p-boundary"), help: "Skip the (n, p) boundary (the slow part).")
    var noPBoundary = false

    func validate() throws {
        for n in ns { try require("ns", n, "≥ 2") { $0 >= 2 } }
        for p in ps { try require("ps", p, "in (0, 1)") { $0 > 0 && $0 < 1 } }
        try require("tolerance", tolerance, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("steps", Double(steps), "even and ≥ 2") { $0 >= 2 && Int($0) % 2 == 0 }
        guard integrator != .all else { throw InputError("integrator must be continuous or grid; got all") }
    }

    func pHat(_ problem: AutoencoderProblem) throws -> Double {
        let theory = try AutoencoderTheory(problem: problem, k: training.k)
        return integrator == .grid ? try LearnedFlow.dilatedGridAtInfiniteD(theory, steps: steps).pHat
                                   : try LearnedFlow.continuousAtInfiniteD(theory).pHat
    }

    func run() throws {
        let started = Date()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try training.problem(n: ns.first ?? 16)   // validate p, σ, penalties before any work
        let moments = try TanhMoments()
        let progress = Progress(total: ns.count + ps.count)

        // (n, kτ), (n, penalty) and p̂ at the given p.
        let header = ["n", "n_plus", "p", "sigma", "k", "penalty_u", "penalty_w", "k_tau_star", "tau_star",
                      "branch_end", "penalty_star", "p_hat", "p_error", "integrator"]
        let nFile = try ResultFile(url: directory.appendingPathComponent("boundary_n.csv"), header: header, resume: false)
        var nRows: [Row] = []
        for (i, n) in ns.enumerated() {
            progress.update(done: i, label: "n = \(n)")
            let problem = try training.problem(n: n)
            let crossing = try PhaseOneBoundary.signal(problem, moments: moments, from: max(training.k, 4), step: 0.05)
            let penalty = try PhaseOneBoundary.penalty(p: problem.p, sigma: problem.sigma, n: n, nPlus: training.nPlus,
                                                       signal: training.k, moments: moments)
            let generated = try pHat(problem)
            var row = Row()
            row.add("n", Extended(n)); row.add("n_plus", problem.nPlus); row.add("p", problem.p); row.add("sigma", problem.sigma)
            row.add("k", training.k); row.add("penalty_u", problem.penaltyU); row.add("penalty_w", problem.penaltyW)
            row.add("k_tau_star", crossing.value); row.add("tau_star", crossing.value / training.k)
            row.add("branch_end", crossing.branchEnd ?? 0); row.add("penalty_star", penalty.value)
            row.add("p_hat", generated); row.add("p_error", generated - problem.p); row.add("integrator", integrator.rawValue)
            try nFile.append([row])
            nRows.append(row)
        }

        // (n, p): the smallest n with |p̂ − p| ≤ tolerance, by bisection in log n on [2, 10⁵].
        let pHeader = ["p", "sigma", "k", "penalty_u", "penalty_w", "tolerance", "n_star", "p_hat", "integrator"]
        let pFile = try ResultFile(url: directory.appendingPathComponent("boundary_p.csv"), header: pHeader, resume: false)
        var pRows: [Row] = []
        for (i, p) in (noPBoundary ? [] : ps).enumerated() {
            progress.update(done: ns.count + i, label: "p = \(p)")
            func error(_ n: Double) throws -> Double {
                abs(try pHat(try AutoencoderProblem(p: p, sigma: training.sigma, n: n, penaltyU: training.penaltyU,
                                                    penaltyW: training.penaltyW)) - p)
            }
            var (lo, hi) = (log(2.0), log(1e5))
            guard try error(exp(hi)) <= tolerance else {
                warn("p = \(p): |p̂ − p| > \(tolerance) even at n = 1e5; no boundary in range")
                continue
            }
            if try error(exp(lo)) > tolerance {
                for _ in 0..<12 {
                    let mid = (lo + hi) / 2
                    if try error(exp(mid)) <= tolerance { hi = mid } else { lo = mid }
                }
            } else { hi = lo }
            var row = Row()
            row.add("p", p); row.add("sigma", training.sigma); row.add("k", training.k)
            row.add("penalty_u", training.penaltyU); row.add("penalty_w", training.penaltyW); row.add("tolerance", tolerance)
            row.add("n_star", exp(hi))
            row.add("p_hat", try pHat(try AutoencoderProblem(p: p, sigma: training.sigma, n: exp(hi), penaltyU: training.penaltyU,
                                                             penaltyW: training.penaltyW)))
            row.add("integrator", integrator.rawValue)
            try pFile.append([row])
            pRows.append(row)
        }
        progress.update(done: progress.total, label: "done")

        let script = directory.appendingPathComponent("boundaries.gp")
        try writeAtomically(gnuplotScript, to: script)
        let drawn = renderWithGnuplot(script: script, in: directory)
        print(try render(nRows, as: .table), terminator: "")
        if !pRows.isEmpty { print(try render(pRows, as: .table), terminator: "") }
        print(String(format: "wrote %@/boundary_n.csv, boundary_p.csv, boundaries.gp%@ in %.1f s", out,
                     drawn ? ", boundaries.png" : " (gnuplot not found: no PNG)", Date().timeIntervalSince(started)))
    }

    private var gnuplotScript: String {
        """
        # Phase-1 boundaries of the learned autoencoder and the (n, p) boundary of |p_hat - p| <= \(tolerance).
        set terminal pngcairo size 1500,450 font ",10"
        set output "boundaries.png"
        set datafile separator ","
        set termoption noenhanced
        set multiplot layout 1,3
        set logscale x
        set xlabel "training points n"
        set ylabel "k tau*"
        set title "mode learned above k tau* (L_u = \(training.penaltyU), L_w = \(training.penaltyW))"
        plot "boundary_n.csv" every ::1 using 1:8 with linespoints lw 2 pt 7 title "k tau* (F_branch = F_triv)", \\
             "boundary_n.csv" every ::1 using 1:($10 > 0 ? $10 : 1/0) with points pt 6 title "last k tau of the branch (spinodal < 0.05 below)"
        set logscale y
        set ylabel "penalty L* (L_u = L_w)"
        set title "mode learned at k tau = \(training.k) below L*"
        plot "boundary_n.csv" every ::1 using 1:11 with linespoints lw 2 pt 7 notitle
        unset logscale x
        set xlabel "p"
        set ylabel "n*"
        set title "|p_hat - p| <= \(tolerance) above n*"
        plot "boundary_p.csv" every ::1 using 1:7 with linespoints lw 2 pt 7 notitle
        unset multiplot

        """
    }
}
