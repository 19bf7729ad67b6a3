import ArgumentParser
import Foundation
import FlowModel
import Simulation

/// `phaseflow simulate`: train the bank of K networks at finite d for several seeds in parallel,
/// record the order parameters per grid time, generate and measure p̂, σ̂
/// (derivations/simulation-fast-path.md). Rows are appended to <out>/simulate.csv as each
/// snapshot finishes; `--resume` skips the seeds already complete and the snapshots already written.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Monte Carlo: train the per-time networks, generate, measure p̂ and σ̂.")

    @Option(help: "Dimension d.") var d: Double = 5000
    @OptionGroup var simulation: SimulationOptions
    @Option(help: "Output directory.") var out: String = "out"
    @Flag(help: "Keep the rows of an interrupted run and compute only the rest.") var resume = false
    @Option(help: "Summary format on stdout: json, csv or table.") var format: OutputFormat = .table

    func run() throws {
        let config = try simulation.configuration(dimension: d)
        let url = URL(fileURLWithPath: out, isDirectory: true).appendingPathComponent("simulate.csv")
        let run = SimulationRun(options: simulation, config: config, url: url)
        let snapshots = try run.run(resume: resume, label: "simulate")
        guard !snapshots.isEmpty else { return }
        let pooled = SimulationRunner.pooledGeneration(snapshots)   // nil with --samples 0
        // The final epoch's per-time means ± standard errors across seeds, and pooled p̂, σ̂.
        var rows = [Row]()
        for summary in SimulationRunner.summarize(snapshots) {
            var row = Row()
            row.add("tau", summary.tau); row.add("t", summary.t); row.add("phase", summary.phase)
            for (key, (m, e)) in zip(OrderParameters.keys, zip(summary.mean.values, summary.standardError.values)) {
                row.add(key, m); row.add(key + "_se", e)
            }
            row.add("loss", summary.loss)
            if let pooled {
                row.add("p_hat", pooled.pHat); row.add("p_hat_se", pooled.pHatSE)
                row.add("sigma_hat", pooled.sigmaHat); row.add("sigma_hat_se", pooled.sigmaHatSE)
            }
            row.add("p_train", snapshots.map(\.trainingFraction).reduce(0, +) / Double(snapshots.count))
            row.add("epoch", run.finalEpoch); row.add("seeds", snapshots.count)
            simulation.addInputs(&row, config)
            rows.append(row)
        }
        print(try render(rows, as: format), terminator: "")
        let generated = pooled.map { String(format: "p_hat = %.4f ± %.4f, sigma_hat = %.4f ± %.4f", $0.pHat, $0.pHatSE, $0.sigmaHat, $0.sigmaHatSE) }
            ?? "no samples generated"
        FileHandle.standardError.write(Data("\(generated) over \(snapshots.count) seed(s); rows in \(url.path)\n".utf8))
    }
}
