import Foundation

/// Instructions executed by a program, counted by valgrind's callgrind (deterministic, unlike a
/// time on a shared machine). `perRepetition` runs the program twice, with `base` and with
/// `base + extra` repetitions of the measured work, and divides the difference by `extra`, so that
/// start-up and set-up cancel.
///
///     let counter = try InstructionCount()     // nil-throwing when valgrind is absent
///     let perStep = try counter.perRepetition(executable: path, arguments: { ["--steps", "\($0)"] }, base: 2, extra: 10)
public struct InstructionCount: Sendable {
    public let valgrind: String

    /// Finds `valgrind` on PATH; throws a one-line error naming what is missing otherwise.
    public init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/valgrind" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw InstructionCountError("valgrind not found on PATH")
        }
        valgrind = found
    }

    /// Total instructions (callgrind's `summary:`/`totals:` Ir) of one run of the program.
    public func total(executable: String, arguments: [String]) throws -> Int {
        try profile(executable: executable, arguments: arguments).total
    }

    /// The total instructions of one run of the program and their split (`InstructionBreakdown`).
    public func profile(executable: String, arguments: [String]) throws -> (total: Int, split: InstructionBreakdown) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("callgrind.\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: valgrind)
        process.arguments = ["--tool=callgrind", "--callgrind-out-file=\(out.path)", executable] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InstructionCountError("callgrind run of \(executable) exited with status \(process.terminationStatus)")
        }
        let text = try String(contentsOf: out, encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("summary:") || line.hasPrefix("totals:") {
            if let value = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                return (value, try InstructionBreakdown(callgrindOutput: out))
            }
        }
        throw InstructionCountError("no instruction total in callgrind's output for \(executable)")
    }

    /// `perRepetition` of the total and of each part of its split (gemm, other BLAS, Gaussian draws,
    /// the rest), from the same two runs.
    public func splitPerRepetition(executable: String, arguments: (Int) -> [String], base: Int, extra: Int) throws
        -> (total: Double, gemm: Double, otherBLAS: Double, gaussian: Double, rest: Double) {
        precondition(base >= 0 && extra >= 1)
        let small = try profile(executable: executable, arguments: arguments(base))
        let large = try profile(executable: executable, arguments: arguments(base + extra))
        let d = large.split - small.split, e = Double(extra)
        return (Double(large.total - small.total) / e, Double(d.gemm) / e, Double(d.otherBLAS) / e, Double(d.gaussian) / e, Double(d.rest) / e)
    }

    /// (total(base + extra) − total(base)) / extra; `arguments(r)` are the arguments for r repetitions.
    public func perRepetition(executable: String, arguments: (Int) -> [String], base: Int, extra: Int) throws -> Double {
        precondition(base >= 0 && extra >= 1)
        let small = try total(executable: executable, arguments: arguments(base))
        let large = try total(executable: executable, arguments: arguments(base + extra))
        return Double(large - small) / Double(extra)
    }
}

public struct InstructionCountError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
