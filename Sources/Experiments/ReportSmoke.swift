import FlowModel
import FlowMatching
import RealData

/// The smoke configuration of the report (`Report.smoke`, `phaseflow reproduce --smoke`): the same
/// stages, code paths, run directories and figures as the full report, each on its smallest useful
/// configuration, so that a test can run the whole pipeline (kill, resume, compare byte for byte)
/// in seconds. The numbers it writes are not the science.
///
///     var report = Report(directory: URL(fileURLWithPath: "smoke"), dimensions: [.finite(300), .finite(400)], seeds: 2, epochs: 300)
///     report.smoke = true
///     try report.write(resume: false)   // smoke/report.md, opening with `smokeNote`
extension Report {
    static let smokeNote = """
        **Smoke configuration** (`--smoke`): every stage on its smallest configuration, a check of the
        pipeline rather than of the science; the command lines quoted below describe the full report,
        not this run.


        """

    /// §3c and §4 on K = 4 grid times, τ = 0, ½, 1, 1½: the trivial start, phase 1 (where §4 runs
    /// Adam's mean field for the branch), the phase boundary and phase 2, as on the full grids; the
    /// theory solves per seed and grid time are most of the smoke run.
    static let smokeSteps = 4

    /// §6 and the zero-shot interval of §7: 20 start images per class, one noise draw, 20 sampler steps,
    /// 20 bootstrap replicates.
    static func shrink(_ window: inout WindowConfiguration) {
        window.imagesPerClass = 20; window.noiseDraws = 1; window.steps = 20; window.bootstrap = 20
    }

    /// §7: two paired seeds, budgets 10 and 30, 50 samples, a 32-unit MLP.
    static func shrink(_ settings: inout SchedulesSettings) {
        settings.seeds = [1, 2]; settings.budgets = [10, 30]; settings.samples = 50
        settings.training.hidden = 32; settings.training.batch = 32
    }

    /// §8: two d, K = 8, two seeds, training time 2, 64 samples, 20 gradient samples (n = 32 as in the
    /// report: at n = 8 a training set may have no point in the minority mode).
    static func shrink(_ ablation: inout LinearGridAblation.Spec) {
        ablation.dims = [.finite(300), .finite(600)]; ablation.steps = 8; ablation.seeds = 2
        ablation.trainingTime = 2; ablation.samples = 64; ablation.gradientSamples = 20
    }

    /// §9: the simulation at n = 4, 16 in d = 500 with two data sets.
    static func shrink(_ precursor: inout PrecursorExperiment.Setup) {
        precursor.simulateNs = [4, 16]; precursor.dimension = .finite(500); precursor.seeds = 2
    }
}
