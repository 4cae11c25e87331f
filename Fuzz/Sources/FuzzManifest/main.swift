import Foundation
import FuzzSupport
@testable import RankProbeReport

// A batch manifest, parsed from memory (BatchManifest.parse(data:path:), what load(path:) calls after
// reading the file). The first byte picks the format (even: YAML, odd: JSON), the rest is the text.
@_cdecl("FuzzManifest_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        guard let first = input.first else { return 0 }
        let path = first & 1 == 0 ? "/fuzz/manifest.yaml" : "/fuzz/manifest.json"
        _ = try? BatchManifest.parse(data: Data(input.dropFirst()), path: path)
        return 0
    }
}
