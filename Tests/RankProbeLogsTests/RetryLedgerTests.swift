import Foundation
import RankProbeLogs
import RankProbeSynth
import Testing

/// `RetryLedger`: Batch limits per file, and failed request/response pairs turned into Batch input lines.
@Suite struct RetryLedgerTests {
    static let model = SyntheticModel(hidden: 8, vocab: 60, seed: 2)

    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-retry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func filesRollOverAtTheRequestAndByteLimits() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try SyntheticLogs.write(source: Self.model, options: SyntheticLogOptions(
            format: .openaiBatch, protocol: .forced, prompts: 20, tokens: 20, topLogprobs: 0, failureRate: 0.05, corruptionRate: 0.05, seed: 4),
            to: dir + "/log")
        let retry = try LogIngest.loadWithRetries(paths: files).retry
        let k = retry.count
        #expect(k >= 20, "expected about 40 of 400 lost, got \(k)")
        #expect(retry.batchRequests == k && retry.notCopyable == 0)

        let byCount = try retry.write(to: dir + "/a", requestsPerFile: 7)
        #expect(byCount.requests == k)
        #expect(byCount.files.count == (k + 6) / 7)
        #expect(byCount.files.first == dir + "/a-0001.jsonl")
        for (i, f) in byCount.files.enumerated() { #expect(try lines(f).count == (i < byCount.files.count - 1 ? 7 : k - 7 * i)) }

        let size = try lines(byCount.files[0])[0].utf8.count + 1
        let bySize = try retry.write(to: dir + "/b", bytesPerFile: 3 * size + size / 2)
        #expect(bySize.requests == k)
        for f in bySize.files {
            let bytes = try #require(try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int)
            #expect(bytes <= 3 * size + size / 2)
        }
        // Same requests either way, each once.
        let a = try byCount.files.flatMap(lines), b = try bySize.files.flatMap(lines)
        #expect(a == b && Set(a).count == k)
    }

    @Test func failedPairsBecomeBatchInputLines() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try SyntheticLogs.write(source: Self.model, options: SyntheticLogOptions(
            format: .completionsPairs, protocol: .forced, prompts: 12, tokens: 12, topLogprobs: 2, failureRate: 0.08, seed: 7),
            to: dir + "/pairs")
        var failed: [(line: Int, request: String)] = []
        for (i, line) in try lines(files[0]).enumerated() where line.contains("\"response\":{\"error\"") {
            // The writer puts the request first: {"request":…,"response":…}.
            let request = line.dropFirst("{\"request\":".count).prefix { _ in true }
            let end = try #require(request.range(of: ",\"response\":"))
            failed.append((i + 1, String(request[..<end.lowerBound])))
        }
        #expect(failed.count >= 4)
        let loaded = try LogIngest.loadWithRetries(paths: files)
        #expect(loaded.summary.requestsRetryable == failed.count)
        let written = try loaded.retry.write(to: dir + "/retry")
        let out = try lines(try #require(written.files.first))
        #expect(out.count == failed.count)
        for (line, f) in zip(out, failed) {
            #expect(line == "{\"custom_id\":\"pairs.jsonl:\(f.line)-retry1\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":\(f.request)}")
        }
    }

    @Test func nothingLostWritesNothing() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try SyntheticLogs.write(source: Self.model, options: SyntheticLogOptions(
            format: .openaiBatch, protocol: .forced, prompts: 10, tokens: 10, topLogprobs: 0, seed: 1), to: dir + "/log")
        let loaded = try LogIngest.loadWithRetries(paths: files)
        #expect(loaded.summary.requestsRetryable == 0)
        let written = try loaded.retry.write(to: dir + "/retry")
        #expect(written.files.isEmpty && written.requests == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/retry-0001.jsonl"))
    }
}
