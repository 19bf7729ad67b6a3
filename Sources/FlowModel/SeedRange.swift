/// The largest seed, 2⁶³ − 1: rows and run directories record seeds as signed 64-bit integers, so
/// every seed of every run (a single `--seed`, and each of seed, seed + 1, …, seed + seeds − 1) is
/// in [0, largestSeed].
public let largestSeed = UInt64(Int64.max)

/// A seed checked against [0, largestSeed]; the message names `name` and the value.
///
///     let seed = try checkedSeed(7, name: "data-seed")   // 7
public func checkedSeed(_ seed: UInt64, name: String = "seed") throws -> UInt64 {
    guard seed <= largestSeed else { throw InputError("\(name) must be in [0, 2^63 − 1 = \(largestSeed)]; got \(seed)") }
    return seed
}

/// The consecutive seeds first, first + 1, …, first + count − 1 of a multi-seed run, checked so that
/// the last one stays in [0, largestSeed] (no arithmetic can overflow) and the count stays within
/// what a run can hold.
///
///     let seeds = try seedRange(first: 1, count: 4)        // [1, 2, 3, 4]
///     try seedRange(first: largestSeed, count: 2)           // throws: seed + seeds − 1 > 2^63 − 1
public func seedRange(first: UInt64, count: Int, largestCount: Int = 10_000) throws -> [UInt64] {
    guard count >= 1, count <= largestCount else { throw InputError("seeds must be in [1, \(largestCount)]; got \(count)") }
    _ = try checkedSeed(first)
    guard UInt64(count - 1) <= largestSeed - first else {
        throw InputError("seed \(first) with seeds \(count): the last seed, seed + seeds − 1, would exceed 2^63 − 1 = \(largestSeed); choose seed ≤ \(largestSeed - UInt64(count - 1))")
    }
    return (0..<count).map { first + UInt64($0) }
}
