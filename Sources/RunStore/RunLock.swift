import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive writer's lock on a run directory: `flock(2)` on the file `lock`, which then holds
/// the owner's pid and host. The kernel drops the lock when its holder exits or is killed, so the
/// lock of a dead process is taken over by the next writer (the stale pid in the file is just
/// overwritten). A second writer — another process, or another open of the file in the same
/// process — is refused with one line naming the holder. Released by `release()` or on deinit.
/// (On NFS, Linux maps flock to POSIX byte-range locks, which the NFS lock manager enforces across
/// hosts.)
///
///     let lock = try RunLock(directory: URL(fileURLWithPath: "out"))   // throws "… in use by pid 4242 on host node7 …"
public final class RunLock: @unchecked Sendable {
    public let url: URL
    private var descriptor: Int32

    public init(directory: URL) throws {
        url = directory.appendingPathComponent("lock")
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunStoreError("cannot create the lock file '\(url.path)': \(systemErrorText(errno))") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = RunLock.holder(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw RunStoreError("run directory '\(directory.path)' is in use by another writer (\(holder)); wait for it to finish or choose another --out")
            }
            throw RunStoreError("cannot lock '\(url.path)': \(systemErrorText(code))")
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostName = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let record = Data("pid \(getpid()) host \(hostName)\n".utf8)
        // The lock is held: replace the previous (possibly dead) holder's record with ours.
        if ftruncate(fd, 0) != 0 || OutputDescriptor(descriptor: fd, name: url.path).writeAll(record) != nil {
            let code = errno
            close(fd)
            throw RunStoreError("cannot write the lock file '\(url.path)': \(systemErrorText(code))")
        }
        descriptor = fd
    }

    /// Releases the lock (idempotent). The record stays in the file; it is harmless once unlocked.
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// "pid 4242 on host node7" from the lock file, as far as it can be read.
    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 300)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count >= 2, words[0] == "pid" else { return "its pid is not recorded yet" }
        if words.count >= 4, words[2] == "host" { return "pid \(words[1]) on host \(words[3])" }
        return "pid \(words[1])"
    }
}
