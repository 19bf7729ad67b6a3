import Foundation

/// The dimension d of the target: a whole number ≥ 1, or ∞ (the asymptotic theory). The one
/// representation of d; `Problem` (the finite-d target) holds its whole number.
///
///     let d = try Dimension(5000)          // .finite(5000)
///     let limit = try Dimension(.infinity) // .infinite
///     print(d.value, limit, d.finite ?? 0) // 5000.0 inf 5000
public enum Dimension: Sendable, Hashable, CustomStringConvertible {
    case finite(Int)
    case infinite

    /// A whole number in [1, 10¹²] (1e5 is accepted), or +∞.
    public init(_ value: Double) throws {
        if value == .infinity { self = .infinite; return }
        try require("d", value, "a whole number in [1, 1e12] or inf") { $0 >= 1 && $0 == $0.rounded() && $0 <= 1e12 }
        self = .finite(Int(value))
    }

    /// d as a number (+∞ for the limit).
    public var value: Double {
        switch self {
        case let .finite(d): Double(d)
        case .infinite: .infinity
        }
    }

    /// d when finite, else nil.
    public var finite: Int? {
        if case let .finite(d) = self { return d }
        return nil
    }

    /// √d (+∞ for the limit).
    public var squareRoot: Double { value.squareRoot() }

    /// Whether d is a whole number (not the limit).
    public var isFinite: Bool { finite != nil }

    /// The same value, checked as `init(_:)` checks a number (a `.finite` built directly may hold
    /// any Int).
    public func checked() throws -> Dimension { try Dimension(value) }

    public var description: String { finite.map { "\($0)" } ?? "inf" }
}

/// The log-odds bias of the modes, h = atanh(2p − 1) = ½ log(p/(1 − p)) (EF.1).
public func logOdds(p: Double) -> Double { 0.5 * log(p / (1 - p)) }
