/// The names of AdamBulk's models of w's fluctuations, as `--adam-bulk-model` takes them and the output
/// echoes them (derivations/adam-offset.md: AD.3 `isotropic`, AD.9 `fresh`, AD.9–AD.10 `split`,
/// AD.14–AD.15 `offsets`, AD.14–AD.16 `preconditioned`).
///
///     AdamBulk.Model(name: "offsets")        // .offsets
///     AdamBulk.Model.preconditioned.name     // "preconditioned"
extension AdamBulk.Model {
    public var name: String {
        switch self {
        case .isotropic: "isotropic"
        case .fresh: "fresh"
        case .split: "split"
        case .offsets: "offsets"
        case .preconditioned: "preconditioned"
        }
    }

    /// The models `theory --adam-lr` and `compare --protocol adam` offer: AD.4's default and §9's two
    /// (`.fresh` and `.split`, §7's refinements that made τ ≤ 1.5 worse, stay library-only).
    public static let offered: [AdamBulk.Model] = [.isotropic, .offsets, .preconditioned]

    /// The offered model of that name, nil for any other.
    public init?(name: String) {
        guard let model = Self.offered.first(where: { $0.name == name }) else { return nil }
        self = model
    }
}
