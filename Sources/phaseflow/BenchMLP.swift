import ArgumentParser
import Experiments
import FlowMatching
import FlowModel
import Foundation

/// `phaseflow bench --mlp`: the flow-matching MLP's training step (77 → 256 → 256 → 64, batch 128,
/// Adam, one thread) in ms per step and steps per second, with callgrind's instructions per step
/// beside the time (the program re-runs itself under valgrind for a few steps; omitted, with a
/// note on stderr, when valgrind is absent).
struct MLPBenchOptions: ParsableArguments {
    @Flag(name: .customLong("mlp"), help: "Instead: time the flow-matching MLP's training step (schedules' shapes, one thread); the training flags are not used then.")
    var mlp = false
    @Option(name: .customLong("mlp-steps"), help: "Timed MLP steps (after the warm-up).") var mlpSteps = 500
    @Option(name: .customLong("mlp-warmup"), help: "Untimed MLP steps first.") var mlpWarmup = 20
    @Option(name: .customLong("callgrind-steps"), help: "Steps counted under callgrind (0: no instruction count).") var callgrindSteps = 10

    func validate() throws {
        try requireCount("mlp-steps", mlpSteps, atLeast: 1, atMost: 1_000_000)
        try requireCount("mlp-warmup", mlpWarmup, atLeast: 0, atMost: 1_000_000)
        try requireCount("callgrind-steps", callgrindSteps, atLeast: 0, atMost: 10_000)
    }

    func run(seed: UInt64, format: OutputFormat) throws {
        let result = try MLPBenchmark(steps: mlpSteps, warmup: mlpWarmup, seed: seed).run()
        var row = Row()
        row.add("steps", result.steps)
        row.add("ms_per_step", result.millisecondsPerStep)
        row.add("steps_per_second", result.stepsPerSecond)
        row.add("mean_loss", result.meanLoss)
        if callgrindSteps > 0 {
            do {
                let counter = try InstructionCount()
                guard let executable = Bundle.main.executablePath else { throw InstructionCountError.executable }
                FileHandle.standardError.write(Data("bench --mlp: counting instructions of \(callgrindSteps) steps under callgrind…\n".utf8))
                let perStep = try counter.perRepetition(executable: executable, arguments: { steps in
                    ["bench", "--mlp", "--mlp-steps", "\(steps)", "--mlp-warmup", "0", "--callgrind-steps", "0", "--seed", "\(seed)", "--format", "csv"]
                }, base: 2, extra: callgrindSteps)
                row.add("instructions_per_step", perStep)
            } catch {
                FileHandle.standardError.write(Data("bench --mlp: \(error); instruction count omitted\n".utf8))
            }
        }
        try printRows([row], format)
    }
}

extension InstructionCountError {
    static var executable: InstructionCountError { InstructionCountError("the program's own path is unknown") }
}
