// swift-tools-version:6.0
//
// libFuzzer harnesses for rankprobe's parsers, one executable per parser. A package of its own so that
// `swift test` on the root never builds them; build and run them with `Scripts/fuzz TARGET SECONDS`, which
// passes the sanitizer flags (see Scripts/fuzz for why each is needed) and uses `.build-fuzz/`.
import Foundation
import PackageDescription

// A path dependency's identity is its directory name, which is whatever the clone is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: rootIdentity) })
}

let package = Package(
    name: "rankprobe-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        harness("FuzzNPY", ["RankProbeNPY"]),
        harness("FuzzLogLine", ["RankProbeLogRecords"]),
        harness("FuzzLogFile", ["RankProbeLogs"]),
        harness("FuzzGzip", ["RankProbeLogs"]),
        harness("FuzzManifest", ["RankProbeReport"]),
    ],
    swiftLanguageModes: [.v6]
)
