import ArgumentParser
import Foundation
import FlowMatching
import FlowModel
import RealData

/// `phaseflow schedules`: the same flow-matching model trained under uniform, logit-normal, EDM and
/// the feature-adaptive training-time densities at equal budgets and paired seeds; feature error,
/// sliced Wasserstein and paired differences vs uniform (derivations/training-schedules.md).
///
///     phaseflow schedules --dataset mnist --classes 0 1 --majority 0.8 --seeds 5 --out out/schedules
struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Compare training-time densities (uniform, logit-normal, EDM, adaptive) on real data: feature error and sliced W2 vs steps.")

    @Option(help: "Dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).") var dataset = "mnist"
    @Option(name: .customLong("data-path"), help: "Dataset file (directory for fashion-mnist).") var dataPath: String?
    @Option(parsing: .upToNextOption, help: "The two classes A B (B may be 'rest'); A is the majority.") var classes = ["0", "1"]
    @Option(help: "Fraction of class A in the training set.") var majority = 0.8
    @Option(help: "PCA dimension (default 64; 32 for digits).") var pca: Int?
    @Option(help: "Number of paired seeds (1…N).") var seeds = 5
    @Option(parsing: .upToNextOption, help: "Step budgets (checkpoints), increasing.") var budgets = [100, 300, 1000, 3000]
    @Option(parsing: .upToNextOption, help: "Schedules to train, uniform first (the paired reference): uniform logit-normal edm adaptive.")
    var schedules = ["uniform", "logit-normal", "edm", "adaptive"]
    @Option(help: "Adaptive interval: zero-shot, trained or T_LO,T_HI.") var interval = "zero-shot"
    @Option(help: "Mass of the adaptive density on its interval.") var fraction = 0.5
    @Option(help: "Generated samples per evaluation.") var samples = 1000
    @Option(name: .customLong("sampler-steps"), help: "Probability-flow steps (uniform in log-SNR).") var samplerSteps = 32
    @Option(help: "Hidden width of the MLP.") var hidden = 256
    @Option(help: "Minibatch size.") var batch = 128
    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.") var learningRate = 1e-3
    @Option(help: "Target feature error for steps-to-target.") var target = 0.05
    @Option(name: .customLong("pilot-seeds"), help: "Pilot models for --interval trained.") var pilotSeeds = 3
    @Option(name: .customLong("pilot-steps"), help: "Training steps of each pilot.") var pilotSteps = 2000
    @Option(help: "Worker threads over (seed, schedule) runs; results do not depend on it.") var threads = 2
    @Option(help: "Output directory for CSV, gnuplot script and PNG.") var out: String?
    @Option(help: "Output format: json, csv or table.") var format: OutputFormat = .table

    /// Every flag checked before any work or output.
    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("seeds must be ≥ 1; got \(seeds)") }
        guard let first = budgets.first, first >= 1, zip(budgets, budgets.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("budgets must be increasing positive step counts; got \(budgets.map(String.init).joined(separator: " "))")
        }
        try require("fraction", fraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try require("learning-rate", learningRate, "> 0") { $0 > 0 }
        try require("target", target, "> 0") { $0 > 0 }
        for (name, value, least) in [("samples", samples, 10), ("sampler-steps", samplerSteps, 2), ("hidden", hidden, 1), ("batch", batch, 1),
                                     ("threads", threads, 1), ("pilot-seeds", pilotSeeds, 1), ("pilot-steps", pilotSteps, 1)] where value < least {
            throw ValidationError("\(name) must be ≥ \(least); got \(value)")
        }
        guard schedules.first == "uniform" else { throw ValidationError("schedules must start with uniform (the reference); got \(schedules.joined(separator: " "))") }
        for name in schedules { _ = try TrainingDensityName(parsing: name) }
        guard Set(schedules).count == schedules.count else { throw ValidationError("schedules repeat: \(schedules.joined(separator: " "))") }
        _ = try IntervalChoice(parsing: interval)
    }

    func run() throws {
        let (rows, _) = try compute()
        print(try render(rows, as: format), terminator: "")
    }

    /// Runs the experiment, writes the --out files, returns the summary rows and the result.
    func compute() throws -> (rows: [Row], result: SchedulesResult) {
        let started = Date()
        var config = WindowConfiguration()
        config.dataset = try DatasetName(parsing: dataset)
        config.dataPath = dataPath
        guard classes.count == 2, let a = Int(classes[0]) else { throw ValidationError("classes must be two values A B; got \(classes.joined(separator: " "))") }
        config.classA = a
        if classes[1] == "rest" { config.classB = nil } else {
            guard let b = Int(classes[1]) else { throw ValidationError("second class must be a number or 'rest'; got \(classes[1])") }
            config.classB = b
        }
        config.majority = majority
        config.pcaDimension = pca
        var training = TrainingSettings(hidden: hidden, batch: batch, learningRate: learningRate)
        var pilots = PilotSettings()
        pilots.seeds = (1...pilotSeeds).map { 100 + UInt64($0) }
        pilots.steps = pilotSteps
        pilots.training = training
        pilots.threads = threads
        var window: IntervalChoice.Resolved?
        if schedules.contains("adaptive") {
            let w = try IntervalChoice(parsing: interval, pilots: pilots).resolve(config)
            let ci = { (c: (Double, Double)?) in c.map { String(format: " [%.4f, %.4f]", $0.0, $0.1) } ?? "" }
            warnLine(String(format: "schedules: %@ interval t_lo = %.4f%@, t_hi = %.4f%@ (%.1f s)", w.source, w.lo, ci(w.loCI),
                            w.hi, ci(w.hiCI), Date().timeIntervalSince(started)))
            window = w
        }

        let data = try SchedulesData(window: try WindowExperiment.prepare(config))
        var settings = SchedulesSettings()
        settings.seeds = (1...seeds).map(UInt64.init)
        settings.budgets = budgets
        training.seed = 1
        settings.training = training
        settings.samples = samples
        settings.samplerSteps = samplerSteps
        settings.targetError = target
        settings.threads = threads
        let densities = try schedules.map {
            try TrainingDensityName(parsing: $0).density(interval: window.map { ($0.lo, $0.hi) }, fraction: fraction)
        }
        let experimentStart = Date()
        let progress = Progress(total: seeds * densities.count)
        let result = try SchedulesExperiment(data: data, densities: densities, settings: settings).run { done, _, label in
            progress.update(done: done, label: label)
        }
        warnLine(String(format: "schedules: %d schedules × %d seeds × %d steps, d = %d, %d training rows: experiment %.1f s, total %.1f s wall",
                        densities.count, seeds, budgets.last!, data.dimension, data.trainCount,
                        Date().timeIntervalSince(experimentStart), Date().timeIntervalSince(started)))

        let report = SchedulesReport(result: result)
        var rows: [Row] = []
        for s in result.summaries {
            var row = Row()
            for (key, value) in zip(SchedulesReport.summaryHeader, report.summaryFields(s)) {
                if let x = Double(value), key != "steps" { row.add(key, x) } else if let i = Int(value) { row.add(key, i) } else { row.add(key, value) }
            }
            rows.append(row)
        }
        warnLine("schedules: data fraction \(result.dataFraction), sw floor \(result.swFloor); steps to error ≤ \(target): "
                 + result.stepsToTarget.map { "\($0.schedule) \($0.steps.map(String.init) ?? "none")" }.joined(separator: ", "))
        if let out {
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try writeAtomically(report.summaryCSV, to: directory.appendingPathComponent("schedules_summary.csv"))
            try writeAtomically(report.measurementsCSV, to: directory.appendingPathComponent("schedules_runs.csv"))
            try writeAtomically(report.stepsToTargetCSV, to: directory.appendingPathComponent("schedules_steps_to_target.csv"))
            let script = directory.appendingPathComponent("schedules.gp")
            try writeAtomically(report.gnuplotScript(), to: script)
            let drawn = renderWithGnuplot(script: script, in: directory)
            warnLine("wrote \(out)/schedules_summary.csv, schedules_runs.csv, schedules_steps_to_target.csv, schedules.gp" + (drawn ? ", schedules.png" : " (no PNG: gnuplot missing or failed)"))
        }
        return (rows, result)
    }

    private func warnLine(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}
