/// The seven order parameters of one network f(x) = c x + u tanh(b + w·x/√d) (AT.4, TD.10):
/// c, b, m = u·μ/d, ω = w·μ/d, q = |u|²/d, r = |w|²/d, uw = u·w/d. Shared by the ODEs (Dynamics)
/// and the Monte Carlo (Simulation).
///
/// The names and their column order are `OrderParameter.allCases` (c, b, m, omega, q, r, uw): every
/// output lists them in that order, every state vector that holds them (the ODE states of Dynamics)
/// stores them in that order at its start (`values`, `init(values:)`), and code reads one by
/// subscript, `o[.q]` or `y[.q]` on such a vector.
///
///     var o = OrderParameters.theoryInit(m: 0.01, omega: 0.01)
///     o[.c] = 0.5
///     let row = OrderParameter.allCases.map { ($0.rawValue, o[$0]) }   // [("c", 0.5), ("b", 0), …]
///     let y = o.values                                                  // an ODE state: y[.q] == o.q
public struct OrderParameters: Sendable, Equatable {
    public var c, b, m, q, omega, r, uw: Double

    public init(c: Double, b: Double, m: Double, q: Double, omega: Double, r: Double, uw: Double) {
        self.c = c; self.b = b; self.m = m; self.q = q; self.omega = omega; self.r = r; self.uw = uw
    }

    /// The same, with the labels in the simulation's column order.
    public init(c: Double, b: Double, m: Double, omega: Double, q: Double, r: Double, uw: Double) {
        self.init(c: c, b: b, m: m, q: q, omega: omega, r: r, uw: uw)
    }

    /// From the first `OrderParameter.count` entries of a vector in column order (`values`; the
    /// start of every ODE state).
    public init(values: some Collection<Double>) {
        precondition(values.count >= OrderParameter.count, "\(values.count) values for \(OrderParameter.count) order parameters")
        var next = values.makeIterator()
        self.init { _ in next.next()! }
    }

    /// All zero.
    public static let zero = OrderParameters(c: 0, b: 0, m: 0, q: 0, omega: 0, r: 0, uw: 0)

    /// One parameter by name.
    public subscript(_ key: OrderParameter) -> Double {
        get {
            switch key {
            case .c: c
            case .b: b
            case .m: m
            case .omega: omega
            case .q: q
            case .r: r
            case .uw: uw
            }
        }
        set {
            switch key {
            case .c: c = newValue
            case .b: b = newValue
            case .m: m = newValue
            case .omega: omega = newValue
            case .q: q = newValue
            case .r: r = newValue
            case .uw: uw = newValue
            }
        }
    }

    /// Built parameter by parameter (in column order).
    public init(_ value: (OrderParameter) throws -> Double) rethrows {
        self = .zero
        for key in OrderParameter.allCases { self[key] = try value(key) }
    }

    /// The values in column order (`OrderParameter.allCases`).
    public var values: [Double] { OrderParameter.allCases.map { self[$0] } }
    /// The names in column order.
    public static let keys = OrderParameter.allCases.map(\.rawValue)

    /// The representative with m ≥ 0 of the orbit under (u, w, b) → (−u, −w, −b) (TD.9, SIM.3).
    public var signFixed: OrderParameters { m >= 0 ? self : mirrored }

    /// The same network under (u, w, b) → (−u, −w, −b) (TD.9).
    public var mirrored: OrderParameters { OrderParameters(c: c, b: -b, m: -m, q: q, omega: -omega, r: r, uw: uw) }

    /// "Theory init" (TD.19): c = b = 0, q = r = 1, and the O(d^{-1/2}) overlaps given.
    public static func theoryInit(m: Double, omega: Double, uw: Double = 0) -> OrderParameters {
        OrderParameters(c: 0, b: 0, m: m, q: 1, omega: omega, r: 1, uw: uw)
    }
}

/// The name of one order parameter; `allCases` is the column order of every output.
///
///     OrderParameter.allCases.map(\.rawValue)   // ["c", "b", "m", "omega", "q", "r", "uw"]
public enum OrderParameter: String, CaseIterable, Sendable, Codable {
    case c, b, m, omega, q, r, uw

    /// How many there are: the length of `OrderParameters.values`.
    public static let count = allCases.count

    /// The position in the column order, and in every vector that stores the order parameters.
    public var index: Int {
        switch self {
        case .c: 0
        case .b: 1
        case .m: 2
        case .omega: 3
        case .q: 4
        case .r: 5
        case .uw: 6
        }
    }
}

extension Array where Element == Double {
    /// One order parameter of a vector in column order (`OrderParameters.values`, or an ODE state
    /// or gradient that starts with them): `dy[.q] = …`.
    public subscript(_ key: OrderParameter) -> Double {
        get { self[key.index] }
        set { self[key.index] = newValue }
    }
}
