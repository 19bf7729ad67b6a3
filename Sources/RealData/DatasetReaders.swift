import Foundation
import ZlibKit

/// Readers of the three on-disk formats (all gzipped): MNIST-style CSV, IDX, and the UCI digits CSV.
///
/// ```swift
/// let mnist = try DatasetReaders.csv("/usr/local/share/phaseflow/mnist_5k.csv.gz", name: "mnist",
///                                    side: 28, maxValue: 255)
/// ```
public enum DatasetReaders {
    /// Lines of side² integer pixels in 0…maxValue then a label 0…9, comma-separated, no header.
    public static func csv(_ path: String, name: String, side: Int, maxValue: Int) throws -> ImageSet {
        let bytes = try gunzip(path)
        let p = side * side
        var pixels: [UInt8] = [], labels: [Int] = []
        var values: [Int] = []
        values.reserveCapacity(p + 1)
        var current = 0, inNumber = false, line = 1
        func endLine() throws {
            if values.isEmpty { return }
            guard values.count == p + 1 else {
                throw DatasetError(path, "line \(line): expected \(p + 1) values (\(p) pixels and a label), got \(values.count)")
            }
            for v in values.prefix(p) {
                guard v <= maxValue else { throw DatasetError(path, "line \(line): pixel value \(v) above \(maxValue)") }
                pixels.append(UInt8(v))
            }
            guard values[p] <= 9 else { throw DatasetError(path, "line \(line): label \(values[p]) is not a digit 0–9") }
            labels.append(values[p])
            values.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = current * 10 + Int(byte - UInt8(ascii: "0"))
                guard current < 1_000_000 else { throw DatasetError(path, "line \(line): number too long") }
                inNumber = true
            case UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if inNumber { values.append(current) } else if byte == UInt8(ascii: ",") {
                    throw DatasetError(path, "line \(line): empty field")
                }
                current = 0; inNumber = false
                if byte == UInt8(ascii: "\n") { try endLine(); line += 1 }
            case UInt8(ascii: "."):
                throw DatasetError(path, "line \(line): non-integer value")
            default:
                throw DatasetError(path, "line \(line): unexpected character '\(Character(Unicode.Scalar(byte)))' (not a gzipped CSV of integers?)")
            }
        }
        if inNumber { values.append(current) }
        try endLine()
        guard !labels.isEmpty else { throw DatasetError(path, "no images") }
        return ImageSet(name: name, width: side, height: side, maxValue: maxValue, rawPixels: pixels, labels: labels)
    }

    /// A gzipped IDX image file (magic 0x00000803, count, rows, columns) and its label file
    /// (magic 0x00000801, count), both big-endian.
    public static func idx(images imagePath: String, labels labelPath: String, name: String) throws -> ImageSet {
        let images = try gunzip(imagePath), labelBytes = try gunzip(labelPath)
        guard images.count >= 16, word(images, 0) == 0x0803 else { throw DatasetError(imagePath, "not an IDX image file (bad magic number)") }
        guard labelBytes.count >= 8, word(labelBytes, 0) == 0x0801 else { throw DatasetError(labelPath, "not an IDX label file (bad magic number)") }
        let n = word(images, 4), rows = word(images, 8), cols = word(images, 12)
        guard images.count == 16 + n * rows * cols else {
            throw DatasetError(imagePath, "expected \(16 + n * rows * cols) bytes for \(n) images of \(rows)×\(cols), got \(images.count)")
        }
        let m = word(labelBytes, 4)
        guard m == n, labelBytes.count == 8 + m else {
            throw DatasetError(labelPath, "expected \(n) labels (\(8 + n) bytes), header says \(m), file has \(labelBytes.count) bytes")
        }
        let labels = labelBytes[8...].map { Int($0) }
        if let bad = labels.first(where: { $0 > 9 }) { throw DatasetError(labelPath, "label \(bad) is not a class 0–9") }
        return ImageSet(name: name, width: cols, height: rows, maxValue: 255, rawPixels: Array(images[16...]), labels: labels)
    }

    private static func gunzip(_ path: String) throws -> [UInt8] {
        do { return try Gunzip.read(path) } catch let error as GunzipError {
            throw DatasetError(error.path, error.reason)
        }
    }

    private static func word(_ b: [UInt8], _ at: Int) -> Int {
        (Int(b[at]) << 24) | (Int(b[at + 1]) << 16) | (Int(b[at + 2]) << 8) | Int(b[at + 3])
    }
}
