import Foundation

/// Every failure of the run store: one line that names the file, the value or the setting at fault
/// and what to do, for the command line to print as it is.
///
///     do { _ = try Shard(parsing: "3/2") } catch { print(error) }   // shard '3/2': index 3 exceeds the count 2 …
public struct RunStoreError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// The text of a system error number, e.g. "No space left on device (ENOSPC)".
func systemErrorText(_ code: Int32) -> String {
    let names: [Int32: String] = [ENOSPC: "ENOSPC", EPIPE: "EPIPE", EACCES: "EACCES", ENOENT: "ENOENT", EIO: "EIO",
                                  EROFS: "EROFS", EDQUOT: "EDQUOT", EBADF: "EBADF", EISDIR: "EISDIR", ENOTDIR: "ENOTDIR",
                                  EEXIST: "EEXIST", EFBIG: "EFBIG", EPERM: "EPERM"]
    let text = String(cString: strerror(code))
    return names[code].map { "\(text) (\($0))" } ?? "\(text) (errno \(code))"
}
