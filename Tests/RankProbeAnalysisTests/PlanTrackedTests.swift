import Foundation
import Testing
import RankProbe
import RankProbeAnalysis
import RankProbeLogs
import RankProbeSynth

/// The tracked-token protocol: plan → Batch-shaped requests naming column ids → the synthetic server
/// (answering as vLLM or SGLang would) → estimate → the planned hidden size, with no bias anywhere.
@Suite struct PlanTrackedTests {
    @Test func trackedPlansNeedAServerAndCountBlocks() throws {
        #expect(throws: AnalysisError.self) { try QueryPlan.make(.init(vocab: 600, hiddenGuess: 32, protocol: .tracked)) }
        #expect(throws: AnalysisError.self) { try QueryPlan.make(.init(vocab: 600, hiddenGuess: 32, protocol: .forced, server: .vllm)) }
        let plan = try QueryPlan.make(.init(vocab: 600, hiddenGuess: 32, protocol: .tracked, server: .vllm))
        #expect(plan.columns == 97 && plan.requestsPerPrompt == 1 && plan.requests == plan.prompts)
        let big = try QueryPlan.make(.init(vocab: 100_000, hiddenGuess: 4096, protocol: .tracked, server: .sglang))
        #expect(big.columns == 4096 + 1 + 410)
        #expect(big.requestsPerPrompt == (4507 + 127) / 128)
        #expect(big.requests == 4507 * 36)
    }

    @Test(arguments: [(QueryPlan.TrackedServer.vllm, 128), (.sglang, 128), (.vllm, 40)])
    func trackedRequestsRoundTripToTheHiddenSize(server: QueryPlan.TrackedServer, perRequest: Int) throws {
        let d = 32, vocab = 600
        let plan = try QueryPlan.make(.init(vocab: vocab, hiddenGuess: d, protocol: .tracked, server: server, trackedPerRequest: perRequest))
        #expect(plan.requestsPerPrompt == (plan.columns + perRequest - 1) / perRequest)
        let dir = NSTemporaryDirectory() + "rankprobe-tracked-\(server.rawValue)-\(perRequest)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prompts = (0..<plan.prompts).map { "Write the next word of story \($0)." }
        let columns = try TokenColumns.choose(count: plan.columns, vocab: vocab)
        let emitted = try BatchEmitter(plan: plan, model: "synthetic-32", columns: columns).write(prompts: prompts, directory: dir)
        let first = try String(contentsOfFile: emitted.files[0], encoding: .utf8).split(separator: "\n")[0]
        #expect(first.contains(server == .vllm ? "\"logprob_token_ids\":[" : "\"token_ids_logprob\":["))
        #expect(!first.contains("logit_bias"))

        let model = SyntheticModel(hidden: d, vocab: vocab, seed: 77)
        let out = dir + "/output.jsonl"
        let answered = try SyntheticResponder(model: model, options: .init(noise: 1e-6, seed: 3)).respond(inputPath: emitted.files[0], outputPath: out)
        #expect(answered.failed == 0 && answered.requests == plan.requests)
        let estimate = try Estimator.estimate(paths: emitted.files + [out], options: EstimateOptions(hashInputs: false))
        #expect(estimate.status == .ok, "\(estimate.message)")
        #expect(estimate.hiddenDim == d, "\(estimate.message)")
        let input = try #require(estimate.input)
        #expect(input.protocols == ["direct": plan.prompts])
        // Exactly the planned block: the sampled tokens the server adds are not columns, so nothing is
        // missing and nothing asks for values the plan never requested.
        #expect(input.rowsKept == plan.prompts && input.columnsKept == plan.columns, "\(input.notes)")
        #expect(input.rowsSeen == plan.prompts && input.columnsSeen == plan.columns, "\(input.notes)")
        #expect(!input.notes.contains { $0.contains("collect the") }, "\(input.notes)")
    }
}
