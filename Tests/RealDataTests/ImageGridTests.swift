import XCTest
import FlowModel
@testable import RealData

/// The picture files of RD.26: shape, grey levels against the raw pixel values, gaps, row order.
final class ImageGridTests: XCTestCase {
    func testSampleGridOfDigits() throws {
        var config = WindowConfiguration()
        config.dataset = .digits; config.classA = 0; config.classB = 1; config.pcaDimension = 16
        let data = try WindowExperiment.prepare(config)
        let columns = 5, k = 16
        // "generated": the coordinates of five training images, and of far-out points that need clipping.
        let train = Array(data.trainFeatures[0..<(columns * k)])
        let far = train.map { 40 * $0 }
        let grid = try data.sampleGrid(generated: [("train", train), ("far", far)], columns: columns)
        XCTAssertEqual(grid.labels, ["held-out", "held-out, PCA 16", "train", "far"])
        XCTAssertEqual(grid.pictureWidth, columns * 8 + (columns - 1) * ImageGrid.gap)
        XCTAssertEqual(grid.pictureHeight, 4 * 8 + 3 * ImageGrid.gap)
        // The data file: two comment lines, then pictureHeight lines of pictureWidth grey levels.
        let lines = grid.dataFile.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, grid.pictureHeight)
        let levels = try lines.map { line in try line.split(separator: " ").map { s -> Int in
            guard let v = Int(s), (0...255).contains(v) else { throw InputError("grey level out of range: \(s)") }
            return v
        } }
        XCTAssertTrue(levels.allSatisfy { $0.count == grid.pictureWidth })
        // Row 0 is the raw held-out images: level = round(255 v / 16) of the raw value v (RD.13, RD.26),
        // four of class 0 (round(0.8 · 5)) then one of class 1.
        let rows = data.heldOutExamples(count: columns)
        XCTAssertEqual(rows.map { data.images.labels[$0] }, [0, 0, 0, 0, 1])
        for (c, row) in rows.enumerated() {
            for i in 0..<8 { for j in 0..<8 {
                let v = Double(data.images.rawPixels[row * 64 + i * 8 + j])
                XCTAssertEqual(levels[i][c * (8 + ImageGrid.gap) + j], Int((255 * v / 16).rounded()))
            } }
        }
        // Gaps between images and between rows are mid grey.
        XCTAssertTrue(levels[8].allSatisfy { $0 == Int(ImageGrid.gapLevel) })
        XCTAssertTrue(levels.allSatisfy { $0[8] == Int(ImageGrid.gapLevel) })
        // The far-out row is clipped: mostly pure black or white.
        let farLevels = levels[(3 * 10)..<(3 * 10 + 8)].flatMap { $0 }
        XCTAssertGreaterThan(farLevels.filter { $0 == 0 || $0 == 255 }.count, farLevels.count / 2)
        // Bad input: a row short of images, a non-finite pixel, zero columns.
        XCTAssertThrowsError(try ImageGrid(width: 8, height: 8, columns: 3, rows: [("short", [Double](repeating: 0, count: 2 * 64))]))
        XCTAssertThrowsError(try ImageGrid(width: 2, height: 1, columns: 1, rows: [("nan", [0, .nan])]))
        XCTAssertThrowsError(try ImageGrid(width: 2, height: 1, columns: 0, rows: [("none", [0, 0])]))
    }
}
