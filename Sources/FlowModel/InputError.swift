/// A bad input, with a one-line message that names the offending value.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Throws unless `value` is finite and `isValid(value)`; the message names the flag and value.
public func require(_ name: String, _ value: Double, _ condition: String, _ isValid: (Double) -> Bool) throws {
    guard value.isFinite, isValid(value) else {
        throw InputError("\(name) must be \(condition); got \(value)")
    }
}
