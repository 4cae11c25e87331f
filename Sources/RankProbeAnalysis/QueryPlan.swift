import Foundation
import RankProbeLogs

/// How many API requests (and how much money) a hidden-size measurement costs, before any is spent.
///
/// Two collection protocols are modelled, both built on `logit_bias` with `max_tokens = 1`:
/// - `forced`: one request per (prompt, token column), biasing that single token so it is the sampled one;
///   the response returns the token's unbiased log-probability. The top-k alternatives returned for free
///   are each prompt's own most likely tokens — a different set per prompt — so they do not fill a
///   complete prompts × columns block and are not counted as columns.
/// - `biased`: each request biases k tokens at once (a fixed anchor plus k − 1 new columns) so all k appear
///   in the top-k list; log-probabilities relative to the anchor are exact, and row centring removes the
///   anchor's offset. Per prompt that is ⌈(columns − 1)/(k − 1)⌉ requests.
///
/// Both prompts and columns must exceed d: centring costs one of each, and the detector needs a tail of
/// singular values past the cliff to see the floor it lands on. The margin is max(64, ⌈d/10⌉): 64 tail values
/// make the floor's median stable (the detector's "high confidence" needs 16 and the early values of the
/// tail are the noisiest), and 10 % keeps a guess that is somewhat low still covered at large d.
public struct QueryPlan: Codable, Sendable, Equatable {
    public enum CollectionProtocol: String, Codable, Sendable, CaseIterable { case forced, biased, tracked }

    /// Servers that return the unbiased log-probabilities of token ids the caller names (the tracked
    /// protocol): vLLM's `logprob_token_ids` on `/v1/completions`, SGLang's `token_ids_logprob` on `/generate`.
    public enum TrackedServer: String, Codable, Sendable, CaseIterable {
        case vllm, sglang

        /// Ids one request may name. vLLM caps `logprob_token_ids` (128 in the releases that have it);
        /// SGLang documents no cap, and the same block size keeps requests and answers small.
        public var defaultIDsPerRequest: Int { 128 }
    }

    public struct Parameters: Codable, Sendable, Equatable {
        public var vocab: Int
        public var hiddenGuess: Int
        public var topLogprobs: Int
        public var `protocol`: CollectionProtocol
        public var repeats: Int
        public var pricePerRequest: Double
        public var priceInputPerMTok: Double
        public var priceOutputPerMTok: Double
        /// Input tokens per request, including the chat template's overhead.
        public var promptTokens: Int
        /// Generated tokens per request (`max_tokens`).
        public var outputTokens: Int
        /// Tracked protocol only: the server, and the ids each request names.
        public var server: TrackedServer?
        public var trackedPerRequest: Int?

        enum CodingKeys: String, CodingKey {
            case vocab, hiddenGuess, topLogprobs, `protocol`, repeats, pricePerRequest
            case priceInputPerMTok = "price_input_per_mtok", priceOutputPerMTok = "price_output_per_mtok"
            case promptTokens, outputTokens, server, trackedPerRequest
        }

        public init(vocab: Int, hiddenGuess: Int, topLogprobs: Int = 20, protocol: CollectionProtocol = .biased,
                    repeats: Int = 1, pricePerRequest: Double = 0, priceInputPerMTok: Double = 0,
                    priceOutputPerMTok: Double = 0, promptTokens: Int = 20, outputTokens: Int = 1,
                    server: TrackedServer? = nil, trackedPerRequest: Int? = nil) {
            self.vocab = vocab; self.hiddenGuess = hiddenGuess; self.topLogprobs = topLogprobs
            self.protocol = `protocol`; self.repeats = repeats; self.pricePerRequest = pricePerRequest
            self.priceInputPerMTok = priceInputPerMTok; self.priceOutputPerMTok = priceOutputPerMTok
            self.promptTokens = promptTokens; self.outputTokens = outputTokens
            self.server = server
            self.trackedPerRequest = trackedPerRequest ?? (`protocol` == .tracked ? (server ?? .vllm).defaultIDsPerRequest : nil)
        }

        /// Ids per tracked request.
        var idsPerRequest: Int { trackedPerRequest ?? (server ?? .vllm).defaultIDsPerRequest }
    }

    /// The counts for one hidden size.
    public struct Counts: Codable, Sendable, Equatable {
        public var hidden: Int
        public var margin: Int
        public var prompts: Int
        public var columns: Int
        /// Requests per prompt for one repeat.
        public var requestsPerPrompt: Int
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
    }

    public var parameters: Parameters
    /// Totals for `hiddenGuess` (the plan itself).
    public var prompts: Int
    public var columns: Int
    public var margin: Int
    public var requestsPerPrompt: Int
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double
    /// Batch API input files the plan needs at 50,000 requests per file.
    public var batchFiles: Int
    /// The same plan at other hidden sizes, and the exponent it grows with.
    public var scaling: [Counts]
    public var scalingLaw: String
    public var notes: [String]

    /// Extra prompts and columns beyond `d + 1` (see the type's documentation).
    public static func margin(forHidden d: Int) -> Int { max(64, (d + 9) / 10) }

    public static func counts(for d: Int, _ p: Parameters) -> Counts {
        let margin = margin(forHidden: d)
        let prompts = d + 1 + margin
        let columns = min(p.vocab, d + 1 + margin)
        let perPrompt: Int
        switch p.protocol {
        case .forced: perPrompt = columns
        case .biased: perPrompt = (columns - 1 + (p.topLogprobs - 2)) / (p.topLogprobs - 1)
        case .tracked: perPrompt = (columns + p.idsPerRequest - 1) / p.idsPerRequest
        }
        let requests = prompts * perPrompt * p.repeats
        let input = requests * p.promptTokens
        let output = requests * p.outputTokens
        let cost = Double(requests) * p.pricePerRequest + Double(input) / 1e6 * p.priceInputPerMTok
            + Double(output) / 1e6 * p.priceOutputPerMTok
        return Counts(hidden: d, margin: margin, prompts: prompts, columns: columns, requestsPerPrompt: perPrompt,
                      requests: requests, inputTokens: input, outputTokens: output, cost: cost)
    }

    public static func make(_ p: Parameters) throws -> QueryPlan {
        guard p.vocab >= 2 else { throw AnalysisError("--vocab must be at least 2 (got \(p.vocab))") }
        guard p.hiddenGuess >= 1 else { throw AnalysisError("--hidden-guess must be at least 1 (got \(p.hiddenGuess))") }
        guard p.repeats >= 1 else { throw AnalysisError("--repeats must be at least 1 (got \(p.repeats))") }
        guard p.promptTokens >= 0, p.outputTokens >= 0 else { throw AnalysisError("token counts cannot be negative") }
        guard p.pricePerRequest >= 0, p.priceInputPerMTok >= 0, p.priceOutputPerMTok >= 0 else {
            throw AnalysisError("prices cannot be negative")
        }
        if p.protocol == .biased && p.topLogprobs < 2 {
            throw AnalysisError("the biased protocol needs --top-logprobs ≥ 2 (an anchor and at least one new column per request); got \(p.topLogprobs)")
        }
        if p.protocol == .forced && p.topLogprobs < 0 { throw AnalysisError("--top-logprobs cannot be negative") }
        if p.protocol == .tracked {
            guard p.server != nil else {
                throw AnalysisError("the tracked protocol needs --server (\(TrackedServer.allCases.map(\.rawValue).joined(separator: ", "))): the request fields differ")
            }
            guard p.idsPerRequest >= 1 else { throw AnalysisError("--tracked-per-request must be at least 1 (got \(p.idsPerRequest))") }
        } else if p.server != nil {
            throw AnalysisError("--server is only used with --protocol tracked")
        }
        let main = counts(for: p.hiddenGuess, p)
        var notes: [String] = []
        if main.columns < p.hiddenGuess + 1 + main.margin {
            notes.append("the vocabulary (\(p.vocab)) is smaller than d + 1 + margin: every token is a column, and the column margin is only \(p.vocab - p.hiddenGuess - 1)")
        }
        if p.vocab <= p.hiddenGuess + 1 {
            throw AnalysisError("the vocabulary (\(p.vocab)) is not larger than hidden-guess + 1 (\(p.hiddenGuess + 1)): logits span the whole centred token space and the hidden size cannot be seen")
        }
        switch p.protocol {
        case .forced:
            notes.append("forced: one request per prompt and column; the \(p.topLogprobs) free top-logprob entries differ per prompt and are not counted as columns")
        case .biased:
            notes.append("biased: each request biases an anchor plus \(p.topLogprobs - 1) new columns; values are exact relative to the anchor")
        case .tracked:
            let field = p.server == .sglang ? "token_ids_logprob on /generate" : "logprob_token_ids on /v1/completions"
            notes.append("tracked: each request names \(p.idsPerRequest) column ids (\(field)) and gets their unbiased logprobs back, no logit_bias; --top-logprobs is not used")
        }
        if p.repeats > 1 { notes.append("each request is sent \(p.repeats) times; averaging reduces serving noise by about √\(p.repeats)") }

        var sizes = Set([256, 512, 1024, 2048, 4096, 8192, 16384].filter { $0 + 1 + margin(forHidden: $0) <= p.vocab })
        sizes.insert(p.hiddenGuess)
        let scaling = sizes.sorted().map { counts(for: $0, p) }
        let law: String
        switch p.protocol {
        case .forced: law = "requests ≈ (d + margin)² × repeats: quadratic in d"
        case .biased: law = "requests ≈ (d + margin)²/(k − 1) × repeats with k = \(p.topLogprobs): quadratic in d"
        case .tracked: law = "requests ≈ (d + margin) × ⌈(d + margin)/\(p.idsPerRequest)⌉ × repeats: one request per prompt while d + margin ≤ \(p.idsPerRequest)"
        }
        return QueryPlan(
            parameters: p, prompts: main.prompts, columns: main.columns, margin: main.margin,
            requestsPerPrompt: main.requestsPerPrompt, requests: main.requests, inputTokens: main.inputTokens,
            outputTokens: main.outputTokens, cost: main.cost,
            batchFiles: (main.requests + BatchLimits.openAI.requestsPerFile - 1) / BatchLimits.openAI.requestsPerFile,
            scaling: scaling, scalingLaw: law, notes: notes)
    }
}

/// The Batch API's per-file limits live beside the log reader, which writes retry files under them too.
public typealias BatchLimits = RankProbeLogs.BatchLimits

extension QueryPlan {
    /// snake_case keys, sorted, as for the estimate contract.
    public static func jsonEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
