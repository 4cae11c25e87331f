import FuzzSupport
import RankProbeLogs

// A whole log file through LogParser (line splitting, format detection, record conversion, Batch joins
// within the file), one parser thread. Errors are expected; crashes, hangs and leaks are findings.
let file = ScratchFile("input.jsonl")
let options = LogReadOptions(maxLineBytes: 1 << 16, maxDocumentBytes: 1 << 20, threads: 1, blockBytes: 1 << 12,
                             progress: false, maxProblems: 4)

@_cdecl("FuzzLogFile_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        file.write(bytes(data, size))
        if let (records, stats) = try? LogParser.readAll(paths: [file.path], options: options) {
            precondition(records.count <= stats.records, "\(records.count) records delivered, \(stats.records) counted")
        }
        return 0
    }
}
