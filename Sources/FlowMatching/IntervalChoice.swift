import Foundation
import FlowModel
import RealData

/// Where the adaptive density's interval comes from (`--interval`): the zero-shot Gaussian model's
/// window, the trained pilots' window (TS.23), or fixed times.
///
///     let interval = try IntervalChoice(parsing: "0.05,0.3").resolve(WindowConfiguration())
public enum IntervalChoice: Sendable {
    case zeroShot
    case trained(PilotSettings)
    case fixed(lo: Double, hi: Double)

    /// "zero-shot", "trained" or "T_LO,T_HI".
    public init(parsing text: String, pilots: PilotSettings = PilotSettings()) throws {
        switch text {
        case "zero-shot": self = .zeroShot
        case "trained": self = .trained(pilots)
        default:
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo >= 0, hi <= 1, lo < hi, hi - lo < 1 else {
                throw InputError("interval must be zero-shot, trained or T_LO,T_HI with 0 ≤ T_LO < T_HI ≤ 1, shorter than [0, 1] (TS.6); got '\(text)'")
            }
            self = .fixed(lo: lo, hi: hi)
        }
    }

    /// The interval in interpolant time, with 95 % bootstrap ranges of its ends when estimated.
    public struct Resolved: Sendable {
        public let source: String
        public let lo, hi: Double
        public let loCI, hiCI: (Double, Double)?
        public init(source: String, lo: Double, hi: Double, loCI: (Double, Double)?, hiCI: (Double, Double)?) {
            self.source = source; self.lo = lo; self.hi = hi; self.loCI = loCI; self.hiCI = hiCI
        }
    }

    /// `prepared`: `config`'s own split, when the caller has prepared it already (reused for the
    /// window's first split instead of being prepared again).
    public func resolve(_ config: WindowConfiguration, prepared: WindowData? = nil) throws -> Resolved {
        switch self {
        case let .fixed(lo, hi):
            return Resolved(source: "fixed", lo: lo, hi: hi, loCI: nil, hiCI: nil)
        case .zeroShot:
            let w = try WindowInterval(try WindowExperiment.run(config, firstSplit: prepared))
            return Resolved(source: "zero-shot", lo: w.lo, hi: w.hi, loCI: w.loCI, hiCI: w.hiCI)
        case let .trained(pilots):
            let w = try WindowInterval(try TrainedWindow.run(config, pilots: pilots, firstSplit: prepared))
            return Resolved(source: "trained", lo: w.lo, hi: w.hi, loCI: w.loCI, hiCI: w.hiCI)
        }
    }
}
