import ArgumentParser
import Foundation
import FlowModel
import Simulation

/// The flags of one Monte Carlo configuration apart from the setup (d, p, σ, k), shared by
/// `simulate` and `compare`.
struct SimulationOptions: ParsableArguments {
    @Option(help: FlagHelp.n) var n: Int = 128
    @Option(help: FlagHelp.steps) var steps: Int = 80
    @Option(help: FlagHelp.schedule)
    var schedule: ScheduleName = .dilated
    @Option(help: FlagHelp.epochs) var epochs: Int = 40_000
    @Option(help: FlagHelp.seeds) var seeds: Int = 1
    @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
    @Option(name: .customLong("protocol"), help: "Training protocol: adam, gd, online or converged (default: simulate adam, compare converged; compare refuses online, which has no fixed n).")
    var trainingProtocol: ProtocolArgument?
    @Option(help: FlagHelp.lr) var lr: Double?
    @Option(name: .customLong("weight-decay"), help: "Adam weight decay λ on u and w (L = Kλd/2).") var weightDecay: Double = 1e-5
    /// The L of J (gd, converged): default 0 for gd; for converged, Kλd/2 of --weight-decay if neither is given.
    @Option(name: .customLong("penalty-u"), help: FlagHelp.penaltyU) var penaltyU: Double?
    @Option(name: .customLong("penalty-w"), help: FlagHelp.penaltyW) var penaltyW: Double?
    /// The per-sample ℓ of the online protocol.
    @Option(name: .customLong("sample-penalty-u"), help: FlagHelp.samplePenaltyU) var samplePenaltyU: Double?
    @Option(name: .customLong("sample-penalty-w"), help: FlagHelp.samplePenaltyW) var samplePenaltyW: Double?
    @Option(help: "Initialisation: paper (all N(0,1)) or theory (c = b = 0).") var `init`: Initialisation = .paper
    @Flag(name: .customLong("aligned-start"), help: "Condition the start on m·ω ≥ 0 at every grid time: w is negated where it is not (TD.20).")
    var alignedStart = false
    @Option(help: FlagHelp.planted)
    var planted: Double?
    @Option(help: "Gradient path: fast or dense.") var path: GradientPathChoice = .fast
    @Option(help: FlagHelp.precision) var precision: SimulationPrecision = .double
    @Option(help: FlagHelp.samples) var samples: Int = 256
    @Option(help: "Generation scheme: x1-pred or euler.") var scheme: GenerationScheme = .x1Pred
    @Option(name: .customLong("record-every"), help: "Snapshot every this many epochs (0: only the last).")
    var recordEvery: Int = 0
    @Option(name: .customLong("threads"), help: FlagHelp.threads) var workerThreads: WorkerThreads = .allCores
    var threads: Int { workerThreads.count }

    func validate() throws {
        try require("n", Double(n), "a whole number ≥ 1") { $0 >= 1 }
        try requireCount("epochs", epochs, atMost: Limits.epochs)
        _ = try seedRange(first: seed, count: seeds)
        try require("samples", Double(samples), "0 (no generation) or in [2, \(Limits.samples)]") { $0 == 0 || ($0 >= 2 && $0 <= Double(Limits.samples)) }
        if let planted { try require("planted", planted, "finite") { _ in true } }
        try requireCount("record-every", recordEvery, atLeast: 0, atMost: epochs)
        if recordEvery > 0, epochs / recordEvery > Limits.snapshots {
            throw ValidationError("--record-every \(recordEvery) asks for \(epochs / recordEvery) snapshots of --epochs \(epochs); at most \(Limits.snapshots)")
        }
        if let lr { try require("lr", lr, "> 0") { $0 > 0 } }
        try require("weight-decay", weightDecay, "≥ 0") { $0 >= 0 }
        if let penaltyU { try require("penalty-u", penaltyU, "≥ 0") { $0 >= 0 } }
        if let penaltyW { try require("penalty-w", penaltyW, "≥ 0") { $0 >= 0 } }
        if let samplePenaltyU { try require("sample-penalty-u", samplePenaltyU, "finite and ≥ 0") { $0 >= 0 && $0.isFinite } }
        if let samplePenaltyW { try require("sample-penalty-w", samplePenaltyW, "finite and ≥ 0") { $0 >= 0 && $0.isFinite } }
        let online = trainingProtocol?.value.fixedTrainingSet == false
        if online, penaltyU != nil || penaltyW != nil {
            throw ValidationError("--penalty-u and --penalty-w are the L of J at fixed n; online SGD takes --sample-penalty-u and --sample-penalty-w")
        }
        if !online, samplePenaltyU != nil || samplePenaltyW != nil {
            throw ValidationError("--sample-penalty-u and --sample-penalty-w belong to --protocol online; this protocol takes --penalty-u and --penalty-w")
        }
    }

    var seedList: [UInt64] { (try? seedRange(first: seed, count: seeds)) ?? [] }

    /// The configuration at --d, or at `d` for commands that take their dimensions elsewhere (--dims).
    func configuration(_ setup: SetupOptions, dimension d: Double? = nil, defaultProtocol: any TrainingProtocol = .adam) throws -> SimulationConfiguration {
        let setup = try setup.setup(n: Double(n), at: try d.map { try Dimension($0) })
        var training = TrainingOptions()
        training.trainingProtocol = trainingProtocol?.value ?? defaultProtocol; training.epochs = epochs; training.learningRate = lr
        training.weightDecay = weightDecay; training.penaltyU = penaltyU ?? samplePenaltyU ?? 0; training.penaltyW = penaltyW ?? samplePenaltyW ?? 0
        training.convergedPenaltiesFromWeightDecay = penaltyU == nil && penaltyW == nil
        training.initialisation = `init`; training.path = path
        training.schedule = schedule
        training.alignedStart = alignedStart; training.planted = planted.map { PlantedOverlap(m: $0, omega: $0) }
        var config = try SimulationConfiguration(setup: setup, steps: steps, training: training)
        config.precision = precision; config.samples = samples; config.scheme = scheme
        if recordEvery > 0 { config.recordEpochs = Array(stride(from: 0, through: epochs, by: recordEvery)) }
        return config
    }
}

/// A `--protocol` value: the name of one of `TrainingProtocols.all`, which lists the values.
struct ProtocolArgument: ExpressibleByArgument {
    let value: any TrainingProtocol
    init?(argument: String) {
        guard let found = TrainingProtocols.named(argument) else { return nil }
        value = found
    }
    static var allValueStrings: [String] { TrainingProtocols.all.map(\.name) }
}
