import Experiments
import FlowModel
import Foundation
import XCTest

/// The bad inputs of the second campaign (issue 19): seeds whose range leaves 64-bit signed
/// integers, non-whole training-set sizes, `--n-plus` without a finite `--n`, repeated list entries,
/// single-valued options given twice, and `--help`/`--version` with stray words. Each must be one
/// line naming the flag or value and a non-zero exit, before any work; the valid neighbours of each
/// case must still run.
final class RepeatedAndOverflowInputTests: XCTestCase {
    private func temporary(_ name: String) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("repeated-\(name)-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private static let adam = ["dynamics", "adam", "--d", "100", "--n", "16", "--steps", "4", "--epochs", "2", "--samples", "0", "--threads", "1"]

    // MARK: A. seeds

    func testSeedRangeStaysWithinSignedSixtyFourBits() throws {
        XCTAssertEqual(largestSeed, UInt64(Int64.max))
        XCTAssertEqual(try seedRange(first: largestSeed, count: 1), [largestSeed])
        XCTAssertEqual(try seedRange(first: largestSeed - 1, count: 2), [largestSeed - 1, largestSeed])
        XCTAssertThrowsError(try seedRange(first: largestSeed, count: 2))
        XCTAssertThrowsError(try seedRange(first: largestSeed + 1, count: 1))
        XCTAssertThrowsError(try seedRange(first: .max, count: 1))
    }

    func testSeedPlusSeedsBeyondTheDomainIsOneLineEverywhere() throws {
        let top = "9223372036854775807"
        try assertOneLineErrors([
            (Self.adam + ["--seeds", "2", "--seed", top], top),
            (["simulate", "--d", "100", "--n", "16", "--steps", "4", "--epochs", "2", "--samples", "0", "--threads", "1",
              "--out", temporary("sim"), "--seeds", "2", "--seed", top], top),
            (["compare", "--dims", "100", "200", "--n", "16", "--steps", "4", "--epochs", "2", "--samples", "2", "--threads", "1",
              "--seeds", "2", "--out", temporary("cmp"), "--seed", top], top),
            (["dynamics", "vs-simulation", "--d", "100", "--tau", "0.5", "--time-max", "2", "--time-points", "4", "--seeds", "2", "--seed", top], top),
            (["dynamics", "finite-size", "--tau", "0.5", "--time-max", "2", "--time-points", "4", "--seeds", "2", "--dims", "100", "200",
              "--seed", top], top),
            (["precursor", "--ns", "2", "4", "--d", "100", "--seeds", "2", "--seed", top, "--out", temporary("pc")], top),
            (["schedules", "--dataset", "digits", "--seeds", "2", "--budgets", "10", "--samples", "10", "--threads", "1",
              "--pilot-steps", "10", "--pilot-seeds", "1", "--out", temporary("sch"), "--seed", top], top),
        ])
    }

    func testASingleSeedAboveTwoToTheSixtyThreeIsRefused() throws {
        let over = "9223372036854775808"
        try assertOneLineErrors([
            (Self.adam + ["--seed", over], over),
            (["simulate", "--d", "100", "--n", "16", "--steps", "4", "--epochs", "2", "--samples", "0", "--threads", "1",
              "--out", temporary("sim1"), "--seed", over], over),
            (["dynamics", "finite-n", "--d", "100", "--tau", "0.5", "--time-max", "10", "--time-points", "4", "--n", "16",
              "--data-seed", "18446744073709551615"], "18446744073709551615"),
            (["dynamics", "escape", "--d", "1000", "--tau", "0.5", "--time-max", "10", "--time-points", "4", "--members", "4",
              "--ensemble-seed", over], over),
            (["window", "--dataset", "digits", "--images", "10", "--bootstrap", "20", "--seed", over], over),
        ])
    }

    /// The last seed of the domain is a valid seed, recorded as is in the rows.
    func testTheLargestSeedRunsAndIsRecorded() throws {
        let result = try phaseflow(Self.adam + ["--seeds", "2", "--seed", "9223372036854775806", "--format", "csv"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        let seedColumn = try XCTUnwrap(lines.first?.split(separator: ",", omittingEmptySubsequences: false).firstIndex(of: "seed"))
        let seeds = Set(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[seedColumn] })
        XCTAssertEqual(seeds, ["9223372036854775806", "9223372036854775807"])
    }

    // MARK: B. whole training-set sizes

    func testTrainingSetSizesAreWholeNumbers() throws {
        try assertOneLineErrors([
            (["theory", "--d", "100", "--points", "4", "--n", "16.5"], "16.5"),
            (["predict", "--d", "100", "--steps", "4", "--n", "16.5"], "16.5"),
            (["boundaries", "--no-p-boundary", "--steps", "4", "--out", temporary("bd"), "--ns", "100", "100.5"], "100.5"),
        ])
        for n in ["16", "16.0", "inf"] {
            let result = try phaseflow(["predict", "--d", "100", "--steps", "4", "--n", n, "--integrator", "grid", "--format", "csv"])
            XCTAssertEqual(result.status, 0, "--n \(n): \(result.stderr)")
        }
    }

    // MARK: C. --n-plus

    func testNPlusNeedsAFiniteNGivenWithIt() throws {
        try assertOneLineErrors([
            (["predict", "--d", "100", "--steps", "4", "--n-plus", "3"], "n-plus"),
            (["predict", "--d", "100", "--steps", "4", "--n", "inf", "--n-plus", "5"], "n-plus"),
            (["predict", "--d", "100", "--steps", "4", "--n", "16", "--n-plus", "16"], "n-plus"),
            (["theory", "--d", "100", "--points", "4", "--n-plus", "3"], "n-plus"),
            (["boundaries", "--ns", "16", "32", "--no-p-boundary", "--steps", "4", "--out", temporary("bd"), "--n-plus", "3"], "n-plus"),
        ])
        // With its n, a strongly unbalanced training set is valid: p̂ follows n₊/n and is a probability.
        let result = try phaseflow(["predict", "--d", "100", "--steps", "4", "--n", "16", "--n-plus", "3", "--integrator", "grid",
                                    "--format", "csv"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = try RowCodec.rows(csv: result.stdout)
        XCTAssertFalse(rows.isEmpty)
        for row in rows {
            guard case let .double(pHat)? = row.fields.first(where: { $0.key == "p_hat" })?.value else { return XCTFail("no p_hat: \(row)") }
            XCTAssertTrue(pHat >= 0 && pHat <= 1, "p_hat \(pHat)")
            XCTAssertLessThan(pHat, 0.5, "n₊/n = 3/16 makes + the minority mode of the generated law")
        }
    }

    // MARK: E. repeated list entries, fits

    func testListsRefuseRepeatedEntries() throws {
        try assertOneLineErrors([
            (["dynamics", "finite-size", "--tau", "0.5", "--time-max", "2", "--time-points", "4", "--seeds", "2", "--dims", "100", "100"], "100"),
            (["ablation", "--n", "16", "--steps", "4", "--seeds", "2", "--training-time", "1", "--gradient-samples", "0",
              "--out", temporary("abl"), "--dims", "100", "100"], "--dims"),
            (["ablation", "--dims", "100", "200", "--n", "16", "--steps", "4", "--seeds", "2", "--training-time", "1",
              "--gradient-samples", "0", "--out", temporary("abl"), "--schedules", "dilated", "linear", "dilated"], "dilated"),
            (["precursor", "--ns", "2", "2", "4", "--out", temporary("pc")], "--ns"),
            (Self.adam + ["--tau", "0.5", "0.5"], "--tau"),
            (["diagram", "--d-min", "100", "--d-max", "100", "--steps-min", "10", "--steps-max", "10", "--out", temporary("dg"),
              "--schedules", "linear", "linear"], "linear"),
        ])
    }

    /// A power law through fewer than two distinct dimensions (or a zero deviation) is "no fit",
    /// never NaN; two distinct ones give the exact exponent.
    func testFiniteSizeFitNeedsTwoDistinctDimensions() throws {
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(100), .finite(100)], deviations: [0.1, 0.2]))
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(100), .finite(200)], deviations: [0.1, 0]))
        XCTAssertNil(try FiniteSizeFit(dimensions: [.finite(100), .finite(200)], deviations: [0.1, .infinity]))
        let fit = try XCTUnwrap(try FiniteSizeFit(dimensions: [.finite(100), .finite(400)], deviations: [0.2, 0.1]))
        XCTAssertEqual(fit.exponent, -0.5, accuracy: 1e-12)
        XCTAssertFalse(fit.text.lowercased().contains("nan"))
    }

    // MARK: F. single-valued options given twice

    func testSingleValuedOptionsGivenTwiceAreRefused() throws {
        try assertOneLineErrors([
            (["exact", "--d", "100", "--steps", "4", "--format", "csv", "--d", "200"], "--d"),
            (["exact", "--d=100", "--steps", "4", "--d", "200"], "--d"),
            // Every repeated option is named, with its values (the same value twice is still twice).
            (["exact", "--d", "100", "--steps", "4", "--steps", "4", "--d", "200", "--d", "300"], "--steps 2 times ('4', '4')"),
            (["exact", "--d", "100", "--steps", "4", "--d", "200", "--d", "300"], "--d 3 times ('100', '200', '300')"),
            (["theory", "--d", "100", "--points", "4", "--points", "4", "--points", "8"], "--points"),
            (["dynamics", "flow", "--d", "100", "--time-max", "10", "--time-points", "4", "--tau", "0.5", "--tau", "1.5"], "--tau"),
            (["simulate", "--d", "100", "--n", "16", "--steps", "4", "--epochs", "2", "--samples", "0", "--threads", "1",
              "--out", temporary("sim"), "--shard", "1/2", "--shard", "2/2"], "--shard"),
            (["merge", temporary("a"), temporary("b"), "--out", temporary("m1"), "--out", temporary("m2")], "--out"),
            (["slurm-script", "--out", temporary("sl"), "--tasks", "2", "--tasks", "3", "--", "simulate", "--d", "100", "--seeds", "2"], "--tasks"),
            // The sweep after -- is checked as it will run.
            (["slurm-script", "--out", temporary("sl"), "--tasks", "2", "--", "simulate", "--d", "100", "--d", "200", "--seeds", "2"], "--d"),
        ])
    }

    /// Array options take several values, in one go or repeated; flags may repeat; slurm-script's own
    /// --out and the sweep's are not counted together.
    func testArrayOptionsAndFlagsMayRepeat() throws {
        let out = temporary("pc-ok")
        let precursor = try phaseflow(["precursor", "--ns", "2", "--ns", "4", "8", "--out", out, "--format", "csv"])
        XCTAssertEqual(precursor.status, 0, precursor.stderr)
        XCTAssertEqual(try RowCodec.rows(csv: precursor.stdout).count, 3)
        let flags = try phaseflow(["theory", "--d", "100", "--points", "4", "--finite-d-corrections", "--finite-d-corrections", "--format", "csv"])
        XCTAssertEqual(flags.status, 0, flags.stderr)
        let slurm = try phaseflow(["slurm-script", "--tasks", "2", "--out", temporary("sl-ok"), "--", "simulate", "--d", "100", "--seeds", "2"])
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        XCTAssertTrue(slurm.stdout.contains("#SBATCH"), slurm.stdout)
    }

    // MARK: G. help and version with other words

    func testHelpAndVersionWithStrayWordsAreRefused() throws {
        try assertOneLineErrors([
            (["exact", "--help", "bogus"], "bogus"),
            (["simulate", "-h", "extra"], "extra"),
            (["simulate", "--help", "--bogus"], "--bogus"),
            (["dynamics", "flow", "--help", "x"], "x"),
            (["--version", "--bogus"], "--version"),
            (["--version", "extra"], "--version"),
            (["reference", "--version", "x"], "--version"),
            (["exact", "--help-hidden", "bogus"], "bogus"),
            // A sweep that asks for help would print help in every array task.
            (["slurm-script", "--tasks", "2", "--out", temporary("sl-help"), "--", "simulate", "--help"], "--help"),
        ])
        // Help is for a command, not a command line: other words with it are refused, naming the first.
        try assertOneLineErrors([(["simulate", "--d", "100", "--help"], "--d")])
        for arguments in [["--help"], ["exact", "--help"], ["dynamics", "flow", "-h"], ["dynamics", "--help"], ["--version"]] {
            let result = try phaseflow(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stdout.isEmpty, "\(arguments)")
        }
    }
}
