import ArgumentParser
import Experiments
import Foundation
import RunStore

/// `phaseflow slurm-script`: prints an sbatch array script that runs a sweep as N shards
/// (Experiments.SlurmArrayScript); the merge to run afterwards is in its header.
///
///     phaseflow slurm-script --tasks 8 --out runs/sim -- simulate --d 5000 --seeds 16 --epochs 40000 > sim.sbatch
///     sbatch sim.sbatch            # then: phaseflow merge runs/sim.shard-{1..8} --out runs/sim
struct SlurmScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-script",
        abstract: "Print an sbatch array script running a sweep (after --) as N shards, to be joined with `phaseflow merge`.")

    @Option(help: "Array tasks = shards N.") var tasks: Int
    @Option(help: FlagHelp.out, transform: outputPath) var out: String
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per task (passed to the sweep as --threads).") var cpusPerTask: Int = 2
    @Option(help: "Time limit per task (SLURM syntax).") var time: String = "01:00:00"
    @Option(help: "SLURM partition (default: the cluster's default).") var partition: String?
    @Option(help: "The phaseflow executable the tasks run (default: this one).") var executable: String?
    @Argument(parsing: .postTerminator, help: "The sweep and its flags, after `--`.") var sweep: [String] = []

    /// The script's checks (time, partition, paths), then the sweep parsed and validated exactly as
    /// task 1 will run it, so that a script sbatch would accept never fails in every task.
    func validate() throws {
        let script = try SlurmArrayScript(executable: executable ?? "phaseflow", sweep: sweep, tasks: tasks, out: out,
                                          cpusPerTask: cpusPerTask, time: time, partition: partition)
        if let executable { try SlurmArrayScript.requireExecutable(executable) }
        if let help = sweep.first(where: Phaseflow.helpWords.contains) {
            throw ValidationError("the sweep after -- asks for help (\(help)): every task would print help instead of running; drop \(help)")
        }
        // Task 1's first start (no --resume: its run directory does not exist yet).
        let task = sweep + (script.passesThreads ? ["--threads", "\(cpusPerTask)"] : []) + ["--shard", "1/\(tasks)", "--out", out + ".shard-1"]
        do { _ = try Phaseflow.parseChecked(task) } catch {
            let line = Phaseflow.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            throw ValidationError("the sweep after -- (\(sweep.joined(separator: " "))): \(line)")
        }
    }

    func run() throws {
        let me = executable ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let script = try SlurmArrayScript(executable: me, sweep: sweep, tasks: tasks, out: URL(fileURLWithPath: out).path,
                                          cpusPerTask: cpusPerTask, time: time, partition: partition)
        try OutputDescriptor.standardOutput.write(script.text)
    }
}
