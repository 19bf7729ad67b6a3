import Foundation
import RealData

extension Report {
    /// §6b: the atlas of MNIST and Fashion-MNIST (RD.20–RD.25 per class against the rest; real-data-uturn.md
    /// §7): when each class is decided. Each class at a tenth of the mixture, 50 bootstrap draws (the
    /// 95 % intervals); the smoke run draws the digits' atlas with 20 draws, 20 sampler steps and one noise draw.
    ///
    ///     let text = try Report.atlasSection(in: directory, smoke: false)   // Markdown: two tables, two figures
    static func atlasSection(in directory: URL, smoke: Bool) throws -> String {
        let datasets: [(DatasetName, String)] = smoke ? [(.digits, "8×8 digits")] : [(.mnist, "MNIST"), (.fashionMNIST, "Fashion-MNIST")]
        var text = """
        ## 6b. Real data: when each class is decided (the atlas)

        The zero-shot window of every class against the rest, each class at a tenth of the mixture
        (`phaseflow window --atlas --dataset <data> --majority 0.1 --bootstrap 50 --out <dir>`; derivations/real-data-uturn.md §7):
        a bar from t10 to t90 per class, t50 marked, 95 % bootstrap intervals.

        """
        for (dataset, name) in datasets {
            var configuration = WindowConfiguration()
            configuration.dataset = dataset
            configuration.majority = 0.1
            configuration.bootstrap = 50
            // The smoke run: the digits at full size (at 20 images a class the rest has no window), 20 sampler
            // steps, one noise draw, 20 bootstrap draws (1 s instead of 16 s of CPU; every class still has its window).
            if smoke { configuration.bootstrap = 20; configuration.steps = 20; configuration.noiseDraws = 1 }
            let atlas = WindowAtlas(run: WindowRun(configuration: configuration))
            let rows = try atlas.rows()
            let folder = "atlas_\(dataset.rawValue)"
            try atlas.write(rows, to: directory.appendingPathComponent(folder))
            text += """

            **\(name).**

            \(markdownTable(rows, keys: ["start_class", "t10", "t50", "t50_ci_low", "t50_ci_high", "t90", "classifier_accuracy"], digits: 3))

            ![atlas \(name)](\(folder)/atlas.png)

            """
        }
        return text
    }
}
