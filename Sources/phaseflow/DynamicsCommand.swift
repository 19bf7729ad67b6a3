import ArgumentParser
import Dynamics
import FlowModel
import Foundation
import GSLKit

extension TrainingRule: ExpressibleByArgument {}

/// `phaseflow dynamics`: order-parameter trajectories of the training at one τ or a grid of τ
/// (derivations/training-dynamics.md).
struct DynamicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynamics",
        abstract: "Order-parameter ODEs of the autoencoder's training (gradient flow or online SGD) vs training time.")

    @OptionGroup var problemOptions: ProblemOptions
    @Flag(name: .customLong("d-infinity"), help: "Use the d → ∞ equations (TD.21, TD.23) instead of finite d.")
    var dInfinity = false
    @Option(help: "One time of the dilated clock, in [0, 2).")
    var tau: Double?
    @Option(name: .customLong("tau-grid"), help: "K: run every τ = 2j/K, j = 1…K−1 (the authors' grid without its ends).")
    var tauGrid: Int?
    @Option(help: "Training rule: gf (gradient flow on the population loss) or sgd (online SGD, TD.16–TD.18; the default without --n).")
    var training: TrainingRule?
    @Option(help: "Learning rate η of u and w (c and b use η/d); training time = steps/d.")
    var lr: Double = 0.1
    @Option(name: .customLong("penalty-u"), help: "Per-sample penalty ℓ_u on |u|²/d; with --n, the L_u of J (AT.2), i.e. ℓ_u = L_u/n.")
    var penaltyU: Double = 0
    @Option(name: .customLong("penalty-w"), help: "Per-sample penalty ℓ_w on |w|²/d; with --n, the L_w of J (AT.2).")
    var penaltyW: Double = 0
    @Option(name: .customLong("time-max"), help: "Time limit (training time).")
    var timeMax: Double = 500
    @Option(name: .customLong("time-points"), help: "Number of output intervals on [0, time-max].")
    var timePoints: Int = 500
    @Flag(name: .customLong("log-time"), help: "Log-spaced output times (first at time-max/10⁴).")
    var logTime = false
    @Option(help: "Initial m = u·μ/d (default 1/√d; 1e-3 with --d-infinity). The sign convention is m ≥ 0.")
    var m0: Double?
    @Option(help: "Initial ω = w·μ/d (default 1/√d; 1e-3 with --d-infinity).")
    var omega0: Double?
    @Option(help: "Initial u·w/d.")
    var uw0: Double = 0
    @Option(help: "Initial c (theory init: 0).")
    var c0: Double = 0
    @Option(help: "Stepper of gsl_odeiv2 (msbdf or bsimp for stiff runs).")
    var stepper: ODEStepper = .rk8pd
    @Option(name: .customLong("rel-tol")) var relTol: Double = 1e-10
    @Option(name: .customLong("abs-tol")) var absTol: Double = 1e-12
    @Option(help: "Stop when |d(order parameters)/d time|/η falls below this.")
    var convergence: Double = 1e-10
    @Flag(help: "One row per τ: escape time, 99 % times of p̂ and σ̂, final values (TD.26, TD.27).")
    var summary = false
    @Option(help: "Also run this many seeds of the simulation's online protocol at finite d (single τ on a dilated grid 2j/K, K ≤ 200) and add their mean and standard error.")
    var simulate: Int = 0
    @Option(help: "With --simulate: the first seed; seeds are seed, seed+1, ….")
    var seed: UInt64 = 1
    @Option(name: .customLong("finite-size"), parsing: .upToNextOption,
            help: "Dimensions at which to compare --simulate seeds with the ODE (one row per d: mean over seeds of the largest |simulation − ODE|), then fit deviation ∝ d^a.")
    var finiteSize: [Double] = []
    @Flag(name: .customLong("any-start"), help: "With --simulate: keep simulation seeds whose initial m·ω < 0 (default: w is negated there, TD.20).")
    var anyStart = false
    @Option(help: "With --simulate: start every simulation from the planted overlap m = ω = this (a macroscopic start, TD.20) instead of theory init.")
    var planted: Double?
    @Option(name: .customLong("escape-ensemble"),
            help: "Finite d, online SGD: predict the law of trajectories from the plateau with this many members (plateau SDE, then the ODE; PE.9). Starts from theory init unless --m0/--omega0 are given.")
    var escapeEnsemble: Int = 0
    @Option(name: .customLong("switch-overlap"), help: "With --escape-ensemble: rms m at which the linear SDE hands over to the ODE (PE.9).")
    var switchOverlap: Double = 0.05
    @Option(name: .customLong("ensemble-seed"), help: "With --escape-ensemble: seed of the ensemble's draws.")
    var ensembleSeed: UInt64 = 1
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table
    @Option(help: "Training points n (whole number ≥ 1), or inf: full-batch gradient flow on J/n with n fixed points and the base noise averaged (TD.30–TD.41; the gd protocol, time = epochs).")
    var n: Extended = Extended(.infinity)
    @Option(name: .customLong("data-seed"), help: "With --n: seed of the training set and of the random init (finite d), or of the per-point overlaps (d = ∞).")
    var dataSeed: UInt64 = 1
    @Option(help: "Also write <out>/dynamics.csv, dynamics.gp and (with gnuplot) dynamics.png.")
    var out: String?

    func validate() throws {
        guard (tau == nil) != (tauGrid == nil) else { throw ValidationError("give exactly one of --tau and --tau-grid") }
        try validateFiniteSample()
        try validateEscapeEnsemble()
        if let tau { try require("tau", tau, "in [0, 2)") { $0 >= 0 && $0 < 2 } }
        if let tauGrid { try require("tau-grid", Double(tauGrid), "≥ 2") { $0 >= 2 } }
        try require("lr", lr, "> 0") { $0 > 0 }
        try require("time-max", timeMax, "> 0") { $0 > 0 }
        try require("time-points", Double(timePoints), "≥ 1") { $0 >= 1 }
        try require("rel-tol", relTol, "> 0") { $0 > 0 }
        try require("abs-tol", absTol, "≥ 0") { $0 >= 0 }
        try require("convergence", convergence, "≥ 0") { $0 >= 0 }
        try require("simulate", Double(simulate), "≥ 0") { $0 >= 0 }
        for (name, value) in [("m0", m0), ("omega0", omega0), ("uw0", uw0), ("c0", c0), ("planted", planted)] {
            if let value { try require(name, value, "finite") { _ in true } }
        }
        if simulate > 0, dInfinity || tauGrid != nil { throw ValidationError("--simulate needs a finite d and a single --tau") }
        if !finiteSize.isEmpty {
            guard simulate >= 2 else { throw ValidationError("--finite-size needs --simulate with at least 2 seeds") }
            for d in finiteSize { try require("finite-size", d, "a whole number ≥ 2") { $0 >= 2 && $0 == $0.rounded() } }
        }
    }

    func run() throws {
        if !finiteSize.isEmpty {
            let (rows, fit) = try finiteSizeRows()
            print(try render(rows, as: format), terminator: "")
            if let fit { FileHandle.standardError.write(Data("phaseflow: \(fit)\n".utf8)) }
            return
        }
        if n.value.isFinite { return print(try render(try finiteSampleRows(), as: format), terminator: "") }
        print(try render(try trajectories(), as: format), terminator: "")
    }

    /// The trajectory rows (one per output time, or one per τ with `--summary`); with `--out`,
    /// also the CSV and the figure.
    func trajectories() throws -> [Row] {
        let problem = try problemOptions.problem()
        let d: Double? = dInfinity ? nil : Double(problem.dimension)
        let taus = tau.map { [$0] } ?? (1..<tauGrid!).map { 2 * Double($0) / Double(tauGrid!) }
        let seed = dInfinity ? 1e-3 : 1 / problem.sqrtD
        let start = OrderParameters(c: c0, b: 0, m: m0 ?? seed, q: 1, omega: omega0 ?? seed, r: 1, uw: uw0)
        let times = IntegrationOptions.grid(timeMax: timeMax, points: timePoints, logarithmic: logTime, first: timeMax * 1e-4)
        let options = IntegrationOptions(times: times, stepper: stepper,
                                         tolerance: ODETolerance(absolute: absTol, relative: relTol, initialStep: 1e-2), convergence: convergence)
        let progress = taus.count > 1 ? Progress(total: taus.count) : nil
        var rows: [Row] = []
        for (j, tau) in taus.enumerated() {
            let setting = try TrainingSetting(p: problem.p, sigma: problem.sigma, k: problemOptions.k, tau: tau, dimension: d,
                                              learningRate: lr, penaltyU: penaltyU, penaltyW: penaltyW, rule: training ?? .onlineSGD)
            let flow = try OrderParameterFlow(setting: setting)
            let trajectory: Trajectory
            var simRows: [[String: (mean: Double, se: Double)]] = []
            if escapeEnsemble > 0 {
                let ensemble = try self.escapeEnsemble(flow, start: start, times: times, seed: ensembleSeed)
                if summary {
                    var row = try summaryRow(try flow.integrate(from: start, options: options), flow: flow)
                    addEscapeLaw(ensemble, to: &row)
                    rows.append(row)
                } else {
                    rows += ensembleRows(ensemble, flow: flow)
                }
                progress?.update(done: j + 1, label: String(format: "tau = %.4g", tau))
                continue
            }
            if simulate > 0 {
                (trajectory, simRows) = try simulated(flow, times: times, options: options)   // its times are on whole steps
            } else {
                trajectory = try flow.integrate(from: start, options: options)
            }
            if summary {
                rows.append(try summaryRow(trajectory, flow: flow))
            } else {
                for (i, point) in trajectory.points.enumerated() {
                    var row = pointRow(point, setting: setting, flow: flow)
                    if i < simRows.count {
                        for name in ["c", "b", "m", "omega", "q", "r", "uw", "loss"] {
                            row.add("sim_\(name)", simRows[i][name]!.mean)
                            row.add("sim_\(name)_se", simRows[i][name]!.se)
                        }
                    }
                    rows.append(row)
                }
            }
            progress?.update(done: j + 1, label: String(format: "tau = %.4g", tau))
        }
        if let out { try writeFigure(rows, directory: out) }
        return rows
    }

    /// `--finite-size`: the deviation between simulation and ODE vs d, and its power-law fit (TD §7).
    /// `--finite-size`: one row per d, and the fit of the largest deviation ∝ d^a (nil for one d).
    func finiteSizeRows() throws -> (rows: [Row], fit: String?) {
        let problem = try problemOptions.problem()
        let tau = self.tau!
        var rows: [Row] = []
        var logD: [Double] = [], logDev: [Double] = []
        for d in finiteSize {
            let setting = try TrainingSetting(p: problem.p, sigma: problem.sigma, k: problemOptions.k, tau: tau, dimension: d,
                                              learningRate: lr, penaltyU: penaltyU, penaltyW: penaltyW, rule: .onlineSGD)
            let options = IntegrationOptions(times: [], stepper: stepper, tolerance: ODETolerance(absolute: absTol, relative: relTol, initialStep: 1e-2))
            let (comparison, simTimes) = try compared(setting, times: IntegrationOptions.grid(timeMax: timeMax, points: timePoints),
                                                      options: options, label: "d = \(Int(d))")
            var row = Row()
            row.add("tau", tau)
            row.add("t", setting.interpolantTime)
            row.add("phase", setting.phase)
            row.add("time", timeMax)
            row.add("seeds", simulate)
            row.add("planted", planted ?? 0)
            row.add("max_deviation", comparison.meanMaxDeviation)
            row.add("max_deviation_se", comparison.maxDeviationError)
            row.add("max_z", comparison.maxStandardizedDifference)
            row.add("max_z_95", comparison.maxStandardizedThreshold)
            if escapeEnsemble > 0 {
                let flow = try OrderParameterFlow(setting: setting)
                let ensemble = try self.escapeEnsemble(flow, start: .theoryInit(m: 0, omega: 0), times: simTimes, seed: ensembleSeed)
                addEnsembleComparison(try EnsembleComparison(ensemble: ensemble, times: simTimes, simulated: comparison.simulated),
                                      ensemble, to: &row)
            }
            inputs(&row, setting)
            rows.append(row)
            logD.append(log(d))
            logDev.append(log(comparison.meanMaxDeviation))
        }
        guard logD.count >= 2 else { return (rows, nil) }
        let fit = try LinearFit(x: logD, y: logDev)
        // Two dimensions determine the line: no error on the slope.
        let error = logD.count > 2 ? String(format: " ± %.3f", fit.slopeStandardError) : ""
        return (rows, String(format: "max deviation ∝ d^a with a = %.3f%@ over %d dimensions", fit.slope, error, logD.count))
    }

    func inputs(_ row: inout Row, _ st: TrainingSetting) {
        row.add("d", Extended(st.dimension ?? .infinity))   // a whole number or "inf", as every command writes d
        row.add("p", st.p)
        row.add("sigma", st.sigma)
        row.add("k", st.k)
        row.add("lr", st.learningRate)
        row.add("penalty_u", st.penaltyU)
        row.add("penalty_w", st.penaltyW)
        row.add("training", st.rule.rawValue)
        row.add("n", n)
    }

    func pointRow(_ point: TrajectoryPoint, setting st: TrainingSetting, flow: OrderParameterFlow) -> Row {
        var row = Row()
        row.add("tau", st.tau)
        row.add("t", st.interpolantTime)
        row.add("phase", st.phase)
        row.add("time", point.time)
        let o = point.state.signFixed
        for (name, value) in zip(OrderParameters.names, o.vector) { row.add(name, value) }
        row.add("w_perp", o.r - o.omega * o.omega)
        row.add("loss", point.loss)
        row.add("p_hat", Readout.pHat(o, flow: flow))
        row.add("sigma_hat", Readout.sigmaHat(o, setting: st))
        inputs(&row, st)
        return row
    }

    func summaryRow(_ trajectory: Trajectory, flow: OrderParameterFlow) throws -> Row {
        let st = trajectory.setting
        let m = try TrajectoryMeasurements(trajectory)
        let o = trajectory.final.state.signFixed
        var row = Row()
        row.add("tau", st.tau)
        row.add("t", st.interpolantTime)
        row.add("phase", st.phase)
        row.add("time", trajectory.final.time)
        row.add("converged", trajectory.converged ? 1 : 0)
        row.add("escape_time", m.escapeTime ?? -1)
        row.add("p_hat_time", m.pHatTime ?? -1)
        row.add("sigma_hat_time", m.sigmaHatTime ?? -1)
        for (name, value) in zip(OrderParameters.names, o.vector) { row.add(name, value) }
        row.add("w_perp", o.r - o.omega * o.omega)
        row.add("loss", trajectory.final.loss)
        row.add("p_hat", Readout.pHat(o, flow: flow))
        row.add("sigma_hat", Readout.sigmaHat(o, setting: st))
        inputs(&row, st)
        return row
    }

    /// The ODE against `--simulate` seeds of the simulation's online protocol (SIM.15) at this τ,
    /// each seed's ODE started from its own initial order parameters (TD §7). Planted or aligned
    /// start as the flags say (TD.20); output times are rounded to whole steps.
    private func compared(_ setting: TrainingSetting, times: [Double], options: IntegrationOptions, label: String) throws
        -> (SimulationComparison, times: [Double]) {
        let seeds = (0..<simulate).map { seed + UInt64($0) }
        let runs = OnlineTrajectories(setting: setting, seeds: seeds, planted: planted, alignedStart: !anyStart)
        let (simTimes, trajectories) = try runs.run(times: times, label: label)
        return (try SimulationComparison(setting: setting, times: simTimes, trajectories: trajectories, options: options), simTimes)
    }

    /// `--simulate`: the ODE averaged over seeds as the trajectory, and per output time the
    /// simulation's mean and standard error of every order parameter and of the population loss.
    private func simulated(_ flow: OrderParameterFlow, times: [Double], options: IntegrationOptions) throws
        -> (Trajectory, [[String: (mean: Double, se: Double)]]) {
        let (comparison, _) = try compared(flow.setting, times: times, options: options, label: "simulate")
        let means = comparison.simulationMean
        let simRows = comparison.times.indices.map { i -> [String: (mean: Double, se: Double)] in
            var out: [String: (mean: Double, se: Double)] = [:]
            for (j, name) in OrderParameters.names.enumerated() { out[name] = (means[i][j].mean, means[i][j].standardError) }
            let loss = meanAndStandardError(comparison.simulated.map { flow.lossGradient($0[i]).loss })
            out["loss"] = (loss.mean, loss.standardError)
            return out
        }
        return (comparison.meanTrajectory, simRows)
    }

    func writeFigure(_ rows: [Row], directory: String) throws {
        let dir = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try writeAtomically(try render(rows, as: .csv), to: dir.appendingPathComponent("dynamics.csv"))
        let keys = rows.first?.fields.map(\.key) ?? []
        func column(_ key: String) -> Int { (keys.firstIndex(of: key) ?? 0) + 1 }
        let x = summary ? "tau" : "time"
        let curves = summary ? ["escape_time", "p_hat_time", "sigma_hat_time"] : ["m", "omega", "b", "c", "q", "r", "loss"]
        let plots = curves.map { "'dynamics.csv' every ::1 using \(column(x)):\(column($0)) with lines title '\($0)'" }
        let script = """
            set datafile separator ','
            set terminal pngcairo size 1000,650
            set output 'dynamics.png'
            set xlabel '\(summary ? "tau (dilated clock)" : "training time (steps/d)")'
            set key outside
            \(summary || logTime ? "" : "")\(logTime && !summary ? "set logscale x\n" : "")plot \(plots.joined(separator: ", \\\n     "))

            """
        let url = dir.appendingPathComponent("dynamics.gp")
        try writeAtomically(script, to: url)
        if !renderWithGnuplot(script: url, in: dir) { warn("gnuplot not found or failed: wrote \(url.path) without a PNG") }
    }
}
