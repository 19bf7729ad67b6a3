import Foundation

extension ReproduceCommand {
    /// Report sections 6 and 7: the dilation ablation simulated (derivations/ablation.md) and the
    /// precursor's 1/n law (derivations/precursor.md), in a small configuration (about 2–3 minutes on
    /// 2 cores). Writes <out>/ablation and <out>/precursor and returns the Markdown.
    func ablationAndPrecursorSections() throws -> String {
        let t0 = Date()
        let ablationArguments = ["--dims", "500", "1000", "2000", "4000", "--n", "32", "--steps", "20", "--seeds", "3",
                                 "--training-time", "20", "--gradient-samples", "200", "--out", "\(out)/ablation", "--format", "csv"]
        _ = try AblationCommand.parse(ablationArguments).table()
        let ablationCSV = try String(contentsOfFile: "\(out)/ablation/ablation.csv", encoding: .utf8)
        let precursorArguments = ["--steps", "20", "--simulate", "4", "16", "64", "--d", "8000", "--seeds", "5",
                                  "--out", "\(out)/precursor", "--format", "csv"]
        let (precursorCSV, fit) = try PrecursorCommand.parse(precursorArguments).table()
        let continuous = try PrecursorCommand.parse(["--out", "\(out)/precursor_continuous", "--format", "csv"]).table()
        return """
        ## 6. The ablation: training on the undilated grid (derivations/ablation.md)

        The same bank trained on the dilated clock and on the undilated linear clock (full-batch gd,
        L_u = L_w = 2, theory init; the learned b and p̂ extrapolated to η → 0 from η and η/2, AB.7),
        with the finite-d theory on the same grid and the gradient of the time-averaged loss with respect
        to the biases at b = 0 (AB.3; theory and a d-dimensional Monte Carlo)
        (`phaseflow ablation \(ablationArguments.joined(separator: " "))`):

        \(Self.markdownFromCSV(ablationCSV, keys: ["d", "schedule", "p_hat", "p_hat_se", "p_hat_theory", "decision_signal",
                                                  "b_decision", "b_decision_se", "b_decision_theory", "window_times",
                                                  "grad_b_theory", "grad_b_mc", "grad_b_mc_se"]))
        ![ablation](ablation/ablation.png)

        ## 7. The precursor: Cui et al. as a special case (derivations/precursor.md)

        Tied weights, sign activation, one fixed base noise per point, p = ½, σ = 0.5, L = 0.1. The learned
        mean's error ‖μ̂ − μ‖²/d of the continuous flow: \(continuous.1); n·error → 2σ² = 0.5 (PC.7).
        On K = 20 Euler steps, against the simulation in d = 8000 (5 data sets, exact ridge minimisation)
        (`phaseflow precursor \(precursorArguments.joined(separator: " "))`; \(fit)):

        \(Self.markdownFromCSV(precursorCSV, keys: ["n", "mean_error", "mean_error_theory_d", "mean_error_sim", "mean_error_sim_se",
                                                   "gen_m_sim", "gen_m_theory_d", "sign_inconsistent_fraction"]))
        ![precursor](precursor/precursor.png)

        (Sections 6–7: \(String(format: "%.0f", Date().timeIntervalSince(t0))) s.)


        """
    }

    /// A Markdown table of chosen columns of a CSV text (numbers to 4 significant figures).
    static func markdownFromCSV(_ csv: String, keys: [String]) -> String {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let head = lines.first else { return "" }
        let index = keys.map { head.firstIndex(of: $0) }
        let body = lines.dropFirst().map { row in
            "| " + index.map { i -> String in
                guard let i, i < row.count else { return "" }
                return Double(row[i]).map { String(format: "%.4g", $0) } ?? row[i]
            }.joined(separator: " | ") + " |"
        }
        return (["| " + keys.joined(separator: " | ") + " |", "|" + keys.map { _ in "---" }.joined(separator: "|") + "|"] + body)
            .joined(separator: "\n") + "\n"
    }
}
