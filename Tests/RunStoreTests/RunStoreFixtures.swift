import Foundation
import XCTest
@testable import RunStore

/// A fresh temporary directory per test, removed afterwards.
class RunStoreTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runstore-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    static let columns = ["seed", "epoch", "tau", "c"]

    /// Units seed × snapshot epoch, in canonical (seed-major) order.
    static func units(seeds: Int = 5, epochs: [Int] = [0, 10]) -> [String] {
        (1...seeds).flatMap { s in epochs.map { "seed=\(s),epoch=\($0)" } }
    }

    func manifest(_ settings: [Setting] = [Setting("d", "100"), Setting("n", "16"), Setting("p", "0.5")],
                  units: [String] = RunStoreTestCase.units(), shard: Shard = .whole) -> Manifest {
        Manifest(settings: settings, columns: Self.columns, units: units, shard: shard, toolVersion: "0.0.0-test", buildCommit: "abc1234")
    }

    /// Deterministic rows of one unit (as a seeded computation would produce them): 3 grid times.
    static func rows(of unit: String) -> [[String]] {
        let parts = unit.split(separator: ",").map { $0.split(separator: "=")[1] }
        let seed = Double(parts[0])!, epoch = Double(parts[1])!
        return (0..<3).map { j in
            let tau = Double(j + 1) / 4
            return [String(parts[0]), String(parts[1]), "\(tau)", "\(sin(seed * 1.7 + epoch * 0.01 + tau) * 1e-3 * seed)"]
        }
    }

    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }
}

/// A reproducible shuffle (SplitMix64), for completion orders.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
