/// The seven order parameters of one network f(x) = c x + u tanh(b + w·x/√d) (AT.4, TD.10):
/// c, b, m = u·μ/d, ω = w·μ/d, q = |u|²/d, r = |w|²/d, uw = u·w/d. Shared by the ODEs (Dynamics)
/// and the Monte Carlo (Simulation).
///
/// Two orders of the same numbers are in use and both are kept, because changing either would
/// change an output: `vector`/`names`/`init(_:)` follow the ODE state (c, b, m, q, ω, r, uw; the
/// order of TD.10 and of `phaseflow dynamics`'s columns), `values`/`keys` follow the simulation's
/// CSV columns (c, b, m, ω, q, r, uw; `simulate`, `compare`).
public struct OrderParameters: Sendable, Equatable {
    public var c, b, m, q, omega, r, uw: Double

    public init(c: Double, b: Double, m: Double, q: Double, omega: Double, r: Double, uw: Double) {
        self.c = c; self.b = b; self.m = m; self.q = q; self.omega = omega; self.r = r; self.uw = uw
    }

    /// The same, with the labels in the simulation's column order.
    public init(c: Double, b: Double, m: Double, omega: Double, q: Double, r: Double, uw: Double) {
        self.init(c: c, b: b, m: m, q: q, omega: omega, r: r, uw: uw)
    }

    /// From an ODE state vector (order of `vector`).
    public init(_ y: [Double]) {
        self.init(c: y[0], b: y[1], m: y[2], q: y[3], omega: y[4], r: y[5], uw: y[6])
    }

    /// The ODE state order (TD.10).
    public var vector: [Double] { [c, b, m, q, omega, r, uw] }
    public static let names = ["c", "b", "m", "q", "omega", "r", "uw"]

    /// The simulation's column order.
    public var values: [Double] { [c, b, m, omega, q, r, uw] }
    public static let keys = ["c", "b", "m", "omega", "q", "r", "uw"]

    /// The representative with m ≥ 0 of the orbit under (u, w, b) → (−u, −w, −b) (TD.9, SIM.3).
    public var signFixed: OrderParameters { m >= 0 ? self : mirrored }

    /// The same network under (u, w, b) → (−u, −w, −b) (TD.9).
    public var mirrored: OrderParameters { OrderParameters(c: c, b: -b, m: -m, q: q, omega: -omega, r: r, uw: uw) }

    /// "Theory init" (TD.19): c = b = 0, q = r = 1, and the O(d^{-1/2}) overlaps given.
    public static func theoryInit(m: Double, omega: Double, uw: Double = 0) -> OrderParameters {
        OrderParameters(c: 0, b: 0, m: m, q: 1, omega: omega, r: 1, uw: uw)
    }
}
