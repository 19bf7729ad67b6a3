import Foundation

/// FD.12 (derivations/finite-d-corrections.md §3f): the Stein term 2cα²(uw/√d)(1 − Φ2_ν) of CV.2 is linear in u,
/// so the profiled u is not AT.28's but u₀ − k w with k = cα² n(1 − R2)/(√d A), A = L_u + nR2. F keeps its value
/// to O(k² r) (its Stein term is evaluated at u₀); m, q and u·w/d move at first order in k, O(1/d) in phase 1:
///
///     m = m₀ − kω,   ρ_s = ρ_s,₀ − kπ_s,   q = q₀ − 2k uw₀ + k² r,   uw = uw₀ − k r,   F/n −= k² A r/n.
///
///     var x = objective.perPointParameters(halfGap: 1, bias: 0.5, slope: 0)   // FD.12 applied inside
extension PhaseOneObjective {
    /// k of FD.12 at R2 and A (zero at d = ∞ or without the per-point problem).
    func steinCoupling(r2: Double, a: Double) -> Double {
        guard let rootD = perPointRootD, a > 0 else { return 0 }
        return c * alpha * alpha * problem.n * (1 - r2) / (rootD * a)
    }

    /// Moves u by −k w in the order parameters (FD.12); `out.objective` must already hold F/n at u₀.
    func applySteinCoupling(_ out: inout LearnedParameters, r2: Double, a: Double) {
        let k = steinCoupling(r2: r2, a: a)
        guard k != 0 else { return }
        out.q += -2 * k * out.uw + k * k * out.r
        out.m -= k * out.omega
        out.rhoPlus -= k * out.piPlus
        out.rhoMinus -= k * out.piMinus
        out.uw -= k * out.r
        out.objective -= k * k * a * out.r / problem.n
    }
}
