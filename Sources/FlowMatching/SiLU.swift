/// SiLU s(a) = a σ(a) and its derivative s′(a) = σ(a)(1 + a(1 − σ(a))) on Float buffers, with a
/// branch-free e^x that the compiler vectorises (TS.9a). e^x = 2ᵏ e^r, k = round(x/ln 2),
/// r = x − k ln 2 (two-part ln 2), |r| ≤ ln 2/2, e^r by its degree-7 Taylor polynomial
/// (truncation r⁸/8! ≤ 6·10⁻⁹ relative, below Float's 6·10⁻⁸), 2ᵏ built in the exponent bits.
/// x is clamped to [−87.3, 88.3], where 2ᵏ stays a normal Float. Pure IEEE arithmetic in a fixed
/// order: the same input gives the same bits on every run.
enum SiLU {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -87.3), 88.3)
        let magic: Float = 12_582_912   // 1.5·2²³: adding it rounds to an integer in the low bits
        let shifted = x * 1.442_695_04 + magic
        let k = shifted - magic
        let r = (x - k * 0.693_145_751_953_125) - k * 1.428_606_765_330_187e-6
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let twoK = Float(bitPattern: (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23)
        return p * twoK
    }

    /// For each column of `rows` entries: h = s(a + b) (b the bias), and, if `derivative` is
    /// non-nil, s′(a + b) there (the same bits of h either way).
    static func biasActivate(_ a: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>, rows: Int, columns: Int,
                             into h: UnsafeMutablePointer<Float>, derivative: UnsafeMutablePointer<Float>?) {
        for col in 0..<columns {
            let A = a + col * rows, H = h + col * rows
            if let derivative {
                let D = derivative + col * rows
                for r in 0..<rows {
                    let x = A[r] + b[r]
                    let s = 1 / (1 + exp(-x))
                    H[r] = x * s
                    D[r] = s * (1 + x * (1 - s))
                }
            } else {
                for r in 0..<rows {
                    let x = A[r] + b[r]
                    H[r] = x * (1 / (1 + exp(-x)))
                }
            }
        }
    }
}
