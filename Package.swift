// swift-tools-version: 6.0
import PackageDescription

let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "phaseflow",
    products: [
        .executable(name: "phaseflow", targets: ["phaseflow"]),
        .library(name: "Theory", targets: ["Theory"]),
        .library(name: "Simulation", targets: ["Simulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C: the GNU Scientific Library, reached only through GSLKit.
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"])]),
        // The one Swift layer over GSL: status codes become thrown errors.
        .target(name: "GSLKit", dependencies: ["CGSL"]),
        // Problem specification and noise schedules (no numerics beyond GSLKit).
        .target(name: "FlowModel", dependencies: ["GSLKit"]),
        // Deterministic theory: exact field, reduced flows, observables, diagrams.
        // The numerical targets below are optimised in debug builds too: their quadratures
        // (Theory's tanh moments), ODE right-hand sides and SGD loops would otherwise make the
        // test suite many times slower.
        .target(name: "Theory", dependencies: ["FlowModel", "GSLKit"], swiftSettings: optimisedInDebug),
        // Order-parameter ODEs of the training dynamics (derivations/training-dynamics.md).
        .target(name: "Dynamics", dependencies: ["Theory", "FlowModel", "GSLKit"], swiftSettings: optimisedInDebug),
        // C: CBLAS from OpenBLAS, reached only through BLASKit.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The one Swift layer over BLAS (single-threaded, deterministic calls).
        .target(name: "BLASKit", dependencies: ["COpenBLAS"]),
        // Monte Carlo at finite d: training the bank of networks, generation, measurement.
        .target(name: "Simulation", dependencies: ["FlowModel", "GSLKit", "BLASKit"], swiftSettings: optimisedInDebug),
        // Experiments composed of the theory and the simulation (the dilation ablation, the precursor).
        .target(name: "Experiments", dependencies: ["Theory", "Simulation", "FlowModel", "GSLKit"], swiftSettings: optimisedInDebug),
        // Command-line front end.
        .executableTarget(name: "phaseflow", dependencies: [
            "Theory", "FlowModel", "Dynamics", "Simulation", "Experiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "PhaseflowTests", dependencies: ["Theory", "FlowModel", "GSLKit", "Dynamics", "Simulation", "BLASKit", "Experiments"]),
    ]
)
