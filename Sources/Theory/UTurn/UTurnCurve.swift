/// One of the four U-turn curves: the dynamics that carries x_t back to the data end, and the mode
/// the sample started in. Its value is P(end in the other mode | start mode) (derivations/mixture-uturn.md).
public struct UTurnCurve: Sendable, Hashable, CaseIterable {
    public enum Dynamics: String, Sendable, CaseIterable {
        /// The probability-flow ODE (deterministic), UT.6–UT.8.
        case ode
        /// The reverse SDE with the exact score (stochastic), UT.9–UT.11.
        case sde
    }
    public enum StartMode: String, Sendable, CaseIterable {
        case plus, minus
        /// s = ±1.
        public var sign: Double { self == .plus ? 1 : -1 }
    }

    public let dynamics: Dynamics
    public let start: StartMode

    public init(_ dynamics: Dynamics, start: StartMode) {
        self.dynamics = dynamics
        self.start = start
    }

    public static let allCases: [UTurnCurve] = Dynamics.allCases.flatMap { d in StartMode.allCases.map { UTurnCurve(d, start: $0) } }

    /// Output key, e.g. `flip_ode_plus` = P(end in − | start in +) under the ODE.
    public var key: String { "flip_\(dynamics.rawValue)_\(start.rawValue)" }
}
