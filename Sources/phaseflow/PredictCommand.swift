import ArgumentParser
import Foundation
import FlowModel
import Theory

/// `phaseflow predict`: p̂ and σ̂ of the generative flow driven by the learned networks
/// (derivations/autoencoder-theory.md §7).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Generated mode probability p̂ and spread σ̂ of the flow driven by the learned autoencoder.")

    enum IntegratorChoice: String, ExpressibleByArgument, CaseIterable { case continuous, grid, all }

    @OptionGroup var training: AutoencoderOptions
    @Option(help: "Dimension d, or inf (default) for the asymptotic theory.")
    var d: Extended = Extended(.infinity)
    @Option(help: "Schedule: \(ScheduleName.allCases.map(\.rawValue).joined(separator: ", ")) (d = inf: dilated only).")
    var schedule: ScheduleName = .dilated
    @Option(help: "Number K of uniform clock steps of the grid (x₁-prediction update, the networks trained at the grid times).")
    var steps: Int = 80
    @Option(help: "continuous (GSL ODE driver, d = inf), grid (the practitioner's K steps), or all.")
    var integrator: IntegratorChoice = .all
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table

    func validate() throws {
        try require("steps", Double(steps), "≥ 1") { $0 >= 1 }
        if !d.value.isFinite, integrator != .continuous {
            try require("steps", Double(steps), "even on the dilated clock at d = inf (τ = 1 on the grid)") { Int($0) % 2 == 0 }
        }
    }

    func run() throws {
        print(try render(try rows(), as: format), terminator: "")
    }

    /// One row per integrator: p̂, σ̂ and the inputs.
    func rows() throws -> [Row] {
        let problem = try training.problem()
        let theory = try AutoencoderTheory(problem: problem, k: training.k, dimension: d.value)
        var results: [(String, LearnedFlow.Prediction)] = []
        if d.value.isFinite {
            guard integrator != .continuous else {
                throw InputError("the continuous flow is implemented at d = inf; at d = \(d) use --integrator grid")
            }
            let target = try Problem(dimension: d.value, p: problem.p, sigma: problem.sigma)
            let flowSchedule = try schedule.make(for: target, k: training.k)
            if steps % flowSchedule.stepQuantum != 0 {
                warn("steps = \(steps) puts no grid point on the \(schedule.rawValue) clock's breakpoint (use a multiple of \(flowSchedule.stepQuantum))")
            }
            results.append(("grid", try LearnedFlow.grid(problem, schedule: flowSchedule, dimension: target.dimension,
                                                         steps: steps, moments: theory.moments)))
        } else {
            guard schedule == .dilated else {
                throw InputError("schedule '\(schedule.rawValue)' needs a finite d (at d = inf only the dilated clock resolves the mode decision)")
            }
            if integrator != .grid { results.append(("continuous", try LearnedFlow.continuousAtInfiniteD(theory))) }
            if integrator != .continuous { results.append(("grid", try LearnedFlow.dilatedGridAtInfiniteD(theory, steps: steps))) }
        }
        return results.map { name, prediction -> Row in
            var row = Row()
            row.add("schedule", schedule.rawValue)
            row.add("integrator", name)
            row.add("d", d)
            row.add("steps", name == "grid" ? steps : 0)
            training.addInputs(to: &row, problem: problem)
            row.add("p_hat", prediction.pHat)
            row.add("p_error", prediction.pHat - problem.p)
            row.add("sigma_hat", prediction.sigmaHat)
            row.add("sigma_believed", problem.believedVariance.squareRoot())
            row.add("k_tau_trivial", prediction.trivialBelow)
            return row
        }
    }
}
