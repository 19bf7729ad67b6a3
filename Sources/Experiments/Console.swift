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

/// A one-line progress indicator on stderr with the elapsed time and an ETA.
///
///     let progress = Progress(total: 10)
///     progress.update(done: 3, label: "d = 1000")   // "[3/10] d = 1000  elapsed …  eta …" on stderr
public struct Progress: Sendable {
    public let total: Int
    let start = Date()
    public init(total: Int) { self.total = total }
    public func update(done: Int, label: String) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "\r[%d/%d] %@  elapsed %.1fs  eta %.1fs   ", done, total, label, elapsed, eta)
        writeStandardError(line)
        if done == total { writeStandardError("\n") }
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
