import CGSL

/// A failed GSL call, or a failure inside a Swift callback that GSL was driving.
public struct GSLError: Error, CustomStringConvertible, Sendable {
    public let routine: String
    public let status: Int
    public let reason: String

    public init(routine: String, status: Int, reason: String) {
        self.routine = routine
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(routine) failed: \(reason) (GSL status \(status))" }
}

/// GSL's default error handler aborts the process. Every entry point of GSLKit touches this once,
/// so the handler is off before any GSL routine runs and statuses come back to us instead.
let gslHandlerDisabled: Void = { _ = gsl_set_error_handler_off() }()

/// Throws a `GSLError` naming `routine` unless `status` is GSL_SUCCESS.
@inline(__always)
func check(_ status: Int32, _ routine: String) throws {
    guard status == GSL_SUCCESS else {
        throw GSLError(routine: routine, status: Int(status), reason: String(cString: gsl_strerror(status)))
    }
}

/// Holds a Swift callback and the first error it threw, for C trampolines that cannot throw.
final class CallbackBox<F> {
    let function: F
    var error: Error?
    init(_ function: F) { self.function = function }

    /// Runs `body` with an opaque pointer to self that a C trampoline can turn back into the box.
    func withPointer<R>(_ body: (UnsafeMutableRawPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(Unmanaged.passUnretained(self).toOpaque()) }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> CallbackBox<F> {
        Unmanaged<CallbackBox<F>>.fromOpaque(pointer!).takeUnretainedValue()
    }
}
