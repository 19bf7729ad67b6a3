import Foundation
import BLASKit

/// A fixed-size, manually allocated array: hot loops and BLAS calls use its pointer directly, with
/// no copy-on-write and no per-element allocation. Blocks of disjoint columns may be written from
/// different threads (the callers guarantee disjointness), hence `@unchecked Sendable`.
public final class Buffer<T>: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<T>

    public init(repeating value: T, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    public init(_ values: [T]) {
        count = values.count
        pointer = .allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    public subscript(i: Int) -> T {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    public var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public func copy(from other: Buffer<T>) { pointer.update(from: other.pointer, count: count) }
}

/// Seeds of independent random streams derived from one user seed (SplitMix64 finaliser), so that
/// every purpose and every grid time has its own stream and the result does not depend on the
/// order in which threads run.
public enum StreamSeed {
    public enum Purpose: UInt64 { case data = 1, initialisation = 2, noise = 3, generation = 4, mean = 5 }

    public static func derive(_ seed: UInt64, _ purpose: Purpose, _ index: Int = 0) -> UInt64 {
        var x = seed &+ 0x9E37_79B9_7F4A_7C15 &* (purpose.rawValue &+ 1)
        x = mix(x) &+ UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03
        return mix(x) & 0xFFFF_FFFF  // gsl_rng_set takes an unsigned long; mt19937 uses 32 bits
    }

    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
