import XCTest
import ZlibKit
@testable import RealData

final class DatasetReaderTests: XCTestCase {
    private func counts(_ labels: [Int]) -> [Int] {
        var c = [Int](repeating: 0, count: 10)
        for l in labels { c[l] += 1 }
        return c
    }

    func testDigitsFixture() throws {
        let set = try DatasetName.digits.load()
        XCTAssertEqual(set.count, 1797)
        XCTAssertEqual(set.pixelCount, 64)
        XCTAssertEqual(set.rawPixels.max(), 16)
        XCTAssertEqual(set.rawPixels.min(), 0)
        XCTAssertEqual(counts(set.labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        XCTAssertEqual(set.labels.prefix(5), [0, 1, 2, 3, 4])
        let x = set.scaledPixels(rows: Array(0..<set.count))
        XCTAssertEqual(x.min(), -1); XCTAssertEqual(x.max(), 1)
    }

    func testMNISTSubset() throws {
        let set = try DatasetName.mnist.load()
        XCTAssertEqual(set.count, 5000)
        XCTAssertEqual(set.pixelCount, 784)
        XCTAssertEqual(counts(set.labels), [Int](repeating: 500, count: 10))
        XCTAssertEqual(set.rawPixels.min(), 0); XCTAssertEqual(set.rawPixels.max(), 255)
    }

    func testFashionMNIST() throws {
        let train = try DatasetName.fashionMNIST.load()
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(train.width, 28); XCTAssertEqual(train.height, 28)
        XCTAssertEqual(counts(train.labels), [Int](repeating: 6000, count: 10))
        XCTAssertEqual(train.rawPixels.min(), 0); XCTAssertEqual(train.rawPixels.max(), 255)
        let test = try DatasetName.fashionMNIST.load(test: true)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(counts(test.labels), [Int](repeating: 1000, count: 10))
    }

    private func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("realdata-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }

    private func assertOneLineError(_ body: () throws -> Void, naming path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), "error does not name \(path): \(text)", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "error is not one line: \(text)", file: file, line: line)
        }
    }

    func testMissingAndCorruptFilesGiveOneLineErrors() throws {
        let missing = temporary("missing.csv.gz")
        assertOneLineError({ _ = try DatasetName.mnist.load(path: missing) }, naming: missing)
        assertOneLineError({ _ = try DatasetName.fashionMNIST.load(path: missing) }, naming: missing)

        // A truncated gzip stream (the first half of the real fixture).
        let source = try Data(contentsOf: URL(fileURLWithPath: DatasetName.digits.defaultPath))
        let truncated = temporary("truncated.csv.gz")
        try source.prefix(source.count / 2).write(to: URL(fileURLWithPath: truncated))
        defer { try? FileManager.default.removeItem(atPath: truncated) }
        assertOneLineError({ _ = try DatasetName.digits.load(path: truncated) }, naming: truncated)

        // Not gzip, not CSV: zlib reads it transparently and the parser rejects it.
        let garbage = temporary("garbage.csv.gz")
        try Data([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01]).write(to: URL(fileURLWithPath: garbage))
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        assertOneLineError({ _ = try DatasetName.digits.load(path: garbage) }, naming: garbage)

        // The digits file read as MNIST: wrong column count.
        let digits = DatasetName.digits.defaultPath
        assertOneLineError({ _ = try DatasetName.mnist.load(path: digits) }, naming: digits)

        // A directory whose IDX files are the digits CSV: bad magic number.
        let dir = temporary("idx")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"] {
            try source.write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        assertOneLineError({ _ = try DatasetName.fashionMNIST.load(path: dir) }, naming: dir + "/train-images-idx3-ubyte.gz")
    }
}
