import Foundation
import FlowModel

extension Report {
    /// Report sections 8 and 9: the dilation ablation simulated (derivations/ablation.md) and the
    /// precursor's 1/n law (derivations/precursor.md), in a small configuration (a few minutes on
    /// 2 cores); writes <out>/ablation, <out>/precursor and <out>/precursor_continuous.
    func ablationAndPrecursorSections() throws -> String {
        var ablation = LinearGridAblation.Spec()
        ablation.dims = [.finite(500), .finite(1000), .finite(2000), .finite(4000)]; ablation.steps = 20; ablation.seeds = 3
        ablation.trainingTime = 20; ablation.gradientSamples = 200; ablation.threads = threads
        if smoke { Self.shrink(&ablation) }
        let ablationRows = try LinearGridAblation.report(try Setup(n: 32), ablation, to: directory.appendingPathComponent("ablation"))
        var precursor = PrecursorExperiment.Setup()
        precursor.steps = 20; precursor.simulateNs = [4, 16, 64]; precursor.dimension = .finite(8000); precursor.seeds = 5
        if smoke { Self.shrink(&precursor) }
        let (precursorRows, fit) = try PrecursorExperiment.report(precursor, to: directory.appendingPathComponent("precursor"))
        let continuous = try PrecursorExperiment.report(.init(), to: directory.appendingPathComponent("precursor_continuous"))
        return """
        ## 8. The ablation: training on the undilated grid (derivations/ablation.md)

        The same bank trained on the dilated clock and on the undilated linear clock (full-batch gd,
        L_u = L_w = 2, theory init; the learned b and p̂ extrapolated to η → 0 from η and η/2, AB.7),
        with the finite-d theory on the same grid and the gradient of the time-averaged loss with respect
        to the biases at b = 0 (AB.3; theory and a d-dimensional Monte Carlo)
        (`phaseflow ablation --dims 500 1000 2000 4000 --n 32 --steps 20 --seeds 3 --training-time 20 --gradient-samples 200`):

        \(markdownTable(ablationRows, keys: ["d", "schedule", "p_hat", "p_hat_se", "p_hat_theory", "decision_signal",
                                            "b_decision", "b_decision_se", "b_decision_theory", "window_times",
                                            "grad_b_theory", "grad_b_mc", "grad_b_mc_se"]))
        ![ablation](ablation/ablation.png)

        ## 9. The precursor: Cui et al. as a special case (derivations/precursor.md)

        Tied weights, sign activation, one fixed base noise per point, p = ½, σ = 0.5, L = 0.1. The learned
        mean's error ‖μ̂ − μ‖²/d of the continuous flow: \(continuous.fit); n·error → 2σ² = 0.5 (PC.7).
        On K = 20 Euler steps, against the simulation in d = 8000 (5 data sets, exact ridge minimisation)
        (`phaseflow precursor --steps 20 --simulate 4 16 64 --d 8000 --seeds 5`; \(fit)):

        \(markdownTable(precursorRows, keys: ["n", "mean_error", "mean_error_theory_d", "mean_error_sim", "mean_error_sim_se",
                                             "gen_m_sim", "gen_m_theory_d", "sign_inconsistent_fraction"]))
        ![precursor](precursor/precursor.png)


        """
    }
}
