import Foundation
import RealData

extension Report {
    /// §7b's configuration: five Fashion-MNIST pairs whose zero-shot windows cover different shares
    /// of [0, 1], full classes (4800 + 1200 training images per split), PCA 256, a split per seed;
    /// the smoke run takes four digits pairs, their windows at full size and the smallest training.
    static func gainRun(smoke: Bool) throws -> WindowGainRun {
        let names = smoke ? ["digits:0:1", "digits:3:8", "digits:4:9", "digits:1:7"]
                          : ["fashion-mnist:1:9", "fashion-mnist:1:8", "fashion-mnist:7:9", "fashion-mnist:6:4", "fashion-mnist:5:7"]
        var run = WindowGainRun(tasks: try names.map(GainTask.init(parsing:)))
        run.window.pcaDimension = smoke ? nil : 256
        run.settings.seeds = [1, 2, 3]
        run.settings.budgets = [25, 50, 100, 300]
        run.settings.training.seed = 1
        run.splitPerSeed = true
        // The digits' windows at full size (a second each): at 20 images a class a window may not fit.
        if smoke { shrink(&run.settings) }
        return run
    }

    /// §7b: the gain of the adaptive density against the window's share (training-schedules.md §8).
    ///
    ///     let text = try Report.gainSection(in: directory, smoke: true, resume: false)   // Markdown: a table and gain/gain.png
    static func gainSection(in directory: URL, smoke: Bool, resume: Bool) throws -> String {
        let run = try gainRun(smoke: smoke)
        let rows = try run.run(out: directory.appendingPathComponent("gain"), resume: resume)
        // --pca only when set: without it each dataset takes its own default (64; 32 for the digits).
        let pca = run.window.pcaDimension.map { ["--pca", "\($0)"] } ?? []
        let line = (["gain", "--pairs"] + run.tasks.map(\.name) + pca + ["--seeds", "\(run.settings.seeds.count)",
                    "--budgets"] + run.settings.budgets.map(String.init) + ["--resample-split", "--out", "\(directory.path)/gain"]).joined(separator: " ")
        return """
        ### 7b. Where the gain grows: gain against the window's share

        Per task, the zero-shot window [t_lo, t_hi] and its share s = t_hi − t_lo of [0, 1]; uniform against the adaptive
        density (half the training times on the window) at paired seeds, each seed on its own split; the gain
        G = ē_U/ē_A ± SE (TS.28) beside MB.7's prediction exp(n (½ − s)/n_*) (TS.29), which grows as the window narrows and
        is 1 at s = ½ (`phaseflow \(line)`; derivations/training-schedules.md §8).

        \(markdownTable(rows, keys: ["task", "t_lo", "t_hi", "window_share", "budget", "uniform_error", "adaptive_error", "gain", "gain_se",
                                     "predicted_gain", "cpu_seconds"], digits: 3))

        ![gain against window share](gain/\(WindowGainRun.pngName))

        """
    }
}
