// swift-tools-version:6.0
//
// rankprobe — recover the hidden size of an API-only language model from its log-probabilities.
//
// The targets follow the data's path: read (RankProbeNPY, RankProbeLogs) → assemble (RankProbeMatrix)
// → spectrum (RankProbeSpectrum) → detect (RankProbeDetect) → report (RankProbeReport). `RankProbe`
// wires them into one pipeline; `rankprobe` is the command line. Underscored targets are C/C++ shims and
// the only code that talks to LAPACK/BLAS, zlib/OpenSSL and simdjson.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "rankprobe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rankprobe", targets: ["rankprobe"]),
        .library(name: "RankProbe", targets: ["RankProbe"]),
        // The parsers, as products so that the fuzzing package (Fuzz/) can depend on them.
        .library(name: "RankProbeNPY", targets: ["RankProbeNPY"]),
        .library(name: "RankProbeLogs", targets: ["RankProbeLogs"]),
        .library(name: "RankProbeReport", targets: ["RankProbeReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // MARK: C and C++ shims
        .target(
            name: "_LinearAlgebraShims",
            linkerSettings: [.linkedLibrary("lapacke"), .linkedLibrary("openblas")]
        ),
        .target(
            name: "_SystemShims",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("crypto")]
        ),
        .target(
            name: "_JSONShims",
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),

        // MARK: read
        .target(name: "RankProbeNPY", dependencies: ["_SystemShims"]),
        .target(name: "RankProbeLogs", dependencies: ["_JSONShims", "_SystemShims", "RankProbeMatrix"]),

        // MARK: assemble → spectrum → detect
        .target(name: "RankProbeLinearAlgebra", dependencies: ["_LinearAlgebraShims"]),
        .target(name: "RankProbeMatrix", dependencies: ["RankProbeNPY"], swiftSettings: swiftSettings),
        .target(
            name: "RankProbeSpectrum",
            dependencies: ["RankProbeMatrix", "RankProbeLinearAlgebra"],
            swiftSettings: swiftSettings
        ),
        .target(name: "RankProbeDetect"),

        // MARK: pipeline, synthetic models, analyses, reports
        .target(
            name: "RankProbe",
            dependencies: ["RankProbeNPY", "RankProbeLogs", "RankProbeMatrix", "RankProbeSpectrum", "RankProbeDetect", "_SystemShims"]
        ),
        .target(
            name: "RankProbeSynth",
            dependencies: ["RankProbeNPY", "RankProbeLinearAlgebra"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RankProbeAnalysis",
            dependencies: ["RankProbe", "RankProbeLinearAlgebra", "RankProbeSynth", "RankProbeMatrix", "RankProbeDetect", "RankProbeLogs", "RankProbeNPY"]
        ),
        .target(
            name: "RankProbeReport",
            dependencies: ["RankProbe", "_SystemShims", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "rankprobe",
            dependencies: [
                "RankProbe", "RankProbeLogs", "RankProbeSynth", "RankProbeReport", "RankProbeAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: tests
        .testTarget(name: "RankProbeNPYTests", dependencies: ["RankProbeNPY"]),
        .testTarget(name: "RankProbeLinearAlgebraTests", dependencies: ["RankProbeLinearAlgebra"]),
        .testTarget(name: "RankProbeSpectrumTests", dependencies: ["RankProbeSpectrum", "RankProbeMatrix", "RankProbeNPY"]),
        .testTarget(name: "RankProbeDetectTests", dependencies: ["RankProbeDetect"]),
        .testTarget(name: "RankProbeLogsTests", dependencies: ["RankProbeLogs", "RankProbeSynth"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RankProbeReportTests", dependencies: ["RankProbeReport", "RankProbe", "RankProbeSynth"],
                    exclude: ["Golden"]),  // read by path (#filePath), so they are not bundled as resources
        .testTarget(name: "RankProbeAnalysisTests", dependencies: ["RankProbeAnalysis", "RankProbeSynth", "RankProbeMatrix", "RankProbeNPY"]),
        .testTarget(name: "RankProbeIntegrationTests", dependencies: ["RankProbe", "RankProbeSynth", "RankProbeNPY", "RankProbeMatrix"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
