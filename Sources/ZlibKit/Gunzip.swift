import CZlib
import Foundation

/// A gzip file that cannot be read or inflated; the message is one line naming the file.
public struct GunzipError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// The one Swift layer over zlib (`gzopen`/`gzread`): Foundation on Linux has no inflate.
///
/// ```swift
/// let bytes = try Gunzip.read("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
/// ```
public enum Gunzip {
    /// The decompressed bytes of the gzip file at `path`. A file that is not gzip is read as is by
    /// zlib's transparent mode, so callers check the format's own header; a truncated or corrupt
    /// stream throws.
    public static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw GunzipError(path: path, reason: "missing or unreadable file")
        }
        guard let file = gzopen(path, "rb") else { throw GunzipError(path: path, reason: "cannot open") }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "error \(code)"
                throw GunzipError(path: path, reason: "corrupt gzip stream (\(message))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // gzread returns 0 both at a clean end and at a truncated stream; gzerror tells them apart.
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        if code != Z_OK && code != Z_STREAM_END {
            throw GunzipError(path: path, reason: "corrupt gzip stream (\(message))")
        }
        return out
    }
}
