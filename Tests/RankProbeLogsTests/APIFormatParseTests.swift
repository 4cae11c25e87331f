import Foundation
@testable import RankProbeLogRecords
import Testing

/// Format decisions without JSON (FormatDetection), and the 2026 API fixtures read field by field: the
/// OpenAI shapes made by the `openai` SDK's own types (Fixtures/openai-sdk, Scripts/make-openai-sdk-fixtures.py),
/// the others written from their documentation (Fixtures/apis-2026/README.md).
@Suite struct APIFormatParseTests {
    @Test func formatDetectionDecidesFromMarkers() {
        typealias M = FormatMarkers
        #expect(FormatDetection.classify(M(kind: .response, shape: .responses))! == (.openaiResponses, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .gemini))! == (.gemini, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .ollama))! == (.ollama, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .sglang))! == (.sglang, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .chat, vllm: true))! == (.vllm, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .completions))! == (.openaiCompletions, .records))
        #expect(FormatDetection.classify(M(kind: .batchOutput, shape: .responses))! == (.openaiBatch, .batchOutput))
        #expect(FormatDetection.classify(M(kind: .pair, shape: .gemini))! == (.pairs, .records))
        #expect(FormatDetection.classify(M(kind: .response, shape: .error)) == nil)
        #expect(FormatDetection.classify(M(kind: .unknown, shape: .none)) == nil)
        #expect(FormatDetection.compatible(.vllm, .openaiCompletions) && !FormatDetection.compatible(.gemini, .ollama))
    }

    static let sdkTop: [[Double]] = [[-0.25, -1.5, -2.75, -4.0], [-0.5, -1.25, -3.0, -3.5], [-0.75, -1.0, -2.0, -5.0]]

    func expectSDKValues(_ records: [LogRecord], order: [Int] = [0, 1, 2]) {
        #expect(records.count == order.count)
        for (r, i) in zip(records, order) {
            #expect(r.sampled?.token == "T\(i)" && r.sampled?.logprob == Self.sdkTop[i][0])
            #expect(r.sampled?.bytes == Array("T\(i)".utf8))
            #expect(r.top.map(\.logprob) == Self.sdkTop[i])
            #expect(r.top.map { $0.token ?? "" } == ["T\(i)", "A", "B", "C"])
            #expect(r.model == "gpt-4.1-mini-2025-04-14")
        }
    }

    @Test func responsesAPIThroughTheSDKsTypes() throws {
        let (bare, bareStats) = try ParseFixtures.read(["openai-sdk/responses-bare.jsonl"])
        #expect(bareStats.formats == [.openaiResponses])
        expectSDKValues(bare)
        #expect(bare.allSatisfy { $0.promptKey == nil && $0.format == .openaiResponses })

        let (pretty, prettyStats) = try ParseFixtures.read(["openai-sdk/responses-pretty.json"])
        #expect(prettyStats.formats == [.openaiResponses])
        expectSDKValues(pretty, order: [0])

        let (pairs, pairStats) = try ParseFixtures.read(["openai-sdk/responses-pairs.jsonl"])
        #expect(pairStats.formats == [.pairs] && pairStats.skipped.isEmpty)
        expectSDKValues(pairs)
        #expect(Set(pairs.compactMap(\.promptKey)).count == 3)

        let (batch, batchStats) = try ParseFixtures.read(["openai-sdk/responses-batch.output.jsonl", "openai-sdk/responses-batch.input.jsonl"])
        #expect(batchStats.formats == [.openaiBatch] && batchStats.skipped.isEmpty)
        expectSDKValues(batch, order: [2, 1, 0])
        // A Responses `input` string keys like the same text as one chat user message, and the Batch input
        // keys like the pair's request.
        let (chat, _) = try ParseFixtures.read(["openai-sdk/chat-pairs.jsonl"])
        expectSDKValues(chat)
        #expect(chat.map(\.promptKey) == pairs.map(\.promptKey))
        #expect(batch.map(\.promptKey) == pairs.reversed().map(\.promptKey))
    }

    @Test func chatCompletionsThroughTheSDKsTypes() throws {
        let (bare, stats) = try ParseFixtures.read(["openai-sdk/chat-bare.jsonl"])
        #expect(stats.formats == [.openaiChat])
        expectSDKValues(bare)
    }

    @Test func gemini() throws {
        let (records, stats) = try ParseFixtures.read(["apis-2026/gemini-pairs.jsonl"])
        #expect(stats.formats == [.pairs])
        #expect(stats.requestsFailed == 1 && records.count == 1)
        let r = try #require(records.first)
        #expect(r.sampled?.summary == "1404|Hi|-0.125")
        #expect(r.top.map(\.summary) == ["1404|Hi|-0.125", "9259|Hello|-2.5", "10755|Hey|-3.25"])
        #expect(r.maxTokens == 1 && r.promptKey != nil)

        let (bare, bareStats) = try ParseFixtures.read(["apis-2026/gemini-bare.json"])
        #expect(bareStats.formats == [.gemini])
        #expect(bare.count == 1 && bare[0].model == "gemini-2.5-flash")
        #expect(bareStats.skipped == [ReadStats.Reason.noLogprobs: 1])
    }

    @Test func ollamaGenerateAndChat() throws {
        let (records, stats) = try ParseFixtures.read(["apis-2026/ollama-pairs.jsonl"])
        #expect(records.count == 2)
        #expect(records[0].sampled?.summary == "-|Hi|-0.5" && records[0].top.map(\.logprob) == [-0.5, -1.75])
        #expect(records[1].sampled?.summary == "-|Hey|-0.25" && records[1].top.map(\.logprob) == [-0.25, -2.0])
        #expect(records[0].maxTokens == 1)
        #expect(records[0].promptKey != records[1].promptKey)  // a generate prompt and a chat message differ
        // Asked for logprobs, answered without them: counted as retryable, not silently lost.
        #expect(stats.skipped == [ReadStats.Reason.probabilitiesDropped: 1])
        #expect(stats.retry.count == 1)
    }

    @Test func sglangTopTrackedAndInputPositions() throws {
        let (records, _) = try ParseFixtures.read(["apis-2026/sglang-pairs.jsonl"])
        let r = try #require(records.first)
        #expect(r.sampled?.summary == "12366|-|-0.5")
        // The top list and the tracked ids share 12366: it is listed once. The request tracks 12366, 3681
        // and 7, so the top-k extra (279) is left out: it would be a column of holes.
        #expect(r.top.map(\.summary) == ["12366|-|-0.5", "3681|-|-9.75", "7|-|-11.0"])
        #expect(r.maxTokens == 1)
        let positions = try #require(r.promptLogprobs)
        #expect(positions.count == 3)
        #expect(positions[0].isEmpty)
        #expect(positions[1].map(\.summary) == ["12366|-|-9.0", "3681|-|-8.5", "7|-|-6.0"])
        #expect(positions[2].map(\.summary) == ["12366|-|-4.0", "3681|-|-5.5", "7|-|-7.25"])
        #expect(LogProtocol.detect(r, forcedMinBias: 20) == .direct)
    }

    @Test func litellmLoggingPayload() throws {
        let (records, stats) = try ParseFixtures.read(["apis-2026/litellm-payload.jsonl"])
        #expect(stats.formats == [.litellm])
        #expect(records.count == 1 && stats.requestsFailed == 1)
        #expect(stats.failures.keys.first?.hasPrefix("litellm.RateLimitError") == true)
        let r = try #require(records.first)
        #expect(r.logitBias == [13225: 100] && r.maxTokens == 1)
        #expect(r.sampled?.summary == "-|Hi|-0.125" && r.top.map(\.logprob) == [-0.125, -2.5])
        #expect(r.model == "gpt-4o-mini-2024-07-18")
        // The payload's `messages` key like the same chat request in a {request, response} pair.
        let (chat, _) = try ParseFixtures.read(["openai-sdk/chat-pairs.jsonl"])
        #expect(r.promptKey == chat[0].promptKey)
        #expect(stats.retry.count == 0)  // a payload is not a request line that could be resent as is
    }

    @Test func vllmTrackedIds() throws {
        let (records, stats) = try ParseFixtures.read(["apis-2026/vllm-tracked.jsonl"])
        #expect(stats.formats == [.pairs] && records.count == 2)
        #expect(records[0].top.map(\.summary) == ["-| Paris|-0.5", "-|Lyon|-9.75", "-|(|-11.0"])
        // By id, only the tracked ids are kept: the sampled token 25048 was not asked about.
        #expect(records[1].sampled == nil)
        #expect(records[1].top.map(\.summary) == ["12366|token_id:12366|-8.0", "3681|token_id:3681|-10.5", "7|token_id:7|-12.0"])
        #expect(records.allSatisfy { LogProtocol.detect($0, forcedMinBias: 20) == .direct })
    }
}
