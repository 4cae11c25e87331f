import Foundation
import RankProbeLogs
import Testing

/// Whole-ingest throughput on big synthetic Batch API files, driven by Scripts/bench-ingest (which sets
/// RANKPROBE_BENCH_DIR to a folder with input.jsonl and output.jsonl). Timed: everything `rankprobe
/// estimate` does before the spectrum — `LogIngest.load` (read both files, join by custom_id, assemble every
/// entry including the top_logprobs, learn id↔text pairs, combine repeats, select the complete block into
/// the dense matrix) — plus the row centring the Python reference ends with. Nothing is subtracted.
/// Skipped when the variable is not set.
@Suite struct ParseBenchTests {
    static let dir = ProcessInfo.processInfo.environment["RANKPROBE_BENCH_DIR"]

    @Test(.enabled(if: dir != nil)) func batchIngestThroughput() throws {
        let dir = try #require(Self.dir)
        let paths = [dir + "/input.jsonl", dir + "/output.jsonl"]
        let bytes = try paths.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let start = Date()
        let (samples, summary) = try LogIngest.load(paths: paths, options: LogIngestOptions(progress: false))
        var m = samples.values
        let n = samples.columns
        for r in 0..<samples.rows {
            var sum = 0.0
            for c in 0..<n { sum += m[r * n + c] }
            let mean = sum / Double(max(n, 1))
            for c in 0..<n { m[r * n + c] -= mean }
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(summary.requestsUsed == samples.rows * samples.columns)
        #expect(summary.skipped.isEmpty)
        #expect(!m.contains { $0.isNaN })
        print("RANKPROBE_BENCH {\"rows\": \(samples.rows), \"columns\": \(samples.columns), \"cells\": \(summary.requestsUsed), "
              + "\"seconds\": \(seconds), \"bytes\": \(bytes), \"mb_per_s\": \(Double(bytes) / 1e6 / seconds)}")
    }
}
