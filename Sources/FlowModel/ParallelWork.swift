import Foundation

/// `work(i)` for i in 0..<count on all cores (or on at most `workers` threads, each taking every
/// workers-th index), each outcome in index order, so a caller's output does not depend on the number
/// of threads. T need not be Sendable: each result is stored once under a lock and read only after
/// every worker has finished.
///
///     let squares = parallelResults(4) { i in i * i }.map { try $0.get() }   // [0, 1, 4, 9]
public func parallelResults<T>(_ count: Int, workers: Int = .max,
                               _ work: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let slots = ResultSlots<T>(count: count), stride = max(1, min(workers, count))
    DispatchQueue.concurrentPerform(iterations: stride) { worker in
        for i in Swift.stride(from: worker, to: count, by: stride) { slots.set(i, Result { try work(i) }) }
    }
    return slots.values.map { $0! }
}

/// `transform` on every element, on all cores; the results in input order. Rethrows the first error
/// (by index).
///
///     let roots = try parallelMap([1.0, 4.0, 9.0]) { $0.squareRoot() }   // [1, 2, 3]
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) throws -> R) throws -> [R] {
    try parallelResults(items.count) { try transform(items[$0]) }.map { try $0.get() }
}

private final class ResultSlots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<R, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<R, Error>) { lock.lock(); values[i] = r; lock.unlock() }
}
