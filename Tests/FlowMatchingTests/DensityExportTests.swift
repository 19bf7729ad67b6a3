import XCTest
import GSLKit
@testable import FlowMatching

/// The exported adaptive density (TS.26) read by numpy, as a user would: sampled by inverse cdf
/// from the knots, binned, and compared with the density stated by the pieces.
final class DensityExportTests: XCTestCase {
    /// Debian's python3 with python3-numpy (the pyenv python3 on PATH has no numpy).
    static let python = "/usr/bin/python3"

    /// Samples `n` times from `source`'s knots with numpy's seeded generator, bins the draws in
    /// `bins` equal bins of [0, 1], and takes the χ² of the counts against the bin masses of
    /// `target`'s pieces (density × overlap). Prints {chi2, dof, probabilities, counts}.
    static let script = """
    import json, sys
    import numpy as np
    target = json.load(open(sys.argv[1]))
    source = json.load(open(sys.argv[2]))
    n, seed, bins = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rng = np.random.default_rng(seed)
    t = np.interp(rng.random(n), source["cdf_u"], source["cdf_t"])
    counts, edges = np.histogram(t, bins=bins, range=(0.0, 1.0))
    prob = np.zeros(bins)
    for p in target["pieces"]:
        overlap = np.minimum(edges[1:], p["t_end"]) - np.maximum(edges[:-1], p["t_start"])
        prob += p["density"] * np.clip(overlap, 0.0, None)
    chi2 = float(np.sum((counts - n * prob) ** 2 / (n * prob)))
    print(json.dumps({"chi2": chi2, "dof": bins - 1, "probabilities": prob.tolist(), "counts": counts.tolist()}))
    """

    struct Outcome: Decodable { let chi2: Double; let dof: Int; let probabilities: [Double]; let counts: [Int] }

    let n = 20_000, seed = 20_261_206, bins = 25

    func numpyChiSquared(target: DensityExport, source: DensityExport) throws -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("density-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = ["chi2.py": Self.script, "target.json": try target.json(), "source.json": try source.json()]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let process = Process(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["chi2.py", "target.json", "source.json", "\(n)", "\(seed)", "\(bins)"].enumerated().map { i, a in
            i < 3 ? dir.appendingPathComponent(a).path : a
        }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(Self.python) failed (needs numpy, Debian's python3-numpy): \(message)")
        return try JSONDecoder().decode(Outcome.self, from: data)
    }

    /// numpy's draws from the export match the density at the 0.1 % level (χ² with 24 degrees of
    /// freedom below its 99.9 % point 51.2), the bin masses numpy reads off the pieces are the library
    /// cdf's to 1e-12, and draws from a density with 3 % of the mass moved off the interval are
    /// rejected by the same test (its expected χ² is ≈ 90).
    func testNumpyInverseCdfDrawsMatchTheExportedDensity() throws {
        let threshold = chiSquaredQuantile(upperTail: 0.001, dof: Double(bins - 1))
        for (lo, hi, f) in [(0.053, 0.22, 0.5), (0.0, 0.1, 0.7)] {
            let density = try IntervalAdaptiveDensity(lo: lo, hi: hi, fraction: f)
            let export = DensityExport(density, source: "fixed", data: "test")
            let right = try numpyChiSquared(target: export, source: export)
            XCTAssertEqual(right.counts.reduce(0, +), n)
            XCTAssertEqual(right.dof, bins - 1)
            for (k, p) in right.probabilities.enumerated() {
                let a = Double(k) / Double(bins), b = Double(k + 1) / Double(bins)
                XCTAssertEqual(p, density.cdf(b) - density.cdf(a), accuracy: 1e-12, "bin \(k) of [\(lo), \(hi)]")
            }
            XCTAssertLessThan(right.chi2, threshold, "[\(lo), \(hi)], f = \(f)")

            let shifted = DensityExport(try IntervalAdaptiveDensity(lo: lo, hi: hi, fraction: f - 0.03), source: "fixed", data: "test")
            let wrong = try numpyChiSquared(target: export, source: shifted)
            XCTAssertGreaterThan(wrong.chi2, threshold, "a density with fraction \(f - 0.03) passed as \(f)")
        }
    }

    /// The document round-trips, states its formula, and drops zero-width pieces (t_lo = 0).
    func testExportRoundTripsAndTilesTheUnitInterval() throws {
        let density = try IntervalAdaptiveDensity(lo: 0, hi: 0.1, fraction: 0.7)
        let export = DensityExport(density, source: "zero-shot", data: "mnist 0 vs 1")
        let back = try DensityExport.read(try export.json())
        XCTAssertEqual(back, export)
        XCTAssertEqual(export.pieces.count, 2)
        XCTAssertEqual(export.cdfT, [0, 0.1, 1])
        XCTAssertEqual(export.cdfU[1], 0.7, accuracy: 1e-15)
        XCTAssertEqual(export.pieces[0].density, 7, accuracy: 1e-12)
        XCTAssertTrue(try export.json().contains("\"definition\" : \"p(t) = fraction / (t_hi - t_lo)"))
        XCTAssertThrowsError(try DensityExport.read("{}"))
        let broken = try export.json().replacingOccurrences(of: "\"t_end\" : 1", with: "\"t_end\" : 0.9")
        XCTAssertThrowsError(try DensityExport.read(broken))
    }
}
