import ArgumentParser
import Experiments
import Foundation
import FlowModel

/// `phaseflow phase-diagram`: the phase-1 diagram over (n, kτ) at d = ∞ (Experiments.PhaseDiagram).
///
///     phaseflow phase-diagram --grid 100x100 --out out/phase
struct PhaseDiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase-diagram",
        abstract: "Phase 1 at d = inf over (n, kτ): F_branch − F_triv per cell, the boundary kτ*(n); CSV and a gnuplot heat map.")

    @Option(help: "Probability p of the + mode, in (0, 1).") var p: Double = Setup.defaultP
    @Option(help: FlagHelp.sigma) var sigma: Double = Setup.defaultSigma
    @Option(name: .customLong("penalty-u"), help: FlagHelp.penaltyU) var penaltyU: Double = AutoencoderOptions.defaultPenalty
    @Option(name: .customLong("penalty-w"), help: FlagHelp.penaltyW) var penaltyW: Double = AutoencoderOptions.defaultPenalty
    @Option(help: "Cells: <n count>x<kτ count>.") var grid: String = "100x100"
    @Option(name: .customLong("n-min"), help: "Smallest n (log-spaced grid).") var nMin: Double = 8
    @Option(name: .customLong("n-max"), help: "Largest n.") var nMax: Double = 4096
    @Option(name: .customLong("k-tau-max"), help: "Largest kτ (the grid is k-tau-max·j/count, j = 1 … count).") var kTauMax: Double = 1
    @Option(name: .customLong("threads"), help: FlagHelp.threads)
    var workerThreads: WorkerThreads = .allCores
    var threads: Int { workerThreads.count }
    @Option(help: FlagHelp.out, transform: outputPath) var out: String = "out"
    @Option(help: FlagHelp.format) var format: OutputFormat = .table

    func validate() throws {
        try diagram().validate()
    }

    func diagram() throws -> PhaseDiagram {
        let parts = grid.split(separator: "x").map { Int($0) }
        guard parts.count == 2, let nCount = parts[0], let signalCount = parts[1] else {
            throw ValidationError("grid must be <n count>x<kτ count>, e.g. 100x100; got \(grid)")
        }
        // d = ∞; k is not used (the grid runs over kτ).
        let setup = try Setup(dimension: .infinite, p: p, sigma: sigma)
        var d = PhaseDiagram(setup: setup, penaltyU: penaltyU, penaltyW: penaltyW)
        d.nCount = nCount; d.signalCount = signalCount; d.nMin = nMin; d.nMax = nMax; d.signalMax = kTauMax; d.threads = threads
        return d
    }

    func run() throws {
        let (cells, boundary, seconds) = try diagram().write(to: URL(fileURLWithPath: out, isDirectory: true))
        try printRows(boundary, format)
        try note(String(format: "wrote %@/phase_diagram.csv (%ld cells), phase_boundary.csv, phase_diagram.gp%@ in %.1f s", out, cells.count,
                    pngNote(out, "phase_diagram.png"), seconds))
    }
}
