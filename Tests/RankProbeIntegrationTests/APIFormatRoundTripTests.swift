import Foundation
import RankProbe
import RankProbeSynth
import Testing

/// The APIs of 2026 (Responses, Responses through the Batch API, Gemini, Ollama, SGLang): synthetic traffic in
/// each one's shapes → estimate → the model's true hidden size. Their top lists are capped at 20 (SGLang's is
/// not), so the round trips use a 20-token vocabulary, where the top 20 is the whole row, and a hidden size
/// well below 19.
@Suite(.serialized) struct APIFormatRoundTripTests {
    static let small = SyntheticModel(hidden: 6, vocab: 20, seed: 11)

    static func estimate(_ options: SyntheticLogOptions, model: SyntheticModel = small, gzip: Bool = false) throws -> EstimateResult {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files = try SyntheticLogs.write(source: model, options: options, to: dir.appendingPathComponent("log").path)
        if gzip {
            for f in files {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["gzip", "-f", f]
                try p.run()
                p.waitUntilExit()
                #expect(p.terminationStatus == 0)
            }
            files = files.map { $0 + ".gz" }
        }
        return try Estimator.estimate(paths: files, options: EstimateOptions(hashInputs: false))
    }

    @Test(arguments: [SyntheticLogOptions.Format.responsesPairs, .responsesBatch, .geminiPairs, .ollamaPairs, .sglangPairs])
    func fullTopListsGiveTheHiddenSize(format: SyntheticLogOptions.Format) throws {
        let r = try Self.estimate(SyntheticLogOptions(format: format, protocol: .direct, prompts: 90, topLogprobs: 20))
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 6, "\(r.message)")
        let input = try #require(r.input)
        #expect(input.protocols == ["direct": 90])
        #expect(input.rowsKept == 90 && input.columnsKept == 20)
        #expect(input.requestsUsed == 90)
    }

    @Test(arguments: [SyntheticLogOptions.Format.responsesBatch, .ollamaPairs])
    func gzippedLogsReadTheSame(format: SyntheticLogOptions.Format) throws {
        let r = try Self.estimate(SyntheticLogOptions(format: format, protocol: .direct, prompts: 90, topLogprobs: 20), gzip: true)
        #expect(r.status == .ok && r.hiddenDim == 6, "\(r.message)")
    }

    /// Top-k lists with no bias give each context its own k tokens: a d = 32 model seen through top-20
    /// (Responses, Gemini, Ollama) or top-5 (legacy completions) lists cannot show its hidden size, and the
    /// verdict must say so rather than ask for more columns or call the data noise.
    @Test(arguments: [(SyntheticLogOptions.Format.responsesPairs, 20), (.geminiPairs, 20), (.ollamaPairs, 20), (.completionsPairs, 5)])
    func topKOnlyLogsExplainTheirLimit(format: SyntheticLogOptions.Format, k: Int) throws {
        let model = SyntheticModel(hidden: 32, vocab: 400, seed: 5)
        let r = try Self.estimate(SyntheticLogOptions(format: format, protocol: .direct, prompts: 200, topLogprobs: k), model: model)
        #expect(r.status == .insufficient, "\(r.message)")
        #expect(r.hiddenDim == nil)
        #expect(r.message.hasPrefix("insufficient data: these logs are top-\(k) lists without logit_bias"), "\(r.message)")
        #expect(r.message.contains("cannot fix a hidden size above \(k - 1)"), "\(r.message)")
        #expect(r.message.contains("rankprobe plan --api NAME"))
        #expect(!r.warnings.contains { $0.contains("unstructured noise") }, "\(r.warnings)")
        let input = try #require(r.input)
        #expect(input.columnsKept <= k && input.columnsSeen > k)
    }

    /// LiteLLM's logging payload keeps the request's `logit_bias` in `model_parameters`: forced requests.
    @Test func litellmPayloadsOfForcedRequests() throws {
        let model = SyntheticModel(hidden: 8, vocab: 100, seed: 4)
        let r = try Self.estimate(SyntheticLogOptions(format: .litellm, protocol: .forced, prompts: 80, tokens: 60, topLogprobs: 5,
                                                      failureRate: 0.02), model: model)
        #expect(r.status == .ok && r.hiddenDim == 8, "\(r.message)")
        let input = try #require(r.input)
        #expect(input.formats == ["litellm-payload"])
        #expect(input.protocols["forced"] ?? 0 > 0 && input.requestsFailed > 0)
    }

    /// A file of bare Chat Completions responses is refused with a sample line of what to record.
    @Test func promptlessResponsesShowWhatToRecord() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try SyntheticLogs.write(source: Self.small, options: SyntheticLogOptions(format: .openaiChat, protocol: .direct, prompts: 5, topLogprobs: 5),
                                            to: dir.appendingPathComponent("bare").path)
        let r = try runCLI(["estimate", files[0], "--no-hash"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no request body (prompt unknown): 5"), "\(r.stderr)")
        #expect(r.stderr.contains("record one JSON line per request"), "\(r.stderr)")
        #expect(r.stderr.contains(#"{"request": {"model": "gpt-4o-mini", "messages": [{"role": "user""#), "\(r.stderr)")
    }

    @Test func planAPIThroughTheCLI() throws {
        let r = try runCLI(["plan", "--api", "openai-responses"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("direct (top-20)") && r.stdout.contains("only a hidden size ≤ 18 can show"), "\(r.stdout)")
        #expect(r.stdout.contains("assumed --vocab 100000 and --hidden-guess 4096"))
        let bad = try runCLI(["plan", "--api", "nope"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown API \"nope\"; known: openai-chat, "), "\(bad.stderr)")
        let missing = try runCLI(["plan", "--hidden-guess", "32"])
        #expect(missing.status != 0 && missing.stderr.contains("--vocab"), "\(missing.stderr)")
    }

    @Test func formatsAreNamed() throws {
        let cases: [(SyntheticLogOptions.Format, String)] = [
            (.responsesPairs, "request-response-pairs"), (.responsesBatch, "openai-batch"), (.geminiPairs, "request-response-pairs"),
        ]
        for (format, name) in cases {
            let r = try Self.estimate(SyntheticLogOptions(format: format, protocol: .direct, prompts: 40, topLogprobs: 20))
            #expect(r.input?.formats == [name])
        }
    }
}
