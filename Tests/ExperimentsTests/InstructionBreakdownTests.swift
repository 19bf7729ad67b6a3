import Foundation
import XCTest
import Experiments

/// `InstructionBreakdown` on a callgrind profile built by hand, every rule used once: name
/// compression of objects, files and functions, inlined code (fi/fe) of NormalStream.swift, a call
/// from gemm into libc (memset) and one from the inlined draws into libm (exp), both counted with
/// their caller; the parts add up to the profile's total.
final class InstructionBreakdownTests: XCTestCase {
    func testPartsOfAHandBuiltProfile() throws {
        let profile = """
        version: 1
        creator: callgrind-3.19.0
        cmd: phaseflow bench --count-epochs=3
        positions: line
        events: Ir
        summary: 900
        ob=(1) /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so
        fl=(1) ???
        fn=(1) dgemm_kernel_HASWELL
        0 400
        cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6
        cfi=(2) memset.S
        cfn=(2) __memset_avx2_unaligned_erms
        calls=1 0
        0 30
        fn=(3) dgemv_t
        0 50
        ob=(2)
        fl=(2)
        fn=(2)
        0 30
        ob=(3) /work/.build/release/phaseflow
        fl=(4) /work/Sources/Simulation/FastPath.swift
        fn=(4) evaluateParts
        12 100
        fi=(5) /work/Sources/Simulation/NormalStream.swift
        40 200
        +1 20
        cob=(4) /usr/lib/x86_64-linux-gnu/libm.so.6
        cfi=(6) exp.c
        cfn=(5) exp
        calls=3 0
        +2 40
        fe=(4)
        13 60
        ob=(4)
        fl=(6)
        fn=(5)
        0 40
        totals: 900
        """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callgrind-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: url) }
        try profile.write(to: url, atomically: true, encoding: .utf8)
        let split = try InstructionBreakdown(callgrindOutput: url)
        XCTAssertEqual(split.gemm, 400 + 30)            // the kernel and the memset it calls
        XCTAssertEqual(split.otherBLAS, 50)
        XCTAssertEqual(split.gaussian, 200 + 20 + 40)   // inlined draws and their exp
        XCTAssertEqual(split.rest, 100 + 60)            // FastPath's own lines
        XCTAssertEqual(split.total, 900)
    }
}
