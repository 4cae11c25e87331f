/// What each API lets a caller measure today: which collection protocols it allows, and what each costs.
///
/// The facts are the APIs' documented parameters (checked against their docs and SDKs in 2026, see the
/// README's table): whether `logit_bias` is accepted and whether it changes the returned logprobs, the cap
/// on top logprobs, and whether token ids can be named. They decide the protocol:
/// - top-k lists alone give ≤ k columns per context, so only d ≤ k − 2 can show a cliff (centring costs one
///   column, the cliff needs one value after it);
/// - a full-vocabulary row per request (llama.cpp `n_probs` = V, vLLM `logprobs: -1`) is one request per prompt;
/// - forced / biased / tracked requests cost what `QueryPlan` counts.
public struct APIProfile: Sendable, Equatable {
    public enum Access: Sendable, Equatable {
        /// The protocol can be used, with this explanation.
        case allowed(String)
        /// It cannot, and why.
        case unavailable(String)
    }

    public var name: String
    public var title: String
    /// Largest top logprobs per position (nil: no logprobs at all).
    public var topK: Int?
    /// A full-vocabulary row can be asked for in one request.
    public var fullRow: String?
    public var forced: Access
    public var biased: Access
    public var tracked: QueryPlan.TrackedServer?
    public var notes: [String]

    public static let all: [APIProfile] = [
        APIProfile(name: "openai-chat", title: "OpenAI Chat Completions (and its Batch API)", topK: 20, fullRow: nil,
                   forced: .allowed("logit_bias +100 on one token with max_tokens 1 makes it the sampled token, and its logprob is returned unbiased (logit_bias has not changed returned logprobs since March 2024)"),
                   biased: .unavailable("logit_bias no longer shapes the returned logprobs"),
                   tracked: nil, notes: ["the Batch API halves the price and takes 50,000 requests per file"]),
        APIProfile(name: "openai-completions", title: "OpenAI legacy Completions", topK: 5, fullRow: nil,
                   forced: .allowed("logit_bias +100 with max_tokens 1, as for Chat Completions"),
                   biased: .unavailable("logit_bias no longer shapes the returned logprobs"), tracked: nil,
                   notes: ["logprobs is capped at 5"]),
        APIProfile(name: "openai-responses", title: "OpenAI Responses API (and its Batch API on /v1/responses)", topK: 20, fullRow: nil,
                   forced: .unavailable("the Responses API takes no logit_bias"),
                   biased: .unavailable("the Responses API takes no logit_bias"), tracked: nil,
                   notes: ["logprobs come with include: [\"message.output_text.logprobs\"] and top_logprobs ≤ 20"]),
        APIProfile(name: "gemini", title: "Google Gemini generateContent", topK: 20, fullRow: nil,
                   forced: .unavailable("generateContent takes no logit_bias"),
                   biased: .unavailable("generateContent takes no logit_bias"), tracked: nil,
                   notes: ["responseLogprobs: true and logprobs ≤ 20 in generationConfig"]),
        APIProfile(name: "ollama", title: "Ollama /api/generate and /api/chat", topK: 20, fullRow: nil,
                   forced: .unavailable("Ollama takes no logit_bias"), biased: .unavailable("Ollama takes no logit_bias"),
                   tracked: nil, notes: ["logprobs: true and top_logprobs ≤ 20; with the weights at hand, a llama.cpp server on the same GGUF gives full rows"]),
        APIProfile(name: "vllm", title: "vLLM OpenAI-compatible server", topK: 20,
                   fullRow: "logprobs: -1 (or prompt_logprobs: -1) returns the whole vocabulary when the server runs with --max-logprobs -1",
                   forced: .allowed("logit_bias with max_tokens 1; the returned logprobs are the raw ones (logprobs_mode raw_logprobs) whatever the bias"),
                   biased: .unavailable("the returned logprobs are taken before the bias is applied"), tracked: .vllm,
                   notes: ["--max-logprobs defaults to 20; logprob_token_ids names up to 128 ids per request"]),
        APIProfile(name: "sglang", title: "SGLang /generate", topK: nil,
                   fullRow: "top_logprobs_num = V returns the whole vocabulary",
                   forced: .unavailable("not modelled: the tracked protocol reads the same values without a bias"),
                   biased: .unavailable("not modelled: the tracked protocol reads the same values without a bias"), tracked: .sglang,
                   notes: ["return_logprob: true with token_ids_logprob or top_logprobs_num"]),
        APIProfile(name: "llama.cpp", title: "llama.cpp server /completion", topK: nil,
                   fullRow: "n_probs = V returns the whole vocabulary (n_probs is capped at the vocabulary size silently)",
                   forced: .allowed("logit_bias [[id, 100]] with n_predict 1; this server computes n_probs from the raw logits, so the values are unbiased"),
                   biased: .unavailable("n_probs are computed from the raw logits, before the bias"), tracked: nil,
                   notes: ["do not set post_sampling_probs: those are probabilities after the sampler chain"]),
        APIProfile(name: "together", title: "Together AI (OpenAI-compatible)", topK: 20, fullRow: nil,
                   forced: .allowed("logit_bias with max_tokens 1, where the model's endpoint accepts it; run a few requests first: estimate tells from the answers whether the bias shaped them"),
                   biased: .unavailable("whether the bias shapes the returned logprobs is not documented; estimate detects it per request"),
                   tracked: nil, notes: ["logprobs ≤ 20 per position"]),
        APIProfile(name: "anthropic", title: "Anthropic Messages API", topK: nil, fullRow: nil,
                   forced: .unavailable("no logprobs are returned"), biased: .unavailable("no logprobs are returned"),
                   tracked: nil, notes: ["no log-probabilities at all: nothing to measure"]),
    ]

    public static func named(_ name: String) throws -> APIProfile {
        if let p = all.first(where: { $0.name == name.lowercased() }) { return p }
        throw AnalysisError("unknown API \"\(name)\"; known: " + all.map(\.name).joined(separator: ", "))
    }

    /// One protocol's line in the report: what it can show and what it costs for `parameters`.
    public struct Option: Sendable, Equatable {
        public var protocolName: String
        public var available: Bool
        public var explanation: String
        /// The plan for the hidden-size guess, when the protocol is available and can show it.
        public var plan: QueryPlan?
        /// Largest hidden size the protocol can show (nil: no limit but the vocabulary).
        public var maxHidden: Int?
    }

    /// The protocols of this API for a model of vocabulary `vocab` and hidden-size guess `d`.
    public func options(vocab: Int, hiddenGuess d: Int, prices: QueryPlan.Parameters) throws -> [Option] {
        func plan(_ proto: QueryPlan.CollectionProtocol, top: Int, server: QueryPlan.TrackedServer? = nil) throws -> QueryPlan {
            var p = prices
            p.vocab = vocab; p.hiddenGuess = d; p.protocol = proto; p.topLogprobs = top; p.server = server
            p.trackedPerRequest = proto == .tracked ? (prices.trackedPerRequest ?? (server ?? .vllm).defaultIDsPerRequest) : nil
            return try QueryPlan.make(p)
        }
        var out: [Option] = []
        guard topK != nil || fullRow != nil else {
            return [Option(protocolName: "none", available: false, explanation: notes.first ?? "no logprobs", plan: nil, maxHidden: 0)]
        }
        if let fullRow {
            // One request per prompt returns the whole row: the plan's prompts, one request each.
            var p = try plan(.forced, top: 0)
            p.requestsPerPrompt = 1
            p.requests = p.prompts * prices.repeats
            p.inputTokens = p.requests * prices.promptTokens
            p.outputTokens = p.requests * prices.outputTokens
            p.cost = Double(p.requests) * prices.pricePerRequest + Double(p.inputTokens) / 1e6 * prices.priceInputPerMTok
                + Double(p.outputTokens) / 1e6 * prices.priceOutputPerMTok
            p.columns = min(vocab, p.columns)
            out.append(Option(protocolName: "direct (full rows)", available: true, explanation: fullRow, plan: p, maxHidden: nil))
        }
        if let topK {
            let limit = max(0, topK - 2)
            let shows = d <= limit
            out.append(Option(protocolName: "direct (top-\(topK))", available: true,
                              explanation: "each context returns its own \(topK) most likely tokens: at most \(topK) columns, so only a hidden size ≤ \(limit) can show"
                                + (shows ? "" : "; not enough for the guess \(d)"),
                              plan: nil, maxHidden: limit))
        }
        for (name, access, proto) in [("forced", forced, QueryPlan.CollectionProtocol.forced), ("biased", biased, .biased)] {
            switch access {
            case .allowed(let why):
                out.append(Option(protocolName: name, available: true, explanation: why, plan: try plan(proto, top: min(topK ?? 20, 20)), maxHidden: nil))
            case .unavailable(let why):
                out.append(Option(protocolName: name, available: false, explanation: why, plan: nil, maxHidden: nil))
            }
        }
        if let tracked {
            let field = tracked == .sglang ? "token_ids_logprob" : "logprob_token_ids"
            out.append(Option(protocolName: "tracked", available: true,
                              explanation: "\(field) names the column ids; their unbiased logprobs come back with no bias (--protocol tracked --server \(tracked.rawValue))",
                              plan: try plan(.tracked, top: 0, server: tracked), maxHidden: nil))
        } else {
            out.append(Option(protocolName: "tracked", available: false, explanation: "no way to name token ids", plan: nil, maxHidden: nil))
        }
        return out
    }

    /// The text `rankprobe plan --api NAME` prints.
    public func report(vocab: Int, hiddenGuess d: Int, prices: QueryPlan.Parameters) throws -> String {
        var lines = ["api: \(name) — \(title)", "for a vocabulary of \(QueryPlan.grouped(vocab)) and hidden size guess \(d):"]
        for o in try options(vocab: vocab, hiddenGuess: d, prices: prices) {
            let head = "  " + o.protocolName.padding(toLength: 20, withPad: " ", startingAt: 0)
            if !o.available { lines.append(head + "not available: " + o.explanation); continue }
            if let p = o.plan {
                lines.append(head + "\(QueryPlan.grouped(p.requests)) requests (\(QueryPlan.grouped(p.prompts)) prompts × \(p.requestsPerPrompt)), "
                    + "\(QueryPlan.grouped(p.inputTokens)) input + \(QueryPlan.grouped(p.outputTokens)) output tokens, cost \(QueryPlan.money(p.cost))")
                lines.append("  " + String(repeating: " ", count: 20) + o.explanation)
            } else {
                lines.append(head + o.explanation)
            }
        }
        for n in notes { lines.append("note: \(n)") }
        return lines.joined(separator: "\n")
    }
}
