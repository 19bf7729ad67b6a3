import Foundation
import XCTest
import GSLKit

/// The four-lane tanh and e^x of `TanhMoments` against libm (an independent implementation): tanh
/// within 2 ulp on ±[0, 45] (both branches and the switch at 0.625), e^x within 1 ulp on [−80, 0], the
/// lanes independent, and the special values.
final class VectorTanhTests: XCTestCase {
    func ulps(_ x: Double, from reference: Double) -> Double { abs(x - reference) / reference.ulp.magnitude }

    func testTanhWithinTwoUlpOfLibm() {
        var worst = 0.0, at = 0.0
        for i in 0..<200_000 {
            let magnitude = Double(i) * 0.000_225 + Double(i % 7) * 1e-7
            let y = SIMD4(magnitude, -magnitude, magnitude * 1e-3, 0.624_999_999 + Double(i) * 1e-12)
            let fast = VectorTanh.tanh(y)
            for lane in 0..<4 where ulps(fast[lane], from: tanh(y[lane])) > worst {
                worst = ulps(fast[lane], from: tanh(y[lane])); at = y[lane]
            }
        }
        XCTAssertLessThanOrEqual(worst, 2, "worst at y = \(at)")
    }

    func testExpWithinOneUlpOfLibm() {
        var worst = 0.0, at = 0.0
        for i in 0..<200_000 {
            let x = -Double(i) * 0.0004 - Double(i % 11) * 1e-9
            let fast = VectorTanh.exp(SIMD4(x, x / 3, x / 7, x / 1000))
            for (lane, argument) in [x, x / 3, x / 7, x / 1000].enumerated() where ulps(fast[lane], from: exp(argument)) > worst {
                worst = ulps(fast[lane], from: exp(argument)); at = argument
            }
        }
        XCTAssertLessThanOrEqual(worst, 1, "worst at x = \(at)")
    }

    func testSpecialValues() {
        let t = VectorTanh.tanh(SIMD4(.infinity, -.infinity, -0.0, .nan))
        XCTAssertEqual(t[0], 1); XCTAssertEqual(t[1], -1)
        XCTAssertEqual(t[2], 0); XCTAssertEqual(t[2].sign, .minus)
        XCTAssertTrue(t[3].isNaN)
        let far = VectorTanh.tanh(SIMD4(19.5, -40, 1e300, 5e-324))
        XCTAssertEqual(far, SIMD4(1, -1, 1, 5e-324))
        let e = VectorTanh.exp(SIMD4(0, -708, -1, -0.5))
        XCTAssertEqual(e[0], 1)
        for (lane, x) in [(1, -708.0), (2, -1), (3, -0.5)] { XCTAssertLessThanOrEqual(ulps(e[lane], from: exp(x)), 1, "x = \(x)") }
    }
}
