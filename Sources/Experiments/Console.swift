import Foundation
import RunStore

/// Renders a gnuplot script to PNG when gnuplot is on the PATH; returns whether it did.
public func renderWithGnuplot(script: URL, in directory: URL) -> Bool {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
    guard let gnuplot = paths.map({ URL(fileURLWithPath: String($0)).appendingPathComponent("gnuplot") })
        .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else { return false }
    let process = Process()
    process.executableURL = gnuplot
    process.arguments = [script.lastPathComponent]
    process.currentDirectoryURL = directory
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}

/// A progress indicator on stderr with the elapsed time and an ETA. On a terminal it redraws one
/// line with `\r`; otherwise (a log file, a pipe, a SLURM output) it writes whole lines, at most one
/// every `logInterval` seconds plus the last one, so that a log stays readable.
///
///     let progress = Progress(total: 10)
///     progress.update(done: 3, label: "d = 1000")   // "[3/10] d = 1000  elapsed …  eta …" on stderr
public struct Progress: Sendable {
    public let total: Int
    let start = Date()
    /// Seconds between two lines when stderr is not a terminal.
    public static let logInterval = 10.0
    /// The quiet start of a command that is usually quick: no line before this many seconds.
    public static let silentSeconds = 5.0
    /// No line is written before this many seconds have passed (0: from the first update).
    public let silentFor: Double
    /// Whether stderr is a terminal (decided once).
    public static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    private let state = ProgressState()
    public init(total: Int, silentFor: Double = 0) { self.total = total; self.silentFor = silentFor }
    /// One more item done (from any thread); returns the count so far.
    public func tick() -> Int { state.tick() }
    public func update(done: Int, label: String) {
        let elapsed = Date().timeIntervalSince(start)
        if elapsed < silentFor { return }
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = String(format: "[%ld/%ld] %@  elapsed %.1fs  eta %.1fs", done, total, label, elapsed, eta)
        if Self.stderrIsTerminal {
            writeStandardError("\r" + text + "   " + (done == total ? "\n" : ""))
        } else if state.due(at: elapsed, last: done == total, interval: Self.logInterval) {
            writeStandardError(text + "\n")
        }
    }
}

/// When the last log line of a `Progress` was written (shared by the copies of the struct).
final class ProgressState: @unchecked Sendable {
    private let lock = NSLock()
    private var lastLine: Double?
    private var finished = false
    private var count = 0
    func tick() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    /// Whether a line is due: the first, one `interval` after the previous, and the last (once).
    func due(at elapsed: Double, last: Bool, interval: Double) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if finished { return false }
        if last { finished = true; lastLine = elapsed; return true }
        if let lastLine, elapsed - lastLine < interval { return false }
        lastLine = elapsed
        return true
    }
}

/// A warning on stderr; the run goes on.
public func warn(_ message: String) {
    writeStandardError("phaseflow: warning: \(message)\n")
}

/// Writes to stderr; a failure (full disk, closed pipe) is remembered, not fatal, so that the run
/// can finish its files and the command line then reports it (`standardErrorFailure`) with a
/// non-zero exit.
public func writeStandardError(_ text: String) {
    do { try OutputDescriptor.standardError.write(text) } catch { StandardErrorHealth.shared.record(error) }
}

/// The first failed write to stderr, if any.
public var standardErrorFailure: Error? { StandardErrorHealth.shared.failure }

final class StandardErrorHealth: @unchecked Sendable {
    static let shared = StandardErrorHealth()
    private let lock = NSLock()
    private var first: Error?
    func record(_ error: Error) { lock.lock(); if first == nil { first = error }; lock.unlock() }
    var failure: Error? { lock.lock(); defer { lock.unlock() }; return first }
}

/// Writes a whole file at once, never seen half done (RunStore's temporary file, fsync and rename).
public func writeAtomically(_ text: String, to url: URL) throws {
    try AtomicFile.write(text, to: url)
}
