/// The names of AdamBulk's models of w's fluctuations, as `--adam-bulk-model` takes them and the output
/// echoes them (derivations/adam-offset.md: AD.3 `isotropic`, AD.9 `fresh`, AD.9–AD.10 `split`,
/// AD.14–AD.15 `offsets`, AD.14–AD.19 `preconditioned`, the default).
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

    /// The model Adam's theory uses unless told otherwise: AD.14–AD.19, the one that agrees with Adam at every τ
    /// (derivations/adam-offset.md §10–§11, derivations/data/adam/validation-grid.md).
    public static let standard: AdamBulk.Model = .preconditioned

    /// The models `theory --adam-lr` and `compare --protocol adam` offer: AD.4's isotropic bulk and §9's two
    /// (`.fresh` and `.split`, §7's refinements that made τ ≤ 1.5 worse, stay library-only).
    public static let offered: [AdamBulk.Model] = [.isotropic, .offsets, .preconditioned]

    /// The offered model of that name, nil for any other.
    public init?(name: String) {
        guard let model = Self.offered.first(where: { $0.name == name }) else { return nil }
        self = model
    }
}
