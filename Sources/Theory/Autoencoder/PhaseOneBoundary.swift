import Foundation
import GSLKit
import FlowModel

/// The phase-1 boundary between the trivial branch (w = 0: no mode learned, AT.36) and the
/// non-trivial branch (AT.31), at d = ∞ (§6 of derivations/autoencoder-theory.md).
///
///     let crossing = try PhaseOneBoundary.signal(problem, moments: try TanhMoments())   // kτ* above which the mode is learned
public enum PhaseOneBoundary {
    /// Where the non-trivial branch stops being the global minimum.
    public struct Crossing: Sendable {
        /// The signal S* = kτ* (or the penalty L*) where F_branch = F_triv.
        public let value: Double
        /// The lowest S (highest L) at which the continued branch was still found (the spinodal
        /// lies beyond it, within one continuation step), or nil if it never ended in range.
        public let branchEnd: Double?
    }

    /// F_branch − F_triv at signal S, with the branch minimised from `start`; nil if the branch
    /// is not found there.
    static func gap(_ problem: AutoencoderProblem, signal: Double, moments: TanhMoments,
                    start: (w: Double, bias: Double)) throws -> (gap: Double, point: (w: Double, bias: Double))? {
        let objective = PhaseOneObjective(problem: problem, signal: signal, moments: moments)
        guard signal > 0, let branch = try PhaseOneSolver.branch(objective, start: start) else { return nil }
        return (branch.objective - objective.trivialValue, (branch.halfGap, branch.bEff))
    }

    /// S* in the (n, kτ) plane: continuation of the branch from S = `from` downward in steps of
    /// `step`, then Brent root finding of F_branch − F_triv on the bracketing step.
    /// Returns S* = 0 if the branch wins down to S = 1e-4·step (no boundary in range).
    public static func signal(_ problem: AutoencoderProblem, moments: TanhMoments, from top: Double = 4,
                              step: Double = 0.02) throws -> Crossing {
        var s = top
        var start = (w: top, bias: atanh(max(-0.999, min(0.999, problem.imbalance))))
        guard var current = try gap(problem, signal: s, moments: moments, start: start), current.gap < 0 else {
            throw InputError("the mode is not learned even at kτ = \(top): no phase-1 boundary below it")
        }
        start = current.point
        while s - step > step / 2 {
            let next = s - step
            if let g = try gap(problem, signal: next, moments: moments, start: start), g.gap < 0 {
                (s, current, start) = (next, g, g.point)
                continue
            }
            let branchAlive = try gap(problem, signal: next, moments: moments, start: start) != nil
            let from = start
            let root = try RootFinder.brent(in: next, s, absolute: 1e-10, relative: 1e-10) { x in
                try gap(problem, signal: x, moments: moments, start: from)?.gap ?? 1
            }
            return Crossing(value: root, branchEnd: branchAlive ? nil : s)
        }
        // Below the last step: bracket with a tiny signal, where the branch cannot win.
        let tiny = 1e-4 * step
        let from = start
        if let g = try gap(problem, signal: tiny, moments: moments, start: from), g.gap < 0 {
            return Crossing(value: 0, branchEnd: nil)
        }
        let root = try RootFinder.brent(in: tiny, s, absolute: 1e-10, relative: 1e-10) { x in
            try gap(problem, signal: x, moments: moments, start: from)?.gap ?? 1
        }
        return Crossing(value: root, branchEnd: nil)
    }

    /// L* in the (n, penalty) plane at signal S (L_u = L_w = L): continuation upward in L from
    /// `from`, in geometric steps, then Brent root finding.
    public static func penalty(p: Double, sigma: Double, n: Double, nPlus: Double? = nil, signal: Double,
                               moments: TanhMoments, from low: Double = 0.05, factor: Double = 1.1,
                               upTo high: Double = 1e6) throws -> Crossing {
        func problem(_ l: Double) throws -> AutoencoderProblem {
            try AutoencoderProblem(setup: Setup(p: p, sigma: sigma, n: n), nPlus: nPlus, penaltyU: l, penaltyW: l)
        }
        var l = low
        var start = (w: signal, bias: atanh(max(-0.999, min(0.999, 2 * p - 1))))
        guard let first = try gap(problem(l), signal: signal, moments: moments, start: start), first.gap < 0 else {
            throw InputError("the mode is not learned at kτ = \(signal) even with penalty \(low)")
        }
        start = first.point
        while l * factor <= high {
            let next = l * factor
            if let g = try gap(problem(next), signal: signal, moments: moments, start: start), g.gap < 0 {
                (l, start) = (next, g.point)
                continue
            }
            let branchAlive = try gap(problem(next), signal: signal, moments: moments, start: start) != nil
            let from = start
            let root = try RootFinder.brent(in: l, next, absolute: 1e-10, relative: 1e-10) { x in
                try gap(problem(x), signal: signal, moments: moments, start: from)?.gap ?? 1
            }
            return Crossing(value: root, branchEnd: branchAlive ? nil : l)
        }
        throw InputError("the mode is learned at kτ = \(signal) up to penalty \(high): no boundary in range")
    }

    /// Second method (no continuation, no Nelder–Mead): whether some point of a (W, b_eff) grid
    /// beats the trivial branch, W ∈ (0, wMax], b_eff ∈ [−bMax, bMax].
    public static func gridBeatsTrivial(_ problem: AutoencoderProblem, signal: Double, moments: TanhMoments,
                                        wMax: Double = 6, bMax: Double = 6, cells: Int = 120) -> Bool {
        let objective = PhaseOneObjective(problem: problem, signal: signal, moments: moments)
        let trivial = objective.trivialValue
        for i in 1...cells {
            let w = wMax * Double(i) / Double(cells)
            for j in 0...(2 * cells) {
                let b = -bMax + bMax * Double(j) / Double(cells)
                if objective.value(halfGap: w, bias: b) < trivial { return true }
            }
        }
        return false
    }

    /// The symmetric case p = ½, n₊ = n₋ (AT.40): the curvature ½∂²F/∂W² at W = 0 on the symmetry
    /// line b_eff = 0, by a central second difference of the quadrature objective.
    public static func symmetricCurvature(_ problem: AutoencoderProblem, signal: Double, moments: TanhMoments, h: Double = 1e-4) -> Double {
        let objective = PhaseOneObjective(problem: problem, signal: signal, moments: moments)
        let f0 = objective.value(halfGap: 0, bias: 0), f1 = objective.value(halfGap: h, bias: 0)
        return (f1 - f0) / (h * h) * problem.n   // F(W) − F(0) ≈ ½F''W², F even in W; times n: AT.38 units
    }

    /// The curvature criterion: the root in [lower, upper] of `symmetricCurvature` (Brent).
    public static func symmetricCurvatureRoot(_ problem: AutoencoderProblem, moments: TanhMoments,
                                              lower: Double, upper: Double) throws -> Double {
        try RootFinder.brent(in: lower, upper, absolute: 1e-10, relative: 1e-10) {
            symmetricCurvature(problem, signal: $0, moments: moments)
        }
    }

    /// Continuation of the symmetric branch on the line b_eff = 0 (p = ½): W*(S) minimises F(W, 0)
    /// by one-dimensional Nelder–Mead, warm-started; the branch ends where W* reaches 0, located by
    /// bisection on W*(S) > `threshold` between `lower` (no branch) and `upper` (branch).
    public static func symmetricBranchEnd(_ problem: AutoencoderProblem, moments: TanhMoments,
                                          lower: Double, upper: Double, threshold: Double = 1e-4) throws -> Double {
        func width(_ s: Double) throws -> Double {
            let objective = PhaseOneObjective(problem: problem, signal: s, moments: moments)
            let result = try Minimizer.nelderMead(start: [1], initialStep: [0.2], sizeTolerance: 1e-12,
                                                  maxIterations: 4_000, returnUnconverged: true) {
                objective.value(halfGap: $0[0], bias: 0)
            }
            return abs(result.point[0])
        }
        var (lo, hi) = (lower, upper)
        guard try width(lo) <= threshold, try width(hi) > threshold else {
            throw InputError("the symmetric branch does not end in [\(lower), \(upper)]")
        }
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if try width(mid) > threshold { hi = mid } else { lo = mid }
        }
        return (lo + hi) / 2
    }

    /// AT.40: (n + σ²) kτ_c = √(L_u L_w) at n₊ = n₋.
    public static func symmetricBifurcation(_ problem: AutoencoderProblem) -> Double {
        (problem.penaltyU * problem.penaltyW).squareRoot() / (problem.n + problem.sigma * problem.sigma)
    }
}
