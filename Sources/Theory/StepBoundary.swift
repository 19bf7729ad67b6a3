import Foundation
import FlowModel
import GSLKit

/// The number-of-steps boundary K*(d) of a grid scheme: the smallest K at which the generated
/// mode probability is within a tolerance of p (derivations/exact-flow.md §7).
///
///     let grid = StepBoundary.geometricGrid(from: 10, to: 1e4, perDecade: 6)
///     let p = try StepBoundary.generatedModeProbability(field, scheme: .euler, steps: grid[0])
public enum StepBoundary {
    /// Multiples of `quantum` spaced evenly in log10 from `lower` to `upper`, `perDecade` per
    /// decade, deduplicated.
    public static func geometricGrid(from lower: Double, to upper: Double, perDecade: Int, quantum: Int = 1) -> [Int] {
        let count = Int((log10(upper / lower) * Double(perDecade)).rounded())
        let values = (0...max(count, 0)).map { i in
            quantum * max(1, Int((lower * pow(10, Double(i) / Double(perDecade)) / Double(quantum)).rounded()))
        }
        return Array(Set(values)).sorted()
    }

    /// p̂ of a grid scheme with `steps` steps, or nil when so few steps make the scheme
    /// non-monotone (EF §5); the boundary search counts those as failing.
    public static func generatedModeProbability(_ field: ExactField, scheme: GridFlow.Scheme, steps: Int) throws -> Double? {
        guard let flow = try? GridFlow(field: field, scheme: scheme, steps: steps) else { return nil }
        return try flow.generatedModeProbability()
    }

    /// K*: the first K of `grid` whose error is below `tolerance`, refined by bisection over the
    /// multiples of `quantum` between it and the grid point before it. Nil if no K of the grid
    /// reaches the tolerance.
    public static func threshold(grid: [Int], errors: [Double], tolerance: Double, quantum: Int = 1,
                                 error: (Int) throws -> Double) rethrows -> Int? {
        guard let first = errors.firstIndex(where: { $0 < tolerance }) else { return nil }
        var pass = grid[first] / quantum
        var fail = first > 0 ? grid[first - 1] / quantum : 0
        while pass - fail > 1 {
            let mid = (pass + fail) / 2
            if try error(mid * quantum) < tolerance { pass = mid } else { fail = mid }
        }
        return pass * quantum
    }

    /// Least-squares exponent a of K* ∝ d^a (in log–log), with its standard error.
    public static func powerLawExponent(dimensions: [Int], thresholds: [Int]) throws -> LinearFit {
        try LinearFit(x: dimensions.map { log(Double($0)) }, y: thresholds.map { log(Double($0)) })
    }
}
