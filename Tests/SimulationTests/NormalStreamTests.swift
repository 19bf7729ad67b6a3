import Foundation
import XCTest
@testable import Simulation

/// The simulation's Gaussian and χ² streams (moved from the CLI tests).
final class NormalStreamTests: XCTestCase {
    /// The simulation's normal and χ² streams: moments and tails of 10⁶ draws.
    func testNormalStreamMoments() {
        var stream = NormalStream(seed: 12345)
        let N = 1_000_000
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, tail3 = 0.0, tail1 = 0.0
        for _ in 0..<N {
            let x = stream.gaussian()
            s1 += x; s2 += x * x; s3 += x * x * x; s4 += x * x * x * x
            if abs(x) > 3 { tail3 += 1 }
            if x > 1 { tail1 += 1 }
        }
        let n = Double(N)
        XCTAssertEqual(s1 / n, 0, accuracy: 5 / n.squareRoot())
        XCTAssertEqual(s2 / n, 1, accuracy: 5 * 2.0.squareRoot() / n.squareRoot())
        XCTAssertEqual(s3 / n, 0, accuracy: 5 * 15.0.squareRoot() / n.squareRoot())
        XCTAssertEqual(s4 / n, 3, accuracy: 5 * 96.0.squareRoot() / n.squareRoot())
        let p3 = 0.0026997960632601866, p1 = 0.15865525393145707
        XCTAssertEqual(tail3 / n, p3, accuracy: 5 * (p3 * (1 - p3) / n).squareRoot())
        XCTAssertEqual(tail1 / n, p1, accuracy: 5 * (p1 * (1 - p1) / n).squareRoot())
        for dof in [3.0, 40.0, 4870.0] {
            var m = 0.0, v = 0.0
            let M = 100_000
            for _ in 0..<M { let x = stream.chiSquared(dof: dof); m += x; v += x * x }
            m /= Double(M); v = v / Double(M) - m * m
            XCTAssertEqual(m, dof, accuracy: 5 * (2 * dof / Double(M)).squareRoot(), "χ²(\(dof)) mean")
            XCTAssertEqual(v, 2 * dof, accuracy: 0.05 * 2 * dof, "χ²(\(dof)) variance")
        }
    }
}
