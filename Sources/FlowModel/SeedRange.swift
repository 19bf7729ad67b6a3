/// The consecutive seeds first, first + 1, …, first + count − 1 of a multi-seed run, checked so that
/// the arithmetic cannot overflow and the count stays within what a run can hold.
///
///     let seeds = try seedRange(first: 1, count: 4)        // [1, 2, 3, 4]
///     try seedRange(first: .max, count: 2)                  // throws: seed + seeds − 1 overflows
public func seedRange(first: UInt64, count: Int, largestCount: Int = 10_000) throws -> [UInt64] {
    guard count >= 1, count <= largestCount else { throw InputError("seeds must be in [1, \(largestCount)]; got \(count)") }
    guard UInt64(count - 1) <= UInt64.max - first else {
        throw InputError("seed \(first) with \(count) seeds overflows a 64-bit seed (the last seed would be seed + seeds − 1)")
    }
    return (0..<count).map { first + UInt64($0) }
}
