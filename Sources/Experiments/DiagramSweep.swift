import BuildInfo
import Foundation
import FlowModel
import RunStore
import Theory

/// |p̂ − p| of a grid integrator over (d, K) for several schedules, the boundary K*(d) and its
/// power-law exponent (derivations/exact-flow.md §7): a run directory (manifest.json, rows.csv with
/// one block per schedule and d; resumable, shardable), boundary.csv, diagram.gp and, with gnuplot,
/// diagram.png.
///
///     let setup = try Setup(dimension: .infinite, p: 0.8, sigma: 1, k: 2)   // d: each of the sweep's
///     var sweep = DiagramSweep(setup: setup, directory: URL(fileURLWithPath: "out"))
///     sweep.dMax = 1000; sweep.stepsMax = 1000
///     let (boundary, exponents) = try sweep.run(resume: false)   // exponents: "linear: K* ∝ d^a with a = …"
public struct DiagramSweep: Sendable {
    public enum Scheme: String, CaseIterable, Sendable {
        case euler, x1Pred = "x1-pred"
        var scheme: GridFlow.Scheme { self == .euler ? .euler : .x1Prediction }
    }

    /// p, σ and k of the target and clock; its d is replaced by each d of the sweep (`Setup.at`).
    public var setup: Setup
    public var sigmaMax: Double?
    public var schedules: [ScheduleName] = [.linear, .dilated]
    public var integrator = Scheme.euler
    public var dMin = 1e2, dMax = 1e6
    public var dPerDecade = 4
    public var stepsMin = 10.0, stepsMax = 1e4
    public var stepsPerDecade = 6
    /// The boundary is where |p̂ − p| first drops below this.
    public var tolerance = 0.01
    public var directory: URL

    public init(setup: Setup, directory: URL) { self.setup = setup; self.directory = directory }

    /// Checks the settings before any work: p, σ, every schedule at the smallest d (a dilated
    /// schedule needs k < √d_min; it is not dropped silently), and the grid sizes.
    public func validate() throws {
        guard !schedules.isEmpty else { throw InputError("schedules needs at least one schedule") }
        guard dMin >= 1, dMin.isFinite, dMax >= dMin, dMax <= 1e12 else { throw InputError("d-min, d-max must satisfy 1 ≤ d-min ≤ d-max ≤ 1e12; got \(dMin), \(dMax)") }
        guard stepsMin >= 1, stepsMax >= stepsMin, stepsMax <= Double(Limits.gridSteps) else {
            throw InputError("steps-min, steps-max must satisfy 1 ≤ steps-min ≤ steps-max ≤ \(Limits.gridSteps); got \(stepsMin), \(stepsMax)")
        }
        let smallest = try setup.at(Dimension(dMin.rounded(.up))).problem()
        for name in schedules {
            do { _ = try name.make(for: smallest, k: setup.k, sigmaMax: name == .ve ? sigmaMax : nil) } catch {
                throw InputError("schedule \(name.rawValue) cannot be built at d-min = \(smallest.d) with k = \(setup.k): \(error)")
            }
        }
        if let sigmaMax, !schedules.contains(.ve) { throw InputError("sigma-max \(sigmaMax) applies to the ve schedule only; it is not in --schedules") }
    }

    public static let header = ["schedule", "integrator", "d", "p", "sigma", "k", "steps", "p_hat", "p_hat_abs_error"]

    /// The manifest settings of the sweep (everything its rows depend on).
    public var settings: [Setting] {
        [Setting("command", "diagram"), Setting("schedules", schedules.map(\.rawValue).joined(separator: " ")),
         Setting("integrator", integrator.rawValue), Setting("p", "\(setup.p)"), Setting("sigma", "\(setup.sigma)"), Setting("k", "\(setup.k)"),
         Setting("sigma_max", sigmaMax.map { "\($0)" } ?? "none"), Setting("d_min", "\(dMin)"), Setting("d_max", "\(dMax)"),
         Setting("d_per_decade", "\(dPerDecade)"), Setting("steps_min", "\(stepsMin)"), Setting("steps_max", "\(stepsMax)"),
         Setting("steps_per_decade", "\(stepsPerDecade)"), Setting("tolerance", "\(tolerance)")]
    }

    /// Runs the sweep in the run directory (`RunStore`: one unit per schedule and d, rows.csv with
    /// |p̂ − p| per K; `resume` continues it; a shard i/N computes every N-th unit), then, once
    /// every unit is there and the shard is 1/1, writes boundary.csv, diagram.gp (and the PNG) and
    /// returns the boundary rows and the fitted-exponent lines (empty for a shard).
    public func run(resume: Bool, shard: Shard = .whole) throws -> (boundary: [Row], exponents: [String]) {
        try validate()
        let dims = StepBoundary.geometricGrid(from: dMin, to: dMax, perDecade: dPerDecade)
        func unit(_ name: ScheduleName, _ d: Int) -> String { "schedule=\(name.rawValue),d=\(d)" }
        let units = schedules.flatMap { name in dims.map { unit(name, $0) } }
        let manifest = Manifest(settings: settings, columns: Self.header, units: units, shard: shard,
                                toolVersion: BuildInfo.version, buildCommit: BuildInfo.commit)
        let store = try openRunDirectory(at: directory, manifest: manifest, resume: resume)
        defer { store.close() }
        if let cut = store.cutTail { writeStandardError("\(cut)\n") }
        let pending = Set(store.pendingUnits)
        func columnSetup(_ name: ScheduleName, _ d: Int) throws -> (problem: Problem, field: ExactField, quantum: Int, grid: [Int])? {
            let problem = try setup.at(.finite(d)).problem()
            let schedule = try name.make(for: problem, k: setup.k, sigmaMax: name == .ve ? sigmaMax : nil)
            let quantum = schedule.stepQuantum
            return (problem, ExactField(problem: problem, schedule: schedule), quantum,
                    StepBoundary.geometricGrid(from: stepsMin, to: stepsMax, perDecade: stepsPerDecade, quantum: quantum))
        }
        let progress = Progress(total: pending.count)
        var done = 0
        for name in schedules {
            for d in dims where pending.contains(unit(name, d)) {
                progress.update(done: done, label: "\(name.rawValue) d=\(d)")
                done += 1
                var block: [[String]] = []
                if let c = try columnSetup(name, d) {
                    for steps in c.grid {
                        guard let value = try StepBoundary.generatedModeProbability(c.field, scheme: integrator.scheme, steps: steps) else { continue }
                        var row = Row()
                        row.add("schedule", name.rawValue); row.add("integrator", integrator.rawValue)
                        row.add("d", d); row.add("p", c.problem.p); row.add("sigma", c.problem.sigma); row.add("k", setup.k)
                        row.add("steps", steps); row.add("p_hat", value); row.add("p_hat_abs_error", abs(value - c.problem.p))
                        block.append(try RowCodec.cells(row))
                    }
                }
                try store.append(unit: unit(name, d), rows: block)
            }
        }
        if !pending.isEmpty { progress.update(done: progress.total, label: "done") }
        guard store.isComplete else { return ([], []) }
        try store.compact()
        guard shard.count == 1 else { return ([], []) }

        var boundaryRows: [Row] = []
        var summary: [String] = []
        for name in schedules {
            var found: [(d: Int, kStar: Int)] = []
            for d in dims {
                guard let c = try columnSetup(name, d) else { continue }
                var errors = [Int: Double]()
                for cells in try store.rows(of: unit(name, d)) ?? [] {
                    let row = try RowCodec.row(cells: cells, columns: Self.header)
                    errors[Int(try row.number("steps"))] = try row.number("p_hat_abs_error")
                }
                let error = { (steps: Int) in
                    try StepBoundary.generatedModeProbability(c.field, scheme: integrator.scheme, steps: steps).map { abs($0 - c.problem.p) } ?? .infinity
                }
                if let kStar = try StepBoundary.threshold(grid: c.grid, errors: c.grid.map { errors[$0] ?? .infinity }, tolerance: tolerance,
                                                             quantum: c.quantum, error: error) {
                    found.append((d, kStar))
                    var row = Row()
                    row.add("schedule", name.rawValue); row.add("integrator", integrator.rawValue)
                    row.add("d", d); row.add("p", setup.p); row.add("sigma", setup.sigma)
                    row.add("k", setup.k); row.add("tolerance", tolerance); row.add("steps_star", kStar)
                    boundaryRows.append(row)
                }
            }
            if found.count >= 2 {
                let fit = try StepBoundary.powerLawExponent(dimensions: found.map(\.d), thresholds: found.map(\.kStar))
                // Two dimensions determine the line: no standard error (it would be NaN).
                let error = found.count > 2 && fit.slopeStandardError.isFinite ? String(format: " ± %.3f", fit.slopeStandardError) : ""
                summary.append(String(format: "%@: K* ∝ d^a with a = %.3f%@ over %ld dimensions (K* from %ld to %ld)",
                                      name.rawValue, fit.slope, error, found.count, found.first!.kStar, found.last!.kStar))
            } else {
                summary.append("\(name.rawValue): K* found at \(found.count) dimension(s); no exponent fitted")
            }
        }

        try writeAtomically(try render(boundaryRows, as: .csv), to: directory.appendingPathComponent("boundary.csv"))
        let script = directory.appendingPathComponent("diagram.gp")
        try writeAtomically(try gnuplotScript(schedules: schedules.map(\.rawValue), boundaryKeys: boundaryRows.first?.keys ?? Self.boundaryHeader), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        return (boundaryRows, summary)
    }

    /// The columns of boundary.csv.
    static let boundaryHeader = ["schedule", "integrator", "d", "p", "sigma", "k", "tolerance", "steps_star"]

    /// Columns by name, looked up in the files' headers.
    private func gnuplotScript(schedules: [String], boundaryKeys: [String]) throws -> String {
        let (s1, d, steps, error) = (try gnuplotColumn("schedule", in: Self.header), try gnuplotColumn("d", in: Self.header),
                                     try gnuplotColumn("steps", in: Self.header), try gnuplotColumn("p_hat_abs_error", in: Self.header))
        let (s2, bd, star) = (try gnuplotColumn("schedule", in: boundaryKeys), try gnuplotColumn("d", in: boundaryKeys), try gnuplotColumn("steps_star", in: boundaryKeys))
        var s = """
        # Heat map of log10 |p_hat - p| over (d, K); the boundary K*(d) in black.
        set terminal pngcairo size \(560 * schedules.count),480 font ",10"
        set output "diagram.png"
        set datafile separator ","
        set logscale xy
        set xlabel "dimension d"
        set ylabel "steps K"
        set cblabel "log10 |p_hat - p|" noenhanced
        set cbrange [-6:0]
        set palette rgbformulae 33,13,10
        dx = 10**(0.5/\(dPerDecade))
        # Cells are widened by 30 % so that K values rounded to whole (or quantum) steps leave no gaps.
        dk = 10**(0.65/\(stepsPerDecade))
        set xrange [\(dMin)/dx:\(dMax)*dx]
        set yrange [\(stepsMin)/dk:\(stepsMax)*dk]
        set key bottom right
        set multiplot layout 1,\(schedules.count)

        """
        for name in schedules {
            s += """
            set title "\(name), \(integrator.rawValue)"
            plot "rows.csv" using (strcol(\(s1)) eq "\(name)" ? $\(d) : NaN):($\(steps)):($\(d)/dx):($\(d)*dx):($\(steps)/dk):($\(steps)*dk):(log10($\(error) + 1e-12)) \\
                     with boxxyerror fs solid 1.0 noborder palette notitle, \\
                 "boundary.csv" using ($\(bd)):(strcol(\(s2)) eq "\(name)" ? $\(star) : NaN) with linespoints lw 2 pt 7 lc rgb "black" title "K*(d)"

            """
        }
        return s + "unset multiplot\n"
    }
}
