import FuzzSupport
import RankProbeReport

// A batch manifest. The first byte picks the format (even: YAML, odd: JSON), the rest is the file.
let yaml = ScratchFile("manifest.yaml")
let json = ScratchFile("manifest.json")

@_cdecl("FuzzManifest_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        guard let first = input.first else { return 0 }
        let file = first & 1 == 0 ? yaml : json
        file.write(Array(input.dropFirst()))
        _ = try? BatchManifest.load(path: file.path)
        return 0
    }
}
