// swift-tools-version: 6.0
import PackageDescription

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
        .target(name: "Theory", dependencies: ["FlowModel", "GSLKit"]),
        // Order-parameter ODEs of the training dynamics (derivations/training-dynamics.md).
        // Optimised even in debug builds: its quadrature-heavy right-hand side would otherwise
        // make the test suite much slower.
        .target(name: "Dynamics", dependencies: ["Theory", "FlowModel", "GSLKit"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // C: CBLAS from OpenBLAS, reached only through BLASKit.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The one Swift layer over BLAS (single-threaded, deterministic calls).
        .target(name: "BLASKit", dependencies: ["COpenBLAS"]),
        // Monte Carlo at finite d: training the bank of networks, generation, measurement.
        // Optimised in debug builds too: the tests that compare its online protocol with the
        // order-parameter ODEs run ~10⁵ SGD steps at d = 1000.
        .target(name: "Simulation", dependencies: ["FlowModel", "GSLKit", "BLASKit"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Command-line front end.
        .executableTarget(name: "phaseflow", dependencies: [
            "Theory", "FlowModel", "Dynamics", "Simulation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "PhaseflowTests", dependencies: ["Theory", "FlowModel", "GSLKit", "Dynamics", "Simulation", "BLASKit"]),
    ]
)
