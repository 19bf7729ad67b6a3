import Foundation

/// A callgrind profile's instructions split by where they run: the BLAS library's gemm kernels
/// (with the packing and the zeroing of C they call), its other routines (gemv, dot), the Gaussian
/// draws (code of Simulation/NormalStream.swift, inlined or not, with the libm calls it makes), and
/// the rest (the elementwise loops, the optimiser, copies). Read from callgrind's output file: self
/// costs by object, file and function; a call from a classified context into libc or libm is
/// counted with its caller.
///
///     let split = try InstructionBreakdown(callgrindOutput: url)
///     print(split.gemm, split.gaussian, split.rest)
public struct InstructionBreakdown: Sendable, Equatable {
    public var gemm = 0, otherBLAS = 0, gaussian = 0, rest = 0
    public var total: Int { gemm + otherBLAS + gaussian + rest }

    public init() {}

    enum Part { case gemm, otherBLAS, gaussian, rest }

    public init(callgrindOutput url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var names = [String: String]()          // "(id)" of each kind → name (callgrind's name compression)
        func name(_ kind: String, _ value: Substring) -> String {
            let v = value.trimmingCharacters(in: .whitespaces)
            guard v.hasPrefix("("), let close = v.firstIndex(of: ")") else { return v }
            let id = kind + String(v[v.startIndex...close]), rest = v[v.index(after: close)...].trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty { names[id] = rest }
            return names[id] ?? rest
        }
        var object = "", file = "", function = "", calleeObject = "", pendingCall = false
        func part() -> Part {
            if object.contains("blas") { return function.contains("gemm") ? .gemm : .otherBLAS }
            return file.hasSuffix("NormalStream.swift") ? .gaussian : .rest
        }
        func add(_ p: Part, _ cost: Int) {
            switch p {
            case .gemm: gemm += cost
            case .otherBLAS: otherBLAS += cost
            case .gaussian: gaussian += cost
            case .rest: rest += cost
            }
        }
        var fileOfFunction = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let first = line.first else { continue }
            if first.isNumber || first == "+" || first == "-" || first == "*" {
                let fields = line.split(separator: " ")
                let cost = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
                if pendingCall {
                    pendingCall = false
                    // An inclusive call cost: counted with a classified caller when the callee is libc/libm
                    // (a leaf there: memset of gemm's beta, exp and log of the ziggurat's tail), which
                    // the callee's own self cost already counted as rest.
                    let here = part()
                    if here != .rest && (calleeObject.contains("libc.so") || calleeObject.contains("libm.so")) {
                        add(here, cost); rest -= cost
                    }
                } else {
                    add(part(), cost)
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[line.startIndex..<eq], value = line[line.index(after: eq)...]
            switch key {
            case "ob": object = name("ob", value); calleeObject = object
            case "fl": file = name("fl", value); fileOfFunction = file
            case "fi", "fe": file = name("fl", value)
            case "fn": function = name("fn", value); file = fileOfFunction; calleeObject = object
            case "cob": calleeObject = name("ob", value)
            case "cfi", "cfl": _ = name("fl", value)
            case "cfn": _ = name("fn", value)
            case "calls": pendingCall = true
            default: break
            }
        }
    }

    public static func - (a: Self, b: Self) -> Self {
        var d = Self()
        d.gemm = a.gemm - b.gemm; d.otherBLAS = a.otherBLAS - b.otherBLAS; d.gaussian = a.gaussian - b.gaussian; d.rest = a.rest - b.rest
        return d
    }
}
