import Foundation
import XCTest
import Experiments
import FlowModel
import Simulation
import Theory

/// The pieces of Experiments that the end-to-end CLI tests do not isolate: the snapshot CSV rows
/// and their read-back (the resumable runner's memory), the finite-size fit, and the parameters the
/// static theory determines.
final class ExperimentsTests: XCTestCase {
    /// A short run written by `SeedRun` and read back reproduces every seed's final snapshot exactly
    /// (the CSV holds Swift's shortest round-tripping decimal), and the same seeds rerun give the
    /// same file content (bit-reproducible whatever the thread interleaving).
    func testSeedRunWritesAndReadsBackSnapshots() throws {
        var config = try SimulationConfiguration(setup: try Setup(dimension: .finite(60), n: 8), steps: 4,
                                             training: TrainingOptions())
        config.training.epochs = 5
        config.samples = 16
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pf-seedrun-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("rows.csv")
        let read = try SeedRun(parts: [.init(configuration: config, seeds: [1, 2])], threads: 2, directory: directory,
                               command: "test").run(resume: false)[0]
        let direct = try SimulationRunner.runSeeds(config, seeds: [1, 2], threads: 1)
        XCTAssertEqual(read.map(\.seed), [1, 2])
        for snapshot in read {
            let expected = try XCTUnwrap(direct[snapshot.seed]?.last)
            XCTAssertEqual(snapshot.orderParameters, expected.orderParameters)
            XCTAssertEqual(snapshot.loss, expected.loss)
            XCTAssertEqual(snapshot.trainingFraction, expected.trainingFraction)
            XCTAssertEqual(snapshot.generation?.pHat, expected.generation?.pHat)
            XCTAssertEqual(snapshot.generation?.sigmaHatSE, expected.generation?.sigmaHatSE)
        }
        let header = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")[0]
        XCTAssertEqual(header, Substring(SeedRun.header.joined(separator: ",")))
        XCTAssertTrue(header.contains(",c,b,m,omega,q,r,uw,"))
        XCTAssertTrue(header.contains("n_plus_fraction"))
    }

    /// The fit recovers the exponent of an exact power law and its standard error vanishes; with
    /// two dimensions no error is quoted; a zero deviation gives no fit.
    func testFiniteSizeFit() throws {
        let dims: [FlowModel.Dimension] = [.finite(1000), .finite(4000), .finite(16000)]
        let fit = try XCTUnwrap(try FiniteSizeFit(dimensions: dims, deviations: dims.map { 3 * pow($0.value, -0.5) }))
        XCTAssertEqual(fit.exponent, -0.5, accuracy: 1e-12)
        XCTAssertEqual(fit.standardError, 0, accuracy: 1e-10)
        XCTAssertTrue(fit.text.contains("±"))
        let two = try XCTUnwrap(try FiniteSizeFit(dimensions: [.finite(1000), .finite(4000)], deviations: [0.1, 0.05]))
        XCTAssertEqual(two.exponent, -0.5, accuracy: 1e-12)
        XCTAssertFalse(two.text.contains("±"))
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(1000), .finite(4000)], deviations: [0.1, 0]))
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(1000)], deviations: [0.1]))
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(1000), .infinite], deviations: [0.1, 0.05]))
    }

    /// The theory determines c, m, q in the saturated regime (AT §3) and every parameter but b on
    /// the trivial branch (AT.36), all seven on the learned branch.
    func testDeterminedKeys() throws {
        let theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), penaltyU: 2, penaltyW: 2), k: 2)
        let learned = try theory.parameters(at: 0.5), saturated = try theory.parameters(at: 1.5), trivial = try theory.parameters(at: 0)
        XCTAssertEqual(learned.solution, .learned)
        XCTAssertEqual(StaticComparison.determinedKeys(learned), OrderParameter.allCases)
        XCTAssertEqual(StaticComparison.determinedKeys(saturated), [.c, .m, .q])
        XCTAssertEqual(trivial.solution, .trivial)
        XCTAssertEqual(StaticComparison.determinedKeys(trivial), OrderParameter.allCases.filter { $0 != .b })
        // Adam's plateau: w at the floor of its own steps, so only c, m, q (adam-offset.md §5).
        XCTAssertEqual(StaticComparison.determinedKeys(trivial, adam: true), [.c, .m, .q])
        XCTAssertEqual(StaticComparison.determinedKeys(learned, adam: true), OrderParameter.allCases)
    }
}
