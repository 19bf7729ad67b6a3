import Foundation
import FlowModel

/// d (FlowModel's; Foundation also has a `Dimension`, the unit class).
typealias Dimension = FlowModel.Dimension

/// A number that may be infinite as an output cell: a whole number, a number, or "inf"
/// (d = ∞, n = ∞).
///
///     var row = Row(); row.add("d", extendedCell(.infinity)); row.add("n", extendedCell(128))   // d = inf, n = 128
public func extendedCell(_ value: Double) -> Value {
    guard value.isFinite else { return .string("inf") }
    return value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
}
