import Foundation
import FlowModel

/// The datasets a user can name (`--dataset`), with their default paths and environment overrides.
///
/// ```swift
/// let fashion = try DatasetName.fashionMNIST.load()          // 60 000 training images
/// let mine = try DatasetName.mnist.load(path: "/data/mnist_5k.csv.gz")
/// ```
public enum DatasetName: String, CaseIterable, Sendable {
    case mnist, fashionMNIST = "fashion-mnist", digits

    public init(parsing text: String) throws {
        guard let name = DatasetName(rawValue: text) else {
            throw InputError("unknown dataset '\(text)'; known: \(DatasetName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = name
    }

    /// The environment variable that overrides the default path.
    public var environmentVariable: String {
        switch self {
        case .mnist: "PHASEFLOW_MNIST_CSV"
        case .fashionMNIST: "PHASEFLOW_FASHION_MNIST_DIR"
        case .digits: "PHASEFLOW_DIGITS_CSV"
        }
    }

    /// The path used when none is given: the environment variable if set, else the installed file
    /// (a directory for Fashion-MNIST; the bundled resource for the digits).
    public var defaultPath: String {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty { return path }
        switch self {
        case .mnist: return "/usr/local/share/phaseflow/mnist_5k.csv.gz"
        case .fashionMNIST: return "/usr/share/datasets/fashion-mnist"
        case .digits: return Bundle.module.path(forResource: "digits", ofType: "csv.gz") ?? "digits.csv.gz (RealData resource)"
        }
    }

    /// Reads the dataset (Fashion-MNIST: its training split, 60 000 images, unless `test`).
    public func load(path: String? = nil, test: Bool = false) throws -> ImageSet {
        let path = path ?? defaultPath
        switch self {
        case .mnist:
            return try DatasetReaders.csv(path, name: rawValue, side: 28, maxValue: 255)
        case .digits:
            return try DatasetReaders.csv(path, name: rawValue, side: 8, maxValue: 16)
        case .fashionMNIST:
            let split = test ? "t10k" : "train"
            let dir = URL(fileURLWithPath: path)
            return try DatasetReaders.idx(images: dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz").path,
                                          labels: dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz").path, name: rawValue)
        }
    }
}
