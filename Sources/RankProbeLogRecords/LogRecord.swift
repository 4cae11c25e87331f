/// One request/response exchange from recorded API traffic, normalised across formats.
///
/// The parsers (one per format) turn lines into `LogRecord`s; the assembler turns records into the sample
/// matrix. Nothing downstream of this type knows which API a record came from except through `format`.
public struct LogRecord: Sendable, Equatable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case openaiChat = "openai-chat"
        case openaiCompletions = "openai-completions"
        case openaiBatch = "openai-batch"
        case pairs = "request-response-pairs"
        case vllm = "vllm"
        case llamacpp = "llama.cpp"
        /// OpenAI Responses API bodies (`output[].content[]` `output_text` with `logprobs`).
        case openaiResponses = "openai-responses"
        /// Gemini `generateContent` bodies (`candidates[].logprobsResult`).
        case gemini = "gemini"
        /// Ollama `/api/generate` and `/api/chat` bodies (top-level `logprobs`).
        case ollama = "ollama"
        /// SGLang `/generate` bodies (`meta_info` logprob tuples).
        case sglang = "sglang"
        /// LiteLLM's StandardLoggingPayload lines (request `messages` + `model_parameters` beside the `response`).
        case litellm = "litellm-payload"
    }

    /// A token with its log-probability as the API returned it.
    public struct Entry: Sendable, Equatable {
        /// Token id, when the API or the request (logit_bias key) gives one.
        public var id: Int?
        /// Token text as returned (may be a placeholder such as "bytes:\\xe2").
        public var token: String?
        /// Raw UTF-8 bytes of the token when the API gives them (OpenAI `bytes`).
        public var bytes: [UInt8]?
        public var logprob: Double
        public init(id: Int? = nil, token: String? = nil, bytes: [UInt8]? = nil, logprob: Double) {
            self.id = id; self.token = token; self.bytes = bytes; self.logprob = logprob
        }
    }

    /// Where the record came from, for error messages: file and 1-based line.
    public var file: String
    public var line: Int
    public var format: Format
    public var model: String?
    /// Canonical identity of the prompt: a digest of the request's messages/prompt content only (not of
    /// `custom_id`, sampling parameters or `logit_bias`), so repeated prompts map to the same row.
    /// Nil when the log has no request body (a bare response): such records are counted and skipped.
    public var promptKey: String?
    /// `logit_bias` of the request, token id → bias.
    public var logitBias: [Int: Double]
    /// `max_tokens` / `max_completion_tokens` / `n_predict` of the request.
    public var maxTokens: Int?
    /// The first generated token and its log-probability.
    public var sampled: Entry?
    /// The first position's top alternatives.
    public var top: [Entry]
    /// vLLM `prompt_logprobs`: per prompt position, the returned alternatives (position 0 is usually null).
    public var promptLogprobs: [[Entry]]?
    /// Entries the reader removed from `sampled`/`top` (logprob -9999 placeholders, null/NaN/±Infinity);
    /// counted by reason in `ReadStats.droppedEntries`. A removed sampled entry leaves `sampled` nil.
    public var droppedEntries: Int = 0
    /// For a Batch output record, the slot of its request in the run's `BatchIndex` (else -1): lets the
    /// reader tell which sent requests were answered (`RetryTracker`).
    var batchSlot: Int32 = -1
    /// True for a tracked-token answer (the request named its token ids): its entries are the ids the
    /// caller chose, not a top-k list (see `ContextReach`).
    public var tracked = false

    public init(
        file: String, line: Int, format: Format, model: String? = nil, promptKey: String? = nil,
        logitBias: [Int: Double] = [:], maxTokens: Int? = nil, sampled: Entry? = nil, top: [Entry] = [],
        promptLogprobs: [[Entry]]? = nil
    ) {
        self.file = file; self.line = line; self.format = format; self.model = model; self.promptKey = promptKey
        self.logitBias = logitBias; self.maxTokens = maxTokens; self.sampled = sampled; self.top = top
        self.promptLogprobs = promptLogprobs
    }
}
