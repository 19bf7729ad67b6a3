import ArgumentParser
import FlowModel

/// `--n`, `--ns`: a training-set size, a whole number ≥ 1 or `inf` (the closed forms), parsed once
/// for every command that takes one (`16.5` is refused by the parser, naming the flag and value).
///
///     @Option(help: FlagHelp.n) var n: SampleCount?      // --n 128, --n inf
struct SampleCount: ExpressibleByArgument, ExpressibleByIntegerLiteral, CustomStringConvertible, Equatable {
    let value: Double
    init(integerLiteral value: Int) { self.value = Double(value) }
    init?(argument: String) {
        guard let x = Extended(argument: argument)?.value, x >= 1, x.isInfinite || x == x.rounded() else { return nil }
        value = x
    }
    var description: String { Extended(value).description }
}

/// `--seed`, `--data-seed`, `--ensemble-seed`: a whole number in [0, 2^63 − 1] (`largestSeed`; rows
/// record seeds as signed 64-bit integers). A multi-seed run also checks seed + seeds − 1 (`seedRange`).
///
///     @Option(help: FlagHelp.seed, transform: seedValue) var seed: UInt64 = 1
func seedValue(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else { throw ValidationError("a seed is a whole number in [0, 2^63 − 1 = \(largestSeed)]") }
    return try checkedSeed(seed)
}

/// The one check of list flags whose entries must differ (dimensions, n, schedules): a repeated
/// entry would repeat a run, and a fit over repeated points is not a fit.
///
///     try requireDistinct("dims", dims)   // --dims 100 100: "--dims lists 100 twice; give distinct values"
func requireDistinct<T: Hashable>(_ flag: String, _ values: [T]) throws {
    var seen = Set<T>()
    for value in values where !seen.insert(value).inserted {
        throw ValidationError("--\(flag) lists \(value) twice; give distinct values")
    }
}

/// The same for real-valued lists (dimensions as `Double`): shown as whole numbers when they are.
func requireDistinct(_ flag: String, _ values: [Double]) throws {
    for (i, value) in values.enumerated() where values[..<i].contains(value) {
        throw ValidationError("--\(flag) lists \(Extended(value)) twice; give distinct values")
    }
}

extension AutoencoderOptions {
    /// `--n-plus` counts the + points among the n training points: it needs a finite `--n` given
    /// with it (not the default n, not inf) and lies in (0, n), so no flag is silently ignored.
    func requireNPlusWithFiniteN() throws {
        guard let nPlus else { return }
        guard let n, n.value.isFinite else {
            throw ValidationError("--n-plus \(nPlus) needs a finite --n (n₊ is the number of the n training points in the + mode); give --n")
        }
        try require("n-plus", nPlus, "in (0, n) = (0, \(n))") { $0 > 0 && $0 < n.value }
    }
}
