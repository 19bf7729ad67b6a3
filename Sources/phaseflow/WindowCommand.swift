import ArgumentParser
import Foundation
import Experiments
import FlowMatching
import FlowModel
import RealData

extension SamplerKind: ExpressibleByArgument {}
extension WindowRun.Model: ExpressibleByArgument {}

/// The data flags shared by `window` and `schedules`.
struct RealDataOptions: ParsableArguments {
    @Option(help: "Dataset: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String = "mnist"
    @Option(name: .customLong("data-path"), help: "Dataset file (directory for fashion-mnist); default: the installed one or $PHASEFLOW_MNIST_CSV / $PHASEFLOW_FASHION_MNIST_DIR / $PHASEFLOW_DIGITS_CSV.")
    var dataPath: String?
    @Option(parsing: .upToNextOption, help: "The two classes A B (B may be 'rest'); A is the majority.")
    var classes: [String] = ["0", "1"]
    @Option(help: FlagHelp.majority)
    var majority: Double = 0.8
    @Option(help: FlagHelp.pca)
    var pca: Int?
    @Option(name: .customLong("pilot-seeds"), help: "Pilot models of the trained window (bootstrapped over).")
    var pilotSeeds: Int = 3
    @Option(name: .customLong("pilot-steps"), help: "Training steps of each pilot.")
    var pilotSteps: Int = 2000

    func validate() throws {
        if dataPath == "" { throw ValidationError("--data-path '' names no file; give the dataset file, or drop --data-path for the installed one") }
    }

    func configuration() throws -> WindowConfiguration {
        var config = WindowConfiguration()
        config.dataset = try DatasetName(parsing: dataset)
        config.dataPath = dataPath
        try config.setClasses(classes)
        config.majority = majority
        config.pcaDimension = pca
        return config
    }
}

/// `phaseflow window`: the time window where a class is decided, from U-turns of held-out images.
struct WindowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "window",
        abstract: "Time window where the class of a real image is decided (U-turn, sigmoid in log-SNR, bootstrap 95 % intervals).")

    @OptionGroup var data: RealDataOptions
    @Option(help: "Rank of each class covariance's low-rank part (default: half the PCA dimension).")
    var rank: Int?
    @Option(help: "Model: gaussian (the zero-shot class-conditional Gaussian) or trained (flow-matching pilots, uniform t).")
    var model: WindowRun.Model = .gaussian
    @Option(help: "Sampler back to the data end: ode or sde.")
    var sampler: SamplerKind = .sde
    @Option(name: .customLong("sampler-steps"), help: FlagHelp.samplerSteps)
    var samplerSteps: Int = 100
    @Option(help: FlagHelp.schedule)
    var schedule: String = "linear"
    @Option(name: .customLong("lambda-min"), parsing: .unconditional, help: "Smallest start log-SNR.")
    var lambdaMin: Double = -12
    @Option(name: .customLong("lambda-max"), parsing: .unconditional, help: "Largest start log-SNR.")
    var lambdaMax: Double = 4
    @Option(help: FlagHelp.points)
    var points: Int = 17
    @Option(help: "Held-out start images per class.")
    var images: Int = 200
    @Option(name: .customLong("noise-draws"), help: "Noise draws per start image and start time.")
    var noiseDraws: Int = 4
    @Option(help: "Independent train/held-out splits, resampled by the bootstrap with the images.")
    var splits: Int = 1
    @Option(help: "Bootstrap replicates, in [20, 1000000] (20 at least for a 95 % interval).")
    var bootstrap: Int = 200
    @Option(help: FlagHelp.seed, transform: seedValue)
    var seed: UInt64 = 1
    @Flag(help: "Print the U-turn curves instead of the windows.")
    var curves = false
    @Option(name: .customLong("export-density"), help: FlagHelp.exportDensity, transform: outputFilePath)
    var exportDensity: String?
    @Option(help: FlagHelp.fraction)
    var fraction = 0.5
    @Flag(help: "Atlas: the window of every class of the dataset against the rest (--classes is ignored; --majority is each class's share, e.g. 0.1 for ten balanced classes), one row per class; with --out DIR also atlas.csv, atlas.gp and atlas.png (one bar per class) there.")
    var atlas = false
    @Option(help: FlagHelp.out, transform: outputPath)
    var out: String?
    @Option(help: FlagHelp.format)
    var format: OutputFormat = .table

    func validate() throws {
        try require("fraction", fraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        if atlas && curves { throw ValidationError("--atlas and --curves exclude each other") }
        if atlas && exportDensity != nil { throw ValidationError("--export-density needs one pair of classes, not --atlas") }
        if out != nil && !atlas { throw ValidationError("--out is written by --atlas only (atlas.csv, atlas.gp, atlas.png)") }
    }

    func run() throws {
        var config = try data.configuration()
        config.rank = rank; config.sampler = sampler; config.steps = samplerSteps
        config.lambdaMin = lambdaMin; config.lambdaMax = lambdaMax; config.points = points
        config.imagesPerClass = images; config.splits = splits; config.noiseDraws = noiseDraws; config.bootstrap = bootstrap; config.seed = seed
        try config.setSchedule(schedule)
        var window = WindowRun(configuration: config)
        window.model = model; window.curves = curves
        window.pilots = try PilotSettings(count: data.pilotSeeds, steps: data.pilotSteps)
        if atlas {
            let atlas = WindowAtlas(run: window)
            let rows = try atlas.rows()
            if let out { try atlas.write(rows, to: URL(fileURLWithPath: out, isDirectory: true)) }
            try printRows(rows, format)
            return
        }
        let (rows, result) = try window.run()
        if let exportDensity {
            try writeAtomically(try window.densityExport(result, fraction: fraction).json(), to: URL(fileURLWithPath: exportDensity))
            writeStandardError("window: wrote the adaptive density to \(exportDensity)\n")
        }
        writeStandardError(String(format: "window: model fits and U-turns %.2f s wall, %.2f s CPU; whole run (data, PCA, classifier, fits, bootstrap) %.2f s wall, %.2f s CPU; classifier accuracy %.4f on %d held-out images (mean over %d splits)\n",
                                                   result.zeroShotSeconds, result.zeroShotCPUSeconds, result.totalSeconds, result.totalCPUSeconds,
                                                   result.meanAccuracy, result.data.heldOutLabels.count, result.accuracies.count))
        try printRows(rows, format)
    }
}
