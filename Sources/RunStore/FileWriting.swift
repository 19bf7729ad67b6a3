import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor written through the system call, so that a failed write (a full disk,
/// /dev/full, a closed pipe) is a thrown one-line error instead of Foundation's trap
/// (`FileHandle.write(_:)`) or stdio's silent loss (`print` to a full stdout).
///
///     try OutputDescriptor.standardOutput.write("tau,t\n")   // throws "cannot write to stdout: No space left on device (ENOSPC)"
public struct OutputDescriptor: Sendable {
    public let descriptor: Int32
    /// How errors name the target: "stdout", "stderr" or a path.
    public let name: String

    public init(descriptor: Int32, name: String) { self.descriptor = descriptor; self.name = name }

    public static let standardOutput = OutputDescriptor(descriptor: 1, name: "stdout")
    public static let standardError = OutputDescriptor(descriptor: 2, name: "stderr")

    /// Writes every byte (looping over partial writes and EINTR) or throws.
    public func write(_ data: Data) throws {
        if let code = writeAll(data) { throw RunStoreError("cannot write to \(name): \(systemErrorText(code))") }
    }

    /// Writes every byte; returns the error number of the failed write, nil on success.
    func writeAll(_ data: Data) -> Int32? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(descriptor, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                offset += n
            }
            return nil
        }
    }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    /// Forces the written bytes to the device (fsync); a no-op error for pipes and terminals is ignored.
    public func synchronize() throws {
        if fsync(descriptor) != 0 {
            let code = errno
            if code == EINVAL || code == EROFS { return }   // pipes, terminals, special files
            throw RunStoreError("cannot write to \(name): \(systemErrorText(code))")
        }
    }

    /// Makes a write to a closed pipe return EPIPE (a thrown error) instead of killing the process
    /// with SIGPIPE; the command line calls this once at start.
    public static func reportBrokenPipesAsErrors() {
        signal(SIGPIPE, SIG_IGN)
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

/// A file opened for writing by the system call, closed on deinit.
final class OpenFile {
    let output: OutputDescriptor
    init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RunStoreError("cannot open '\(path)': \(systemErrorText(errno))") }
        output = OutputDescriptor(descriptor: fd, name: path)
    }
    deinit { close(output.descriptor) }
}

/// Whole-file writes that are never seen half done: the bytes go to a temporary file in the same
/// directory, are forced to disk, and the temporary file is renamed over the target (then the
/// directory is synced, so the rename survives a power cut).
///
///     try AtomicFile.write(Data("{}".utf8), to: URL(fileURLWithPath: "out/manifest.json"))
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunStoreError("cannot write '\(url.path)': \(systemErrorText(errno))") }
        let out = OutputDescriptor(descriptor: fd, name: temporary)
        var failure = out.writeAll(data)
        if failure == nil, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == nil { failure = errno }
        if let failure {
            unlink(temporary)
            throw RunStoreError("cannot write '\(url.path)': \(systemErrorText(failure))")
        }
        guard rename(temporary, url.path) == 0 else {
            let code = errno
            unlink(temporary)
            throw RunStoreError("cannot write '\(url.path)': \(systemErrorText(code))")
        }
        synchronizeDirectory(directory)
    }

    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    static func synchronizeDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}

// The system calls under names that the types' own `open`/`close` methods do not shadow.
func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) -> Int32 { open(path, flags, mode) }
func systemClose(_ fd: Int32) { _ = close(fd) }
func systemTruncate(_ path: String, _ length: Int) -> Int32 { truncate(path, off_t(length)) }
