import Foundation

/// Anything that can give a prompt's full next-token log-probability row (a `SyntheticModel`, or a
/// stand-in in tests).
public protocol LogprobSource: Sendable {
    var vocab: Int { get }
    func logprobs(sample: Int) -> [Double]
    /// Row-major `samples.count × vocab` rows. `SyntheticModel` computes them in BLAS blocks, which reads
    /// its unembedding once per block instead of once per row (the cost of a row at large V × d).
    func logprobs(samples: Range<Int>) -> [Double]
}

extension LogprobSource {
    public func logprobs(samples: Range<Int>) -> [Double] { samples.flatMap { logprobs(sample: $0) } }
}

extension SyntheticModel: LogprobSource {}

/// Settings for `SyntheticLogs.write`: which API traffic to imitate and how imperfect it is.
public struct SyntheticLogOptions: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Batch API input JSONL + output JSONL (shuffled, opaque custom_ids), chat-completions bodies.
        case openaiBatch = "openai-batch"
        /// One ChatCompletion JSON per line, as the SDK dumps it (responses only: no prompt, no logit_bias).
        case openaiChat = "openai-chat"
        /// {request, response} lines with legacy Completions bodies (top logprobs ≤ 5).
        case completionsPairs = "completions-pairs"
        /// Bare llama.cpp `/completion` responses, as its server writes them: no request, but the prompt and
        /// the settings echoed (`generation_settings.logit_bias` as `[{"bias": b, "token": id}]`, `n_probs`,
        /// `n_predict`), and `completion_probabilities[{id, token, bytes, logprob, top_logprobs}]`.
        case llamacpp = "llama.cpp"
        /// {request, response} lines of the OpenAI Responses API (`input`, include
        /// `message.output_text.logprobs`; `Response` bodies as the SDK dumps them). Direct only.
        case responsesPairs = "openai-responses-pairs"
        /// Batch API input + output files on `/v1/responses`. Direct only.
        case responsesBatch = "openai-responses-batch"
        /// {request, response} lines of Gemini `generateContent` (`logprobsResult`). Direct only.
        case geminiPairs = "gemini-pairs"
        /// {request, response} lines of Ollama: `/api/generate` for even prompts, `/api/chat` for odd. Direct only.
        case ollamaPairs = "ollama-pairs"
        /// {request, response} lines of SGLang `/generate` (`meta_info` tuples). Direct only.
        case sglangPairs = "sglang-pairs"
        /// LiteLLM's StandardLoggingPayload per request: `messages`, `model_parameters` (with `logit_bias`)
        /// and the Chat Completions `response`, as its logging callbacks write them.
        case litellm = "litellm-payload"

        /// The APIs without `logit_bias`: only the direct protocol can be written for them.
        var directOnly: Bool { [.responsesPairs, .responsesBatch, .geminiPairs, .ollamaPairs, .sglangPairs].contains(self) }
    }

    public enum ProtocolKind: String, Sendable, CaseIterable {
        /// One request per prompt × token: logit_bias {t: 100}, max_tokens 1; unbiased logprobs returned.
        case forced
        /// Requests bias an anchor and k−1 other tokens by `bias`; the server applies it before the logprobs.
        case biased
        /// No bias; the top-k unbiased logprobs (k may exceed the OpenAI caps: vLLM-style servers allow it).
        case direct
    }

    public var format: Format
    public var protocolKind: ProtocolKind
    public var prompts: Int
    /// Token ids probed (forced/biased): 0..<tokens; nil = the whole vocabulary.
    public var tokens: Int?
    /// top_logprobs per response (≤ 20 for chat bodies, ≤ 5 for completions under forced/biased).
    public var topLogprobs: Int
    /// logit_bias value (forced: 100; biased: the B applied by the server).
    public var bias: Double
    /// Extra copies of every request (0 = each request once); copies carry independent serving noise.
    public var repeats: Int
    /// Standard deviation (nats) of Gaussian serving noise added to every returned logprob.
    public var noise: Double
    /// Fraction of responses replaced by API errors (Batch error lines, error bodies).
    public var failureRate: Double
    /// Fraction of response lines truncated mid-line (invalid JSON).
    public var corruptionRate: Double
    public var model: String
    public var seed: UInt64
    /// llama.cpp only: tokens that are incomplete UTF-8 sequences. A response whose sampled token is one
    /// of them comes back without `completion_probabilities`, as llama.cpp's server does.
    public var fragmentTokens: Set<Int> = []

    public init(
        format: Format, protocol protocolKind: ProtocolKind, prompts: Int = 64, tokens: Int? = nil, topLogprobs: Int = 5,
        bias: Double = 100, repeats: Int = 0, noise: Double = 0, failureRate: Double = 0, corruptionRate: Double = 0,
        model: String = "synthetic-model", seed: UInt64 = 1
    ) {
        self.format = format; self.protocolKind = protocolKind; self.prompts = prompts; self.tokens = tokens
        self.topLogprobs = topLogprobs; self.bias = bias; self.repeats = repeats; self.noise = noise
        self.failureRate = failureRate; self.corruptionRate = corruptionRate; self.model = model; self.seed = seed
    }
}

public struct SyntheticLogError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

/// Writes synthetic API logs for a model, in the shapes real logs have.
public enum SyntheticLogs {
    /// The text of token `id`: distinct for every id, mixing word-like tokens with a leading space and bare
    /// pieces, as BPE vocabularies do.
    public static func tokenText(_ id: Int) -> String { id % 3 == 0 ? "w\(id)" : " t\(id)" }

    /// The prompt text of sample `p` (its content is what identifies the row).
    public static func promptText(_ p: Int) -> String {
        let words = ["alpha", "river", "stone", "quiet", "orbit", "maple", "signal", "ember"]
        var s = "Prompt \(p):"
        var x = UInt64(p) &* 0x9E37_79B9_7F4A_7C15 &+ 7
        for _ in 0..<4 { x = x &* 6364136223846793005 &+ 1442695040888963407; s += " " + words[Int(x >> 61)] }
        return s
    }

    /// Writes the logs; returns the files written (Batch: input then output; else one file).
    /// `prefix` is a path without extension: "<prefix>.input.jsonl"/"<prefix>.output.jsonl" or "<prefix>.jsonl".
    @discardableResult
    public static func write(source: some LogprobSource, options o: SyntheticLogOptions, to prefix: String) throws -> [String] {
        let tokens = o.tokens ?? source.vocab
        guard o.prompts >= 1, tokens >= 1, tokens <= source.vocab else {
            throw SyntheticLogError("need at least one prompt and 1…\(source.vocab) tokens (got \(o.prompts) prompts, \(tokens) tokens)")
        }
        let cap = o.format == .completionsPairs ? 5 : o.format == .llamacpp ? source.vocab : 20
        if o.protocolKind != .direct, o.topLogprobs > cap {
            throw SyntheticLogError("\(o.format.rawValue) returns at most \(cap) top logprobs (got \(o.topLogprobs))")
        }
        guard o.topLogprobs >= 0, o.topLogprobs <= source.vocab else { throw SyntheticLogError("top logprobs must be 0…\(source.vocab)") }
        if o.protocolKind == .biased, o.topLogprobs < 2 {
            throw SyntheticLogError("the biased protocol needs top logprobs ≥ 2 (an anchor and at least one other token)")
        }
        if o.protocolKind == .direct, o.topLogprobs < 1 { throw SyntheticLogError("the direct protocol needs top logprobs ≥ 1") }
        if o.format.directOnly, o.protocolKind != .direct {
            throw SyntheticLogError("\(o.format.rawValue) has no logit_bias: only the direct protocol can be written")
        }
        var plan = SyntheticLogPlan(options: o, tokens: tokens)
        return try plan.write(source: source, prefix: prefix)
    }
}
