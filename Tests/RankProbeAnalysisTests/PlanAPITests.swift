import Testing
import RankProbeAnalysis

/// `plan --api NAME`: which protocols each API allows, what each can show and cost.
@Suite struct PlanAPITests {
    static let prices = QueryPlan.Parameters(vocab: 100_000, hiddenGuess: 4096, promptTokens: 20)

    func option(_ api: String, _ name: String) throws -> APIProfile.Option {
        try #require(try APIProfile.named(api).options(vocab: 100_000, hiddenGuess: 4096, prices: Self.prices).first { $0.protocolName == name })
    }

    @Test func unknownNamesListTheKnownOnes() {
        #expect {
            try APIProfile.named("openai-assistants")
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown API \"openai-assistants\"") && APIProfile.all.allSatisfy { text.contains($0.name) }
        }
    }

    @Test func topKOnlyAPIsCannotShowLargeHiddenSizes() throws {
        for api in ["openai-responses", "gemini", "ollama"] {
            let direct = try option(api, "direct (top-20)")
            #expect(direct.available && direct.maxHidden == 18 && direct.plan == nil)
            #expect(try !option(api, "forced").available && !option(api, "biased").available && !option(api, "tracked").available)
        }
        #expect(try !option("anthropic", "none").available)
    }

    @Test func costsFollowTheProtocolCounts() throws {
        let forced = try #require(try option("openai-chat", "forced").plan)
        #expect(forced.requests == 4507 * 4507)
        let tracked = try #require(try option("vllm", "tracked").plan)
        #expect(tracked.requests == 4507 * 36 && tracked.parameters.server == .vllm)
        let sglang = try #require(try option("sglang", "tracked").plan)
        #expect(sglang.requests == tracked.requests && sglang.parameters.server == .sglang)
        let full = try #require(try option("llama.cpp", "direct (full rows)").plan)
        #expect(full.requests == 4507 && full.inputTokens == 4507 * 20)
        #expect(try option("llama.cpp", "forced").available)
        #expect(try !option("openai-chat", "biased").available)
    }

    @Test func reportNamesEveryProtocol() throws {
        let text = try APIProfile.named("vllm").report(vocab: 100_000, hiddenGuess: 4096, prices: Self.prices)
        #expect(text.hasPrefix("api: vllm"))
        for name in ["direct (full rows)", "direct (top-20)", "forced", "biased", "tracked"] { #expect(text.contains("  " + name)) }
        #expect(text.contains("162,252 requests"))
    }
}
