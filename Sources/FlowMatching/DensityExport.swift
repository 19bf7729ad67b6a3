import FlowModel
import Foundation

/// The feature-adaptive training-time density (TS.6) as a small JSON document to take to another
/// trainer: its definition in words, its interval and fraction, its constant pieces, and the knots
/// of its piecewise-linear cdf, so that `t = numpy.interp(u, cdf_u, cdf_t)` with u uniform on (0, 1)
/// is an exact inverse-cdf draw (TS.26).
///
///     let density = try IntervalAdaptiveDensity(lo: 0.053, hi: 0.22)
///     let json = try DensityExport(density, source: "zero-shot", data: "mnist 0 vs 1, majority 0.8").json()
public struct DensityExport: Codable, Sendable, Equatable {
    /// One interval of constant density.
    public struct Piece: Codable, Sendable, Equatable {
        public let tStart, tEnd, density, mass: Double
        enum CodingKeys: String, CodingKey { case tStart = "t_start", tEnd = "t_end", density, mass }
    }

    public let name: String
    public let definition: String
    public let time: String
    public let sampling: String
    /// Where the interval came from: zero-shot, trained or fixed.
    public let source: String
    /// The data the interval was measured on (free text).
    public let data: String
    public let tLo, tHi, fraction: Double
    /// The pieces in increasing t, zero-width ones left out.
    public let pieces: [Piece]
    /// The cdf at the piece ends: F(cdf_t[i]) = cdf_u[i], from (0, 0) to (1, 1).
    public let cdfT, cdfU: [Double]

    enum CodingKeys: String, CodingKey {
        case name = "density", definition, time, sampling, source, data, tLo = "t_lo", tHi = "t_hi", fraction, pieces
        case cdfT = "cdf_t", cdfU = "cdf_u"
    }

    public static let definitionText =
        "p(t) = fraction / (t_hi - t_lo) for t_lo <= t <= t_hi, (1 - fraction) / (1 - (t_hi - t_lo)) for other t in [0, 1]"
    public static let timeText =
        "linear interpolant x_t = (1 - t) z + t x_1: t = 0 is noise, t = 1 is data; log-SNR = 2 ln(t / (1 - t))"
    public static let samplingText = "t = numpy.interp(u, cdf_u, cdf_t) with u uniform on (0, 1) (exact: the cdf is linear between knots)"

    public init(_ density: IntervalAdaptiveDensity, source: String, data: String) {
        name = density.name
        definition = Self.definitionText
        time = Self.timeText
        sampling = Self.samplingText
        self.source = source
        self.data = data
        tLo = density.lo
        tHi = density.hi
        fraction = density.fraction
        let knots = [0, density.lo, density.hi, 1]
        let ends = zip(knots, knots.dropFirst()).filter { $0.0 < $0.1 }
        pieces = ends.map { a, b in
            Piece(tStart: a, tEnd: b, density: density.pdf((a + b) / 2), mass: density.cdf(b) - density.cdf(a))
        }
        cdfT = [0] + ends.map(\.1)
        cdfU = cdfT.map(density.cdf)
    }

    /// The document, keys sorted, pretty-printed, with a final newline.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a document written by `json()` and checks that it is a density: pieces tiling [0, 1]
    /// with positive density, masses summing to 1, cdf knots increasing from (0, 0) to (1, 1).
    public static func read(_ text: String) throws -> DensityExport {
        let export: DensityExport
        do { export = try JSONDecoder().decode(DensityExport.self, from: Data(text.utf8)) } catch {
            throw InputError("not a density export: \(error.localizedDescription)")
        }
        let tiles = zip(export.pieces, export.pieces.dropFirst()).allSatisfy { $0.tEnd == $1.tStart }
        guard let first = export.pieces.first, let last = export.pieces.last, first.tStart == 0, last.tEnd == 1, tiles,
              export.pieces.allSatisfy({ $0.density > 0 && $0.tEnd > $0.tStart }),
              abs(export.pieces.map(\.mass).reduce(0, +) - 1) < 1e-12,
              export.cdfT.count == export.cdfU.count, export.cdfT.first == 0, export.cdfU.first == 0,
              export.cdfT.last == 1, abs((export.cdfU.last ?? 0) - 1) < 1e-12,
              zip(export.cdfU, export.cdfU.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InputError("density export: pieces or cdf knots do not form a density on [0, 1]")
        }
        return export
    }
}
