import Foundation
import XCTest
@testable import RunStore

final class WriteAndCheckpointTests: RunStoreTestCase {
    func testWriteToDevFullThrowsOneLine() throws {
        let fd = open("/dev/full", O_WRONLY)
        guard fd >= 0 else { throw XCTSkip("/dev/full is not available") }
        defer { close(fd) }
        let full = OutputDescriptor(descriptor: fd, name: "stdout")
        XCTAssertThrowsError(try full.write("tau,t\n0.5,0.25\n")) { error in
            XCTAssertEqual("\(error)", "cannot write to stdout: No space left on device (ENOSPC)")
        }
    }

    func testWriteToAClosedPipeThrowsEPIPE() throws {
        OutputDescriptor.reportBrokenPipesAsErrors()
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        defer { close(ends[1]) }
        XCTAssertThrowsError(try OutputDescriptor(descriptor: ends[1], name: "stdout").write("x\n")) { error in
            XCTAssertTrue("\(error)".hasSuffix("(EPIPE)"), "\(error)")
        }
    }

    func testAtomicWriteReplacesWholeAndReportsFailure() throws {
        let target = scratch.appendingPathComponent("table.csv")
        try AtomicFile.write("a\n", to: target)
        try AtomicFile.write("b,c\n", to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "b,c\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["table.csv"], "no temporary file left")
        XCTAssertThrowsError(try AtomicFile.write("x", to: scratch.appendingPathComponent("missing/dir/f.csv"))) { error in
            XCTAssertTrue("\(error)".contains("No such file or directory (ENOENT)"), "\(error)")
        }
        XCTAssertThrowsError(try AtomicFile.write("x", to: URL(fileURLWithPath: "/proc/f.csv"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write '/proc/f.csv': "), "\(error)")
        }
    }

    private func sampleCheckpoint() -> Checkpoint {
        var generator = SplitMix64(state: 7)
        let weights = (0..<1000).map { _ in Double(bitPattern: generator.next() & 0x3FEF_FFFF_FFFF_FFFF | 0x3000_0000_0000_0000) - 0.25 }
        let specials = [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.ulpOfOne, Double(bitPattern: 0x7FF8_0000_0000_0123)]
        return Checkpoint(epoch: 2000, randomState: (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) },
                          arrays: [NamedArray("u", weights), NamedArray("w", specials), NamedArray("empty", [])])
    }

    func testCheckpointRoundTripIsBitIdentical() throws {
        let run = try RunDirectory.open(at: scratch.appendingPathComponent("ckpt"), manifest: manifest(), resume: false)
        let saved = sampleCheckpoint()
        XCTAssertNil(try run.loadCheckpoint("seed-1"))
        try run.save(saved, as: "seed-1")
        let loaded = try XCTUnwrap(try run.loadCheckpoint("seed-1"))
        XCTAssertEqual(loaded, saved)
        XCTAssertEqual(loaded.array("w")!.map(\.bitPattern), saved.array("w")!.map(\.bitPattern))
        XCTAssertEqual(loaded.array("w")![1].sign, .minus)
        // Overwriting is atomic and complete.
        var later = saved
        later.epoch = 4000
        later.arrays[0].values[17] += 1
        try run.save(later, as: "seed-1")
        XCTAssertEqual(try run.loadCheckpoint("seed-1"), later)
        XCTAssertThrowsError(try run.save(saved, as: "../escape")) { XCTAssertTrue("\($0)".contains("checkpoint name"), "\($0)") }
    }

    func testDamagedCheckpointIsDetected() throws {
        let data = [UInt8](sampleCheckpoint().encoded())
        var flipped = data
        flipped[data.count / 2] ^= 0x10
        XCTAssertThrowsError(try Checkpoint(decoding: Data(flipped), source: "c")) { XCTAssertTrue("\($0)".contains("checksum mismatch"), "\($0)") }
        XCTAssertThrowsError(try Checkpoint(decoding: Data(data.prefix(data.count - 9)), source: "c")) { XCTAssertTrue("\($0)".contains("checkpoint 'c' is unusable"), "\($0)") }
        XCTAssertThrowsError(try Checkpoint(decoding: Data("seed,c\n".utf8), source: "c")) { XCTAssertTrue("\($0)".contains("not a phaseflow checkpoint"), "\($0)") }
        // A well-checksummed file whose length field lies is refused without a huge allocation.
        var lying = Array(data.prefix(8)) + [UInt8](repeating: 0, count: 8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        withUnsafeBytes(of: CRC32.checksum(lying).littleEndian) { lying += $0 }
        XCTAssertThrowsError(try Checkpoint(decoding: Data(lying), source: "c")) { XCTAssertTrue("\($0)".contains("exceeds the file"), "\($0)") }
    }

    func testMergeCopiesCheckpointsOfAllShards() throws {
        let units = Self.units(seeds: 2, epochs: [0])
        var dirs = [URL]()
        for index in 1...2 {
            let url = scratch.appendingPathComponent("s\(index)")
            let run = try RunDirectory.open(at: url, manifest: manifest(units: units, shard: try Shard(index: index, count: 2)), resume: false)
            for unit in run.pendingUnits { try run.append(unit: unit, rows: Self.rows(of: unit)) }
            var c = sampleCheckpoint()
            c.epoch = index
            try run.save(c, as: "seed-\(index)")
            run.close()
            dirs.append(url)
        }
        let merged = scratch.appendingPathComponent("merged")
        try RunMerge.merge(shards: dirs, into: merged)
        let run = try RunDirectory.open(at: merged, manifest: manifest(units: units), resume: true)
        XCTAssertEqual(try run.loadCheckpoint("seed-1")?.epoch, 1)
        XCTAssertEqual(try run.loadCheckpoint("seed-2")?.epoch, 2)
    }
}
