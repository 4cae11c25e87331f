import Foundation
import RankProbeLogs
import RankProbeSynth
import Testing

/// What llama.cpp's server really sends (read from its source, tools/server/server-task.cpp and
/// server-context.cpp, and recorded from a real server: see Fixtures/llamacpp-real/README.md), and how the
/// reader must take it: the echoed `logit_bias` shape, answers withheld for incomplete UTF-8 tokens,
/// `/v1/completions` with chat-style entries, post-sampling probabilities, log 0 written as -3.4e38.
@Suite struct LlamaCppServerTests {
    /// A bare `/completion` response line (n_predict 1) with the given echoed `logit_bias` JSON.
    static func bare(bias: String, prompt: String = "The capital of France is", nProbs: Int = 3, post: Bool = false,
                     probs: String? = defaultProbs, seed: Int = 7) -> String {
        var s = #"{"index":0,"content":" Paris","tokens":[],"id_slot":0,"stop":true,"model":"smollm2","tokens_predicted":1,"#
        s += #""tokens_evaluated":6,"generation_settings":{"seed":\#(seed),"temperature":0.800000011920929,"top_k":40,"#
        s += #""n_predict":1,"logit_bias":\#(bias),"n_probs":\#(nProbs),"post_sampling_probs":\#(post)},"#
        s += #""prompt":"\#(prompt)","stop_type":"limit","timings":{"predicted_n":1}"#
        if let probs { s += #","completion_probabilities":\#(probs)"# }
        return s + "}"
    }

    static let defaultProbs = #"[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.5,"top_logprobs":[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.5},{"id":260,"token":" t","bytes":[32,116],"logprob":-1.25}]}]"#

    static func write(_ lines: [String], name: String = "log.jsonl") throws -> (dir: String, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-llamacpp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    static func read(_ lines: [String]) throws -> ([LogRecord], ReadStats) {
        let (dir, path) = try write(lines)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try LogParser.readAll(paths: [path], options: LogReadOptions(threads: 1, progress: false))
    }

    @Test func echoedBiasIsReadInEveryShape() throws {
        let (records, stats) = try Self.read([
            Self.bare(bias: #"[{"bias":100.0,"token":260},{"bias":100.0,"token":7042}]"#),  // what the server echoes
            Self.bare(bias: #"[[260,100.0]]"#),
            Self.bare(bias: #"{"260":100}"#),
            Self.bare(bias: #"[{"bias":5,"token":"261"},{"bias":5,"token":[262,263]}]"#),
            Self.bare(bias: #"[{"bias":null,"token":2},{"bias":100.0,"token":260}]"#),  // null: an echoed ban (-inf)
            Self.bare(bias: "[]"),
        ])
        #expect(stats.skipped.isEmpty, "\(stats.problems)")
        #expect(records.map(\.logitBias) == [[260: 100, 7042: 100], [260: 100], [260: 100], [261: 5, 262: 5, 263: 5], [260: 100], [:]])
        #expect(records.allSatisfy { $0.maxTokens == 1 && $0.promptKey != nil })
        // Several biased ids → biased, not direct (the old reader saw no bias here and said `direct`).
        #expect(LogProtocol.detect(records[0], forcedMinBias: 20) == .biased)
        #expect(LogProtocol.detect(records[5], forcedMinBias: 20) == .direct)
    }

    @Test func protocolsThatCannotBeEstablishedAreSkippedWithTheReason() throws {
        let noSettings = #"{"index":0,"content":" Paris","model":"smollm2","tokens_predicted":1,"prompt":"The capital of France is","completion_probabilities":\#(Self.defaultProbs)}"#
        let post = #"[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"prob":0.75,"top_probs":[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"prob":0.75},{"id":260,"token":" t","bytes":[32,116],"prob":0.25}]}]"#
        let (records, stats) = try Self.read([
            Self.bare(bias: #"[["Paris",100]]"#),
            Self.bare(bias: #"{"Paris":100}"#),
            noSettings,
            Self.bare(bias: "[]", post: true, probs: post),
            Self.bare(bias: #"[{"bias":"high","token":260}]"#),
        ])
        #expect(records.isEmpty)
        #expect(stats.skipped == [
            ReadStats.Reason.biasByText: 2, ReadStats.Reason.biasUnknown: 1, ReadStats.Reason.postSampling: 1,
            ReadStats.Reason.malformed: 1,
        ])
        #expect(stats.problems.map(\.line) == [1, 2, 3, 4, 5])
        #expect(stats.problems[3].message.contains("post_sampling_probs"))
        #expect(stats.problems[4].message == "a logit_bias value is not a number or false")
    }

    @Test func answersWithoutProbabilitiesAreRetryableUnlessTheForcedTokenIsAFragment() throws {
        let lines = [
            Self.bare(bias: #"[{"bias":100.0,"token":260},{"bias":100.0,"token":261}]"#, probs: nil),  // biased: retryable
            Self.bare(bias: #"[{"bias":100.0,"token":189}]"#, probs: nil),                           // forced fragment
            Self.bare(bias: #"[{"bias":100.0,"token":189}]"#, prompt: "Another prompt", probs: nil),
            Self.bare(bias: "[]", nProbs: 0, probs: nil),                                            // never asked
            Self.bare(bias: "[]"),
        ]
        let (dir, path) = try Self.write(lines, name: "bare.jsonl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (records, stats) = try LogParser.readAll(paths: [path], options: LogReadOptions(threads: 1, progress: false))
        #expect(records.map(\.line) == [5])
        #expect(stats.skipped == [ReadStats.Reason.probabilitiesDropped: 1, ReadStats.Reason.fragmentToken: 2,
                                  ReadStats.Reason.noLogprobs: 1])
        #expect(stats.unretryableTokens == [189: 2])
        #expect(stats.retry.count == 1)

        // The retry is rebuilt from the echo: prompt verbatim, bias in request form, another seed.
        let written = try stats.retry.write(to: dir + "/retry")
        #expect(written.requests == 1 && written.files == [dir + "/retry-0001.jsonl"])
        let line = try String(contentsOfFile: written.files[0], encoding: .utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["custom_id"] as? String == "bare.jsonl:1-retry1")
        #expect(object["url"] as? String == "/completion")
        let body = try #require(object["body"] as? [String: Any])
        #expect(body["prompt"] as? String == "The capital of France is")
        #expect(body["n_predict"] as? Int == 1 && body["n_probs"] as? Int == 3)
        #expect(body["seed"] as? Int == 8)
        #expect((body["logit_bias"] as? [[Double]]) == [[260, 100], [261, 100]])
        #expect(line.hasPrefix(#"{"custom_id":"bare.jsonl:1-retry1","method":"POST","url":"/completion","body":{"prompt":"The capital of France is","#))

        // Through ingest: the counts and a warning naming the tokens.
        let (_, summary, retry) = try LogIngest.loadWithRetries(paths: [path], options: LogIngestOptions(progress: false, threads: 1))
        #expect(retry.count == 1)
        #expect(summary.requestsRetryable == 1)
        #expect(summary.requestsUnretryable == 2)
        #expect(summary.unretryableTokens == [189])
        #expect(summary.notes.contains { $0.hasPrefix("warning: 2 forced requests got no probabilities") && $0.contains("token ids 189;") })
    }

    @Test func pairsAnsweredWithoutProbabilitiesAreRetryable() throws {
        let request = #"{"model":"smollm2","messages":[{"role":"user","content":"Hi"}],"max_tokens":1,"logprobs":true,"top_logprobs":5,"logit_bias":{"260":100}}"#
        let chatNoLogprobs = #"{"choices":[{"finish_reason":"length","index":0,"message":{"role":"assistant","content":""}}],"created":1,"model":"smollm2","object":"chat.completion","id":"chatcmpl-1"}"#
        let v1Null = #"{"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}],"created":1,"model":"smollm2","object":"text_completion","id":"cmpl-1"}"#
        let v1Request = #"{"model":"smollm2","prompt":"Hi","max_tokens":1,"logprobs":5,"logit_bias":{"260":100,"261":100}}"#
        let (records, stats) = try Self.read([
            #"{"request":\#(request),"response":\#(chatNoLogprobs)}"#,           // forced fragment: not retryable
            #"{"request":\#(v1Request),"response":\#(v1Null)}"#,                 // two biased ids: retryable
        ])
        #expect(records.isEmpty)
        #expect(stats.skipped == [ReadStats.Reason.fragmentToken: 1, ReadStats.Reason.probabilitiesDropped: 1])
        #expect(stats.unretryableTokens == [260: 1])
        #expect(stats.retry.count == 1)
    }

    @Test func v1CompletionsWithChatStyleEntriesAndLogZero() throws {
        let request = #"{"model":"smollm2","prompt":"The capital of France is","max_tokens":1,"logprobs":3}"#
        let response = #"{"choices":[{"text":" Paris","index":0,"logprobs":{"content":[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.5,"top_logprobs":[{"id":7042,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.5},{"id":189,"token":"","bytes":[226],"logprob":-2.0},{"id":99,"token":"x","bytes":[120],"logprob":-3.4028234663852886e38}]}]},"finish_reason":"length"}],"created":1,"model":"smollm2","system_fingerprint":"b11434","object":"text_completion","usage":{},"id":"cmpl-1"}"#
        let bare = try Self.read([response, response])
        #expect(bare.1.formats == [.openaiCompletions])
        #expect(bare.1.skipped.isEmpty, "\(bare.1.problems)")  // one format, not "another format"
        let (records, stats) = try Self.read([#"{"request":\#(request),"response":\#(response)}"#])
        #expect(stats.formats == [.pairs])
        let r = try #require(records.first)
        #expect(r.sampled?.summary == "7042| Paris|-0.5")
        // Text "" for a byte fragment: the id and bytes are what identify it.
        #expect(r.top.map(\.summary) == ["7042| Paris|-0.5", "189||-2.0"])
        #expect(r.top[1].bytes == [226])
        #expect(r.droppedEntries == 1)  // -3.4e38 is llama.cpp's log 0
        #expect(stats.droppedEntries == [ReadStats.Reason.nonFinite: 1])
    }

    /// The misreading at small scale: a bare biased llama.cpp log (d = 24, 8 probe groups of 11 tokens per
    /// prompt). Read with its echoed bias, the matrix is the model's logit differences; read as the old
    /// reader did (no bias seen → direct), each request's normaliser is an extra dimension.
    @Test func bareBiasedLogIsReadAsBiased() throws {
        let model = SyntheticModel(hidden: 24, vocab: 120, seed: 5)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-llamacpp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let options = SyntheticLogOptions(format: .llamacpp, protocol: .biased, prompts: 48, tokens: 81, topLogprobs: 11, bias: 100)
        let files = try SyntheticLogs.write(source: model, options: options, to: dir + "/bare")
        let first = try String(contentsOfFile: files[0], encoding: .utf8).split(separator: "\n")[0]
        #expect(first.contains(#""logit_bias":[{"bias":100.0,"token":0},{"bias":100.0,"token":"#))
        let (samples, summary) = try LogIngest.load(paths: files, options: LogIngestOptions(progress: false, threads: 1))
        #expect(summary.formats == ["llama.cpp"])
        #expect(summary.protocols == ["biased-anchor": 48])
        #expect(summary.rowsKept == 48 && summary.columnsKept == 81)
        #expect(summary.skipped.isEmpty)
        // Rows are logit differences: centred, they match the model's centred logprobs.
        var worst = 0.0
        let ids = samples.columnLabels!.map { Int($0)! }
        for i in 0..<samples.rows {
            let row = (0..<samples.columns).map { samples[i, $0] }
            let mean = row.reduce(0, +) / Double(row.count)
            let best = (0..<48).map { p -> Double in
                let t = ids.map { model.logprob(sample: p, token: $0) }
                let tm = t.reduce(0, +) / Double(t.count)
                return zip(row, t).map { abs(($0 - mean) - ($1 - tm)) }.max()!
            }.min()!
            worst = max(worst, best)
        }
        #expect(worst < 1e-9)

        // The old reading: the same records with the bias unseen are `direct`, and not the model.
        let (records, _) = try LogParser.readAll(paths: files, options: LogReadOptions(threads: 1, progress: false))
        let unseen = records.map { r -> LogRecord in var r = r; r.logitBias = [:]; return r }
        let old = try LogIngest.assemble(records: unseen, options: LogIngestOptions(progress: false, threads: 1))
        #expect(old.summary.protocols == ["direct": 48])
    }
}
