import Foundation
import FlowMatching
import FlowModel
import RealData
import RunStore

/// One two-class task of the gain experiment, written `DATASET:A:B` (A the majority; `gain --pairs`).
///
///     let task = try GainTask(parsing: "fashion-mnist:7:9")   // sneaker (80 %) against ankle boot
public struct GainTask: Sendable, Hashable {
    public let dataset: DatasetName
    public let classA, classB: Int

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let a = Int(parts[1]), let b = Int(parts[2]), a >= 0, b >= 0 else {
            throw InputError("task must be DATASET:A:B with two class numbers (e.g. fashion-mnist:7:9); got '\(text)'")
        }
        guard a != b else { throw InputError("task '\(text)': the two classes must differ") }
        dataset = try DatasetName(parsing: parts[0]); classA = a; classB = b
    }

    public var name: String { "\(dataset.rawValue):\(classA):\(classB)" }
}

/// Where the gain grows (issue 21, item 3; derivations/training-schedules.md §8): for each task the
/// zero-shot window [t_lo, t_hi] (its share t_hi − t_lo of [0, 1]), then uniform against the adaptive
/// density on that window at paired seeds, and the gain G = ē_U/ē_A ± SE (TS.28) at every budget
/// beside the gain MB.7 predicts from the share alone (TS.29). Writes each task's schedules run
/// directory, gain.csv (one row per task and budget), gain.gp and gain.png (gain against share).
///
///     var run = WindowGainRun(tasks: try ["mnist:0:1", "fashion-mnist:7:9"].map(GainTask.init(parsing:)))
///     run.settings.budgets = [100, 300]
///     let rows = try run.run(out: URL(fileURLWithPath: "out/gain"))
public struct WindowGainRun: Sendable {
    public var tasks: [GainTask]
    /// The data and window knobs every task shares (majority, PCA dimension, U-turn settings); the
    /// dataset and classes come from each task.
    public var window = WindowConfiguration()
    public var settings = SchedulesSettings()
    public var fraction = 0.5
    /// A train/held-out split per seed (TS.20), so the SE covers the choice of images.
    public var splitPerSeed = true

    public init(tasks: [GainTask]) { self.tasks = tasks }

    public static let csvName = "gain.csv", scriptName = "gain.gp", pngName = "gain.png"

    /// The schedules run directory of a task under `out`.
    public static func taskFolder(_ task: GainTask) -> String { "task_\(task.dataset.rawValue)_\(task.classA)_\(task.classB)" }

    public func validate() throws {
        guard !tasks.isEmpty else { throw InputError("gain needs at least one task") }
        guard Set(tasks).count == tasks.count else { throw InputError("tasks repeat: \(tasks.map(\.name).joined(separator: " "))") }
        guard settings.seeds.count >= 2 else { throw InputError("gain needs at least 2 seeds (its SE is over seeds); got \(settings.seeds.count)") }
        try require("fraction", fraction, "in (0, 1)") { $0 > 0 && $0 < 1 }
        for task in tasks { try schedulesRun(task).validate() }
    }

    /// The schedules run of one task (uniform, then adaptive on the zero-shot window).
    func schedulesRun(_ task: GainTask) -> SchedulesRun {
        var config = window
        config.dataset = task.dataset; config.classA = task.classA; config.classB = task.classB
        var run = SchedulesRun(window: config, densities: ["uniform", "adaptive"], interval: "zero-shot")
        run.fraction = fraction
        run.settings = settings
        run.splitPerSeed = splitPerSeed
        return run
    }

    /// Runs every task in turn; one row per task and budget. With `out`, each task's run directory
    /// (resumable) and the table and figure.
    public func run(out: URL? = nil, resume: Bool = false) throws -> [Row] {
        try validate()
        var rows = [Row]()
        // The zero-shot windows first, one task per worker (each window run is single-threaded).
        let started = Date(), startCPU = processCPUSeconds()
        let windows = try zeroShotWindows()
        let windowCPU = processCPUSeconds() - startCPU
        note(String(format: "gain: zero-shot windows of %d tasks: %.0f s CPU, %.0f s wall", tasks.count, windowCPU, Date().timeIntervalSince(started)))
        for (i, task) in tasks.enumerated() {
            let wall = Date(), cpu = processCPUSeconds()
            var schedules = schedulesRun(task)
            let window = windows[i]
            schedules.resolvedInterval = window
            let folder = out.map { $0.appendingPathComponent(Self.taskFolder(task), isDirectory: true) }
            let taskResume = resume && folder.map { RunDirectory.holdsRun(at: $0) } == true
            guard let result = try schedules.run(out: folder, resume: taskResume).result else {
                throw InputError("gain: task \(task.name) gave no result")
            }
            let adaptive = try IntervalAdaptiveDensity(lo: window.lo, hi: window.hi, fraction: fraction)
            let adaptiveMass = MajorityBiasPrediction.windowMass(adaptive, lo: window.lo, hi: window.hi)
            let share = window.hi - window.lo
            // The task's CPU: its training runs plus an equal share of the windows' (they cost alike).
            let cpuSeconds = processCPUSeconds() - cpu + windowCPU / Double(tasks.count), seconds = Date().timeIntervalSince(wall)
            note(String(format: "gain: task %d/%d %@: window [%.4f, %.4f], share %.4f; training %.0f s CPU, %.0f s wall",
                        i + 1, tasks.count, task.name, window.lo, window.hi, share, processCPUSeconds() - cpu, seconds))
            for budget in settings.budgets {
                let g = try ScheduleGain(result.measurements, schedule: "adaptive", budget: budget)
                var row = Row()
                row.add("task", task.name); row.add("dataset", task.dataset.rawValue)
                row.add("majority", schedules.window.majority); row.add("pca", schedules.window.pcaDimensionUsed)
                row.add("t_lo", window.lo); row.add("t_hi", window.hi); row.add("window_share", share)
                row.add("budget", budget); row.add("seeds", g.seeds)
                row.add("uniform_error", g.referenceError); row.add("uniform_error_se", g.referenceErrorSE)
                row.add("adaptive_error", g.scheduleError); row.add("adaptive_error_se", g.scheduleErrorSE)
                row.add("gain", g.gain); row.add("gain_se", g.gainSE)
                row.add("predicted_gain", ScheduleGain.predicted(budget: budget, scheduleMass: adaptiveMass, uniformMass: share))
                row.add("se_covers", splitPerSeed ? "training_and_split" : "training")
                row.add("cpu_seconds", cpuSeconds); row.add("seconds", seconds)
                rows.append(row)
            }
        }
        if let out { try write(rows, to: out) }
        return rows
    }

    /// The zero-shot interval of every task (TS.23's union of the two start classes), computed on
    /// min(threads, tasks) workers; each is the deterministic window of its task, whatever the order.
    func zeroShotWindows() throws -> [IntervalChoice.Resolved] {
        try parallelResults(tasks.count, workers: max(settings.threads, 1)) {
            try IntervalChoice.zeroShot.resolve(schedulesRun(tasks[$0]).window)
        }.map { try $0.get() }
    }

    /// Writes gain.csv, gain.gp and (gnuplot permitting) gain.png into `directory`.
    public func write(_ rows: [Row], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeAtomically(try render(rows, as: .csv), to: directory.appendingPathComponent(Self.csvName))
        let script = directory.appendingPathComponent(Self.scriptName)
        let title = "gain of the adaptive density (f = \(fraction)) over uniform against the share of [0, 1] the window covers"
        try writeAtomically(try Self.gnuplotScript(keys: rows.first?.keys ?? [], budgets: settings.budgets, fraction: fraction, title: title),
                            to: script)
        let drawn = renderWithGnuplot(script: script, in: directory)
        note("wrote \(directory.path)/\(Self.csvName), \(Self.scriptName)" + (drawn ? ", \(Self.pngName)" : " (no PNG: gnuplot missing or failed)"))
    }

    /// Gain ± SE against the window share, one colour per budget, each point labelled with its task,
    /// and MB.7's prediction exp(n (f − s)/n_*) (TS.29) as a line per budget; gain 1 in grey.
    /// Columns are found by name in `keys` (the header of gain.csv).
    public static func gnuplotScript(keys: [String], budgets: [Int], fraction: Double, title: String,
                                     csv: String = csvName, png: String = pngName) throws -> String {
        func column(_ key: String) throws -> Int {
            guard let i = keys.firstIndex(of: key) else { throw InputError("gain: the rows have no column \(key)") }
            return i + 1
        }
        let (share, gain, se, budget, task) = (try column("window_share"), try column("gain"), try column("gain_se"),
                                              try column("budget"), try column("task"))
        let nStar = MajorityBiasPrediction.defaultStepScale
        // Budgets side by side (a small shift in x), so that their error bars do not overlap.
        let plots = budgets.enumerated().flatMap { i, n -> [String] in
            let shift = 0.006 * (Double(i) - Double(budgets.count - 1) / 2)
            return ["'\(csv)' using ($\(budget) == \(n) ? $\(share) + \(shift) : NaN):\(gain):\(se) with yerrorbars pt 7 ps 1.2 lc \(i + 1) title '\(n) steps (measured)'",
                    "exp(\(n) * (\(fraction) - x) / \(nStar)) with lines dt 2 lc \(i + 1) title '\(n) steps (MB.7, TS.29)'"]
        } + ["'\(csv)' using ($\(budget) == \(budgets[0]) ? $\(share) : NaN):(0.55):(stringcolumn(\(task))) with labels rotate by 90 left font ',9' notitle",
             "1 with lines lc 'gray' notitle"]
        return """
        set terminal pngcairo size 900,600 enhanced
        set output '\(png)'
        set datafile separator ','
        set key autotitle columnhead
        set key top right font ',9'
        set title '\(title.replacingOccurrences(of: "'", with: ""))' font ',11'
        set xlabel 'window share t_{hi} - t_{lo} of [0, 1] (zero-shot window)'
        set ylabel 'gain = uniform error / adaptive error (mean ± SE over seeds)'
        set xrange [0:0.75]
        set logscale y
        set yrange [0.5:4]
        set ytics (0.5, 0.7, 1, 1.5, 2, 3, 4)
        plot \(plots.joined(separator: ", \\\n     "))

        """
    }
}
