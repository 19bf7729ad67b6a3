import Foundation
import FlowModel

/// Instructions a program executes, counted by valgrind's callgrind (all threads together): a
/// measure of work that, unlike a time, does not depend on what else the machine is doing.
/// OpenBLAS runs its AVX2 kernels under valgrind (which hides AVX-512), so BLAS-heavy counts are
/// those of an AVX2 machine.
///
///     if let valgrind = InstructionCount.valgrind {
///         let perEpoch = try InstructionCount.perEpoch(valgrind: valgrind, executable: "/usr/local/bin/phaseflow",
///                                                      arguments: { ["bench", "--count-epochs", "\($0)"] })
///     }
public enum InstructionCount {
    /// The valgrind executable on PATH, or nil when there is none.
    public static var valgrind: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/valgrind" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Instructions of one run of `executable arguments` under `valgrind --tool=callgrind`
    /// (the `summary:` line of its output file). The program's own output is discarded.
    public static func total(valgrind: String, executable: String, arguments: [String]) throws -> Double {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("phaseflow-callgrind-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: valgrind)
        process.arguments = ["--tool=callgrind", "--callgrind-out-file=\(file.path)", executable] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InputError("valgrind --tool=callgrind \(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
        let text = try String(contentsOf: file, encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("summary:") || line.hasPrefix("totals:") {
            if let value = Double(line.split(separator: " ").last ?? "") { return value }
        }
        throw InputError("no instruction total in callgrind's output \(file.path)")
    }

    /// Instructions per epoch: runs of `arguments(1)` and `arguments(3)` (each builds its trainer
    /// and trains that many epochs), (I₃ − I₁)/2, so the setup cancels.
    public static func perEpoch(valgrind: String, executable: String, arguments: (Int) -> [String]) throws -> Double {
        let one = try total(valgrind: valgrind, executable: executable, arguments: arguments(1))
        let three = try total(valgrind: valgrind, executable: executable, arguments: arguments(3))
        return (three - one) / 2
    }
}
