import CGSL

/// A seeded Mersenne-Twister stream (`gsl_rng_mt19937`): the same seed gives the same numbers.
///
///     let stream = try RandomStream(seed: 42)
///     let z = stream.gaussian(), u = stream.uniform()
public final class RandomStream {
    private let rng: UnsafeMutablePointer<gsl_rng>
    public let seed: UInt64

    public init(seed: UInt64) throws {
        _ = gslHandlerDisabled
        guard let r = gsl_rng_alloc(cgsl_rng_mt19937()) else {
            throw GSLError(routine: "gsl_rng_alloc", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        rng = r
        self.seed = seed
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// One N(0, 1) draw (ziggurat).
    public func gaussian() -> Double { gsl_ran_gaussian_ziggurat(rng, 1) }

    /// One draw uniform on [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Runs `body` on the underlying `gsl_rng` (for GSLKit's other samplers).
    func withGSL<R>(_ body: (UnsafeMutablePointer<gsl_rng>) throws -> R) rethrows -> R { try body(rng) }

    /// Fills `buffer` with independent N(0, 1) draws.
    public func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices { buffer[i] = gsl_ran_gaussian_ziggurat(rng, 1) }
    }
}
