import Foundation

/// A seeded stream of uniform, normal and χ² variates for the simulation's hot loops:
/// xoshiro256** (Blackman & Vigna) for the bits, the Marsaglia–Tsang ziggurat (128 layers) for
/// N(0, 1), and Marsaglia–Tsang's gamma method for χ². GSL's `gsl_ran_gaussian_ziggurat` costs
/// ≈ 18 ns per draw through its function-pointer generator; this costs a few ns, which is what
/// makes the fast path's ~3·10⁶ draws per epoch cheap (derivations/simulation-fast-path.md §6).
/// The layer index and the sign/magnitude come from disjoint bits of one 64-bit output (the
/// classic 32-bit version reuses the low bits for both, a known small correlation).
///
///     var stream = NormalStream(seed: 7)
///     let z = stream.gaussian(), chi2 = stream.chiSquared(dof: 10)
public struct NormalStream: Sendable {
    var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var z = seed
        func next() -> UInt64 {  // SplitMix64 to fill the state
            z &+= 0x9E37_79B9_7F4A_7C15
            return StreamSeed.mix(z)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inline(__always)
    public mutating func nextBits() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on (0, 1] (never 0, so its logarithm is finite).
    @inline(__always)
    public mutating func uniform() -> Double { Double((nextBits() >> 11) &+ 1) * 0x1p-53 }

    /// One N(0, 1) draw.
    @inline(__always)
    public mutating func gaussian() -> Double {
        let bits = nextBits()
        let hz = Int32(truncatingIfNeeded: bits >> 32)
        let iz = Int(bits & 127)
        let z = Ziggurat.tables
        if UInt32(hz.magnitude) < z.k[iz] { return Double(hz) * z.w[iz] }
        return tail(hz, iz)
    }

    private mutating func tail(_ hz0: Int32, _ iz0: Int) -> Double {
        var hz = hz0, iz = iz0
        let z = Ziggurat.tables, k = z.k, w = z.w, f = z.f, r = Ziggurat.r
        while true {
            let x = Double(hz) * w[iz]
            if iz == 0 {
                var xx = 0.0, y = 0.0
                repeat {
                    xx = -log(uniform()) / r
                    y = -log(uniform())
                } while y + y < xx * xx
                return hz > 0 ? r + xx : -r - xx
            }
            if f[iz] + uniform() * (f[iz - 1] - f[iz]) < exp(-0.5 * x * x) { return x }
            let bits = nextBits()
            hz = Int32(truncatingIfNeeded: bits >> 32)
            iz = Int(bits & 127)
            if UInt32(hz.magnitude) < k[iz] { return Double(hz) * w[iz] }
        }
    }

    /// One χ² draw with `dof` > 1 degrees of freedom: 2·Gamma(dof/2) by Marsaglia–Tsang.
    public mutating func chiSquared(dof: Double) -> Double {
        let a = dof / 2, dd = a - 1.0 / 3.0, c = 1 / (9 * dd).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = gaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x { return 2 * dd * v }
            if log(u) < 0.5 * x * x + dd * (1 - v + log(v)) { return 2 * dd * v }
        }
    }

    /// Calls `body(i, z_i)` with `count` N(0, 1) draws, the draws of `count` calls to
    /// `gaussian()`: the state is kept in registers and the table lookups are hoisted (the rare
    /// tail goes through `self`).
    @inline(__always)
    private mutating func forEachDraw(_ count: Int, _ body: (Int, Double) -> Void) {
        let z = Ziggurat.tables, k = z.k, w = z.w
        var a = s0, b = s1, c = s2, e = s3
        for i in 0..<count {
            let bits = ((b &* 5) << 7 | (b &* 5) >> 57) &* 9
            let t = b << 17
            c ^= a; e ^= b; b ^= c; a ^= e
            c ^= t
            e = e << 45 | e >> 19
            let hz = Int32(truncatingIfNeeded: bits >> 32)
            let iz = Int(bits & 127)
            if UInt32(hz.magnitude) < k[iz] {
                body(i, Double(hz) * w[iz])
            } else {
                s0 = a; s1 = b; s2 = c; s3 = e
                body(i, tail(hz, iz))
                a = s0; b = s1; c = s2; e = s3
            }
        }
        s0 = a; s1 = b; s2 = c; s3 = e
    }

    /// Fills `count` entries, `stride` apart, with N(0, 1) draws converted to T (the draws of
    /// `count` calls to `gaussian()`).
    @inline(__always)
    public mutating func fill<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, count: Int, stride: Int = 1) {
        forEachDraw(count) { i, z in p[i * stride] = T(z) }
    }

    /// Fills `count` entries, `stride` apart, with N(0, 1) draws (as `fill`) and returns the sum of
    /// their squares (of the stored values, in Double, accumulated in order): one pass, where a fill
    /// and a strided sum would read the entries again.
    @inline(__always)
    public mutating func fillSummingSquares<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, count: Int, stride: Int = 1) -> Double {
        var sum = 0.0
        forEachDraw(count) { i, z in
            let v = T(z)
            p[i * stride] = v
            sum += Double(v) * Double(v)
        }
        return sum
    }
}

/// The Marsaglia–Tsang ziggurat tables for 128 layers of the normal density.
enum Ziggurat {
    static let r = 3.442619855899
    struct Table: Sendable { let k: [UInt32], w: [Double], f: [Double] }
    static let table: Table = {
        let m1 = 2147483648.0, vn = 9.91256303526217e-3
        var k = [UInt32](repeating: 0, count: 128), w = [Double](repeating: 0, count: 128), f = [Double](repeating: 0, count: 128)
        var dn = r, tn = dn
        let q = vn / exp(-0.5 * dn * dn)
        k[0] = UInt32(dn / q * m1); k[1] = 0
        w[0] = q / m1; w[127] = dn / m1
        f[0] = 1; f[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
            k[i + 1] = UInt32(dn / tn * m1)
            tn = dn
            f[i] = exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        return Table(k: k, w: w, f: f)
    }()
    /// The k, w and f tables as raw pointers (allocated once, never freed): the hot loops and the
    /// tail read them without array bounds checks or reference counting (read-only after
    /// initialisation). One global, so that a draw outside the hot loops (`gaussian()`, `tail`) pays
    /// one lazy-initialisation check, not one per table.
    struct Pointers: @unchecked Sendable { let k: UnsafePointer<UInt32>, w: UnsafePointer<Double>, f: UnsafePointer<Double> }
    static let tables: Pointers = {
        func copy<X>(_ values: [X]) -> UnsafePointer<X> {
            let p = UnsafeMutablePointer<X>.allocate(capacity: values.count)
            p.initialize(from: values, count: values.count)
            return UnsafePointer(p)
        }
        return Pointers(k: copy(table.k), w: copy(table.w), f: copy(table.f))
    }()
}
