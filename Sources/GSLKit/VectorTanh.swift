/// tanh and e^x of four arguments at once, for the s ≤ 1 quadrature of `TanhMoments` (libm's tanh, one
/// argument at a time, was 44 % of `reproduce --smoke`'s time). tanh is within 2 ulp of libm's and e^x
/// within 1 ulp (`VectorTanhTests` checks both against libm, and the special values):
/// - |y| < 0.625: tanh y = y N(y²)/D(y²), the 8th convergent of Lambert's continued fraction
///   tanh y = y/(1 + y²/(3 + y²/(5 + …))) (relative truncation error 7e-21 at 0.625);
/// - |y| ≥ 0.625: tanh |y| = 1 − 2e/(1 + e) with e = e^{−2|y|} ≤ 0.29, so nothing cancels.
/// e^x (x ≤ 0) is 2^k e^r with k the nearest integer to x/ln 2 and |r| ≤ ln 2 / 2 (Cody–Waite), e^r by
/// its Taylor polynomial of degree 13 (remainder 4e-18 relative).
///
///     let t = VectorTanh.tanh(SIMD4(-1, 0, 0.5, 20))   // ≈ (−0.7616, 0, 0.4621, 1)
public enum VectorTanh {
    public typealias Vector = SIMD4<Double>
    typealias Bits = SIMD4<UInt64>

    /// tanh of each lane (NaN stays NaN, ±∞ gives ±1, −0 gives −0).
    @inline(__always)
    public static func tanh(_ y: Vector) -> Vector {
        let bits = unsafeBitCast(y, to: Bits.self), signBit = Bits(repeating: 1 << 63)
        let sign = bits & signBit
        let t = unsafeBitCast(bits & ~signBit, to: Vector.self)
        // Each branch is base − numerator/denominator; a branch no lane needs is skipped (the nodes come
        // in order, so four neighbours are mostly on one side).
        let isSmall = t .< 0.625
        var base = Vector(repeating: 1), numerator = Vector.zero, denominator = Vector(repeating: 1)
        if any(isSmall) {
            // The convergent t (1 + 7z/51 + z²/255 + 2z³/69615 + z⁴/34459425)/(1 + 8z/17 + 7z²/255 + 4z³/9945 + z⁴/765765), z = t²,
            // as t − t z (1/3 + 2z/85 + 26z²/69615 + 44z³/34459425)/(the denominator): the correction is below z/3, so its
            // rounding errors are small against t.
            let z = t * t
            var correction: Vector = z * (44.0 / 34_459_425) + 26.0 / 69_615
            correction = correction * z + 2.0 / 85; correction = correction * z + 1.0 / 3
            var d: Vector = z * (1.0 / 765_765) + 4.0 / 9_945
            d = d * z + 7.0 / 255; d = d * z + 8.0 / 17; d = d * z + 1
            base.replace(with: t, where: isSmall)
            numerator.replace(with: t * z * correction, where: isSmall)
            denominator.replace(with: d, where: isSmall)
        }
        if !all(isSmall) {
            // 1 − 2e/(1 + e); beyond |y| = 40, e^{−2|y|} < 2e-35 and tanh is 1 in double precision.
            let e = exp(-2 * t.replacing(with: 40, where: .!(t .< 40)))
            numerator.replace(with: 2 * e, where: .!isSmall)
            denominator.replace(with: 1 + e, where: .!isSmall)
        }
        var result = base - numerator / denominator
        result = unsafeBitCast(unsafeBitCast(result, to: Bits.self) | sign, to: Vector.self)
        result.replace(with: y, where: y .!= y)   // NaN
        return result
    }

    /// e^x of each lane, for −708 ≤ x ≤ 0 (the caller keeps x in range).
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // k = round(x/ln 2) by the 1.5·2^52 shift: k sits in the low bits of `shifted`.
        let shifter = Vector(repeating: 0x1.8p52)
        let shifted = x * (1 / 0.693_147_180_559_945_309_417_232_121_458) + shifter
        let k = shifted - shifter
        // ln 2 = hi + lo with k·hi exact for |k| < 2^11 (fdlibm's split).
        let r = (x - k * 6.931_471_803_691_238_164_90e-01) - k * 1.908_214_929_270_587_700_02e-10
        // Horner from 1/13! down to 1.
        var p = r * (1.0 / 6_227_020_800) + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800; p = p * r + 1.0 / 3_628_800; p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320; p = p * r + 1.0 / 5_040; p = p * r + 1.0 / 720; p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24; p = p * r + 1.0 / 6; p = p * r + 0.5; p = p * r + 1; p = p * r + 1
        // 2^k: k + 1023 in the exponent field (the shifted value's upper bits leave by the shift).
        let scale = unsafeBitCast((unsafeBitCast(shifted, to: Bits.self) &+ 1023) &<< 52, to: Vector.self)
        return p * scale
    }
}
