// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "phaseflow",
    products: [
        .executable(name: "phaseflow", targets: ["phaseflow"]),
        .library(name: "FlowModel", targets: ["FlowModel"]),
        .library(name: "Theory", targets: ["Theory"]),
        .library(name: "Dynamics", targets: ["Dynamics"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "RealData", targets: ["RealData"]),
        .library(name: "FlowMatching", targets: ["FlowMatching"]),
        .library(name: "Optimisers", targets: ["Optimisers"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "RunStore", targets: ["RunStore"]),
        .library(name: "BuildInfo", targets: ["BuildInfo"]),
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
        .target(name: "Dynamics", dependencies: ["Theory", "FlowModel", "GSLKit"]),
        // C: CBLAS from OpenBLAS, reached only through BLASKit.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The one Swift layer over BLAS (single-threaded, deterministic calls).
        .target(name: "BLASKit", dependencies: ["COpenBLAS"]),
        // Monte Carlo at finite d: training the bank of networks, generation, measurement.
        .target(name: "Simulation", dependencies: ["FlowModel", "GSLKit", "BLASKit", "Optimisers"]),
        // C: zlib, reached only through ZlibKit (gzip inflation; Foundation on Linux cannot inflate).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The one Swift layer over zlib: gunzip a file into bytes, errors naming the file.
        .target(name: "ZlibKit", dependencies: ["CZlib"]),
        // Real data: readers, PCA, the class-conditional Gaussian denoiser, samplers, U-turn windows
        // (derivations/real-data-uturn.md). The 8×8 UCI digits ship as a resource so that
        // `window --dataset digits` and the tests both find them.
        .target(name: "RealData", dependencies: ["FlowModel", "GSLKit", "BLASKit", "ZlibKit"],
                exclude: ["Resources/DIGITS-ATTRIBUTION.md"], resources: [.copy("Resources/digits.csv.gz")]),
        // The one Adam: moments over a flat buffer, a step counter and the fused in-place update of
        // a contiguous segment, generic over Float/Double (derivations/training-schedules.md TS.14a).
        .target(name: "Optimisers"),
        // Trained flow-matching models on real data: an MLP x₁-predictor with hand-written backprop on
        // BLAS, training-time densities, the schedules experiment (derivations/training-schedules.md).
        .target(name: "FlowMatching", dependencies: ["RealData", "FlowModel", "GSLKit", "BLASKit", "Optimisers"]),
        // The experiments: theory against simulation, the seed runner with its CSV files, the
        // boundary searches, finite-size fits, the dilation ablation and the precursor, output rows
        // and the report of `reproduce`.
        .target(name: "Experiments", dependencies: ["Theory", "Dynamics", "Simulation", "RealData", "FlowMatching", "FlowModel", "GSLKit",
                                                    "RunStore", "BuildInfo"]),
        // The version and the git commit of the build (BuildCommitPlugin runs `git rev-parse HEAD`).
        .target(name: "BuildInfo", plugins: ["BuildCommitPlugin"]),
        .plugin(name: "BuildCommitPlugin", capability: .buildTool(), path: "Sources/BuildCommitPlugin"),
        // Run directories: manifest, framed CSV row log, lock, shards and merge, checkpoints,
        // throwing writes (Foundation and the system API only; format in Sources/RunStore/README.md).
        .target(name: "RunStore", exclude: ["README.md"]),
        // Command-line front end: parses flags, calls Experiments, renders its rows.
        .executableTarget(name: "phaseflow", dependencies: [
            "Experiments", "Theory", "FlowModel", "Dynamics", "Simulation", "RealData", "FlowMatching", "GSLKit", "RunStore", "BuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // One test target per library target; PhaseflowTests runs the executable end to end.
        .testTarget(name: "GSLKitTests", dependencies: ["GSLKit"]),
        .testTarget(name: "FlowModelTests", dependencies: ["FlowModel"]),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "FlowModel", "GSLKit"]),
        .testTarget(name: "DynamicsTests", dependencies: ["Dynamics", "Theory", "FlowModel", "GSLKit"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Theory", "FlowModel", "BLASKit", "GSLKit"]),
        .testTarget(name: "RealDataTests", dependencies: ["RealData", "FlowModel", "GSLKit", "BLASKit", "ZlibKit"]),
        .testTarget(name: "FlowMatchingTests", dependencies: ["FlowMatching", "RealData", "FlowModel", "GSLKit", "BLASKit"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Theory", "Dynamics", "Simulation", "FlowModel", "GSLKit"]),
        .testTarget(name: "OptimisersTests", dependencies: ["Optimisers"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore"]),
        .testTarget(name: "PhaseflowTests", dependencies: ["Theory", "FlowModel", "Simulation", "RunStore", "Experiments"]),
    ]
)
