/// Request and response bodies of the APIs people record in 2026, in the field shapes their docs and SDKs
/// give (checked against the `openai` SDK's `Response` type, Gemini's `GenerateContentResponse`, Ollama's
/// and SGLang's server code). None of them takes `logit_bias`, so only the direct protocol is written.
enum SyntheticAPIJSON {
    typealias Token = SyntheticJSON.Token
    static func string(_ s: String) -> String { SyntheticJSON.string(s) }
    static func number(_ x: Double) -> String { SyntheticJSON.number(x) }

    // MARK: OpenAI Responses API

    static func responsesRequest(model: String, prompt: String, top: Int) -> String {
        "{\"model\":\(string(model)),\"input\":\(string(prompt)),\"include\":[\"message.output_text.logprobs\"],"
            + "\"top_logprobs\":\(top),\"max_output_tokens\":16}"
    }

    /// A `Response` as `model_dump_json()` writes it (null fields kept), with one message output item.
    static func response(id: String, model: String, promptTokens: Int, sampled: Token, top: [Token]) -> String {
        let text = SyntheticLogs.tokenText(sampled.id)
        var s = "{\"id\":\"resp_\(id)\",\"created_at\":1767225600.0,\"error\":null,\"incomplete_details\":null,"
        s += "\"instructions\":null,\"metadata\":{},\"model\":\(string(model)),\"object\":\"response\",\"output\":[{"
        s += "\"id\":\"msg_\(id)\",\"content\":[{\"annotations\":[],\"text\":\(string(text)),\"type\":\"output_text\","
        // Responses `output_text.logprobs` entries have Chat Completions' field shape and order.
        s += "\"logprobs\":[" + SyntheticJSON.chatEntry(sampled) + ",\"top_logprobs\":["
        s += top.map { SyntheticJSON.chatEntry($0) + "}" }.joined(separator: ",") + "]}]}],"
        s += "\"role\":\"assistant\",\"status\":\"completed\",\"type\":\"message\"}],\"parallel_tool_calls\":true,"
        s += "\"temperature\":1.0,\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"max_output_tokens\":16,"
        s += "\"status\":\"completed\",\"top_logprobs\":\(top.count),\"usage\":{\"input_tokens\":\(promptTokens),"
        s += "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":1,\"output_tokens_details\":"
        s += "{\"reasoning_tokens\":0},\"total_tokens\":\(promptTokens + 1)}}"
        return s
    }

    // MARK: LiteLLM StandardLoggingPayload

    /// One payload; `response` nil writes a failed call (`status` "failure", `error_str`, `response` null).
    static func litellm(id: String, model: String, prompt: String, top: Int, bias: [(Int, Double)], response: String?) -> String {
        var params = "{\"max_tokens\":1,\"logprobs\":true,\"top_logprobs\":\(top)"
        if !bias.isEmpty { params += ",\"logit_bias\":" + SyntheticJSON.logitBias(bias) }
        params += "}"
        var s = "{\"id\":\(string(id)),\"trace_id\":\(string("t" + id)),\"call_type\":\"acompletion\",\"stream\":false,"
        s += "\"response_cost\":0.0,\"status\":\(response == nil ? "\"failure\"" : "\"success\""),\"custom_llm_provider\":\"openai\","
        s += "\"total_tokens\":0,\"prompt_tokens\":0,\"completion_tokens\":0,\"startTime\":1767225600.0,\"endTime\":1767225600.5,"
        s += "\"model\":\(string(model)),\"api_base\":\"https://api.openai.com/v1\",\"metadata\":{},\"cache_hit\":false,"
        s += "\"messages\":[{\"role\":\"user\",\"content\":\(string(prompt))}],\"response\":\(response ?? "null"),"
        s += "\"error_str\":\(response == nil ? "\"litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached\"" : "null"),"
        s += "\"model_parameters\":\(params),\"hidden_params\":{}}"
        return s
    }

    // MARK: Gemini generateContent

    static func geminiRequest(prompt: String, top: Int) -> String {
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\(string(prompt))}]}],"
            + "\"generationConfig\":{\"responseLogprobs\":true,\"logprobs\":\(top),\"maxOutputTokens\":1}}"
    }

    static func geminiEntry(_ t: Token) -> String {
        "{\"token\":\(string(SyntheticLogs.tokenText(t.id))),\"tokenId\":\(t.id),\"logProbability\":\(number(t.logprob))}"
    }

    static func gemini(id: String, model: String, promptTokens: Int, sampled: Token, top: [Token]) -> String {
        var s = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\(string(SyntheticLogs.tokenText(sampled.id)))}],"
        s += "\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\",\"avgLogprobs\":\(number(sampled.logprob)),"
        s += "\"logprobsResult\":{\"topCandidates\":[{\"candidates\":[" + top.map(geminiEntry).joined(separator: ",") + "]}],"
        s += "\"chosenCandidates\":[" + geminiEntry(sampled) + "]}}],"
        s += "\"usageMetadata\":{\"promptTokenCount\":\(promptTokens),\"candidatesTokenCount\":1,"
        s += "\"totalTokenCount\":\(promptTokens + 1)},\"modelVersion\":\(string(model)),\"responseId\":\(string(id))}"
        return s
    }

    // MARK: Ollama /api/generate and /api/chat

    static func ollamaRequest(model: String, prompt: String, top: Int, chat: Bool) -> String {
        let input = chat ? "\"messages\":[{\"role\":\"user\",\"content\":\(string(prompt))}]" : "\"prompt\":\(string(prompt))"
        return "{\"model\":\(string(model)),\(input),\"stream\":false,\"logprobs\":true,\"top_logprobs\":\(top),"
            + "\"options\":{\"num_predict\":1}}"
    }

    static func ollamaEntry(_ t: Token) -> String {
        let text = SyntheticLogs.tokenText(t.id)
        return "{\"token\":\(string(text)),\"logprob\":\(number(t.logprob)),\"bytes\":\(SyntheticJSON.bytes(text))"
    }

    static func ollama(model: String, promptTokens: Int, sampled: Token, top: [Token], chat: Bool) -> String {
        let text = string(SyntheticLogs.tokenText(sampled.id))
        var s = "{\"model\":\(string(model)),\"created_at\":\"2026-01-01T00:00:00.000000Z\","
        s += chat ? "\"message\":{\"role\":\"assistant\",\"content\":\(text)}," : "\"response\":\(text),"
        s += "\"done\":true,\"done_reason\":\"length\",\"total_duration\":1000000,\"prompt_eval_count\":\(promptTokens),"
        s += "\"eval_count\":1,\"logprobs\":[" + ollamaEntry(sampled) + ",\"top_logprobs\":["
        s += top.map { ollamaEntry($0) + "}" }.joined(separator: ",") + "]}]}"
        return s
    }

    // MARK: SGLang /generate

    static func sglangRequest(prompt: String, top: Int, tracked: [Int]) -> String {
        var s = "{\"text\":\(string(prompt)),\"sampling_params\":{\"max_new_tokens\":1,\"temperature\":0},"
        s += "\"return_logprob\":true,\"top_logprobs_num\":\(top)"
        if !tracked.isEmpty { s += ",\"token_ids_logprob\":[" + tracked.map(String.init).joined(separator: ",") + "]" }
        return s + "}"
    }

    static func sglangTuple(_ t: Token) -> String { "[\(number(t.logprob)),\(t.id),\(string(SyntheticLogs.tokenText(t.id)))]" }

    static func sglang(id: String, promptTokens: Int, sampled: Token, top: [Token], tracked: [Token]) -> String {
        var s = "{\"text\":\(string(SyntheticLogs.tokenText(sampled.id))),\"meta_info\":{\"id\":\(string(id)),"
        s += "\"finish_reason\":{\"type\":\"length\",\"length\":1},\"prompt_tokens\":\(promptTokens),\"completion_tokens\":1,"
        s += "\"cached_tokens\":0,\"input_token_logprobs\":[],\"input_top_logprobs\":[],"
        s += "\"output_token_logprobs\":[" + sglangTuple(sampled) + "],"
        s += "\"output_top_logprobs\":[[" + top.map(sglangTuple).joined(separator: ",") + "]]"
        if !tracked.isEmpty { s += ",\"output_token_ids_logprobs\":[[" + tracked.map(sglangTuple).joined(separator: ",") + "]]" }
        return s + "}}"
    }
}
