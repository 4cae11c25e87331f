import Foundation
import RankProbeLogs
import Testing

/// Assembly speed on a large forced-token collection, records built in chunks outside the timed part.
/// Run with RANKPROBE_BENCH=1 (size: RANKPROBE_BENCH_N prompts × tokens, default 1500).
@Suite struct AssembleSpeedTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RANKPROBE_BENCH"] == "1"))
    func forcedTokenAssemblySpeed() throws {
        let n = Int(ProcessInfo.processInfo.environment["RANKPROBE_BENCH_N"] ?? "") ?? 1500
        let top = 5
        func lp(_ p: Int, _ t: Int) -> Double { -Double((p * 7919 + t * 104729) % 1000) / 100 - 0.01 }
        let texts = (0..<n).map { "tok\($0)" }
        let keys = (0..<n).map { String(format: "%064x", $0 &* 2654435761) }
        var assembler = Assembler()
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        var chunk: [LogRecord] = []
        chunk.reserveCapacity(n)
        for p in 0..<n {
            chunk.removeAll(keepingCapacity: true)
            let tops = (0..<top).map { LogRecord.Entry(token: texts[$0], bytes: Array(texts[$0].utf8), logprob: lp(p, $0)) }
            for t in 0..<n {
                chunk.append(LogRecord(file: "bench.jsonl", line: p * n + t + 1, format: .openaiBatch, model: "m",
                                       promptKey: keys[p], logitBias: [t: 100], maxTokens: 1,
                                       sampled: .init(token: texts[t], bytes: Array(texts[t].utf8), logprob: lp(p, t)), top: tops))
            }
            let start = clock.now
            assembler.add(contentsOf: chunk)
            elapsed += clock.now - start
        }
        let start = clock.now
        let a = try assembler.finish()
        let finish = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let finishSeconds = Double(finish.components.seconds) + Double(finish.components.attoseconds) * 1e-18
        let records = Double(n * n)
        print("assembly: \(n)×\(n) forced records (top \(top)): add \(String(format: "%.2f", seconds)) s "
              + "(\(Int(records / seconds)) records/s), finish \(String(format: "%.2f", finishSeconds)) s, "
              + "overall \(Int(records / (seconds + finishSeconds))) records/s")
        #expect(a.samples.rows == n && a.samples.columns == n)
        #expect(a.summary.repeatedCells == n * top)
        let r = a.samples.rowLabels!.firstIndex(of: keys[17])!
        let c = a.samples.columnLabels!.firstIndex(of: "42")!
        #expect(a.samples[r, c] == lp(17, 42))
    }
}
