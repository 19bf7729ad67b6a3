import Foundation
import FlowModel

extension AutoencoderTheory {
    /// One fixed base-noise draw per training point (Cui et al.; autoencoder-theory.md §4.4,
    /// precursor.md): the saturated rows only, τ_j = 1 + j/points, j = 1 … points − 1 on the dilated
    /// clock at d = ∞, with (c, m, q, ρ_±) from AT.22/PC.3 and the base-noise overlap s^ν u·z^ν/d.
    /// Phase 1 is not given: with untied weights and fixed noise it degenerates into memorisation of
    /// the training noise (§4.4).
    ///
    ///     let rows = try AutoencoderTheory(problem: problem).fixedNoiseTable(pointsPerPhase: 4)
    public func fixedNoiseTable(pointsPerPhase points: Int) throws -> [(parameters: LearnedParameters, baseNoiseOverlap: Double)] {
        guard points >= 2 else { throw InputError("points must be ≥ 2 for the fixed-noise table; got \(points)") }
        guard !dimension.isFinite else { throw InputError("--noise fixed is the d = inf theory (AT.22); got d = \(dimension)") }
        return (1..<points).map { j in
            let tau = 1 + Double(j) / Double(points), s = clock(tau)
            var row = PhaseTwo.parameters(problem, alpha: s.alpha, beta: s.beta, noise: .fixed)
            row.tau = tau; row.t = s.t; row.phase = 2; row.signal = s.signal
            return (row, PhaseTwo.baseNoiseOverlap(problem, alpha: s.alpha, beta: s.beta))
        }
    }
}
