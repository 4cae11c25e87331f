import Foundation

/// Temporary directories for tests that write files (synthetic inputs come from `RankProbeSynth`).
enum TestData {
    static func temporaryDirectory(_ tag: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("rankprobe-report-\(tag)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
