import ArgumentParser
import Foundation
import FlowModel
import RealData
import FlowMatching

extension SamplerKind: ExpressibleByArgument {}

/// `phaseflow window`: the time window where a class is decided, from U-turns of held-out images.
struct WindowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "window",
        abstract: "Time window where the class of a real image is decided (U-turn, sigmoid in log-SNR, bootstrap 95 % intervals).")

    enum ModelChoice: String, ExpressibleByArgument, CaseIterable { case gaussian, trained }

    @Option(help: "Dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String = "mnist"
    @Option(name: .customLong("data-path"), help: "Dataset file (directory for fashion-mnist); default: the installed one or $PHASEFLOW_MNIST_CSV / $PHASEFLOW_FASHION_MNIST_DIR / $PHASEFLOW_DIGITS_CSV.")
    var dataPath: String?
    @Option(parsing: .upToNextOption, help: "The two classes A B (B may be 'rest').")
    var classes: [String] = ["0", "1"]
    @Option(help: "Fraction of class A in the training set.")
    var majority: Double = 0.8
    @Option(help: "PCA dimension (default 64; 32 for digits).")
    var pca: Int?
    @Option(help: "Rank of each class covariance's low-rank part (default: half the PCA dimension).")
    var rank: Int?
    @Option(help: "Model: gaussian (the zero-shot class-conditional Gaussian) or trained (flow-matching pilots, uniform t).")
    var model: ModelChoice = .gaussian
    @Option(name: .customLong("pilot-seeds"), help: "Pilot models for --model trained (bootstrapped over).")
    var pilotSeeds: Int = 3
    @Option(name: .customLong("pilot-steps"), help: "Training steps of each pilot (--model trained).")
    var pilotSteps: Int = 2000
    @Option(help: "Sampler back to the data end: ode or sde.")
    var sampler: SamplerKind = .sde
    @Option(help: "Sampler steps (uniform in log-SNR).")
    var steps: Int = 100
    @Option(help: "Schedule: linear or vp.")
    var schedule: String = "linear"
    @Option(name: .customLong("lambda-min"), parsing: .unconditional, help: "Smallest start log-SNR.")
    var lambdaMin: Double = -12
    @Option(name: .customLong("lambda-max"), parsing: .unconditional, help: "Largest start log-SNR.")
    var lambdaMax: Double = 4
    @Option(help: "Number of start log-SNRs.")
    var points: Int = 17
    @Option(help: "Held-out start images per class.")
    var images: Int = 200
    @Option(name: .customLong("noise-draws"), help: "Noise draws per start image and start time.")
    var noiseDraws: Int = 4
    @Option(help: "Independent train/held-out splits, resampled by the bootstrap with the images.")
    var splits: Int = 1
    @Option(help: "Bootstrap replicates.")
    var bootstrap: Int = 200
    @Option(help: "Seed (split, noise, sampler, bootstrap).")
    var seed: UInt64 = 1
    @Flag(help: "Print the U-turn curves instead of the windows.")
    var curves = false
    @Option(help: "Output format: json, csv or table.")
    var format: OutputFormat = .table

    func run() throws {
        let (rows, result) = try compute()
        let d = result.data
        FileHandle.standardError.write(Data(String(format: "window: model fits and U-turns %.2f s wall, %.2f s CPU; whole run (data, PCA, classifier, fits, bootstrap) %.2f s wall, %.2f s CPU; classifier accuracy %.4f on %d held-out images (mean over %d splits)\n",
                                                   result.zeroShotSeconds, result.zeroShotCPUSeconds, result.totalSeconds, result.totalCPUSeconds,
                                                   result.meanAccuracy, d.heldOutLabels.count, result.accuracies.count).utf8))
        print(try render(rows, as: format), terminator: "")
    }

    /// The rows (windows, or curves with --curves) and the experiment's result.
    func compute() throws -> (rows: [Row], result: WindowResult) {
        var config = WindowConfiguration()
        config.dataset = try DatasetName(parsing: dataset)
        config.dataPath = dataPath
        guard classes.count == 2, let a = Int(classes[0]) else { throw ValidationError("classes must be two values A B (B a class or 'rest'); got \(classes.joined(separator: " "))") }
        config.classA = a
        if classes[1] == "rest" { config.classB = nil } else {
            guard let b = Int(classes[1]) else { throw ValidationError("second class must be a number or 'rest'; got \(classes[1])") }
            config.classB = b
        }
        config.majority = majority; config.pcaDimension = pca; config.rank = rank; config.sampler = sampler
        config.steps = steps; config.lambdaMin = lambdaMin; config.lambdaMax = lambdaMax; config.points = points
        config.imagesPerClass = images; config.splits = splits; config.noiseDraws = noiseDraws; config.bootstrap = bootstrap; config.seed = seed
        switch schedule {
        case "linear": config.schedule = LinearSchedule()
        case "vp": config.schedule = VariancePreservingSchedule()
        default: throw ValidationError("schedule must be linear or vp; got \(schedule)")
        }
        var pilots = PilotSettings()
        guard pilotSeeds >= 1, pilotSteps >= 1 else { throw ValidationError("pilot-seeds and pilot-steps must be ≥ 1; got \(pilotSeeds), \(pilotSteps)") }
        pilots.seeds = (1...pilotSeeds).map { 100 + UInt64($0) }
        pilots.steps = pilotSteps
        let result = model == .trained ? try TrainedWindow.run(config, pilots: pilots) : try WindowExperiment.run(config)
        let d = result.data
        var rows: [Row] = []
        for w in result.windows {
            if curves {
                for (j, lambda) in result.lambdas.enumerated() {
                    var row = Row()
                    row.add("start_class", w.startClass); row.add("other_class", w.otherClass)
                    row.add("log_snr", lambda); row.add("t", try result.time(atLogSNR: lambda))
                    row.add("p_switch", w.switchFraction[j]); row.add("p_switch_fit", w.fit.value(at: lambda))
                    if let impurity = w.impurity { row.add("impurity", impurity[j]) }
                    rows.append(row)
                }
                continue
            }
            var row = Row()
            row.add("dataset", config.dataset.rawValue); row.add("start_class", w.startClass); row.add("other_class", w.otherClass)
            row.add("majority", majority); row.add("pca", d.pca.dimension); row.add("sampler", sampler.rawValue)
            let b = w.bootstrap
            for (key, value, ci) in [("lo", w.fit.lambdaLow, b.lambdaLow), ("mid", w.fit.lambdaMid, b.lambdaMid), ("hi", w.fit.lambdaHigh, b.lambdaHigh)] {
                row.add("t_\(key)", try result.time(atLogSNR: value))
                row.add("t_\(key)_ci_low", try result.time(atLogSNR: ci.low)); row.add("t_\(key)_ci_high", try result.time(atLogSNR: ci.high))
            }
            for (key, value, ci) in [("lo", w.fit.lambdaLow, b.lambdaLow), ("mid", w.fit.lambdaMid, b.lambdaMid), ("hi", w.fit.lambdaHigh, b.lambdaHigh)] {
                row.add("log_snr_\(key)", value); row.add("log_snr_\(key)_ci_low", ci.low); row.add("log_snr_\(key)_ci_high", ci.high)
            }
            row.add("p_switch_noise", w.fit.pNoise); row.add("p_switch_data", w.fit.pData)
            row.add("splits", splits); row.add("classifier_accuracy", result.meanAccuracy); row.add("bootstrap_failures", b.failures)
            rows.append(row)
        }
        return (rows, result)
    }
}
