import Foundation
import FlowModel

/// A labelled set of grey images as read from disk: raw integer pixel values in 0…`maxValue`,
/// row-major `count × pixelCount`.
///
/// ```swift
/// let digits = try DatasetName.digits.load()
/// let x = digits.scaledPixels(rows: [0, 1])   // 2 × 64 values in [−1, 1]
/// ```
public struct ImageSet: Sendable {
    public let name: String
    public let width: Int, height: Int
    /// The largest raw value of the format (255 for MNIST and Fashion-MNIST, 16 for the UCI digits).
    public let maxValue: Int
    public let rawPixels: [UInt8]
    public let labels: [Int]

    public init(name: String, width: Int, height: Int, maxValue: Int, rawPixels: [UInt8], labels: [Int]) {
        precondition(rawPixels.count == labels.count * width * height)
        self.name = name; self.width = width; self.height = height; self.maxValue = maxValue
        self.rawPixels = rawPixels; self.labels = labels
    }

    public var count: Int { labels.count }
    public var pixelCount: Int { width * height }

    /// The pixels of the chosen rows, scaled to [−1, 1] as x = 2 v/maxValue − 1 (RD.13: the scale
    /// the time window refers to).
    public func scaledPixels(rows: [Int]) -> [Double] {
        let p = pixelCount, scale = 2 / Double(maxValue)
        var out = [Double](repeating: 0, count: rows.count * p)
        for (i, row) in rows.enumerated() {
            for j in 0..<p { out[i * p + j] = Double(rawPixels[row * p + j]) * scale - 1 }
        }
        return out
    }
}

/// A dataset file that is missing or malformed: one line naming the file.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(_ path: String, _ reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
