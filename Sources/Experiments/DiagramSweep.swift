import Foundation
import FlowModel
import Theory

/// |p̂ − p| of a grid integrator over (d, K) for several schedules, the boundary K*(d) and its
/// power-law exponent (derivations/exact-flow.md §7): diagram.csv (resumable), boundary.csv,
/// diagram.gp and, with gnuplot, diagram.png.
///
///     var sweep = DiagramSweep(directory: URL(fileURLWithPath: "out"))
///     sweep.dMax = 1000; sweep.stepsMax = 1000
///     let (boundary, exponents) = try sweep.run(resume: false)   // exponents: "linear: K* ∝ d^a with a = …"
public struct DiagramSweep: Sendable {
    public enum Scheme: String, CaseIterable, Sendable {
        case euler, x1Pred = "x1-pred"
        var scheme: GridFlow.Scheme { self == .euler ? .euler : .x1Prediction }
    }

    public var p = 0.8, sigma = 1.0, k = 2.0
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

    public init(directory: URL) { self.directory = directory }

    /// Checks the settings before any work: p, σ, every schedule at the smallest d (a dilated
    /// schedule needs k < √d_min; it is not dropped silently), and the grid sizes.
    public func validate() throws {
        guard !schedules.isEmpty else { throw InputError("schedules needs at least one schedule") }
        guard dMin >= 1, dMin.isFinite, dMax >= dMin, dMax <= 1e12 else { throw InputError("d-min, d-max must satisfy 1 ≤ d-min ≤ d-max ≤ 1e12; got \(dMin), \(dMax)") }
        guard stepsMin >= 1, stepsMax >= stepsMin, stepsMax <= Double(Limits.gridSteps) else {
            throw InputError("steps-min, steps-max must satisfy 1 ≤ steps-min ≤ steps-max ≤ \(Limits.gridSteps); got \(stepsMin), \(stepsMax)")
        }
        let smallest = try Problem(dimension: dMin.rounded(.up), p: p, sigma: sigma)
        for name in schedules {
            do { _ = try name.make(for: smallest, k: k, sigmaMax: name == .ve ? sigmaMax : nil) } catch {
                throw InputError("schedule \(name.rawValue) cannot be built at d-min = \(smallest.dimension) with k = \(k): \(error)")
            }
        }
        if let sigmaMax, !schedules.contains(.ve) { throw InputError("sigma-max \(sigmaMax) applies to the ve schedule only; it is not in --schedules") }
    }

    /// Runs the sweep (keeping the rows of an interrupted run with `resume`), writes the files, and
    /// returns the boundary rows and the fitted-exponent lines.
    public func run(resume: Bool) throws -> (boundary: [Row], exponents: [String]) {
        try validate()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dims = StepBoundary.geometricGrid(from: dMin, to: dMax, perDecade: dPerDecade)
        _ = try Problem(dimension: dMin.rounded(.up), p: p, sigma: sigma)  // validate p, σ before any work

        let header = ["schedule", "integrator", "d", "p", "sigma", "k", "steps", "p_hat", "p_hat_abs_error"]
        let file = try ResultFile(url: directory.appendingPathComponent("diagram.csv"), header: header, resume: resume)
        var errors: [String: Double] = [:]  // "schedule d steps" -> |p̂ − p|
        for row in file.existingRows {
            if let s = row["schedule"], let d = row["d"], let k = row["steps"], let e = row["p_hat_abs_error"].flatMap(Double.init) {
                errors["\(s) \(d) \(k)"] = e
            }
        }
        var boundaryRows: [Row] = []
        var summary: [String] = []
        let progress = Progress(total: schedules.count * dims.count)
        for (si, name) in schedules.enumerated() {
            var found: [(d: Int, kStar: Int)] = []
            for (di, d) in dims.enumerated() {
                progress.update(done: si * dims.count + di, label: "\(name.rawValue) d=\(d)")
                let problem = try Problem(dimension: Double(d), p: p, sigma: sigma)
                let schedule = try name.make(for: problem, k: k, sigmaMax: name == .ve ? sigmaMax : nil)
                let field = ExactField(problem: problem, schedule: schedule)
                let quantum = schedule.stepQuantum
                let stepGrid = StepBoundary.geometricGrid(from: stepsMin, to: stepsMax, perDecade: stepsPerDecade, quantum: quantum)
                let pHat = { (steps: Int) in try StepBoundary.generatedModeProbability(field, scheme: integrator.scheme, steps: steps) }
                let error = { (steps: Int) in try pHat(steps).map { abs($0 - problem.p) } ?? .infinity }
                var block: [Row] = []
                let column = try stepGrid.map { steps -> Double in
                    if let known = errors["\(name.rawValue) \(d) \(steps)"] { return known }
                    guard let value = try pHat(steps) else { return .infinity }
                    var row = Row()
                    row.add("schedule", name.rawValue); row.add("integrator", integrator.rawValue)
                    row.add("d", d); row.add("p", problem.p); row.add("sigma", problem.sigma); row.add("k", k)
                    row.add("steps", steps); row.add("p_hat", value); row.add("p_hat_abs_error", abs(value - problem.p))
                    block.append(row)
                    return abs(value - problem.p)
                }
                try file.append(block)
                if let kStar = try StepBoundary.threshold(grid: stepGrid, errors: column, tolerance: tolerance,
                                                             quantum: quantum, error: error) {
                    found.append((d, kStar))
                    var row = Row()
                    row.add("schedule", name.rawValue); row.add("integrator", integrator.rawValue)
                    row.add("d", d); row.add("p", p); row.add("sigma", sigma)
                    row.add("k", k); row.add("tolerance", tolerance); row.add("steps_star", kStar)
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
        progress.update(done: progress.total, label: "done")

        try writeAtomically(try render(boundaryRows, as: .csv), to: directory.appendingPathComponent("boundary.csv"))
        let script = directory.appendingPathComponent("diagram.gp")
        try writeAtomically(gnuplotScript(schedules: schedules.map(\.rawValue)), to: script)
        _ = renderWithGnuplot(script: script, in: directory)
        return (boundaryRows, summary)
    }

    private func gnuplotScript(schedules: [String]) -> String {
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
            plot "diagram.csv" using (strcol(1) eq "\(name)" ? $3 : NaN):($7):($3/dx):($3*dx):($7/dk):($7*dk):(log10($9 + 1e-12)) \\
                     with boxxyerror fs solid 1.0 noborder palette notitle, \\
                 "boundary.csv" using ($3):(strcol(1) eq "\(name)" ? $8 : NaN) with linespoints lw 2 pt 7 lc rgb "black" title "K*(d)"

            """
        }
        return s + "unset multiplot\n"
    }
}
