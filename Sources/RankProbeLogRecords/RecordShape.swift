import _JSONShims

/// What a JSON document is, decided from the keys of its root object: an envelope (a Batch API line, a
/// request/response pair, a LiteLLM logging payload) whose parts the shim then reads, or a bare response
/// body. The shim calls `classify` for every record (see `JSONExtractor`) and runs the chosen reader.
///
/// `response` also covers roots with none of the known keys: the body reader then finds no shape and the
/// record stays of unknown kind (`FormatDetection` refuses it).
enum RecordShape: Int32, Sendable, CaseIterable {
    // The raw values are the C header's rp_kind, RP_KIND_RESPONSE (1) … RP_KIND_LITELLM (5).
    case response = 1, batchInput, batchOutput, pair, litellm

    /// The rules, in order (the first that matches wins):
    /// 1. `custom_id` with `body` and `method` or `url`: an OpenAI Batch API *input* line
    ///    {custom_id, method, url, body}; `method` or `url` is what tells a request line from other
    ///    objects that carry a `custom_id` and a `body`.
    /// 2. `custom_id` with `response` or `error`: a Batch *output* line {id, custom_id, response:
    ///    {status_code, request_id, body}, error}; a failed request may carry only `error`.
    /// 3. `request` with `response`: a request/response pair as proxies and notebooks log them.
    /// 4. `response` and `messages` (an array), no `custom_id`: LiteLLM's StandardLoggingPayload, which
    ///    logs the request's `messages` and `model_parameters` beside the `response`. `messages` must be an
    ///    array: a bare body may have a `messages` field of its own kind. (`custom_id` with `response` was
    ///    already taken by rule 2; the condition is kept so the rule reads on its own.)
    /// 5. Anything else is read as a bare response body.
    static func classify(rootKeys keys: JSONKeys) -> RecordShape {
        if keys.contains(.customID) && keys.contains(.body) && !keys.isDisjoint(with: [.method, .url]) {
            return .batchInput
        }
        if keys.contains(.customID) && !keys.isDisjoint(with: [.response, .error]) { return .batchOutput }
        if keys.isSuperset(of: [.request, .response]) { return .pair }
        if keys.isSuperset(of: [.response, .messages, .messagesIsArray]) && !keys.contains(.customID) {
            return .litellm
        }
        return .response
    }

    /// The C entry point handed to `rp_json_parser_create`.
    static let cClassifier: rp_classify_fn = { raw in classify(rootKeys: JSONKeys(rawValue: raw)).rawValue }
}
