import Foundation
import XCTest
@testable import RunStore

final class RowLogTests: RunStoreTestCase {
    /// A run with `count` complete blocks, closed; returns its directory.
    private func writtenRun(_ name: String, blocks count: Int) throws -> (URL, RunDirectory) {
        let out = scratch.appendingPathComponent(name)
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: false)
        for unit in run.pendingUnits.prefix(count) { try run.append(unit: unit, rows: Self.rows(of: unit)) }
        run.close()
        return (out, run)
    }

    private func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func testCRC32CheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.hex(0xCBF4_3926), "cbf43926")
        XCTAssertEqual(CRC32.hex(0x1F), "0000001f")
    }

    func testBlockFormatAndChecksumCoverage() {
        let block = String(decoding: RowLog.block(unit: "seed=1", rows: [["1", "0.5"], ["1", "0.75"]]), as: UTF8.self)
        let lines = block.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[2].hasPrefix("# block seed=1 rows=2 crc32="))
        let covered = "1,0.5\n1,0.75\n# block seed=1 rows=2 "
        XCTAssertEqual(String(lines[2].suffix(8)), CRC32.hex(CRC32.checksum(Array(covered.utf8))))
    }

    /// The example of README.md, whose checksums were computed with zlib.crc32 (an independent implementation).
    func testDocumentedExampleVerifies() throws {
        let example = """
        seed,epoch,tau,c
        1,50,0.25,0.0123
        1,50,0.5,0.0456
        # block seed=1,epoch=50 rows=2 crc32=07433ca3
        2,50,0.25,0.0119
        2,50,0.5,0.0447
        # block seed=2,epoch=50 rows=2 crc32=3d14547e

        """
        let scan = try RowLog.scan(Data(example.utf8), columns: Self.columns, path: "example")
        XCTAssertNil(scan.tailProblem)
        XCTAssertEqual(scan.blocks.map(\.unit), ["seed=1,epoch=50", "seed=2,epoch=50"])
        XCTAssertEqual(RowLog.block(unit: "seed=2,epoch=50", rows: [["2", "50", "0.25", "0.0119"], ["2", "50", "0.5", "0.0447"]]),
                       Data(example.utf8).suffix(RowLog.block(unit: "seed=2,epoch=50", rows: [["2", "50", "0.25", "0.0119"], ["2", "50", "0.5", "0.0447"]]).count))
    }

    func testTornTailWithoutTrailerIsCutAndGoodBlocksKept() throws {
        let (out, run) = try writtenRun("torn", blocks: 4)
        let good = try bytes(run.rowsURL)
        let unit = Self.units()[4]
        // A kill in the middle of a block: rows without their trailer, the last line incomplete.
        let torn = String(decoding: RowLog.block(unit: unit, rows: Self.rows(of: unit)), as: UTF8.self)
        try append(String(torn.prefix(torn.count - 30)), to: run.rowsURL)
        let resumed = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        let cut = try XCTUnwrap(resumed.cutTail)
        XCTAssertEqual(cut.bytes, torn.utf8.count - 30)
        XCTAssertEqual(try bytes(run.rowsURL), good, "exactly the torn tail is cut")
        XCTAssertEqual(try bytes(cut.savedAs), Data(torn.prefix(torn.count - 30).utf8), "the cut bytes are kept")
        XCTAssertEqual(resumed.doneUnits, Array(Self.units().prefix(4)))
        XCTAssertEqual(resumed.pendingUnits.first, unit)
        // The recomputed unit appends cleanly after the good blocks.
        try resumed.append(unit: unit, rows: Self.rows(of: unit))
        resumed.close()
        let again = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertNil(again.cutTail)
        XCTAssertEqual(again.doneUnits, Array(Self.units().prefix(5)))
    }

    func testLastBlockWithAChecksumMismatchIsCut() throws {
        let (out, run) = try writtenRun("bitrot", blocks: 3)
        let good = try bytes(run.rowsURL)
        let unit = Self.units()[3]
        var block = [UInt8](RowLog.block(unit: unit, rows: Self.rows(of: unit)))
        block[2] ^= 0x01   // a flipped bit in the first row, trailer intact
        try append(String(decoding: block, as: UTF8.self), to: run.rowsURL)
        let resumed = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        let cut = try XCTUnwrap(resumed.cutTail)
        XCTAssertTrue(cut.problem.contains("checksum"), cut.problem)
        XCTAssertEqual(try bytes(run.rowsURL), good)
        XCTAssertEqual(resumed.pendingUnits.first, unit)
    }

    func testRowsAfterTheLastTrailerWithCompleteLinesAreATornTail() throws {
        let (out, run) = try writtenRun("rows-no-trailer", blocks: 2)
        let good = try bytes(run.rowsURL)
        try append("3,0,0.25,1\n3,0,0.5,2\n", to: run.rowsURL)
        let resumed = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertTrue(try XCTUnwrap(resumed.cutTail).problem.contains("no block trailer"))
        XCTAssertEqual(try bytes(run.rowsURL), good)
    }

    func testCorruptionInTheMiddleIsAnErrorAndTheFileIsUntouched() throws {
        let (out, run) = try writtenRun("middle", blocks: 5)
        var data = [UInt8](try bytes(run.rowsURL))
        // Change one digit in a row of the second block.
        let text = String(decoding: data, as: UTF8.self)
        let secondBlockRow = try XCTUnwrap(text.range(of: "\n1,10,0.5,"))
        let offset = text.utf8.distance(from: text.startIndex, to: secondBlockRow.upperBound)
        data[offset] = data[offset] == UInt8(ascii: "9") ? UInt8(ascii: "8") : UInt8(ascii: "9")
        try Data(data).write(to: run.rowsURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("corrupt in the middle"), message)
            XCTAssertTrue(message.contains("checksum"), message)
            XCTAssertTrue(message.contains("left untouched"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertEqual(try bytes(run.rowsURL), Data(data))
        // A destroyed trailer in the middle (its '#' overwritten) is found too.
        var log = RowLog.headerLine(Self.columns)
        for unit in Self.units().prefix(3) { log += RowLog.block(unit: unit, rows: Self.rows(of: unit)) }
        var damaged = [UInt8](log)
        damaged[try XCTUnwrap(damaged.firstIndex(of: UInt8(ascii: "#")))] = UInt8(ascii: "x")
        try Data(damaged).write(to: run.rowsURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("corrupt in the middle"), "\(error)")
            XCTAssertTrue("\(error)".contains("declares 3 rows but has 7"), "\(error)")
        }
        XCTAssertEqual(try bytes(run.rowsURL), Data(damaged))
    }

    func testDuplicatedBlockIsAnErrorNamingTheUnitAndTheFileIsUntouched() throws {
        let (out, run) = try writtenRun("dup", blocks: 3)
        let unit = Self.units()[1]
        try append(String(decoding: RowLog.block(unit: unit, rows: Self.rows(of: unit)), as: UTF8.self), to: run.rowsURL)
        let before = try bytes(run.rowsURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("holds unit \(unit) twice"), message)
            XCTAssertTrue(message.contains("lines 9 and 17"), message)
        }
        XCTAssertEqual(try bytes(run.rowsURL), before)
    }

    func testHeaderMismatchIsAnErrorNotATruncation() throws {
        let (out, run) = try writtenRun("header", blocks: 2)
        var text = try String(contentsOf: run.rowsURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "seed,epoch,tau,c\n", with: "seed,epoch,tau,b\n")
        try Data(text.utf8).write(to: run.rowsURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("header line"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: run.rowsURL, encoding: .utf8), text)
    }

    func testConcurrentAppendsFromManyThreadsAllVerify() throws {
        let out = scratch.appendingPathComponent("threads")
        let units = Self.units(seeds: 40)
        let run = try RunDirectory.open(at: out, manifest: manifest(units: units), resume: false)
        let failures = FailureBox()
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            do { try run.append(unit: units[i], rows: Self.rows(of: units[i])) } catch { failures.add(error) }
        }
        XCTAssertTrue(failures.errors.isEmpty, "\(failures.errors)")
        run.close()
        let resumed = try RunDirectory.open(at: out, manifest: manifest(units: units), resume: true)
        XCTAssertTrue(resumed.isComplete)
        XCTAssertNil(resumed.cutTail)
        for unit in units { XCTAssertEqual(try resumed.rows(of: unit), Self.rows(of: unit)) }
    }

    /// An independent reader: gnuplot skips the '#' trailers and the header, and sums the data.
    func testGnuplotReadsTheLogSkippingTrailers() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") else { throw XCTSkip("gnuplot not installed") }
        let (_, run) = try writtenRun("gnuplot", blocks: 6)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gnuplot")
        process.arguments = ["-e", "set datafile separator ','; set key autotitle columnhead; stats '\(run.rowsURL.path)' using 4 nooutput; print sprintf('%d %.17g', STATS_records, STATS_sum)"]
        let pipe = Pipe()
        process.standardError = pipe   // gnuplot's print goes to stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        let rows = Self.units().prefix(6).flatMap { Self.rows(of: $0) }
        XCTAssertEqual(words.first.flatMap { Int($0) }, rows.count, output)
        let sum = rows.map { Double($0[3])! }.reduce(0, +)
        let read = try XCTUnwrap(words.dropFirst().first.flatMap { Double($0) }, output)
        XCTAssertEqual(read, sum, accuracy: 1e-15, output)
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var errors = [Error]()
    func add(_ e: Error) { lock.lock(); errors.append(e); lock.unlock() }
}
