import Dynamics
import FlowModel
import Foundation
import GSLKit

/// Order-parameter trajectories of the autoencoder's training at one τ or a grid of τ
/// (derivations/training-dynamics.md): the ODEs alone (`flowRows`), the plateau-escape ensemble
/// (`escapeRows`, TrainingDynamicsEscape.swift), the finite-n equations (`finiteSampleRows`,
/// TrainingDynamicsFiniteSample.swift), and the equations against the simulation's online protocol
/// (`simulationRows`, `finiteSizeRows`). Rows use the project's keys; the CLI only renders them.
///
///     var dynamics = TrainingDynamics(setup: try Setup(dimension: .finite(1000), p: 0.8, sigma: 1, k: 2))
///     dynamics.taus = [0.5]; dynamics.timeMax = 5; dynamics.timePoints = 10
///     let rows = try dynamics.flowRows()   // time, c, b, m, omega, q, r, uw, w_perp, loss, p_hat, sigma_hat, inputs
public struct TrainingDynamics: Sendable {
    /// d (∞: the d → ∞ equations, TD.21, TD.23), p, σ, k.
    public var setup: Setup
    /// Clock times in [0, 2).
    public var taus: [Double] = [0.5]
    public var rule = TrainingRule.onlineSGD
    /// η of u and w (c and b use η/d); training time = steps/d.
    public var learningRate = 0.1
    /// Per-sample ℓ_u, ℓ_w; in the finite-n equations the L_u, L_w of J (AT.2).
    public var penaltyU = 0.0, penaltyW = 0.0
    public var timeMax = 500.0, timePoints = 500, logTime = false
    /// The start (default m = ω = 1/√d, or 1e-3 at d = ∞; q = r = 1).
    public var m0: Double?, omega0: Double?, uw0 = 0.0, c0 = 0.0
    public var stepper = ODEStepper.rk8pd, relTol = 1e-10, absTol = 1e-12, convergence = 1e-10
    /// One row per τ (escape time, 99 % times of p̂ and σ̂, final values; TD.26, TD.27) instead of one per time.
    public var summary = false
    /// Also write dynamics.csv, dynamics.gp and (with gnuplot) dynamics.png into this directory.
    public var figureDirectory: URL?

    public init(setup: Setup) { self.setup = setup }

    var times: [Double] { IntegrationOptions.grid(timeMax: timeMax, points: timePoints, logarithmic: logTime, first: timeMax * 1e-4) }
    var tolerance: ODETolerance { ODETolerance(absolute: absTol, relative: relTol, initialStep: 1e-2) }
    var integration: IntegrationOptions { IntegrationOptions(times: times, stepper: stepper, tolerance: tolerance, convergence: convergence) }

    /// The setting at τ of `setup` (this experiment's, or one d of a finite-size sweep).
    func setting(tau: Double, setup: Setup, rule: TrainingRule) throws -> TrainingSetting {
        try TrainingSetting(setup: setup, tau: tau, learningRate: learningRate, penaltyU: penaltyU, penaltyW: penaltyW, rule: rule)
    }

    /// The start of the n = ∞ equations.
    var start: OrderParameters {
        let seed = setup.dimension.finite.map { 1 / Double($0).squareRoot() } ?? 1e-3
        return OrderParameters(c: c0, b: 0, m: m0 ?? seed, q: 1, omega: omega0 ?? seed, r: 1, uw: uw0)
    }

    /// The ODE trajectories: one row per output time (or per τ with `summary`).
    public func flowRows() throws -> [Row] {
        try perTau { setting, flow in
            var options = integration
            if taus.count == 1 {
                // One τ can take long (a long --time-max, many points): progress over the output times
                // after the quiet first seconds, to the time where the run is forecast to converge.
                let progress = Progress(total: times.count, silentFor: Progress.silentSeconds)
                let forecast = ConvergenceForecast(times: times, threshold: convergence)
                options.progress = { done, total, speed in
                    let expected = forecast.expectedPoints(done: done, speed: speed)
                    progress.update(done: done == total ? total : min(total - 1, done * total / expected), label: "dynamics flow: output times")
                }
            }
            let trajectory = try flow.integrate(from: start, options: options)
            return summary ? [try summaryRow(trajectory, flow: flow)]
                           : trajectory.points.map { pointRow($0, setting: setting, flow: flow) }
        }
    }

    /// The ODE against `seeds` of the simulation's online protocol at this τ (finite d, one τ),
    /// each seed's ODE started from its own initial order parameters (TD §7): the seed-averaged ODE
    /// under the order-parameter keys and the simulation's mean and standard error under
    /// `<key>_sim`, `<key>_sim_se` (key ∈ c b m omega q r uw loss). Output times are whole steps.
    public func simulationRows(seeds: [UInt64], planted: Double?, alignedStart: Bool) throws -> [Row] {
        try perTau { setting, flow in
            let (comparison, _) = try compared(setting, times: times, options: integration, seeds: seeds, planted: planted,
                                               alignedStart: alignedStart, label: "simulate")
            let trajectory = comparison.meanTrajectory
            if summary { return [try summaryRow(trajectory, flow: flow)] }
            let means = comparison.simulationMean
            return trajectory.points.enumerated().map { i, point in
                var row = pointRow(point, setting: setting, flow: flow)
                for (j, key) in OrderParameter.allCases.enumerated() {
                    row.add(Quantity(key.rawValue + "_sim"), means[i][j].mean)
                    row.add(Quantity(key.rawValue + "_sim_se"), means[i][j].standardError)
                }
                let loss = meanAndStandardError(comparison.simulated.map { flow.lossGradient($0[i]).loss })
                row.add("loss_sim", loss.mean)
                row.add("loss_sim_se", loss.standardError)
                return row
            }
        }
    }

    /// The deviation between simulation and ODE at each of `dimensions` (one τ; one row per d: mean
    /// over seeds of the largest |simulation − ODE|, max z and its 95 % point), and the fit
    /// deviation ∝ d^a (nil for one d). With `escapeMembers` > 0 the simulation starts from theory
    /// init and is also compared with the plateau-escape ensemble (PE.9).
    public func finiteSizeRows(dimensions: [FlowModel.Dimension], seeds: [UInt64], planted: Double?, alignedStart: Bool,
                               escape: EscapeOptions? = nil) throws -> (rows: [Row], fit: String?) {
        let tau = taus[0]
        var rows: [Row] = [], deviations: [Double] = []
        for d in dimensions {
            let setting = try self.setting(tau: tau, setup: try setup.at(d), rule: .onlineSGD)
            let options = IntegrationOptions(times: [], stepper: stepper, tolerance: tolerance)
            let (comparison, simTimes) = try compared(setting, times: IntegrationOptions.grid(timeMax: timeMax, points: timePoints),
                                                      options: options, seeds: seeds, planted: planted, alignedStart: alignedStart,
                                                      label: "d = \(d)")
            var row = Row()
            row.add("tau", tau)
            row.add("t", setting.interpolantTime)
            row.add("phase", setting.phase)
            row.add("time", timeMax)
            row.add("seeds", seeds.count)
            row.add("planted", planted.map(Value.double) ?? .string("none"))
            row.add("max_deviation", comparison.meanMaxDeviation)
            row.add("max_deviation_se", comparison.maxDeviationError)
            row.add("max_z", comparison.maxStandardizedDifference)
            row.add("max_z_95", comparison.maxStandardizedThreshold)
            if let escape {
                let flow = try OrderParameterFlow(setting: setting)
                let ensemble = try escapeEnsemble(flow, start: .theoryInit(m: 0, omega: 0), times: simTimes, escape: escape)
                addEnsembleComparison(try EnsembleComparison(ensemble: ensemble, times: simTimes, simulated: comparison.simulated),
                                      ensemble, to: &row)
            }
            inputs(&row, setting)
            rows.append(row)
            deviations.append(comparison.meanMaxDeviation)
        }
        guard dimensions.count >= 2 else { return (rows, nil) }
        guard let fit = try FiniteSizeFit(dimensions: dimensions, deviations: deviations) else {
            return (rows, "max deviation ∝ d^a: no fit (it needs two distinct dimensions with finite deviations > 0)")
        }
        return (rows, "max deviation ∝ d^a with \(fit.text) over \(fit.dimensions) dimensions")
    }

    /// Runs `body` at every τ (n = ∞ equations), with a progress line over τ, and writes the figure.
    func perTau(rule: TrainingRule? = nil, _ body: (TrainingSetting, OrderParameterFlow) throws -> [Row]) throws -> [Row] {
        let progress = taus.count > 1 ? Progress(total: taus.count) : nil
        var rows: [Row] = []
        for (j, tau) in taus.enumerated() {
            let setting = try self.setting(tau: tau, setup: setup, rule: rule ?? self.rule)
            rows += try body(setting, try OrderParameterFlow(setting: setting))
            progress?.update(done: j + 1, label: String(format: "tau = %.4g", tau))
        }
        if let figureDirectory { try writeFigure(rows, directory: figureDirectory) }
        return rows
    }

    /// The ODE against simulated seeds of the online protocol (SIM.15) at this τ (TD §7).
    func compared(_ setting: TrainingSetting, times: [Double], options: IntegrationOptions, seeds: [UInt64], planted: Double?,
                  alignedStart: Bool, label: String) throws -> (SimulationComparison, times: [Double]) {
        let runs = OnlineTrajectories(setting: setting, seeds: seeds, planted: planted, alignedStart: alignedStart)
        let (simTimes, trajectories) = try runs.run(times: times, label: label)
        return (try SimulationComparison(setting: setting, times: simTimes, trajectories: trajectories, options: options), simTimes)
    }

    /// The inputs under their flag names.
    func inputs(_ row: inout Row, _ st: TrainingSetting, n: Double = .infinity) {
        row.add("d", extendedCell(st.dimension.value))   // a whole number or "inf", as every command writes d
        row.add("p", st.p)
        row.add("sigma", st.sigma)
        row.add("k", st.k)
        row.add("lr", st.learningRate)
        // Finite n: the L of J (AT.2); n = ∞: online SGD's per-sample ℓ (or gradient flow's).
        row.add(n.isFinite ? "penalty_u" : "sample_penalty_u", st.penaltyU)
        row.add(n.isFinite ? "penalty_w" : "sample_penalty_w", st.penaltyW)
        row.add("training", st.rule.rawValue)
        row.add("n", extendedCell(n))
    }

    func addOrderParameters(_ o: OrderParameters, to row: inout Row) {
        for key in OrderParameter.allCases { row.add(Quantity(key.rawValue), o[key]) }
        row.add("w_perp", o.r - o.omega * o.omega)
    }

    func pointRow(_ point: TrajectoryPoint, setting st: TrainingSetting, flow: OrderParameterFlow, n: Double = .infinity) -> Row {
        var row = Row()
        row.add("tau", st.tau)
        row.add("t", st.interpolantTime)
        row.add("phase", st.phase)
        row.add("time", point.time)
        let o = point.state.signFixed
        addOrderParameters(o, to: &row)
        row.add("loss", point.loss)
        row.add("unit_balance", Readout.pHat(o, flow: flow))
        row.add("sigma_from_c", Readout.sigmaHat(o, setting: st))
        inputs(&row, st, n: n)
        return row
    }

    func summaryRow(_ trajectory: Trajectory, flow: OrderParameterFlow, n: Double = .infinity) throws -> Row {
        let st = trajectory.setting
        let m = try TrajectoryMeasurements(trajectory)
        let o = trajectory.final.state.signFixed
        var row = Row()
        row.add("tau", st.tau)
        row.add("t", st.interpolantTime)
        row.add("phase", st.phase)
        row.add("time", trajectory.final.time)
        row.add("converged", trajectory.converged ? 1 : 0)
        row.add("escape_time", m.escapeTime)
        row.add("unit_balance_time", m.pHatTime)
        row.add("sigma_from_c_time", m.sigmaHatTime)
        addOrderParameters(o, to: &row)
        row.add("loss", trajectory.final.loss)
        row.add("unit_balance", Readout.pHat(o, flow: flow))
        row.add("sigma_from_c", Readout.sigmaHat(o, setting: st))
        inputs(&row, st, n: n)
        return row
    }

    func writeFigure(_ rows: [Row], directory dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try writeAtomically(try render(rows, as: .csv), to: dir.appendingPathComponent("dynamics.csv"))
        let keys = rows.first?.keys ?? []
        let x = summary ? "tau" : "time"
        let curves = summary ? ["escape_time", "unit_balance_time", "sigma_from_c_time"] : ["m", "omega", "b", "c", "q", "r", "loss"]
        let plots = try curves.map { "'dynamics.csv' every ::1 using \(try gnuplotColumn(x, in: keys)):\(try gnuplotColumn($0, in: keys)) with lines title '\($0)'" }
        let script = """
            set datafile separator ','
            set terminal pngcairo size 1000,650
            set output 'dynamics.png'
            set xlabel '\(summary ? "tau (dilated clock)" : "training time (steps/d)")'
            set key outside
            \(logTime && !summary ? "set logscale x\n" : "")plot \(plots.joined(separator: ", \\\n     "))

            """
        let url = dir.appendingPathComponent("dynamics.gp")
        try writeAtomically(script, to: url)
        if !renderWithGnuplot(script: url, in: dir) { warn("gnuplot not found or failed: wrote \(url.path) without a PNG") }
    }
}
