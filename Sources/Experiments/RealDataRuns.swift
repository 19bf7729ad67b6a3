import BuildInfo
import Foundation
import RunStore
import FlowMatching
import FlowModel
import RealData

extension WindowConfiguration {
    /// The two classes from the command line's words `A B`, where B may be `rest` (class A against
    /// every other class).
    public mutating func setClasses(_ words: [String]) throws {
        guard words.count == 2, let a = Int(words[0]) else {
            throw InputError("classes must be two values A B (B a class or 'rest'); got \(words.joined(separator: " "))")
        }
        classA = a
        if words[1] == "rest" { classB = nil; return }
        guard let b = Int(words[1]) else { throw InputError("second class must be a number or 'rest'; got \(words[1])") }
        classB = b
    }

    /// The data in words: dataset, classes, majority, PCA dimension and split seed.
    public var dataDescription: String {
        let k = pcaDimensionUsed
        return "\(dataset.rawValue) \(classA) vs \(classB.map(String.init) ?? "rest"), majority \(majority), pca \(k), split seed \(seed)"
    }

    /// The interpolant by name: `linear` or `vp` (the window in log-SNR does not depend on it, RD.3).
    public mutating func setSchedule(_ name: String) throws {
        switch name {
        case "linear": schedule = LinearSchedule()
        case "vp": schedule = VariancePreservingSchedule()
        default: throw InputError("schedule must be linear or vp; got \(name)")
        }
    }
}

extension PilotSettings {
    /// `count` pilots (seeds 101, 102, …) of `steps` training steps each.
    public init(count: Int, steps: Int) throws {
        try requireCount("pilot-seeds", count, atMost: 1000)
        try requireCount("pilot-steps", steps, atMost: 10_000_000)
        self.init()
        seeds = (1...count).map { 100 + UInt64($0) }
        self.steps = steps
    }
}

/// `phaseflow window`: the interval of flow time where a class is decided, from U-turns of held-out
/// images through the zero-shot Gaussian model or trained pilots (derivations/real-data-uturn.md,
/// derivations/training-schedules.md §5), as output rows.
///
///     var config = WindowConfiguration(); try config.setClasses(["0", "1"])   // MNIST 0/1 at 0.8
///     let (rows, result) = try WindowRun(configuration: config).run()        // t10 t50 t90 with 95 % intervals
public struct WindowRun: Sendable {
    public enum Model: String, CaseIterable, Sendable { case gaussian, trained }

    public var configuration: WindowConfiguration
    public var model: Model = .gaussian
    public var pilots = PilotSettings()
    /// Rows of the U-turn curves instead of the windows.
    public var curves = false

    public init(configuration: WindowConfiguration) { self.configuration = configuration }

    public func run() throws -> (rows: [Row], result: WindowResult) {
        // Many splits can take minutes: progress with an ETA on stderr after the quiet first seconds.
        let progress = Progress(total: configuration.splits, silentFor: Progress.silentSeconds)
        let report = { (done: Int, total: Int) in progress.update(done: done, label: "window: splits") }
        let result = model == .trained ? try TrainedWindow.run(configuration, pilots: pilots, progress: report)
                                       : try WindowExperiment.run(configuration, progress: report)
        return (try curves ? curveRows(result) : windowRows(result), result)
    }

    /// One row per start class: t10, t50, t90 and their log-SNR with 95 % bootstrap intervals (RD.20–RD.25).
    func windowRows(_ result: WindowResult) throws -> [Row] {
        // The zero-shot bias of an untrained model on the first split (MB.4), the same for both start classes.
        let untrainedBias = try MajorityBiasPrediction(window: result.data).untrainedBias
        return try result.windows.map { w in
            var row = Row()
            row.add("dataset", configuration.dataset.rawValue); row.add("start_class", w.startClass); row.add("other_class", w.otherClass)
            row.add("majority", configuration.majority); row.add("pca", result.data.pca.dimension); row.add("sampler", configuration.sampler.rawValue)
            let b = w.bootstrap
            // The 10/50/90 % points of the window (RD.24), under the names of the U-turn windows (UT.13).
            let points = [("10", w.fit.lambdaLow, b.lambdaLow), ("50", w.fit.lambdaMid, b.lambdaMid), ("90", w.fit.lambdaHigh, b.lambdaHigh)]
            for (key, value, ci) in points {
                row.add("t\(key)", try result.time(atLogSNR: value))
                row.add("t\(key)_ci_low", try result.time(atLogSNR: ci.low)); row.add("t\(key)_ci_high", try result.time(atLogSNR: ci.high))
            }
            for (key, value, ci) in points {
                row.add("log_snr\(key)", value); row.add("log_snr\(key)_ci_low", ci.low); row.add("log_snr\(key)_ci_high", ci.high)
            }
            row.add("p_switch_noise", w.fit.pNoise); row.add("p_switch_data", w.fit.pData)
            row.add("splits", configuration.splits); row.add("classifier_accuracy", result.meanAccuracy); row.add("bootstrap_failures", b.failures)
            row.add("untrained_majority_bias", untrainedBias)
            return row
        }
    }

    /// The adaptive density (TS.6) on the window's interval (the union over start classes,
    /// `WindowInterval`) with `fraction` of the mass on it, as the JSON export of TS.26.
    public func densityExport(_ result: WindowResult, fraction: Double) throws -> DensityExport {
        let w = try WindowInterval(result)
        let density = try IntervalAdaptiveDensity(lo: w.lo, hi: w.hi, fraction: fraction)
        return DensityExport(density, source: model == .trained ? "trained" : "zero-shot", data: configuration.dataDescription)
    }

    /// The measured switch fraction and its fitted sigmoid at every start log-SNR, per start class.
    func curveRows(_ result: WindowResult) throws -> [Row] {
        try result.windows.flatMap { w in
            try result.lambdas.enumerated().map { j, lambda in
                var row = Row()
                row.add("start_class", w.startClass); row.add("other_class", w.otherClass)
                row.add("log_snr", lambda); row.add("t", try result.time(atLogSNR: lambda))
                row.add("p_switch", w.switchFraction[j]); row.add("p_switch_fit", w.fit.value(at: lambda))
                if let impurity = w.impurity { row.add("impurity", impurity[j]) }
                return row
            }
        }
    }
}

/// `phaseflow schedules`: the same flow-matching model trained under several training-time densities
/// at equal budgets and paired seeds; the feature error, sliced Wasserstein distance and paired
/// differences against uniform (derivations/training-schedules.md), with its CSV files and figure.
///
///     var config = WindowConfiguration(); try config.setClasses(["0", "1"])
///     let run = SchedulesRun(window: config, densities: ["uniform", "adaptive"], interval: "zero-shot")
///     let (rows, result) = try run.run(out: URL(fileURLWithPath: "out/schedules"))
public struct SchedulesRun: Sendable {
    public var window: WindowConfiguration
    /// Density names, uniform first (the paired reference): uniform, logit-normal, edm, adaptive.
    public var densities: [String]
    /// The adaptive density's interval: zero-shot, trained or T_LO,T_HI.
    public var interval: String
    /// Mass of the adaptive density on its interval (TS.4).
    public var fraction = 0.5
    public var settings = SchedulesSettings()
    public var pilots = PilotSettings()
    /// Each seed s trains on its own train/held-out split (split seed s; the split of `window.seed`
    /// otherwise), so the SE over seeds covers the choice of images as well as training. The
    /// adaptive interval is resolved once, on the split of `window.seed`.
    public var splitPerSeed = false
    /// Where to write the adaptive density as JSON (TS.26); needs `adaptive` among the densities.
    public var exportDensity: URL?
    /// Images per row of the sample pictures (0: none): `samples_budget<B>.png` with its `.dat` and
    /// `.gp` in the output directory for every budget, the first seed's generated samples of every
    /// schedule decoded to pixels beside held-out images (RD.26). Needs an output directory.
    public var sampleGrid = 0
    /// The adaptive interval when the caller has already resolved `interval` on `window` (e.g. the
    /// gain experiment, which reports the window itself): used as given instead of resolving it again.
    public var resolvedInterval: IntervalChoice.Resolved?

    public init(window: WindowConfiguration, densities: [String], interval: String) {
        self.window = window; self.densities = densities; self.interval = interval
    }

    /// Checks the densities and the interval before any work.
    /// The most paired seeds a run may ask for.
    public static let largestSeedCount = 1000

    public func validate() throws {
        guard densities.first == "uniform" else { throw InputError("densities must start with uniform (the reference); got \(densities.joined(separator: " "))") }
        for name in densities { _ = try TrainingDensityName(parsing: name) }
        guard Set(densities).count == densities.count else { throw InputError("densities repeat: \(densities.joined(separator: " "))") }
        _ = try IntervalChoice(parsing: interval)
        guard exportDensity == nil || densities.contains("adaptive") else {
            throw InputError("--export-density needs adaptive among --densities; got \(densities.joined(separator: " "))")
        }
        // Sizes beyond which memory or time exceed one machine (one line naming the flag).
        try requireCount("seeds", settings.seeds.count, atMost: Self.largestSeedCount)
        try requireCount("budgets", settings.budgets.last ?? 1, atMost: 10_000_000)
        try requireCount("samples", settings.samples, atLeast: 10, atMost: 100_000)
        try requireCount("sampler-steps", settings.samplerSteps, atLeast: 2, atMost: 100_000)
        try requireCount("hidden", settings.training.hidden, atMost: 8192)
        try requireCount("batch", settings.training.batch, atMost: 100_000)
        try requireCount("sample-grid", sampleGrid, atLeast: 0, atMost: min(ImageGrid.largestColumnCount, settings.samples))
    }

    public static let header = ["schedule", "budget", "seed", "generated_fraction", "data_fraction", "feature_error",
                                "binomial_se", "sliced_wasserstein", "sw_floor", "loss"]

    /// The manifest settings: every knob the measurements depend on (thread counts excluded).
    public var manifestSettings: [Setting] {
        var s = settings, p = pilots
        s.threads = 1; p.threads = 1
        return [Setting("command", "schedules"), Setting("data", String(describing: window)),
                Setting("schedules", densities.joined(separator: " ")), Setting("interval", interval), Setting("fraction", "\(fraction)"),
                Setting("settings", String(describing: s)), Setting("pilots", String(describing: p))]
            // Only a split per seed adds a setting, so run directories made before it still resume.
            + (splitPerSeed ? [Setting("split", "per seed (split seed = training seed)")] : [])
    }

    /// Resolves the interval, trains every (seed, density), writes the files under `out` and returns
    /// one summary row per density and budget. Timings and the interval go to stderr. With `out`, the
    /// measurements go to a run directory (`RunStore`: rows.csv with one block per seed and density;
    /// `resume` continues it, a shard i/N trains every N-th pair and returns no rows).
    public func run(out: URL? = nil, resume: Bool = false, shard: Shard = .whole) throws -> (rows: [Row], result: SchedulesResult?) {
        try validate()
        guard out != nil || (!resume && shard.count == 1) else { throw InputError("--resume and --shard need --out (the run directory)") }
        guard out != nil || sampleGrid == 0 else { throw InputError("--sample-grid needs --out (the pictures are files)") }
        let units = settings.seeds.flatMap { seed in densities.map { "seed=\(seed),schedule=\($0)" } }
        // The data first: a missing file, an absent class or a bad majority is refused before the
        // run directory (and its manifest) exists.
        let firstSplit = try WindowExperiment.prepare(window)
        let store = try out.map {
            try openRunDirectory(at: $0, manifest: Manifest(settings: manifestSettings, columns: Self.header, units: units, shard: shard,
                                                             toolVersion: BuildInfo.version, buildCommit: BuildInfo.commit), resume: resume)
        }
        defer { store?.close() }
        if let cut = store?.cutTail { note("\(cut)") }
        let pending = Set(store?.pendingUnits ?? units)
        // The run directory's rows read back through the one decoder: a malformed cell is an error, never NaN.
        func measurement(_ cells: [String]) throws -> ScheduleMeasurement {
            let r = try RowCodec.row(cells: cells, columns: Self.header)
            guard case let .string(schedule)? = r["schedule"] else { throw RowCodingError("schedules: a row of the run directory has no schedule") }
            return ScheduleMeasurement(schedule: schedule, budget: Int(try r.number("budget")),
                                       seed: UInt64(try r.number("seed")), generatedFraction: try r.number("generated_fraction"),
                                       dataFraction: try r.number("data_fraction"), binomialSE: try r.number("binomial_se"),
                                       slicedWasserstein: try r.number("sliced_wasserstein"), swFloor: try r.number("sw_floor"),
                                       recentLoss: try r.number("loss"))
        }
        var known = [ScheduleMeasurement]()
        if let store {
            for unit in store.doneUnits { known += try (try store.rows(of: unit) ?? []).map(measurement) }
        }
        let started = Date()
        var interval: IntervalChoice.Resolved?
        if densities.contains("adaptive") {
            let w = try resolvedInterval ?? IntervalChoice(parsing: self.interval, pilots: pilots).resolve(window, prepared: firstSplit)
            let ci = { (c: (Double, Double)?) in c.map { String(format: " [%.4f, %.4f]", $0.0, $0.1) } ?? "" }
            note(String(format: "schedules: %@ interval t_lo = %.4f%@, t_hi = %.4f%@ (%.1f s)", w.source, w.lo, ci(w.loCI),
                        w.hi, ci(w.hiCI), Date().timeIntervalSince(started)))
            interval = w
        }
        let made = try densities.map {
            try TrainingDensityName(parsing: $0).density(interval: interval.map { ($0.lo, $0.hi) }, fraction: fraction)
        }
        if let exportDensity, let adaptive = made.first(where: { $0 is IntervalAdaptiveDensity }) as? IntervalAdaptiveDensity {
            let export = DensityExport(adaptive, source: interval?.source ?? "fixed", data: window.dataDescription)
            try writeAtomically(try export.json(), to: exportDensity)
            note("schedules: wrote the adaptive density to \(exportDensity.path)")
        }
        let experiment: SchedulesExperiment
        let firstWindow: WindowData   // the first seed's images and PCA space (the pictures)
        // The zero-shot bias prediction of every seed's split (MB.3–MB.4), before any training.
        let predictions: [MajorityBiasPrediction]
        if splitPerSeed {
            let windows = try splitsBySeed(reusing: firstSplit)
            let bySeed = try windows.mapValues { try SchedulesData(window: $0) }
            firstWindow = windows[settings.seeds[0]]!
            experiment = try SchedulesExperiment(dataBySeed: { bySeed[$0]! }, densities: made, settings: settings)
            predictions = try settings.seeds.map { try MajorityBiasPrediction(window: windows[$0]!) }
        } else {
            firstWindow = firstSplit
            experiment = try SchedulesExperiment(data: try SchedulesData(window: firstSplit), densities: made, settings: settings)
            predictions = [try MajorityBiasPrediction(window: firstSplit)]
        }
        let forecast = BiasForecast(predictions: predictions, densities: made, interval: interval.map { ($0.lo, $0.hi) })
        note(String(format: "schedules: untrained majority bias b0 = %+.4f (MB.4; mean over %d split(s))", forecast.untrainedBias, predictions.count))
        let experimentStart = Date()
        let progress = Progress(total: settings.seeds.count * made.count)
        let result = try experiment.run(known: known, keepSamples: sampleGrid, wanted: { seed, name in pending.contains("seed=\(seed),schedule=\(name)") },
                                        record: { seed, name, rows in
            try store?.append(unit: "seed=\(seed),schedule=\(name)", rows: try rows.map { m in
                try RowCodec.cells(Self.measurementRow(m))
            })
        }, progress: { done, _, label in progress.update(done: done, label: label) })
        if let store, store.isComplete { try store.compact() }
        guard shard.count == 1 else {
            note("schedules: shard \(shard) written to \(out!.path); join the shards with `phaseflow merge`, then run schedules with --resume on the merged directory")
            return ([], nil)
        }
        let first = try experiment.data(settings.seeds[0])
        note(String(format: "schedules: %d schedules × %d seeds × %d steps, d = %d, %d training rows: experiment %.1f s, total %.1f s wall",
                    made.count, settings.seeds.count, settings.budgets.last ?? 0, first.dimension, first.trainCount,
                    Date().timeIntervalSince(experimentStart), Date().timeIntervalSince(started)))
        note("schedules: standard errors over seeds \(settings.seeds.first!)…\(settings.seeds.last!) cover "
             + (splitPerSeed ? "training noise (initialisation, data order, noise, times, generation noise) and the train/held-out split (split seed = seed)"
                             : "training noise only (initialisation, data order, noise, times, generation noise; one split, seed \(window.seed))"))
        note("schedules: data fraction \(result.dataFraction)\(splitPerSeed ? " (mean over splits)" : ""), sw floor \(result.swFloor); steps to error ≤ \(settings.targetError): "
             + result.stepsToTarget.map { "\($0.schedule) \($0.steps.map(String.init) ?? "none")" }.joined(separator: ", "))
        let report = SchedulesReport(result: result)
        if let out {
            try write(report, forecast: forecast, to: out)
            if sampleGrid > 0 { try writeSampleGrids(result, experiment: experiment, densities: made, window: firstWindow, to: out) }
        }
        return (summaryRows(report, result, forecast), result)
    }

    /// The file names of the sample picture at one budget.
    public static func sampleGridFiles(budget: Int) -> (data: String, script: String, png: String) {
        ("samples_budget\(budget).dat", "samples_budget\(budget).gp", "samples_budget\(budget).png")
    }

    /// One picture per budget (RD.26): the first seed's samples of every schedule, those of runs
    /// resumed from disk trained again (the same bits as in one go).
    func writeSampleGrids(_ result: SchedulesResult, experiment: SchedulesExperiment, densities made: [any TrainingDensity],
                          window data: WindowData, to directory: URL) throws {
        let seed = settings.seeds[0]
        let samples = try made.map { density in
            try result.keptSamples.first { $0.schedule == density.name && $0.seed == seed }
                ?? experiment.samples(seed: seed, density: density, count: sampleGrid)
        }
        var described = window   // the first seed's split
        if splitPerSeed { described.seed = seed }
        var drawn = true
        for (b, budget) in settings.budgets.enumerated() {
            let grid = try data.sampleGrid(generated: samples.map { ($0.schedule, $0.samples[b]) }, columns: sampleGrid)
            let files = Self.sampleGridFiles(budget: budget)
            try writeAtomically(grid.dataFile, to: directory.appendingPathComponent(files.data))
            let title = "\(described.dataDescription)\n\(budget) training steps, seed \(seed); each column starts from the same noise"
            let script = directory.appendingPathComponent(files.script)
            try writeAtomically(grid.gnuplotScript(data: files.data, png: files.png, title: title), to: script)
            drawn = renderWithGnuplot(script: script, in: directory) && drawn
        }
        note("wrote \(directory.path)/samples_budget{\(settings.budgets.map(String.init).joined(separator: ","))}.dat and .gp"
             + (drawn ? " and .png" : " (no PNG: gnuplot missing or failed)"))
    }

    /// One row per (schedule, budget): the measured summary, then the zero-shot forecast (MB.4–MB.8;
    /// the keys that need the window are missing when no interval was resolved).
    func summaryRows(_ report: SchedulesReport, _ result: SchedulesResult, _ forecast: BiasForecast) -> [Row] {
        result.summaries.map { s in
            var row = Row()
            row.add("schedule", s.schedule)
            row.add("budget", s.budget)
            for (key, x) in zip(SchedulesReport.summaryHeader.dropFirst(2), report.summaryNumbers(s)) { row.add(Quantity(key), x) }
            row.add("se_covers", report.seCovers)
            row.add("untrained_majority_bias", forecast.untrainedBias)
            let mass = forecast.windowMass(s.schedule)
            row.add("window_mass", mass)
            row.add("predicted_majority_bias", forecast.bias(s.schedule, budget: s.budget))
            row.add("predicted_majority_bias_diff_vs_uniform", forecast.difference(s.schedule, budget: s.budget))
            return row
        }
    }

    /// The prepared data of every seed, each on its own split (split seed = the seed).
    /// `first` is the split of `window` itself, already prepared (before the run directory): reused
    /// for the seed it belongs to instead of being prepared again.
    func splitsBySeed(reusing first: WindowData) throws -> [UInt64: WindowData] {
        var bySeed = [UInt64: WindowData]()
        for seed in settings.seeds {
            if seed == window.seed { bySeed[seed] = first; continue }
            var config = window
            config.seed = seed
            bySeed[seed] = try WindowExperiment.prepare(config)
        }
        return bySeed
    }

    /// One measurement as a row of `header` (the run directory's rows.csv).
    static func measurementRow(_ m: ScheduleMeasurement) -> Row {
        var row = Row()
        row.add("schedule", m.schedule); row.add("budget", m.budget); row.add("seed", Int(m.seed))
        row.add("generated_fraction", m.generatedFraction); row.add("data_fraction", m.dataFraction); row.add("feature_error", m.featureError)
        row.add("binomial_se", m.binomialSE); row.add("sliced_wasserstein", m.slicedWasserstein); row.add("sw_floor", m.swFloor)
        row.add("loss", m.recentLoss)
        return row
    }

    func write(_ report: SchedulesReport, forecast: BiasForecast, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = report.result
        try writeAtomically(try render(summaryRows(report, result, forecast), as: .csv), to: directory.appendingPathComponent("schedules_summary.csv"))
        try writeAtomically(try render(result.measurements.map { m in var row = Self.measurementRow(m); row.add("majority_bias", m.majorityBias); return row }, as: .csv),
                            to: directory.appendingPathComponent("schedules_runs.csv"))
        let targets = result.stepsToTarget.map { t -> Row in
            var row = Row(); row.add("schedule", t.schedule); row.add("steps_to_target", t.steps.map(Value.int) ?? .missing); return row
        }
        try writeAtomically(try render(targets, as: .csv), to: directory.appendingPathComponent("schedules_steps_to_target.csv"))
        let script = directory.appendingPathComponent("schedules.gp")
        try writeAtomically(report.gnuplotScript(), to: script)
        let drawn = renderWithGnuplot(script: script, in: directory)
        note("wrote \(directory.path)/schedules_summary.csv, schedules_runs.csv, schedules_steps_to_target.csv, schedules.gp"
             + (drawn ? ", schedules.png" : " (no PNG: gnuplot missing or failed)"))
    }
}

/// A line on stderr (progress and timings; stdout holds only data).
func note(_ line: String) { writeStandardError(line + "\n") }
