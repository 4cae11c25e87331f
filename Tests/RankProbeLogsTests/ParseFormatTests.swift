import Foundation
import RankProbeLogs
import Testing

/// Each real log shape parses to the records worked out by hand from the fixtures that
/// Scripts/make-fixtures.py writes (OpenAI shapes via the SDK's model_dump_json, with its null fields).
enum ParseFixtures {
    static func path(_ name: String) throws -> String {
        let dir = try #require(Bundle.module.path(forResource: "Fixtures", ofType: nil))
        return dir + "/" + name
    }

    static func read(_ names: [String], threads: Int = 2) throws -> ([LogRecord], ReadStats) {
        try LogParser.readAll(paths: names.map(path), options: LogReadOptions(threads: threads, progress: false))
    }
}

extension LogRecord.Entry {
    var summary: String { "\(id.map(String.init) ?? "-")|\(token ?? "-")|\(logprob)" }
}

@Suite struct ParseFormatTests {
    @Test func chatCompletionsJSONL() throws {
        let (records, stats) = try ParseFixtures.read(["parse-chat.jsonl"])
        #expect(stats.formats == [.openaiChat])
        #expect(stats.linesRead == 4)
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(stats.skipped == [ReadStats.Reason.noLogprobs: 1])

        let r1 = records[0]
        #expect(r1.format == .openaiChat)
        #expect(r1.model == "gpt-4o-mini-2024-07-18")
        #expect(r1.promptKey == nil)  // a bare response has no request
        #expect(r1.sampled == LogRecord.Entry(token: "Paris", bytes: Array("Paris".utf8), logprob: -0.25))
        #expect(r1.top.map(\.summary) == ["-|Paris|-0.25", "-| Paris|-1.5", "-|Lyon|-3.0"])

        // -9999 placeholder dropped from top and counted.
        let r2 = records[1]
        #expect(r2.top.map(\.summary) == ["-|Yes|-0.5", "-|No|-1.0"])
        #expect(r2.droppedEntries == 1)
        #expect(stats.droppedEntries == [ReadStats.Reason.placeholder: 1])

        let r4 = records[2]
        #expect(r4.sampled?.token == "é")
        #expect(r4.sampled?.bytes == [0xC3, 0xA9])
        #expect(r4.top.map(\.logprob) == [-2.0, -0.75])
        #expect(stats.linesRead == stats.records + stats.requestsFailed + stats.skipped.values.reduce(0, +))
    }

    @Test func wholeFileDocumentAndArray() throws {
        let (single, s1) = try ParseFixtures.read(["parse-chat-single.json"])
        #expect(s1.linesRead == 1)
        #expect(single.count == 1)
        #expect(single.first?.sampled?.logprob == -0.5)
        #expect(single.first?.top.map(\.summary) == ["-|Blue|-0.5", "-|Red|-2.5"])

        let (array, s2) = try ParseFixtures.read(["parse-chat-array.json"])
        #expect(s2.linesRead == 2)
        #expect(array.map(\.line) == [1, 2])  // element index for whole-file arrays
        #expect(array.compactMap(\.sampled?.token) == ["A", "B"])
        #expect(array.compactMap(\.sampled?.logprob) == [-1.0, -2.0])
    }

    @Test func legacyCompletions() throws {
        let (records, stats) = try ParseFixtures.read(["parse-completions.jsonl"])
        #expect(stats.formats == [.openaiCompletions])
        #expect(records.count == 2)
        #expect(records[0].sampled?.summary == "-| the|-0.5")
        #expect(records[0].top.map(\.summary) == ["-| the|-0.5", "-| a|-1.75"])
        #expect(records[1].top.map(\.summary) == ["-| cat|-1.0", "-| dog|-1.25"])
    }

    @Test func batchJoinWithGzipOutput() throws {
        // Output first on purpose: the reader indexes the input before joining whatever the order.
        let (records, stats) = try ParseFixtures.read(["parse-batch-output.jsonl.gz", "parse-batch-input.jsonl"])
        #expect(stats.formats == [.openaiBatch])
        #expect(stats.linesRead == 10)
        #expect(stats.batchInputLines == 4)
        #expect(stats.requestsRead == 6)
        #expect(stats.requestsFailed == 2)
        #expect(stats.failures == ["HTTP 429": 1, "batch_expired": 1])
        #expect(stats.skipped == [ReadStats.Reason.unknownCustomID: 1])
        #expect(stats.problems.contains { $0.line == 5 && $0.message.contains("req-9-9999") && $0.file.hasSuffix(".gz") })

        // Output lines 1, 2, 4 are the successful, known requests.
        #expect(records.map(\.line) == [1, 2, 4])
        let city = "958c5a15db9c2aa9ab5d1ba381730a23f8673f9cd6bb72f16d558c06ac98cf12"  // sha256 of the canonical city prompt
        #expect(records[0].promptKey == city)
        #expect(records[0].logitBias == [5678: 100])
        #expect(records[0].maxTokens == 1)
        #expect(records[0].sampled?.summary == "-|Rome|-0.5")
        #expect(records[1].logitBias == [1234: 100])
        #expect(records[1].sampled?.logprob == -1.5)
        // Same prompt, different forced token → same row key; custom_id does not enter the key.
        #expect(records[1].promptKey == records[2].promptKey)
        #expect(records[1].promptKey != city)
        #expect(records[2].sampled?.summary == "-|Rome|-4.0")
        #expect(records.allSatisfy { $0.format == .openaiBatch && $0.model == "gpt-4o-mini-2024-07-18" })
    }

    @Test func requestResponsePairs() throws {
        let (records, stats) = try ParseFixtures.read(["parse-pairs.jsonl"])
        #expect(stats.formats == [.pairs])
        #expect(records.count == 3)
        #expect(records[0].promptKey == records[1].promptKey)
        #expect(records[2].promptKey == "958c5a15db9c2aa9ab5d1ba381730a23f8673f9cd6bb72f16d558c06ac98cf12")
        #expect(records[0].logitBias == [1234: 100])
        #expect(records.compactMap(\.sampled?.logprob) == [-1.5, -1.25, -0.5])
    }

    @Test func vllmWithPromptLogprobsAndTokenIDs() throws {
        let (records, stats) = try ParseFixtures.read(["parse-vllm.jsonl"])
        #expect(stats.formats == [.vllm])
        let r = try #require(records.first)
        #expect(r.model == "meta-llama/Llama-3.1-8B")
        #expect(r.sampled?.summary == "12366|token_id:12366|-0.125")
        #expect(r.top.map(\.id) == [12366, 279])
        #expect(r.top.map(\.logprob) == [-0.125, -2.5])
        let prompt = try #require(r.promptLogprobs)
        #expect(prompt.count == 3)
        #expect(prompt[0].isEmpty)  // JSON null: no alternatives for the first prompt token
        #expect(prompt[1].map(\.summary) == ["791|The|-7.5", "16|,|-1.0"])
        #expect(prompt[2].map(\.summary) == ["6864| capital|-3.25"])
        #expect(r.promptKey == nil)
    }

    @Test func llamaCppBothShapes() throws {
        let (records, stats) = try ParseFixtures.read(["parse-llamacpp.jsonl", "parse-llamacpp-old.json"])
        #expect(stats.formats == [.llamacpp])
        #expect(records.count == 2)
        let new = records[0]
        #expect(new.sampled?.summary == "12366| Paris|-0.0625")
        #expect(new.sampled?.bytes == Array(" Paris".utf8))
        #expect(new.top.map(\.summary) == ["12366| Paris|-0.0625", "279| the|-3.0"])
        // The echoed prompt and generation_settings stand in for the request.
        #expect(new.promptKey == "09261da63143782e1c5d6e203d1bfa945c9e0c6843e0faf7c556b4db0182ed2d")
        #expect(new.logitBias == [12366: 100])
        #expect(new.maxTokens == 1)

        let old = records[1]
        #expect(old.file.hasSuffix("parse-llamacpp-old.json"))
        #expect(old.sampled?.token == " Paris")
        #expect(old.sampled?.logprob == log(0.5))
        #expect(old.top.map(\.logprob) == [log(0.5), log(0.25)])  // prob 0 → -inf → dropped
        #expect(old.droppedEntries == 1)
        #expect(stats.droppedEntries == [ReadStats.Reason.nonFinite: 1])
        #expect(old.promptKey == new.promptKey)
    }

    @Test func oneAndTwoThreadsAgree() throws {
        let names = ["parse-batch-input.jsonl", "parse-batch-output.jsonl.gz"]
        let (a, sa) = try ParseFixtures.read(names, threads: 1)
        let (b, sb) = try ParseFixtures.read(names, threads: 2)
        #expect(a == b)
        #expect(sa == sb)
    }
}
