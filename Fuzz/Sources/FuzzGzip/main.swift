import FuzzSupport
import RankProbeLogs

// The input is the bytes of a `.jsonl.gz` file: zlib's stream handling through the shim (corrupt and
// truncated members, concatenated members, trailing garbage), then the lines it yields.
let file = ScratchFile("input.jsonl.gz")
let options = LogReadOptions(maxLineBytes: 1 << 16, maxDocumentBytes: 1 << 20, threads: 1, blockBytes: 1 << 12,
                             progress: false, maxProblems: 4)

@_cdecl("FuzzGzip_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        file.write(bytes(data, size))
        _ = try? LogParser.readAll(paths: [file.path], options: options)
        return 0
    }
}
