import FlowModel
import Theory

extension LearnedParameters {
    /// The learned network at one clock time as output cells: tau, t, phase, the order parameters
    /// in column order, the overlaps with the training noise, the reduced variables, the branch and
    /// the minimiser's diagnostics.
    public func add(to row: inout Row) {
        row.add("tau", tau); row.add("t", t); row.add("phase", phase)
        for key in OrderParameter.allCases { row.add(Quantity(key.rawValue), orderParameters[key]) }
        row.add("rho_plus", rhoPlus); row.add("rho_minus", rhoMinus)
        row.add("pi_plus", piPlus); row.add("pi_minus", piMinus)
        row.add("b_eff", bEff); row.add("half_gap", halfGap)
        row.add("solution", solution.rawValue)
        row.add("objective", objective)
        row.add("iterations", iterations); row.add("simplex_size", simplexSize)
        row.add("grad_norm", gradientNorm); row.add("converged", converged ? 1 : 0)
    }
}

extension AutoencoderProblem {
    /// The inputs under their flag names: p, sigma, n, n_plus (the count n₊), penalty_u, penalty_w (the L of AT.2), and k.
    public func addInputs(to row: inout Row, k: Double) {
        row.add("p", p)
        row.add("sigma", sigma)
        row.add("n", extendedCell(n))
        row.add("n_plus", extendedCell(nPlus))
        row.add("penalty_u", penaltyU)
        row.add("penalty_w", penaltyW)
        row.add("k", k)
    }
}

/// What the one-unit autoencoder learns along the clock, and what its flow generates
/// (derivations/autoencoder-theory.md): the rows of `theory` and `predict`.
///
///     let learned = AutoencoderExperiment(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), penaltyU: 2, penaltyW: 2))
///     let (table, rows) = try learned.theoryRows(points: 40)          // τ = j/40, both phases
///     let predictions = try learned.predictionRows(integrator: .all)  // continuous and K = 80 grid at d = ∞
public struct AutoencoderExperiment: Sendable {
    public enum Integrator: String, CaseIterable, Sendable { case continuous, grid, all }

    public var problem: AutoencoderProblem
    public var k = 2.0
    /// `.infinite` for the asymptotic theory.
    public var dimension = FlowModel.Dimension.infinite
    public var schedule = ScheduleName.dilated
    /// Finite d: the corrections FD.1–FD.8 (derivations/finite-d-corrections.md: the stationary skip
    /// weight, the reduced problem at every τ, each point's own μ-coordinate with the slope κ, output as
    /// `point_slope`) and the learned branch wherever it exists (FD.4) — the theory `compare` tests.
    public var finiteDCorrections = false
    /// Finite d: the rows of the authors' Adam protocol at this learning rate, its stationary state with
    /// the bulk fluctuations (derivations/adam-offset.md AD.3, AD.4; adds `bulk_r`, `bulk_q`), instead of a minimiser.
    public var adamLearningRate: Double?
    /// With `adamLearningRate`: how AD.4's fluctuations of w are split over its directions (`AdamBulk.Model`;
    /// `.standard` by default, AD.3's `.isotropic`, §9's `.offsets`); a row names any other model in `adam_bulk_model`.
    public var adamBulkModel: AdamBulk.Model = .standard

    public init(problem: AutoencoderProblem, k: Double = 2, dimension: FlowModel.Dimension = .infinite, schedule: ScheduleName = .dilated) {
        self.problem = problem; self.k = k; self.dimension = dimension; self.schedule = schedule
    }

    /// The learned parameters at `points` clock times per phase (τ = j/points), or 2·points uniform
    /// clock times of a non-dilated schedule (finite d only), with the output rows.
    public func theoryRows(points: Int) throws -> (table: [LearnedParameters], rows: [Row]) {
        if finiteDCorrections || adamLearningRate != nil, !dimension.isFinite {
            throw InputError("the finite-d corrections and Adam's stationary state need a finite d; got d = inf")
        }
        if adamLearningRate == nil, adamBulkModel != .standard {
            throw InputError("the Adam bulk model '\(adamBulkModel.name)' is for Adam's stationary state; it needs an Adam learning rate")
        }
        func corrected(_ theory: AutoencoderTheory) -> AutoencoderTheory {
            var theory = theory
            theory.finiteDReduced = finiteDCorrections
            if finiteDCorrections { theory.branchRule = .learnedIfExists }
            theory.adamLearningRate = adamLearningRate
            theory.adamBulkModel = adamBulkModel
            return theory
        }
        let table: [LearnedParameters]
        let progress = Progress(total: 2 * points, silentFor: Progress.silentSeconds)
        let report = { (done: Int, _: Int) in progress.update(done: done, label: "theory: clock times") }
        if schedule == .dilated {
            table = try corrected(try AutoencoderTheory(problem: problem, k: k, dimension: dimension)).table(pointsPerPhase: points, progress: report)
        } else {
            guard dimension.isFinite else {
                throw InputError("schedule '\(schedule.rawValue)' needs a finite d (at d = inf only the dilated clock resolves phase 1)")
            }
            let target = try Problem(dimension: dimension, p: problem.p, sigma: problem.sigma)
            let clock = try schedule.make(for: target, k: k)
            let theory = corrected(try AutoencoderTheory(problem: problem, schedule: clock, dimension: target.dimension))
            table = try theory.table(at: (0..<(2 * points)).map { Double($0) * clock.clockEnd / Double(2 * points) }, progress: report)
        }
        let rows = table.map { parameters -> Row in
            var row = Row()
            parameters.add(to: &row)
            if finiteDCorrections { row.add("point_slope", parameters.pointSlope) }
            if adamLearningRate != nil { row.add("bulk_r", parameters.bulk.r); row.add("bulk_q", parameters.bulk.q) }
            if adamBulkModel != .standard { row.add("adam_bulk_model", adamBulkModel.name) }
            row.add("d", extendedCell(dimension.value))
            row.add("schedule", schedule.rawValue)
            problem.addInputs(to: &row, k: k)
            return row
        }
        return (table, rows)
    }

    /// `theory --noise fixed`: the saturated rows of the fixed-noise theory (one base-noise draw per
    /// training point, Cui et al.; AT.22, PC.3) with `base_noise_overlap`, on the dilated clock.
    public func fixedNoiseRows(points: Int) throws -> (table: [LearnedParameters], rows: [Row]) {
        guard schedule == .dilated else { throw InputError("--noise fixed takes the dilated clock; got schedule '\(schedule.rawValue)'") }
        let table = try AutoencoderTheory(problem: problem, k: k, dimension: dimension).fixedNoiseTable(pointsPerPhase: points)
        let rows = table.map { entry -> Row in
            var row = Row()
            entry.parameters.add(to: &row)
            row.add("base_noise_overlap", entry.baseNoiseOverlap)
            row.add("noise", "fixed")
            row.add("d", extendedCell(dimension.value))
            row.add("schedule", schedule.rawValue)
            problem.addInputs(to: &row, k: k)
            return row
        }
        return (table.map(\.parameters), rows)
    }

    /// p̂ and σ̂ of the learned flow: at d = ∞ the continuous flow (AT.46) and/or K steps of the
    /// dilated grid (AT.47); at finite d the practitioner's grid on any schedule. One row per integrator.
    public func predictionRows(integrator: Integrator, steps: Int = 80) throws -> [Row] {
        let theory = try AutoencoderTheory(problem: problem, k: k, dimension: dimension)
        var results: [(String, LearnedFlow.Prediction)] = []
        if dimension.isFinite {
            guard integrator != .continuous else {
                throw InputError("the continuous flow is implemented at d = inf; at d = \(extendedCell(dimension.value).text) use --integrator grid")
            }
            let target = try Problem(dimension: dimension, p: problem.p, sigma: problem.sigma)
            let flowSchedule = try schedule.make(for: target, k: k)
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
            row.add("d", extendedCell(dimension.value))
            row.add("steps", name == "grid" ? .int(steps) : .missing)
            problem.addInputs(to: &row, k: k)
            row.add("p_hat", prediction.pHat)
            row.add("p_hat_error", prediction.pHat - problem.p)
            row.add("sigma_hat", prediction.sigmaHat)
            row.add("sigma_believed", problem.believedVariance.squareRoot())
            row.add("k_tau_trivial", prediction.trivialBelow)
            return row
        }
    }
}
