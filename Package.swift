// swift-tools-version:6.0
//
// rankprobe — recover the hidden size of an API-only language model from its log-probabilities.
//
// The targets follow the data's path: read (RankProbeNPY; RankProbeLogs over RankProbeLogRecords →
// RankProbeLogCells) → assemble (RankProbeMatrix) → spectrum (RankProbeSpectrum) → detect (RankProbeDetect)
// → report (RankProbeReport). `RankProbe` wires them into one pipeline; `rankprobe` is the command line.
// Underscored targets are C/C++ shims and the only code that talks to LAPACK/BLAS, zlib/OpenSSL and simdjson.
import PackageDescription

// No unsafe flags: `-Ounchecked` turned the consume-once preconditions of Matrix and Spectrum into
// unchecked assumptions and kept `RankProbe` from being a versioned dependency; SwiftPM's release build
// already compiles C and C++ with -O2, so the shim's own `-O2` changed nothing.
//
// Each target declares exactly the modules its files import (the system modules Foundation, Dispatch and
// Glibc aside). One exception: RankProbeReport's BatchManifest imports CYaml, Yams' C core, which Yams
// does not offer as a product; it comes with the Yams product.

let package = Package(
    name: "rankprobe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rankprobe", targets: ["rankprobe"]),
        .library(name: "RankProbe", targets: ["RankProbe"]),
        // The parsers, as products so that the fuzzing package (Fuzz/) can depend on them (its simdjson
        // harness tests an internal of RankProbeLogRecords, so that module is a product of its own).
        .library(name: "RankProbeNPY", targets: ["RankProbeNPY"]),
        .library(name: "RankProbeLogs", targets: ["RankProbeLogs"]),
        .library(name: "RankProbeLogRecords", targets: ["RankProbeLogRecords"]),
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
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),

        // MARK: read
        .target(name: "RankProbeNPY", dependencies: ["_SystemShims"]),
        // Logs, in three steps that only look forward: bytes → `LogRecord`s (and the retry files, which need
        // the records' file positions) → cells → sample matrix; `RankProbeLogs` is the entry point that runs
        // both and re-exports them, so its importers see one module.
        .target(name: "RankProbeLogRecords", dependencies: ["_JSONShims", "_SystemShims"]),
        .target(name: "RankProbeLogCells", dependencies: ["RankProbeLogRecords", "RankProbeMatrix"]),
        .target(name: "RankProbeLogs", dependencies: ["RankProbeLogRecords", "RankProbeLogCells", "RankProbeMatrix"]),

        // MARK: assemble → spectrum → detect
        .target(name: "RankProbeLinearAlgebra", dependencies: ["_LinearAlgebraShims"]),
        .target(name: "RankProbeMatrix", dependencies: ["RankProbeNPY"]),
        .target(name: "RankProbeSpectrum", dependencies: ["RankProbeMatrix", "RankProbeLinearAlgebra", "RankProbeNPY"]),
        .target(name: "RankProbeDetect"),
        // The parameter count implied by a hidden size (power-law fit on the bundled architecture table):
        // numerics of the result, so the pipeline fills it and the report only renders it.
        .target(name: "RankProbeParameters", resources: [.copy("Resources")]),

        // MARK: pipeline, synthetic models, analyses, reports
        .target(
            name: "RankProbe",
            dependencies: [
                "RankProbeNPY", "RankProbeLogs", "RankProbeMatrix", "RankProbeSpectrum", "RankProbeDetect",
                "RankProbeParameters", "RankProbeLinearAlgebra", "_SystemShims",
            ]
        ),
        .target(name: "RankProbeSynth", dependencies: ["RankProbeNPY", "RankProbeLinearAlgebra"]),
        .target(
            name: "RankProbeAnalysis",
            dependencies: ["RankProbeLinearAlgebra", "RankProbeMatrix", "RankProbeDetect", "RankProbeLogs", "RankProbeNPY"]
        ),
        .target(
            name: "RankProbeReport",
            dependencies: ["RankProbe", "RankProbeParameters", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "rankprobe",
            dependencies: [
                "RankProbe", "RankProbeLogs", "RankProbeNPY", "RankProbeSynth", "RankProbeReport", "RankProbeAnalysis",
                "RankProbeLinearAlgebra", "RankProbeMatrix",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: tests
        .testTarget(name: "RankProbeNPYTests", dependencies: ["RankProbeNPY"]),
        .testTarget(name: "RankProbeLinearAlgebraTests", dependencies: ["RankProbeLinearAlgebra"]),
        .testTarget(name: "RankProbeSpectrumTests", dependencies: ["RankProbeSpectrum", "RankProbeMatrix", "RankProbeLinearAlgebra", "RankProbeSynth"]),
        .testTarget(name: "RankProbeDetectTests", dependencies: ["RankProbeDetect", "RankProbeSynth"]),
        .testTarget(name: "RankProbeLogsTests", dependencies: ["RankProbeLogs", "RankProbeLogRecords", "RankProbeMatrix", "RankProbeSynth"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RankProbeReportTests", dependencies: ["RankProbeReport", "RankProbe", "RankProbeLogs", "RankProbeSynth"],
                    exclude: ["Golden"]),  // read by path (#filePath), so they are not bundled as resources
        .testTarget(
            name: "RankProbeAnalysisTests",
            dependencies: ["RankProbeAnalysis", "RankProbe", "RankProbeLinearAlgebra", "RankProbeLogs", "RankProbeMatrix", "RankProbeNPY", "RankProbeSynth"]
        ),
        .testTarget(name: "RankProbeIntegrationTests", dependencies: ["RankProbe", "RankProbeSynth", "RankProbeNPY", "RankProbeMatrix", "RankProbeLinearAlgebra"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
