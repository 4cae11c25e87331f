import Foundation
import RankProbeLogs
import Testing

/// Throughput of the reader on big synthetic Batch API files, driven by Scripts/bench-ingest (which sets
/// RANKPROBE_BENCH_DIR to a folder with input.jsonl and output.jsonl). It does what
/// Scripts/bench_ingest_reference.py does — parse, join by custom_id, dense rows × columns matrix, row
/// centring — so the two MB/s figures compare like with like. Skipped when the variable is not set.
@Suite struct ParseBenchTests {
    static let dir = ProcessInfo.processInfo.environment["RANKPROBE_BENCH_DIR"]

    @Test(.enabled(if: dir != nil)) func batchJoinThroughput() throws {
        let dir = try #require(Self.dir)
        let paths = [dir + "/input.jsonl", dir + "/output.jsonl"]
        let bytes = try paths.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let start = Date()
        var rows: [String: Int] = [:]
        var cols: [Int: Int] = [:]
        var cells: [(Int, Int, Double)] = []
        var topEntries = 0
        let stats = try LogParser.read(paths: paths, options: LogReadOptions(progress: false)) { r in
            topEntries += r.top.count
            guard let key = r.promptKey, let sampled = r.sampled, r.logitBias.count == 1,
                  let forced = r.logitBias.keys.first else { return }
            let row = rows[key] ?? { rows[key] = rows.count; return rows.count - 1 }()
            let col = cols[forced] ?? { cols[forced] = cols.count; return cols.count - 1 }()
            cells.append((row, col, sampled.logprob))
        }
        var m = [Double](repeating: .nan, count: rows.count * cols.count)
        for (r, c, v) in cells { m[r * cols.count + c] = v }
        for r in 0..<rows.count {
            var sum = 0.0, n = 0.0
            for c in 0..<cols.count where !m[r * cols.count + c].isNaN { sum += m[r * cols.count + c]; n += 1 }
            let mean = sum / max(n, 1)
            for c in 0..<cols.count { m[r * cols.count + c] -= mean }
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(stats.records == cells.count)
        #expect(rows.count * cols.count == cells.count)
        #expect(!m.contains { $0.isNaN })
        print("RANKPROBE_BENCH {\"rows\": \(rows.count), \"columns\": \(cols.count), \"cells\": \(cells.count), "
              + "\"top_entries\": \(topEntries), \"seconds\": \(seconds), \"bytes\": \(bytes), "
              + "\"mb_per_s\": \(Double(bytes) / 1e6 / seconds)}")
    }
}
