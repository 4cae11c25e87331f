import _JSONShims

/// What the JSON shim saw in one record, reduced to the facts that decide its format: the kind of
/// document (bare response, Batch line, request/response pair), the shape of the response body, and
/// whether vLLM-only fields were present. The shim only extracts; the decision is made here, in Swift,
/// where it can be unit-tested without JSON (`FormatDetectionTests`).
struct FormatMarkers: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case unknown, response, batchInput, batchOutput, pair, litellm }
    enum Shape: Sendable, Equatable {
        case none, chat, completions, llamacpp, llamacppOld, error, responses, gemini, ollama, sglang
    }
    var kind: Kind
    var shape: Shape
    var vllm: Bool

    init(kind: Kind, shape: Shape, vllm: Bool = false) { self.kind = kind; self.shape = shape; self.vllm = vllm }

    init(_ d: rp_doc) {
        switch rp_kind(rawValue: UInt32(bitPattern: d.kind)) {
        case RP_KIND_RESPONSE: kind = .response
        case RP_KIND_BATCH_INPUT: kind = .batchInput
        case RP_KIND_BATCH_OUTPUT: kind = .batchOutput
        case RP_KIND_PAIR: kind = .pair
        case RP_KIND_LITELLM: kind = .litellm
        default: kind = .unknown
        }
        switch rp_shape(rawValue: UInt32(bitPattern: d.shape)) {
        case RP_SHAPE_CHAT: shape = .chat
        case RP_SHAPE_COMPLETIONS: shape = .completions
        case RP_SHAPE_LLAMACPP: shape = .llamacpp
        case RP_SHAPE_LLAMACPP_OLD: shape = .llamacppOld
        case RP_SHAPE_ERROR: shape = .error
        case RP_SHAPE_RESPONSES: shape = .responses
        case RP_SHAPE_GEMINI: shape = .gemini
        case RP_SHAPE_OLLAMA: shape = .ollama
        case RP_SHAPE_SGLANG: shape = .sglang
        default: shape = .none
        }
        vllm = d.vllm != 0
    }
}

/// Content-based format decisions: which format and role a record has, and which record formats may
/// share a file.
enum FormatDetection {
    /// Format and role of one record, or nil when the record alone does not tell (an error-only body, an
    /// object with none of the known keys). Batch lines and pairs are formats of their own whatever body
    /// they carry: the Batch join and the pairs' prompt handling do not depend on the body's API.
    static func classify(_ m: FormatMarkers) -> (LogRecord.Format, LogFileInfo.Role)? {
        switch m.kind {
        case .batchInput: return (.openaiBatch, .batchInput)
        case .batchOutput: return (.openaiBatch, .batchOutput)
        case .pair: return (.pairs, .records)
        case .litellm: return (.litellm, .records)
        case .unknown: return nil
        case .response:
            switch m.shape {
            case .chat: return (m.vllm ? .vllm : .openaiChat, .records)
            case .completions: return (m.vllm ? .vllm : .openaiCompletions, .records)
            case .llamacpp, .llamacppOld: return (.llamacpp, .records)
            case .responses: return (.openaiResponses, .records)
            case .gemini: return (.gemini, .records)
            case .ollama: return (.ollama, .records)
            case .sglang: return (.sglang, .records)
            case .none, .error: return nil
            }
        }
    }

    /// Whether a record of `line` format may appear in a file detected as `file` format. vLLM is
    /// OpenAI-compatible: its markers (stop_reason, prompt_logprobs…) may be missing from some responses.
    static func compatible(_ line: LogRecord.Format, _ file: LogRecord.Format) -> Bool {
        if line == file { return true }
        let openai: Set<LogRecord.Format> = [.openaiChat, .openaiCompletions]
        return (line == .vllm && openai.contains(file)) || (file == .vllm && openai.contains(line))
    }

    /// The formats a file may hold, for the message when none is recognised.
    static let known = "an OpenAI Chat/Completions/Responses, Batch API, request/response pair, LiteLLM logging payload, vLLM, SGLang, llama.cpp, Gemini or Ollama record"
}
