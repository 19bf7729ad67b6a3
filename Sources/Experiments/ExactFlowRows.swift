import FlowModel
import GSLKit
import Theory

extension ExactField {
    /// p̂, p̂ − p, σ̂ and the commit time of the exact-denoiser flow for each integrator, one row
    /// each, with the inputs under their flag names (derivations/exact-flow.md).
    ///
    ///     let problem = try Problem(dimension: .finite(100_000), p: 0.8, sigma: 1)
    ///     let field = ExactField(problem: problem, schedule: try ScheduleName.linear.make(for: problem))
    ///     let rows = try field.rows([.euler(steps: 50)], scheduleName: .linear, k: 2, steps: 50)   // p_hat ≈ 0.99997
    public func rows(_ integrators: [FlowIntegrator], scheduleName: ScheduleName, k: Double, steps: Int,
                     threshold: Double = 0.9) throws -> [Row] {
        try integrators.map { integrator in
            let o = try makeReducedFlow(self, integrator).observables(threshold: threshold)
            var row = Row()
            row.add("schedule", scheduleName.rawValue)
            row.add("integrator", integrator.name)
            row.add("d", problem.d)
            row.add("p", problem.p)
            row.add("sigma", problem.sigma)
            row.add("k", k)
            row.add("steps", steps)
            row.add("p_hat", o.pHat)
            row.add("p_hat_error", o.pHat - problem.p)
            row.add("sigma_hat", o.sigmaHat)
            row.add("commit_time", o.commitClock)
            row.add("commit_t", o.commitTime)
            // A flow that never commits (U > ½ up to the clock's end, e.g. d = 1) has its commit at the
            // end, where log-SNR is +∞ (EF.17): written as "inf", like d = ∞.
            row.add("commit_log_snr", o.commitLogSNR.isFinite ? .double(o.commitLogSNR) : .string(o.commitLogSNR > 0 ? "inf" : "-inf"))
            return row
        }
    }
}
