import Foundation
import FlowModel

/// An `sbatch` array script that runs one phaseflow sweep as N shards: task i runs the sweep with
/// `--shard i/N --out <out>.shard-i`, adding `--resume` when that directory already holds its run
/// (a requeued or restarted task continues where it stopped; `--resume` refuses a directory without
/// a run), and the comment at its top gives the merge that joins the shards into `<out>`.
///
///     let script = try SlurmArrayScript(executable: "/usr/local/bin/phaseflow", sweep: ["simulate", "--d", "5000", "--seeds", "16"],
///                                       tasks: 4, out: "runs/sim", cpusPerTask: 2, time: "02:00:00").text
public struct SlurmArrayScript: Sendable {
    public static let sweeps: Set<String> = ["simulate", "compare", "diagram", "boundaries", "schedules"]
    public var executable: String
    public var sweep: [String]
    public var tasks: Int
    public var out: String
    public var cpusPerTask: Int
    public var time: String
    public var partition: String?

    public init(executable: String, sweep: [String], tasks: Int, out: String, cpusPerTask: Int, time: String, partition: String? = nil) throws {
        guard let command = sweep.first, Self.sweeps.contains(command) else {
            throw InputError("slurm-script needs a sweep after `--` (\(Self.sweeps.sorted().joined(separator: ", "))); got '\(sweep.first ?? "")'")
        }
        for flag in ["--out", "--shard", "--resume", "--threads"] where sweep.contains(flag) {
            throw InputError("slurm-script sets \(flag) itself; remove it from the sweep's flags")
        }
        guard tasks >= 1, tasks <= 100_000 else { throw InputError("tasks must be in 1…100000; got \(tasks)") }
        guard cpusPerTask >= 1, cpusPerTask <= 4096 else { throw InputError("cpus-per-task must be in 1…4096; got \(cpusPerTask)") }
        guard !out.isEmpty else { throw InputError("out must not be empty") }
        try Self.requireDirectiveSafe("out", out)
        try Self.requireTime(time)
        if let partition { try Self.requirePartition(partition) }
        for word in [executable] + sweep {
            if let bad = Self.controlCharacter(in: word) {
                throw InputError("slurm-script: '\(word.debugDescription.dropFirst().dropLast())' holds the control character U+\(bad); a script line cannot carry it")
            }
        }
        self.executable = executable; self.sweep = sweep; self.tasks = tasks; self.out = out
        self.cpusPerTask = cpusPerTask; self.time = time; self.partition = partition
    }

    /// SLURM's time limits: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (or UNLIMITED / infinite).
    static let timePatterns = [#"^\d+$"#, #"^\d+:\d{1,2}$"#, #"^\d+:\d{1,2}:\d{1,2}$"#,
                               #"^\d+-\d{1,2}$"#, #"^\d+-\d{1,2}:\d{1,2}$"#, #"^\d+-\d{1,2}:\d{1,2}:\d{1,2}$"#]
    /// The longest limit accepted (a year; beyond it a number is a typo, not a job).
    public static let longestTimeSeconds = 365 * 86_400

    /// Throws unless `time` is one of SLURM's time formats with minutes and seconds below 60, hours
    /// below 24 when days are given, a total above zero and at most a year (a newline would add an
    /// `#SBATCH` line). Returns the limit in seconds (nil: UNLIMITED).
    @discardableResult
    public static func requireTime(_ time: String) throws -> Int? {
        let shown = time.debugDescription.dropFirst().dropLast()
        if ["UNLIMITED", "infinite"].contains(time) { return nil }
        guard !time.contains("\n"), timePatterns.contains(where: { time.range(of: $0, options: .regularExpression) != nil }) else {
            throw InputError("time must be SLURM's MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS; got '\(shown)'")
        }
        let dayParts = time.split(separator: "-", maxSplits: 1).map(String.init)
        let withDays = dayParts.count == 2
        let numbers = (withDays ? [dayParts[0]] : []) + dayParts[dayParts.count - 1].split(separator: ":").map(String.init)
        guard numbers.allSatisfy({ Int($0) != nil }) else { throw InputError("time '\(shown)' is too large; at most \(longestTimeSeconds / 86_400) days") }
        var fields = numbers.map { Int($0)! }
        let days = withDays ? fields.removeFirst() : 0
        // (hours, minutes, seconds) of each format; only a leading field may exceed its unit.
        let (hours, minutes, seconds): (Int, Int, Int)
        switch (withDays, fields.count) {
        case (false, 1): (hours, minutes, seconds) = (0, fields[0], 0)
        case (false, 2): (hours, minutes, seconds) = (0, fields[0], fields[1])
        case (true, 1): (hours, minutes, seconds) = (fields[0], 0, 0)
        case (true, 2): (hours, minutes, seconds) = (fields[0], fields[1], 0)
        default: (hours, minutes, seconds) = (fields[0], fields[1], fields[2])
        }
        if seconds >= 60 { throw InputError("time '\(shown)': seconds must be below 60; got \(seconds)") }
        if minutes >= 60, withDays || fields.count == 3 { throw InputError("time '\(shown)': minutes must be below 60; got \(minutes)") }
        if withDays, hours >= 24 { throw InputError("time '\(shown)': hours must be below 24 when days are given; got \(hours)") }
        let limit = Double(days) * 86_400 + Double(hours) * 3600 + Double(minutes) * 60 + Double(seconds)
        guard limit > 0 else { throw InputError("time '\(shown)' is zero; give a positive time limit") }
        guard limit <= Double(longestTimeSeconds) else { throw InputError("time '\(shown)' is too large; at most \(longestTimeSeconds / 86_400) days") }
        return Int(limit)
    }

    /// The executable the tasks run: an existing executable regular file (the script runs on the
    /// cluster's shared filesystem, so a path missing here is missing there too); a bare name is
    /// looked up on PATH.
    public static func requireExecutable(_ path: String) throws {
        guard !path.isEmpty else { throw InputError("executable '' is empty; name the phaseflow binary the tasks run") }
        var resolved = path
        if !path.contains("/") {
            let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            guard let found = directories.map({ $0 + "/" + path }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw InputError("executable '\(path)' is not found on PATH; give the path of the phaseflow binary")
            }
            resolved = found
        }
        let real = URL(fileURLWithPath: resolved).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory) else {
            throw InputError("executable '\(path)' does not exist on this machine; give the path of the phaseflow binary on the shared filesystem")
        }
        guard !isDirectory.boolValue else { throw InputError("executable '\(path)' is a directory, not a program") }
        guard FileManager.default.isExecutableFile(atPath: real) else { throw InputError("executable '\(path)' is not an executable file") }
    }

    /// Throws unless `partition` is a comma-separated list of names of letters, digits, `_`, `-`, `.`.
    public static func requirePartition(_ partition: String) throws {
        let name = #"[A-Za-z0-9_.-]+"#
        guard partition.range(of: "^\(name)(,\(name))*$", options: .regularExpression) != nil, !partition.contains("\n") else {
            throw InputError("partition must be SLURM partition names (letters, digits, _ - .), comma-separated; got '\(partition.debugDescription.dropFirst().dropLast())'")
        }
    }

    /// `#SBATCH --output=<out>.shard-%a.log` is read by sbatch, not by the shell: no quoting reaches
    /// it, so a path with whitespace, quotes, a backslash or `%` (SLURM's filename patterns) is refused.
    static func requireDirectiveSafe(_ name: String, _ path: String) throws {
        if let bad = path.first(where: { $0.isWhitespace || "\"'\\%".contains($0) || $0.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) } }) {
            throw InputError("\(name) '\(path.debugDescription.dropFirst().dropLast())' holds \(bad.isWhitespace ? "whitespace" : "'\(bad)'"), which an #SBATCH --output line cannot carry; choose a path without it")
        }
    }

    static func controlCharacter(in word: String) -> String? {
        word.unicodeScalars.first { CharacterSet.controlCharacters.contains($0) }.map { String($0.value, radix: 16, uppercase: true) }
    }

    /// Single-quoted for the shell.
    static func quoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:+@%,".contains($0) } && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// simulate and compare take the task's CPUs as --threads.
    public var passesThreads: Bool { sweep.first == "simulate" || sweep.first == "compare" }

    public var text: String {
        let q = Self.quoted
        let shards = (1...min(tasks, 3)).map { "\(out).shard-\($0)" }.joined(separator: " ") + (tasks > 3 ? " … \(out).shard-\(tasks)" : "")
        var lines = [
            "#!/bin/bash",
            "# phaseflow \(sweep.first!) as a SLURM array of \(tasks) shard(s). Submit:  sbatch <this file>",
            "# Each task i writes the run directory \(out).shard-i (task i = shard i/\(tasks); resubmitting continues it).",
            "# When all tasks have finished, join them (the merged rows.csv is byte-identical to an unsharded run's):",
            "#   \(q(executable)) merge $(for i in $(seq 1 \(tasks)); do printf '%s ' \(q(out)).shard-$i; done)--out \(q(out))",
            "#   (i.e. merge \(shards) --out \(out))",
            "# and print the tables and figures from the merged directory:",
            "#   " + ([q(executable)] + sweep.map(q) + ["--out", q(out), "--resume"]).joined(separator: " "),
            "#SBATCH --job-name=phaseflow-\(sweep.first!)",
            "#SBATCH --array=1-\(tasks)",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --time=\(time)",
            "#SBATCH --output=\(out).shard-%a.log",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        lines += [
            "set -euo pipefail",
            "i=${SLURM_ARRAY_TASK_ID:?run this script with sbatch (an array task)}",
            // --resume only once the shard's run exists (a first start has none to resume).
            "resume=; if [ -f \(q(out)).shard-\"$i\"/manifest.json ]; then resume=--resume; fi",
            "exec " + ([q(executable)] + sweep.map(q)).joined(separator: " ")
                + (passesThreads ? " --threads \(cpusPerTask)" : "")
                + " --shard \"$i/\(tasks)\" $resume --out \(q(out)).shard-\"$i\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
