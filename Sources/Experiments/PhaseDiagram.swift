import GSLKit
import Foundation
import FlowModel
import Theory

/// The phase-1 phase diagram over (n, kτ) at d = ∞ (derivations/autoencoder-theory.md §6): on a
/// grid of n (log-spaced) and kτ (uniform), F_branch − F_triv of the non-trivial branch (AT.31
/// against AT.36; negative where the mode is learned), with the branch continued down each
/// column from the largest kτ (warm starts), and the boundary kτ*(n) refined by Brent on the
/// bracketing cell. Columns run in parallel; each column is computed alone, so the result does not
/// depend on the number of threads. Writes phase_diagram.csv, phase_boundary.csv, phase_diagram.gp
/// and, with gnuplot, phase_diagram.png.
///
///     let setup = try Setup(dimension: .infinite, p: 0.8, sigma: 1, k: 2)   // n: each of the grid
///     var diagram = PhaseDiagram(setup: setup, penaltyU: 2, penaltyW: 2)
///     diagram.nCount = 100; diagram.signalCount = 100
///     let (cells, boundary) = try diagram.run()   // 10⁴ cells, 100 boundary rows
public struct PhaseDiagram: Sendable {
    /// p and σ at d = ∞ (a finite d is refused); the setup's n is replaced by each n of the grid,
    /// and its k is not used (the grid runs over kτ).
    public var setup: Setup
    /// L_u, L_w of J (AT.2).
    public var penaltyU, penaltyW: Double
    public var nMin = 8.0, nMax = 4096.0
    public var nCount = 100
    /// kτ runs over signalMax·j/signalCount, j = 1 … signalCount.
    public var signalMax = 1.0
    public var signalCount = 100
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init(setup: Setup, penaltyU: Double, penaltyW: Double) {
        self.setup = setup; self.penaltyU = penaltyU; self.penaltyW = penaltyW
    }

    /// Checks the grid before any work.
    public func validate() throws {
        try requireCount("grid n count", nCount, atLeast: 2, atMost: 2000)
        try requireCount("grid k tau count", signalCount, atLeast: 2, atMost: 2000)
        try require("grid n-min", nMin, "≥ 1") { $0 >= 1 }
        try require("grid n-max", nMax, "> n-min and ≤ 1e9") { $0 > nMin && $0 <= 1e9 }
        try require("grid k tau max", signalMax, "in [1e-3, 100]") { $0 >= 1e-3 && $0 <= 100 }
        try requireCount("threads", threads, atMost: 1024)
        guard !setup.dimension.isFinite else { throw InputError("the phase diagram is at d = inf; got d = \(setup.dimension)") }
        _ = try problem(n: nMin)
    }

    /// The target at n training points, n₊ = p·n (AT §4.3).
    func problem(n: Double) throws -> AutoencoderProblem {
        try AutoencoderProblem(setup: try setup.with(n: n), penaltyU: penaltyU, penaltyW: penaltyW)
    }

    public var ns: [Double] { (0..<nCount).map { nMin * pow(nMax / nMin, Double($0) / Double(nCount - 1)) } }
    /// Decreasing, the order of the continuation.
    public var signals: [Double] { (1...signalCount).reversed().map { signalMax * Double($0) / Double(signalCount) } }

    /// The cells (one row per (n, kτ), n-major, kτ increasing) and one boundary row per n.
    public func run() throws -> (cells: [Row], boundary: [Row]) {
        try validate()
        let moments = try TanhMoments()
        let ns = ns, signals = signals
        let columns = ColumnStore(count: ns.count)
        let workers = max(1, min(threads, ns.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: ns.count, by: workers) {
                columns.store(i, Result {
                    let problem = try problem(n: ns[i])
                    let column = try PhaseOneBoundary.gapColumn(problem, signals: signals, moments: moments)
                    return (column, try PhaseOneBoundary.crossing(in: column, signals: signals, problem, moments: moments))
                })
            }
        }
        var cells: [Row] = [], boundary: [Row] = []
        for (i, n) in ns.enumerated() {
            let (column, crossing) = try columns.values[i]!.get()
            for j in signals.indices.reversed() {
                var row = Row()
                row.add("n", n); row.add("p", setup.p); row.add("sigma", setup.sigma); row.add("penalty_u", penaltyU); row.add("penalty_w", penaltyW)
                row.add("k_tau", signals[j])
                if let cell = column[j] {
                    row.add("free_energy_gap", cell.gap); row.add("branch_found", 1); row.add("learned", cell.gap < 0 ? 1 : 0)
                } else {
                    row.add("free_energy_gap", .missing); row.add("branch_found", 0); row.add("learned", 0)
                }
                cells.append(row)
            }
            var row = Row()
            row.add("n", n); row.add("p", setup.p); row.add("sigma", setup.sigma); row.add("penalty_u", penaltyU); row.add("penalty_w", penaltyW)
            if let crossing {
                row.add("k_tau_star", crossing.value); row.add("branch_end", crossing.branchEnd)
            } else {
                // Learned at every kτ of the grid (the boundary is below the smallest) or at none.
                let everywhere = column.last.map { $0.map { $0.gap < 0 } ?? false } ?? false
                row.add("k_tau_star", everywhere ? "below_grid" : "above_grid"); row.add("branch_end", .missing)
            }
            boundary.append(row)
        }
        return (cells, boundary)
    }

    /// Runs and writes the files into `directory`; returns the rows and the seconds of `run`.
    public func write(to directory: URL) throws -> (cells: [Row], boundary: [Row], seconds: Double) {
        try validate()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let started = Date()
        let (cells, boundary) = try run()
        let seconds = Date().timeIntervalSince(started)
        try writeAtomically(try render(cells, as: .csv), to: directory.appendingPathComponent("phase_diagram.csv"))
        try writeAtomically(try render(boundary, as: .csv), to: directory.appendingPathComponent("phase_boundary.csv"))
        let script = directory.appendingPathComponent("phase_diagram.gp")
        try writeAtomically(try gnuplotScript(cellKeys: cells.first?.keys ?? [], boundaryKeys: boundary.first?.keys ?? []), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        return (cells, boundary, seconds)
    }

    /// Columns by name, looked up in the files' headers.
    private func gnuplotScript(cellKeys: [String], boundaryKeys: [String]) throws -> String {
        let (n, kTau, gap) = (try gnuplotColumn("n", in: cellKeys), try gnuplotColumn("k_tau", in: cellKeys), try gnuplotColumn("free_energy_gap", in: cellKeys))
        let (bn, star) = (try gnuplotColumn("n", in: boundaryKeys), try gnuplotColumn("k_tau_star", in: boundaryKeys))
        return """
        # Phase 1 at d = inf: F_branch - F_triv over (n, k tau); the mode is learned where it is < 0.
        set terminal pngcairo size 800,600 font ",10"
        set output "phase_diagram.png"
        set datafile separator ","
        set termoption noenhanced
        set logscale x
        set xlabel "training points n"
        set ylabel "k tau"
        set palette defined (-1 "blue", 0 "white", 1 "red")
        set cbrange [-1:1]
        set cblabel "sign(gap) |gap|^(1/4); grey: no branch (trivial only)"
        set object 1 rectangle from graph 0,0 to graph 1,1 behind fc rgb "#cccccc" fs solid noborder
        dn = (\(nMax)/\(nMin))**(0.5/\(nCount - 1))
        dk = \(signalMax)/\(signalCount)/2
        set xrange [\(nMin)/dn:\(nMax)*dn]
        set yrange [0:\(signalMax)*1.02]
        set title "F_branch - F_triv at p = \(setup.p), sigma = \(setup.sigma), L_u = \(penaltyU), L_w = \(penaltyW)"
        plot "phase_diagram.csv" every ::1 using (strcol(\(gap)) eq "" ? NaN : $\(n)):\(kTau):($\(n)/dn):($\(n)*dn):($\(kTau)-dk):($\(kTau)+dk):(($\(gap) < 0 ? -1 : 1) * abs($\(gap))**0.25) \\
                 with boxxyerror fs solid 1.0 noborder palette notitle, \\
             "phase_boundary.csv" every ::1 using \(bn):(strcol(\(star)) eq "below_grid" || strcol(\(star)) eq "above_grid" ? NaN : $\(star)) with lines lw 2 lc rgb "black" title "k tau*(n)"

        """
    }
}

/// Per column of n, its result, filled by the workers.
private final class ColumnStore: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<([PhaseOneBoundary.GapCell?], PhaseOneBoundary.Crossing?), Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func store(_ i: Int, _ value: Result<([PhaseOneBoundary.GapCell?], PhaseOneBoundary.Crossing?), Error>) {
        lock.lock(); values[i] = value; lock.unlock()
    }
}
