import Foundation
import Testing
import RankProbeAnalysis

@Suite struct PlanTests {
    @Test func biasedArithmeticByHand() throws {
        let p = QueryPlan.Parameters(vocab: 1000, hiddenGuess: 100, topLogprobs: 5, protocol: .biased, repeats: 2,
                                     pricePerRequest: 0.001, priceInputPerMTok: 0.15, priceOutputPerMTok: 0.6, promptTokens: 30)
        let plan = try QueryPlan.make(p)
        // margin = max(64, ⌈100/10⌉) = 64; prompts = columns = 100 + 1 + 64 = 165
        #expect(plan.margin == 64)
        #expect(plan.prompts == 165)
        #expect(plan.columns == 165)
        // anchor + 4 new columns per request: ⌈164/4⌉ = 41 requests per prompt; × 165 prompts × 2 repeats
        #expect(plan.requestsPerPrompt == 41)
        #expect(plan.requests == 13_530)
        #expect(plan.inputTokens == 405_900)
        #expect(plan.outputTokens == 13_530)
        // 13.53 (per request) + 0.4059 M × 0.15 + 0.01353 M × 0.6
        #expect(abs(plan.cost - 13.599003) < 1e-9)
        #expect(plan.batchFiles == 1)
    }

    @Test func forcedArithmeticByHand() throws {
        let plan = try QueryPlan.make(.init(vocab: 1000, hiddenGuess: 100, topLogprobs: 5, protocol: .forced, repeats: 2))
        #expect(plan.requestsPerPrompt == 165)
        #expect(plan.requests == 165 * 165 * 2)
        #expect(plan.batchFiles == 2)   // 54,450 requests over 50,000 per file
    }

    @Test func marginGrowsTenPercentAtLargeHidden() throws {
        let plan = try QueryPlan.make(.init(vocab: 128_000, hiddenGuess: 4096, topLogprobs: 20, protocol: .biased))
        #expect(plan.margin == 410)
        #expect(plan.prompts == 4096 + 1 + 410)
        #expect(plan.requestsPerPrompt == (4506 + 18) / 19)
        // scaling table includes the guess and grows roughly quadratically
        let byD = Dictionary(uniqueKeysWithValues: plan.scaling.map { ($0.hidden, $0.requests) })
        #expect(byD[4096] == plan.requests)
        let ratio = Double(byD[8192]!) / Double(byD[4096]!)
        #expect(ratio > 3.5 && ratio < 4.5)
    }

    @Test func jsonHasRequestsTotal() throws {
        let plan = try QueryPlan.make(.init(vocab: 1000, hiddenGuess: 100, topLogprobs: 5, protocol: .biased))
        let data = try QueryPlan.jsonEncoder().encode(plan)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["requests"] as? Int) == plan.requests)
        #expect((object["prompts"] as? Int) == 165)
    }

    @Test func rejectsImpossiblePlans() {
        #expect(throws: AnalysisError.self) { try QueryPlan.make(.init(vocab: 100, hiddenGuess: 100)) }
        #expect(throws: AnalysisError.self) { try QueryPlan.make(.init(vocab: 1000, hiddenGuess: 10, topLogprobs: 1, protocol: .biased)) }
        #expect(throws: AnalysisError.self) { try QueryPlan.make(.init(vocab: 1000, hiddenGuess: 10, repeats: 0)) }
    }
}
