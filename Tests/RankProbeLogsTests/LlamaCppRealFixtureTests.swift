import Foundation
import RankProbeLogs
import Testing

/// Recordings of a real llama.cpp server (SmolLM2-135M, d = 576; see Fixtures/llamacpp-real/README.md):
/// each file's records, protocols and retryable / unretryable counts, pinned.
@Suite struct LlamaCppRealFixtureTests {
    static func read(_ name: String) throws -> ([LogRecord], ReadStats) {
        try ParseFixtures.read(["llamacpp-real/" + name], threads: 1)
    }

    static func ingest(_ name: String) throws -> IngestSummary {
        try LogIngest.loadWithRetries(paths: [ParseFixtures.path("llamacpp-real/" + name)],
                                      options: LogIngestOptions(progress: false, threads: 1)).summary
    }

    /// This server computes `n_probs` from the raw logits: the bias moves the sampled token, not the
    /// returned values. The reader sees that (the best returned token is not a biased one) and reads the
    /// values as returned; subtracting 100 from them, or taking them as shifted, would be wrong.
    @Test func bareBiasedCompletionsAreReadAsReturned() throws {
        let (records, stats) = try Self.read("completion-biased.jsonl.gz")
        #expect(stats.formats == [.llamacpp])
        #expect(records.count == 18 && stats.skipped.isEmpty)
        #expect(records.allSatisfy { $0.logitBias.count == 10 && $0.logitBias.values.allSatisfy { $0 == 100 } })
        #expect(records.map { LogProtocol.detect($0, forcedMinBias: 20) } == Array(repeating: .direct, count: 18))
        // The sampled token is a biased one, at its raw (unbiased) logprob, far from 0.
        #expect(records.allSatisfy { r in r.sampled.map { r.logitBias[$0.id!] == 100 && $0.logprob < -4 } ?? false })
        #expect(records.allSatisfy { $0.top.count == 10 && $0.top.allSatisfy { $0.id != nil && $0.bytes != nil } })
        let summary = try Self.ingest("completion-biased.jsonl.gz")
        #expect(summary.protocols == ["direct": 5])  // the complete block keeps 5 of the 6 prompts
        #expect(summary.rowsSeen == 6 && summary.rowsKept == 5)
    }

    @Test func forcedCompletionsAndTheByteFragmentToken() throws {
        let (records, stats) = try Self.read("completion-forced.jsonl")
        #expect(records.count == 9)
        #expect(records.map { LogProtocol.detect($0, forcedMinBias: 20) } == Array(repeating: .forced, count: 9))
        #expect(stats.skipped == [ReadStats.Reason.fragmentToken: 3])
        #expect(stats.unretryableTokens == [141: 3])
        #expect(stats.retry.count == 0)
        let summary = try Self.ingest("completion-forced.jsonl")
        #expect(summary.requestsRetryable == 0)
        #expect(summary.requestsUnretryable == 3)
        #expect(summary.unretryableTokens == [141])
        #expect(summary.protocols == ["forced": 3])
    }

    /// The same biased request under two seeds: one samples the word (answered), one the fragment (no
    /// `completion_probabilities`: retryable, since another seed answers it).
    @Test func anAnswerDroppedForAnIncompleteUTF8TokenIsRetryable() throws {
        let (records, stats) = try Self.read("completion-dropped-utf8.jsonl")
        #expect(records.map(\.line) == [1])
        #expect(records[0].logitBias.keys.sorted() == [141, 352])
        #expect(LogProtocol.detect(records[0], forcedMinBias: 20) == .direct)
        #expect(stats.skipped == [ReadStats.Reason.probabilitiesDropped: 1])
        #expect(stats.retry.count == 1)
        #expect(stats.unretryableTokens.isEmpty)
    }

    @Test func postSamplingProbabilitiesAreRefused() throws {
        let (records, stats) = try Self.read("completion-post-sampling.jsonl")
        #expect(records.isEmpty)
        #expect(stats.skipped == [ReadStats.Reason.postSampling: 2])
        // n_probs 100 came back as at most what top_k (40) kept: 16 and 10 entries, summing to 1.
        let lines = try String(contentsOfFile: ParseFixtures.path("llamacpp-real/completion-post-sampling.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let counts = try lines.map { line -> Int in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let first = try #require((object["completion_probabilities"] as? [[String: Any]])?.first)
            return try #require(first["top_probs"] as? [Any]).count
        }
        #expect(counts == [16, 10])
    }

    @Test func chatPairs() throws {
        let (records, stats) = try Self.read("chat-pairs.jsonl")
        #expect(stats.formats == [.pairs])
        #expect(records.count == 4)
        #expect(records.map { LogProtocol.detect($0, forcedMinBias: 20) } == Array(repeating: .direct, count: 4))
        #expect(records.allSatisfy { $0.sampled?.id != nil && $0.top.count == 5 })
        #expect(stats.skipped == [ReadStats.Reason.fragmentToken: 1])  // forced 141: no `logprobs` key
        #expect(stats.unretryableTokens == [141: 1])
    }

    @Test func v1CompletionsBareAndPaired() throws {
        let (bare, bareStats) = try Self.read("v1-completions.jsonl")
        #expect(bareStats.formats == [.openaiCompletions])
        #expect(bare.count == 3 && bare.allSatisfy { $0.promptKey == nil && $0.sampled?.id != nil && $0.top.count == 5 })
        #expect(bareStats.skipped == [ReadStats.Reason.noLogprobs: 1])  // "logprobs": null, and no request to say more
        let (pairs, stats) = try Self.read("v1-completions-pairs.jsonl")
        #expect(pairs.count == 3 && pairs.allSatisfy { $0.promptKey != nil })
        #expect(pairs[0].sampled?.id == 198)
        #expect(stats.skipped == [ReadStats.Reason.fragmentToken: 1])
        #expect(stats.unretryableTokens == [141: 1])
    }
}
