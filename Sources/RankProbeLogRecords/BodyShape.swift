import _JSONShims

/// Which reader a response body needs, decided from its keys. Each 2026 API is recognised by keys that no
/// other reader uses; the reader then settles the finer shape from the values (chat or legacy completions,
/// old or new llama.cpp token objects, an error-only body).
enum BodyShape: Int32, Sendable, CaseIterable {
    /// OpenAI Chat Completions / Completions, vLLM and most servers: `choices[]`. Also every body no other
    /// rule claims (the OpenAI reader calls a body with `error` and no `choices` an error-only body).
    case openAI = 0       // RP_READER_OPENAI
    /// llama.cpp's /completion: `completion_probabilities`, `generation_settings`, `tokens_predicted`.
    case llamaCpp = 1     // RP_READER_LLAMACPP
    /// SGLang /generate: a `meta_info` object with the logprob tuples.
    case sglang = 2       // RP_READER_SGLANG
    /// Gemini generateContent: `candidates`, or only `promptFeedback` (a blocked prompt).
    case gemini = 3       // RP_READER_GEMINI
    /// OpenAI Responses API: `object: "response"`, or an `output` array.
    case responses = 4    // RP_READER_RESPONSES
    /// Ollama /api/generate and /api/chat: a `created_at` string, `done`, and `response` or `message`.
    case ollama = 5       // RP_READER_OLLAMA

    /// The rules, in order:
    /// 1. A body with `choices` is OpenAI-shaped (OpenAI, vLLM, most servers: nearly every line of a big
    ///    log), so the other APIs' marker keys are not consulted for it: a body with both `choices` and
    ///    `candidates` is OpenAI's.
    /// 2. Without `choices`, each API by keys no other reader uses: a `meta_info` *object* is SGLang; then
    ///    `candidates` or `promptFeedback` is Gemini; then `object` == "response" or an `output` *array* is
    ///    the Responses API; then Ollama needs all of a `created_at` string, `done`, and `response` or
    ///    `message` (its /api/generate and /api/chat bodies have all of them).
    /// 3. llama.cpp's keys (`completion_probabilities`, `generation_settings`, `tokens_predicted`) choose its
    ///    reader, with or without `choices` (rule 1 only passes over the other APIs' markers).
    /// 4. Anything else goes to the OpenAI reader.
    static func classify(keys: JSONKeys) -> BodyShape {
        if !keys.contains(.choices) {
            if keys.contains(.metaInfoIsObject) { return .sglang }
            if !keys.isDisjoint(with: [.candidates, .promptFeedback]) { return .gemini }
            if !keys.isDisjoint(with: [.objectIsResponse, .outputIsArray]) { return .responses }
            if keys.isSuperset(of: [.createdAtIsString, .done]) && !keys.isDisjoint(with: [.response, .message]) {
                return .ollama
            }
        }
        if !keys.isDisjoint(with: [.completionProbabilities, .generationSettings, .tokensPredicted]) {
            return .llamaCpp
        }
        return .openAI
    }

    /// The C entry point handed to `rp_json_parser_create`.
    static let cClassifier: rp_classify_fn = { raw in classify(keys: JSONKeys(rawValue: raw)).rawValue }
}
