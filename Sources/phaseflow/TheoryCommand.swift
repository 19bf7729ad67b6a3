import ArgumentParser
import Foundation
import FlowModel
import Theory

/// `phaseflow theory`: the learned parameters vs the dilated clock τ, both phases
/// (derivations/autoencoder-theory.md).
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Learned parameters c, b, m, ω, q, r, u·w/d of the one-unit autoencoder vs the dilated clock τ.")

    @OptionGroup var training: AutoencoderOptions
    @Option(help: "Dimension d, or inf (default) for the asymptotic theory; a finite d evaluates the finite-d corrections.")
    var d: Extended = Extended(.infinity)
    @Option(help: "Clock times per phase (τ = j/points); on a non-dilated schedule 2·points uniform clock times.")
    var points: Int = 160
    @Option(help: "Schedule of the clock (finite d only for schedules other than dilated).")
    var schedule: ScheduleName = .dilated
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table
    @Option(help: "Base noise of the training loss: redrawn (default) or fixed (one draw per point, Cui et al.: phase-2 rows, AT.22).")
    var noise: TrainingNoise = .redrawn
    enum TrainingNoise: String, ExpressibleByArgument { case redrawn, fixed }

    func validate() throws {
        try require("points", Double(points), "≥ 1") { $0 >= 1 }
    }

    func run() throws {
        let started = Date()
        let (table, rows) = try compute()
        print(try render(rows, as: format), terminator: "")
        let notConverged = table.filter { !$0.converged }.count
        if notConverged > 0 { warn("\(notConverged) phase-1 minimisations did not converge (column converged = 0)") }
        let worst = table.map(\.gradientNorm).max() ?? 0
        FileHandle.standardError.write(Data(String(format: "phaseflow: %d rows in %.3f s; largest gradient norm at a minimum %.1e\n",
                                                   rows.count, Date().timeIntervalSince(started), worst).utf8))
    }

    /// The learned parameters at every clock time, and the output rows.
    func compute() throws -> (table: [LearnedParameters], rows: [Row]) {
        let problem = try training.problem()
        if noise == .fixed { return try fixedNoise(problem) }
        let table: [LearnedParameters]
        if schedule == .dilated {
            table = try AutoencoderTheory(problem: problem, k: training.k, dimension: d.value).table(pointsPerPhase: points)
        } else {
            guard d.value.isFinite else {
                throw InputError("schedule '\(schedule.rawValue)' needs a finite d (at d = inf only the dilated clock resolves phase 1)")
            }
            let target = try Problem(dimension: d.value, p: problem.p, sigma: problem.sigma)
            let clock = try schedule.make(for: target, k: training.k)
            let theory = try AutoencoderTheory(problem: problem, schedule: clock, dimension: target.dimension)
            table = try theory.table(at: (0..<(2 * points)).map { Double($0) * clock.clockEnd / Double(2 * points) })
        }
        let rows = table.map { parameters -> Row in
            var row = Row()
            parameters.add(to: &row)
            row.add("d", d)
            row.add("schedule", schedule.rawValue)
            training.addInputs(to: &row, problem: problem)
            return row
        }
        return (table, rows)
    }

    /// `--noise fixed`: the saturated rows of the fixed-noise theory with `base_noise_overlap`.
    func fixedNoise(_ problem: AutoencoderProblem) throws -> (table: [LearnedParameters], rows: [Row]) {
        guard schedule == .dilated else { throw InputError("--noise fixed takes the dilated clock at d = inf; got schedule '\(schedule.rawValue)'") }
        let table = try AutoencoderTheory(problem: problem, k: training.k, dimension: d.value).fixedNoiseTable(pointsPerPhase: points)
        let rows = table.map { entry -> Row in
            var row = Row()
            entry.parameters.add(to: &row)
            row.add("base_noise_overlap", entry.baseNoiseOverlap)
            row.add("noise", "fixed")
            row.add("d", d)
            row.add("schedule", schedule.rawValue)
            training.addInputs(to: &row, problem: problem)
            return row
        }
        return (table.map(\.parameters), rows)
    }
}
