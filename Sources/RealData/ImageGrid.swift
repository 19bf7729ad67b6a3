import Foundation
import FlowModel

/// A picture of grey images in labelled rows, `columns` images per row (RD.26): pixels in the
/// [−1, 1] scale of RD.13 become grey levels 0 (black) … 255 (white); a `gap` of mid grey
/// separates the images. Written as a gnuplot `matrix` data file (one line per pixel row of the
/// whole picture) with a script that draws it as a PNG.
///
///     let grid = try ImageGrid(width: 8, height: 8, columns: 4, rows: [("real", pixels)])   // pixels: 4 × 64 values
///     let data = grid.dataFile                                       // 8 lines of 4·(8+2)−2 grey levels
///     let gp = grid.gnuplotScript(data: "samples.dat", png: "samples.png", title: "digits")
public struct ImageGrid: Sendable {
    public let width: Int, height: Int, columns: Int
    public let labels: [String]
    /// Grey levels, row-major over the whole picture (`pictureHeight` × `pictureWidth`).
    public let levels: [UInt8]
    /// Pixels between two images, and their grey level.
    public static let gap = 2, gapLevel: UInt8 = 128
    /// The most images per row a grid may hold.
    public static let largestColumnCount = 64

    public var pictureWidth: Int { columns * (width + Self.gap) - Self.gap }
    public var pictureHeight: Int { labels.count * (height + Self.gap) - Self.gap }

    /// Grey level of a pixel of the [−1, 1] scale, clipped to the box first (RD.26).
    public static func level(_ x: Double) -> UInt8 { UInt8((127.5 * (min(max(x, -1), 1) + 1)).rounded()) }

    /// - Parameter rows: labels and at least `columns` images each (row-major, `width·height` values per image); the first `columns` are drawn.
    public init(width: Int, height: Int, columns: Int, rows: [(label: String, pixels: [Double])]) throws {
        try requireCount("sample-grid", columns, atLeast: 1, atMost: Self.largestColumnCount)
        guard width >= 1, height >= 1, !rows.isEmpty else { throw InputError("an image grid needs a positive image size and at least one row") }
        let p = width * height
        for row in rows where row.pixels.count < columns * p || !row.pixels.allSatisfy(\.isFinite) {
            throw InputError("image grid row '\(row.label)' has \(row.pixels.count / p) finite images; \(columns) needed")
        }
        self.width = width; self.height = height; self.columns = columns; labels = rows.map(\.label)
        let w = columns * (width + Self.gap) - Self.gap, h = rows.count * (height + Self.gap) - Self.gap
        var levels = [UInt8](repeating: Self.gapLevel, count: w * h)
        for (r, row) in rows.enumerated() {
            for c in 0..<columns {
                for i in 0..<height {
                    for j in 0..<width {
                        levels[(r * (height + Self.gap) + i) * w + c * (width + Self.gap) + j] = Self.level(row.pixels[c * p + i * width + j])
                    }
                }
            }
        }
        self.levels = levels
    }

    /// The gnuplot `matrix` file: comment lines naming the rows, then one line per pixel row.
    public var dataFile: String {
        var text = "# image grid: \(labels.count) rows (\(labels.joined(separator: ", "))) of \(columns) images of \(width)×\(height) pixels\n"
        text += "# grey levels 0 (black) … 255 (white) = round(255 (x + 1)/2) of the clipped [−1, 1] pixels; gaps \(Self.gapLevel)\n"
        let w = pictureWidth
        for i in 0..<pictureHeight {
            text += levels[(i * w)..<((i + 1) * w)].map { String($0) }.joined(separator: " ") + "\n"
        }
        return text
    }

    /// Draws `data` with `matrix with image` in grey (first line at the top), the row labels on the
    /// left, no axes; about 960 screen pixels across whatever the image size. `title` may hold a
    /// line break.
    public func gnuplotScript(data: String, png: String, title: String) -> String {
        let scale = max(1, 960 / pictureWidth)
        let labelWidth = 12 * (labels.map(\.count).max() ?? 0) + 40
        let canvasWidth = max(pictureWidth * scale + labelWidth + 40, 960)   // room for a two-line title
        let tics = labels.enumerated().map { r, label in
            "\"\(label.replacingOccurrences(of: "\"", with: "'"))\" \(String(format: "%.1f", Double(r * (height + Self.gap)) + Double(height - 1) / 2))"
        }.joined(separator: ", ")
        return """
        set terminal pngcairo noenhanced size \(canvasWidth),\(pictureHeight * scale + 110) font ',13'
        set output '\(png)'
        set title "\(title.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\n", with: "\\n"))"
        unset key; unset colorbox; unset border; unset xtics
        set palette grey
        set cbrange [0:255]
        set size ratio -1
        set lmargin at screen \(String(format: "%.4f", Double(labelWidth) / Double(canvasWidth)))
        set xrange [-0.5:\(pictureWidth) - 0.5]
        set yrange [\(pictureHeight) - 0.5:-0.5]
        set ytics scale 0 (\(tics))
        plot '\(data)' matrix with image

        """
    }
}

extension WindowData {
    /// Dataset rows of `count` held-out images, class A's share as in training (round(majority · count),
    /// at least one of each class when count ≥ 2), class A first; the first held-out images of each class.
    public func heldOutExamples(count: Int) -> [Int] {
        let a = subset.heldOut(label: 0), b = subset.heldOut(label: 1)
        var nA = Int((subset.majority * Double(count)).rounded())
        if count >= 2 { nA = min(max(nA, 1), count - 1) }
        nA = min(nA, a.count)
        return Array(a.prefix(nA)) + Array(b.prefix(count - nA))
    }

    /// The picture of generated samples (RD.26): a row of raw held-out images, the same images
    /// decoded from their PCA coordinates (the best the model's space can show), and one row per
    /// entry of `generated` (PCA coordinates, decoded), `columns` images per row.
    public func sampleGrid(generated: [(label: String, coordinates: [Double])], columns: Int) throws -> ImageGrid {
        let rows = heldOutExamples(count: columns)
        guard rows.count == columns else { throw InputError("sample-grid \(columns) exceeds the \(rows.count) held-out images available") }
        let real = images.scaledPixels(rows: rows)
        let k = pca.dimension
        let decodedReal = pca.decode(pca.project(real, count: columns), count: columns)
        let decoded = generated.map { g in (g.label, pca.decode(Array(g.coordinates.prefix(columns * k)), count: min(columns, g.coordinates.count / k))) }
        return try ImageGrid(width: images.width, height: images.height, columns: columns,
                             rows: [("held-out", real), ("held-out, PCA \(k)", decodedReal)] + decoded)
    }
}
