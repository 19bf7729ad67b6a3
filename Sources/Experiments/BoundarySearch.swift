import BuildInfo
import Foundation
import FlowModel
import GSLKit
import RunStore
import Theory

/// The phase-1 boundary (mode learned or not) in the (n, kτ) and (n, penalty) planes, and the
/// (n, p) boundary where |p̂ − p| ≤ tolerance (derivations/autoencoder-theory.md §6, §7), computed
/// in a run directory (rows.csv: one block per n and per p; resumable, shardable) and written as
/// boundary_n.csv, boundary_p.csv, boundaries.gp and, with gnuplot, boundaries.png.
///
///     let setup = try Setup(dimension: .infinite, p: 0.8, sigma: 1, k: 2)   // n: each of ns
///     let search = BoundarySearch(setup: setup, penaltyU: 2, penaltyW: 2)
///     let (nRows, pRows) = try search.run(ns: [16, 32], ps: [0.8], directory: URL(fileURLWithPath: "out"))
public struct BoundarySearch: Sendable {
    /// p, σ and k at d = ∞ (a finite d is refused); the setup's n is replaced by each n of the
    /// search, its p by each p of the (n, p) boundary.
    public var setup: Setup
    /// L_u, L_w of J (AT.2).
    public var penaltyU, penaltyW: Double
    /// n₊ of the (n, kτ) boundary (default p·n).
    public var nPlus: Double?
    public var tolerance = 0.01
    /// p̂ from the continuous flow (d = ∞, GSL ODE) or the dilated grid of `steps` steps (d = ∞).
    public var integrator = AutoencoderExperiment.Integrator.continuous
    public var steps = 80
    /// The largest k: the (n, kτ) continuation walks down from kτ = max(k, 4) in steps of 0.05.
    public static let largestK = 100.0

    public init(setup: Setup, penaltyU: Double, penaltyW: Double, nPlus: Double? = nil) {
        self.setup = setup; self.penaltyU = penaltyU; self.penaltyW = penaltyW; self.nPlus = nPlus
    }

    func problem(n: Double, p: Double? = nil) throws -> AutoencoderProblem {
        guard !setup.dimension.isFinite else { throw InputError("the boundaries are at d = inf; got d = \(setup.dimension)") }
        return try AutoencoderProblem(setup: Setup(p: p ?? setup.p, sigma: setup.sigma, n: n), nPlus: p == nil ? nPlus : nil, penaltyU: penaltyU, penaltyW: penaltyW)
    }

    func pHat(_ problem: AutoencoderProblem) throws -> Double {
        let theory = try AutoencoderTheory(problem: problem, k: setup.k)
        return integrator == .grid ? try LearnedFlow.dilatedGridAtInfiniteD(theory, steps: steps).pHat
                                   : try LearnedFlow.continuousAtInfiniteD(theory).pHat
    }

    /// The n in [2, 10⁵] where |p̂ − p| falls to the tolerance at mode probability p: Brent root
    /// finding (GSL) of log|p̂ − p| − log tolerance in log n, to 10⁻³ in log n (the 12 halvings of
    /// a bisection reached 2.6·10⁻³ with 14 evaluations of p̂; Brent needs about half as many);
    /// 2 when n = 2 already meets it, nil when even n = 10⁵ misses it.
    public func smallestN(p: Double) throws -> Double? {
        func error(_ n: Double) throws -> Double { abs(try pHat(try problem(n: n, p: p)) - p) }
        let (lo, hi) = (log(2.0), log(1e5))
        guard try error(exp(hi)) <= tolerance else { return nil }
        guard try error(exp(lo)) > tolerance else { return exp(lo) }
        let root = try RootFinder.brent(in: lo, hi, absolute: 1e-3, relative: 0) { x in
            log(max(try error(exp(x)), 1e-300)) - log(tolerance)
        }
        return exp(root)
    }

    static let nHeader = ["n", "n_plus", "p", "sigma", "k", "penalty_u", "penalty_w", "k_tau_star", "tau_star",
                          "branch_end", "penalty_star", "p_hat", "p_hat_error", "integrator"]
    static let pHeader = ["p", "sigma", "k", "penalty_u", "penalty_w", "tolerance", "n_star", "p_hat", "integrator"]
    /// The run directory's columns: which boundary a row belongs to, then the union of both files' keys
    /// (a cell that does not apply is empty).
    public static let header = ["boundary"] + nHeader + pHeader.filter { !nHeader.contains($0) }

    /// The manifest settings (everything the rows depend on).
    public func settings(ns: [Double], ps: [Double]) -> [Setting] {
        [Setting("command", "boundaries"), Setting("p", "\(setup.p)"), Setting("sigma", "\(setup.sigma)"), Setting("k", "\(setup.k)"),
         Setting("penalty_u", "\(penaltyU)"), Setting("penalty_w", "\(penaltyW)"), Setting("n_plus", nPlus.map { "\($0)" } ?? "p·n"),
         Setting("tolerance", "\(tolerance)"), Setting("integrator", integrator.rawValue), Setting("steps", "\(steps)"),
         Setting("ns", ns.map { "\($0)" }.joined(separator: " ")), Setting("ps", ps.map { "\($0)" }.joined(separator: " "))]
    }

    /// Both boundaries in a run directory (`RunStore`: one unit per n and per p, rows.csv with the
    /// column `boundary` = n or p; `resume` continues it; a shard i/N computes every N-th unit). Once
    /// every unit is there and the shard is 1/1, writes boundary_n.csv, boundary_p.csv (plain CSV),
    /// boundaries.gp (and the PNG) and returns their rows (empty for a shard).
    public func run(ns: [Double], ps: [Double], directory: URL, resume: Bool = false, shard: Shard = .whole) throws -> (nRows: [Row], pRows: [Row]) {
        _ = try problem(n: ns.first ?? 16)   // validate p, σ, penalties before any work
        let nUnits = ns.map { "n=\($0)" }, pUnits = ps.map { "p=\($0)" }
        let manifest = Manifest(settings: settings(ns: ns, ps: ps), columns: Self.header, units: nUnits + pUnits, shard: shard,
                                toolVersion: BuildInfo.version, buildCommit: BuildInfo.commit)
        let store = try openRunDirectory(at: directory, manifest: manifest, resume: resume)
        defer { store.close() }
        if let cut = store.cutTail { writeStandardError("\(cut)\n") }
        let pending = Set(store.pendingUnits)
        let moments = try TanhMoments()
        let progress = Progress(total: pending.count)
        func cells(_ row: Row, _ kind: String) throws -> [String] {
            let values = Dictionary(try RowCodec.encoded(row).fields.map { ($0.key, $0.value.text) }, uniquingKeysWith: { a, _ in a })
            return Self.header.map { $0 == "boundary" ? kind : values[$0] ?? "" }
        }

        // (n, kτ), (n, penalty) and p̂ at the given p.
        // Every pending n (and below, every p) is computed alone, in parallel; the rows are stored in
        // input order, so the files do not depend on the number of threads.
        let nTodo = zip(ns, nUnits).filter { pending.contains($0.1) }
        let nResults = parallelResults(nTodo.count) { i -> Row in
            let n = nTodo[i].0
            let problem = try problem(n: n)
            let crossing = try PhaseOneBoundary.signal(problem, moments: moments, from: max(setup.k, 4), step: 0.05)
            let penalty = try PhaseOneBoundary.penalty(p: problem.p, sigma: problem.sigma, n: n, nPlus: nPlus,
                                                       signal: setup.k, moments: moments)
            let generated = try pHat(problem)
            var row = Row()
            row.add("n", extendedCell(n)); row.add("n_plus", problem.nPlus); row.add("p", problem.p); row.add("sigma", problem.sigma)
            row.add("k", setup.k); row.add("penalty_u", problem.penaltyU); row.add("penalty_w", problem.penaltyW)
            row.add("k_tau_star", crossing.value); row.add("tau_star", crossing.value / setup.k)
            row.add("branch_end", crossing.branchEnd); row.add("penalty_star", penalty.value)
            row.add("p_hat", generated); row.add("p_hat_error", generated - problem.p); row.add("integrator", integrator.rawValue)
            progress.update(done: progress.tick(), label: "n = \(n)")
            return row
        }
        for ((_, unit), result) in zip(nTodo, nResults) { try store.append(unit: unit, rows: [try cells(try result.get(), "n")]) }

        // (n, p): the smallest n with |p̂ − p| ≤ tolerance.
        let pTodo = zip(ps, pUnits).filter { pending.contains($0.1) }
        let pResults = parallelResults(pTodo.count) { i -> Row? in
            let p = pTodo[i].0
            defer { progress.update(done: progress.tick(), label: "p = \(p)") }
            guard let nStar = try smallestN(p: p) else {
                warn("p = \(p): |p̂ − p| > \(tolerance) even at n = 1e5; no boundary in range")
                return nil
            }
            var row = Row()
            row.add("p", p); row.add("sigma", setup.sigma); row.add("k", setup.k)
            row.add("penalty_u", penaltyU); row.add("penalty_w", penaltyW); row.add("tolerance", tolerance)
            row.add("n_star", nStar)
            row.add("p_hat", try pHat(try problem(n: nStar, p: p)))
            row.add("integrator", integrator.rawValue)
            return row
        }
        for ((_, unit), result) in zip(pTodo, pResults) { try store.append(unit: unit, rows: try result.get().map { [try cells($0, "p")] } ?? []) }
        if !pending.isEmpty { progress.update(done: progress.total, label: "done") }
        guard store.isComplete else { return ([], []) }
        try store.compact()
        guard shard.count == 1 else { return ([], []) }

        // The plain files, from the rows read back through the one decoder (a malformed cell is an error).
        func rows(_ units: [String], _ keys: [String]) throws -> [Row] {
            try units.flatMap { try store.rows(of: $0) ?? [] }.map { cells in
                let full = try RowCodec.row(cells: cells, columns: Self.header)
                return Row(fields: keys.map { ($0, full[$0] ?? .missing) })
            }
        }
        let nRows = try rows(nUnits, Self.nHeader), pRows = try rows(pUnits, Self.pHeader)
        try writeAtomically(try render(nRows, as: .csv), to: directory.appendingPathComponent("boundary_n.csv"))
        try writeAtomically(try render(pRows, as: .csv), to: directory.appendingPathComponent("boundary_p.csv"))
        let script = directory.appendingPathComponent("boundaries.gp")
        try writeAtomically(try gnuplotScript(), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        return (nRows, pRows)
    }

    /// Columns by name (their place in `nHeader`, `pHeader`).
    private func gnuplotScript() throws -> String {
        let c = { (key: String) in try gnuplotColumn(key, in: Self.nHeader) }
        let (n, star, end, penalty) = (try c("n"), try c("k_tau_star"), try c("branch_end"), try c("penalty_star"))
        let (p, nStar) = (try gnuplotColumn("p", in: Self.pHeader), try gnuplotColumn("n_star", in: Self.pHeader))
        return """
        # Phase-1 boundaries of the learned autoencoder and the (n, p) boundary of |p_hat - p| <= \(tolerance).
        set terminal pngcairo size 1500,450 font ",10"
        set output "boundaries.png"
        set datafile separator ","
        set termoption noenhanced
        set multiplot layout 1,3
        set logscale x
        set xlabel "training points n"
        set ylabel "k tau*"
        set title "mode learned above k tau* (L_u = \(penaltyU), L_w = \(penaltyW))"
        plot "boundary_n.csv" every ::1 using \(n):\(star) with linespoints lw 2 pt 7 title "k tau* (F_branch = F_triv)", \\
             "boundary_n.csv" every ::1 using \(n):\(end) with points pt 6 title "last k tau of the branch (spinodal < 0.05 below)"
        set logscale y
        set ylabel "penalty L* (L_u = L_w)"
        set title "mode learned at k tau = \(setup.k) below L*"
        plot "boundary_n.csv" every ::1 using \(n):\(penalty) with linespoints lw 2 pt 7 notitle
        unset logscale x
        set xlabel "p"
        set ylabel "n*"
        set title "|p_hat - p| <= \(tolerance) above n*"
        plot "boundary_p.csv" every ::1 using \(p):\(nStar) with linespoints lw 2 pt 7 notitle
        unset multiplot

        """
    }
}
