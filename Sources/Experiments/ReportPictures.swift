import Foundation

extension Report {
    /// §7's pictures (RD.26): one sample grid per budget, written by the schedules run into
    /// schedules/, with what to look at.
    ///
    ///     let text = Report.sampleGridSection(budgets: [100, 300, 1000], columns: 8)   // Markdown with three images
    static func sampleGridSection(budgets: [Int], columns: Int) -> String {
        let images = budgets.map { budget in
            "**\(budget) training steps.**\n\n![generated samples after \(budget) steps](schedules/\(SchedulesRun.sampleGridFiles(budget: budget).png))\n"
        }.joined(separator: "\n")
        return """
        ### What the samples look like

        The first seed's first \(columns) generated samples of each schedule, decoded from the 64 PCA coordinates to
        pixels (x̄ + U y, clipped; derivations/real-data-uturn.md RD.26), below \(columns) held-out images (raw, then as the
        PCA space shows them: the sharpest a model in this space can draw). Every column starts from the same noise, so
        along a column only the training-time density differs. Look at whether the samples are recognisable zeros and
        ones or blends of the two (a zero crossed by a faint stroke), at how many ones each row draws (the training set,
        like the held-out row, has 20 %: a row of mostly zeros is the majority overshoot the feature error above
        measures), and at how the blur and stray strokes fade as the budget grows (files schedules/samples_budget*.dat
        and .gp, drawn by the `phaseflow schedules` command above).

        \(images)

        """
    }
}
