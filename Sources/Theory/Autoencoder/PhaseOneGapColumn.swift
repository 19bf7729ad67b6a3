import Foundation
import GSLKit
import FlowModel

extension PhaseOneBoundary {
    /// The non-trivial branch at one signal: F_branch − F_triv (AT.31 against AT.36) and the
    /// minimiser's point, the warm start of the next signal.
    public struct GapCell: Sendable {
        public let gap: Double
        public let halfGap: Double
        public let bias: Double
    }

    /// F_branch − F_triv down a column of signals (kτ, in decreasing order) by continuation: the
    /// branch is minimised at each signal from the previous signal's minimum, exactly as in `signal`.
    /// nil from the first signal where the branch is lost (below its spinodal only the trivial
    /// branch exists, derivations/autoencoder-theory.md §6).
    ///
    ///     let column = try PhaseOneBoundary.gapColumn(problem, signals: [4, 3, 2, 1], moments: try TanhMoments())
    ///     // column[0]!.gap < 0: the mode is learned at kτ = 4
    public static func gapColumn(_ problem: AutoencoderProblem, signals: [Double], moments: TanhMoments) throws -> [GapCell?] {
        guard let top = signals.first else { return [] }
        guard zip(signals, signals.dropFirst()).allSatisfy({ $0 > $1 }), signals.last! > 0 else {
            throw InputError("the signals of a gap column must be positive and decreasing")
        }
        var start = (w: top, bias: atanh(max(-0.999, min(0.999, problem.imbalance))))
        var cells: [GapCell?] = []
        for s in signals {
            guard let g = try gap(problem, signal: s, moments: moments, start: start) else { break }
            cells.append(GapCell(gap: g.gap, halfGap: g.point.w, bias: g.point.bias))
            start = g.point
        }
        return cells + [GapCell?](repeating: nil, count: signals.count - cells.count)
    }

    /// The crossing S* (F_branch = F_triv) inside a gap column: Brent root finding between the lowest
    /// signal where the branch still wins and the next one, warm-started from the winning cell (the
    /// bracketing step of `signal`). nil when the branch wins at every signal of the column or at none.
    public static func crossing(in column: [GapCell?], signals: [Double], _ problem: AutoencoderProblem,
                                moments: TanhMoments) throws -> Crossing? {
        guard let first = column.first, let top = first, top.gap < 0 else { return nil }
        guard let j = column.indices.dropLast().first(where: { column[$0]!.gap < 0 && !(column[$0 + 1].map { $0.gap < 0 } ?? false) })
        else { return nil }
        let from = (w: column[j]!.halfGap, bias: column[j]!.bias)
        let root = try RootFinder.brent(in: signals[j + 1], signals[j], absolute: 1e-10, relative: 1e-10) { x in
            try gap(problem, signal: x, moments: moments, start: from)?.gap ?? 1
        }
        return Crossing(value: root, branchEnd: column[j + 1] == nil ? signals[j] : nil)
    }
}
