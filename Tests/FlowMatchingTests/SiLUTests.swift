import XCTest
import Foundation
@testable import FlowMatching

final class SiLUTests: XCTestCase {
    /// TS.9a: the branch-free e^x against Foundation's exp in Double, on a dense grid of [−87, 88]
    /// and at the range reduction's seams (half-integer multiples of ln 2). The polynomial's
    /// truncation is ≤ 6e-9 relative and the Float rounding of r, p and 2ᵏp adds a few 6e-8, so
    /// 4e-7 holds; a wrong coefficient, a lost ln 2 low part or an off-by-one exponent is ≥ 1e-5.
    func testExpMatchesDoubleExp() {
        var xs = stride(from: -87.0, through: 88.0, by: 0.0173).map { $0 }
        xs += (-120...120).map { (Double($0) + 0.5) * M_LN2 }.filter { $0 > -87 && $0 < 88 }
        var worst = 0.0
        for x in xs {
            let xf = Float(x)
            let exact = Foundation.exp(Double(xf))
            let relative = abs(Double(SiLU.exp(xf)) - exact) / exact
            worst = max(worst, relative)
        }
        XCTAssertLessThan(worst, 4e-7)
        // The clamp keeps the tails finite and ordered.
        XCTAssertTrue(SiLU.exp(1000).isFinite && SiLU.exp(1000) > 1e38)
        XCTAssertTrue(SiLU.exp(-1000) >= 0 && SiLU.exp(-1000) < 1e-37)
    }

    /// The fused bias + activation pass against s(a) = a/(1 + e^{−a}) and s′(a) = σ(1 + a(1 − σ))
    /// in Double, and the derivative against a central difference of s.
    func testBiasActivateMatchesDefinition() {
        let rows = 13, columns = 5
        var a = (0..<(rows * columns)).map { Float(sin(Double($0) * 1.7) * 12) }
        let bias = (0..<rows).map { Float(cos(Double($0))) }
        var h = [Float](repeating: 0, count: a.count), ds = h, hOnly = h
        let original = a
        a.withUnsafeMutableBufferPointer { A in
            h.withUnsafeMutableBufferPointer { H in ds.withUnsafeMutableBufferPointer { D in
                SiLU.biasActivate(A.baseAddress!, bias: bias, rows: rows, columns: columns, into: H.baseAddress!, derivative: D.baseAddress!)
            } }
            hOnly.withUnsafeMutableBufferPointer { SiLU.biasActivate(A.baseAddress!, bias: bias, rows: rows, columns: columns, into: $0.baseAddress!, derivative: nil) }
        }
        XCTAssertEqual(h, hOnly, "the activation's bits do not depend on keeping s′")
        for i in 0..<a.count {
            let x = Double(original[i] + bias[i % rows])
            let s = 1 / (1 + Foundation.exp(-x))
            XCTAssertEqual(Double(h[i]), x * s, accuracy: 1e-6 * max(1, abs(x)), "h at \(i)")
            XCTAssertEqual(Double(ds[i]), s * (1 + x * (1 - s)), accuracy: 1e-6, "s′ at \(i)")
            let eps = 1e-5
            let numeric = ((x + eps) / (1 + Foundation.exp(-(x + eps))) - (x - eps) / (1 + Foundation.exp(-(x - eps)))) / (2 * eps)
            XCTAssertEqual(Double(ds[i]), numeric, accuracy: 1e-5, "s′ against a difference at \(i)")
        }
    }
}
