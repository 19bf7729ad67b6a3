import Foundation
import XCTest
@testable import RunStore

final class RunLockTests: RunStoreTestCase {
    func testSecondWriterInTheSameProcessIsRefusedNamingThePid() throws {
        let out = scratch.appendingPathComponent("locked")
        let first = try RunDirectory.open(at: out, manifest: manifest(), resume: false)
        let rowsBefore = try bytes(first.rowsURL)
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("in use by another writer (pid \(getpid()) on host"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertEqual(try bytes(first.rowsURL), rowsBefore)
        first.close()
        let second = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertEqual(second.pendingUnits, Self.units())
    }

    /// A real second process: util-linux flock(1) holds the lock and records its pid, as a
    /// writer would; our open is refused naming that pid; once the process is killed the kernel
    /// drops its lock and the next open takes over the stale record.
    func testLockHeldByAnotherProcessIsRefusedAndTakenOverAfterItDies() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else { throw XCTSkip("flock(1) not installed") }
        let out = scratch.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let lockPath = out.appendingPathComponent("lock").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-n", lockPath, "/bin/sh", "-c", "echo \"pid $$ host elsewhere\" > '\(lockPath)'; exec sleep 60"]
        try holder.run()
        var recorded: Int32 = 0
        for _ in 0..<200 where recorded == 0 {
            let text = (try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? ""
            let words = text.split(separator: " ")
            if words.count >= 2, words[0] == "pid", let pid = Int32(words[1]) { recorded = pid } else { usleep(20_000) }
        }
        XCTAssertNotEqual(recorded, 0, "the holder did not start")
        defer { if recorded > 0 { kill(recorded, SIGKILL) }; holder.waitUntilExit() }
        XCTAssertThrowsError(try RunDirectory.open(at: out, manifest: manifest(), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("in use by another writer (pid \(recorded) on host elsewhere)"), "\(error)")
        }
        XCTAssertThrowsError(try RunLock(directory: out))
        kill(recorded, SIGKILL)
        holder.waitUntilExit()
        let run = try RunDirectory.open(at: out, manifest: manifest(), resume: true)
        XCTAssertTrue(try String(contentsOfFile: lockPath, encoding: .utf8).hasPrefix("pid \(getpid()) host "))
        run.close()
        // And our lock excludes flock(1) in turn.
        let lock = try RunLock(directory: out)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        probe.arguments = ["-n", "-E", "75", lockPath, "true"]
        try probe.run()
        probe.waitUntilExit()
        XCTAssertEqual(probe.terminationStatus, 75, "flock(1) must find the lock held")
        lock.release()
        let free = Process()
        free.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        free.arguments = ["-n", "-E", "75", lockPath, "true"]
        try free.run()
        free.waitUntilExit()
        XCTAssertEqual(free.terminationStatus, 0, "released")
    }

    func testStaleRecordOfADeadProcessIsTakenOver() throws {
        let out = scratch.appendingPathComponent("stale")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("pid 999999 host gone\n".utf8).write(to: out.appendingPathComponent("lock"))
        let lock = try RunLock(directory: out)
        XCTAssertEqual(try String(contentsOf: lock.url, encoding: .utf8).split(separator: " ")[1], "\(getpid())")
    }
}
