/// JSON text of the request and response bodies, in the field shapes the APIs (and the official SDKs'
/// `model_dump_json()`, with their null fields) produce. Written by hand because these are output only and
/// the exact shape — field order, nulls — is the point.
enum SyntheticJSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func number(_ x: Double) -> String { "\(x)" }

    static func bytes(_ s: String) -> String { "[" + s.utf8.map { String($0) }.joined(separator: ",") + "]" }

    static func logitBias(_ bias: [(Int, Double)]) -> String {
        "{" + bias.map { "\"\($0.0)\":\(number($0.1))" }.joined(separator: ",") + "}"
    }

    /// A returned token: id and (noisy) logprob.
    typealias Token = (id: Int, logprob: Double)

    static func chatRequest(model: String, prompt: String, top: Int, bias: [(Int, Double)]) -> String {
        var s = "{\"model\":\(string(model)),\"messages\":[{\"role\":\"user\",\"content\":\(string(prompt))}],"
        s += "\"max_tokens\":1,\"logprobs\":true,\"top_logprobs\":\(top)"
        if !bias.isEmpty { s += ",\"logit_bias\":" + logitBias(bias) }
        return s + "}"
    }

    static func completionsRequest(model: String, prompt: String, top: Int, bias: [(Int, Double)]) -> String {
        var s = "{\"model\":\(string(model)),\"prompt\":\(string(prompt)),\"max_tokens\":1,\"logprobs\":\(top),\"temperature\":0"
        if !bias.isEmpty { s += ",\"logit_bias\":" + logitBias(bias) }
        return s + "}"
    }

    static func chatEntry(_ t: Token) -> String {
        let text = SyntheticLogs.tokenText(t.id)
        return "{\"token\":\(string(text)),\"bytes\":\(bytes(text)),\"logprob\":\(number(t.logprob))"
    }

    static func chatCompletion(id: String, model: String, promptTokens: Int, sampled: Token, top: [Token]) -> String {
        let text = SyntheticLogs.tokenText(sampled.id)
        var s = "{\"id\":\"chatcmpl-\(id)\",\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"logprobs\":{\"content\":["
        s += chatEntry(sampled) + ",\"top_logprobs\":[" + top.map { chatEntry($0) + "}" }.joined(separator: ",") + "]}"
        s += "],\"refusal\":null},\"message\":{\"content\":\(string(text)),\"refusal\":null,\"role\":\"assistant\","
        s += "\"annotations\":[],\"audio\":null,\"function_call\":null,\"tool_calls\":null}}],\"created\":1714000000,"
        s += "\"model\":\(string(model)),\"object\":\"chat.completion\",\"service_tier\":\"default\","
        s += "\"system_fingerprint\":\"fp_5f1c0ea3\",\"usage\":{\"completion_tokens\":1,\"prompt_tokens\":\(promptTokens),"
        s += "\"total_tokens\":\(promptTokens + 1),\"completion_tokens_details\":null,\"prompt_tokens_details\":null}}"
        return s
    }

    static func completion(id: String, model: String, promptLength: Int, promptTokens: Int, sampled: Token, top: [Token]) -> String {
        let text = SyntheticLogs.tokenText(sampled.id)
        var s = "{\"id\":\"cmpl-\(id)\",\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"logprobs\":{"
        s += "\"text_offset\":[\(promptLength)],\"token_logprobs\":[\(number(sampled.logprob))],\"tokens\":[\(string(text))],"
        s += "\"top_logprobs\":[{" + top.map { "\(string(SyntheticLogs.tokenText($0.id))):\(number($0.logprob))" }.joined(separator: ",")
        s += "}]},\"text\":\(string(text))}],\"created\":1714000000,\"model\":\(string(model)),\"object\":\"text_completion\","
        s += "\"system_fingerprint\":null,\"usage\":{\"completion_tokens\":1,\"prompt_tokens\":\(promptTokens),"
        s += "\"total_tokens\":\(promptTokens + 1),\"completion_tokens_details\":null,\"prompt_tokens_details\":null}}"
        return s
    }

    static func llamacppEntry(_ t: Token) -> String {
        let text = SyntheticLogs.tokenText(t.id)
        return "{\"id\":\(t.id),\"token\":\(string(text)),\"bytes\":\(bytes(text)),\"logprob\":\(number(t.logprob))"
    }

    /// A bare llama.cpp `/completion` response (non-streamed, `n_predict` 1), key order as its server
    /// writes them. `sampled` nil: the sampled token was an incomplete UTF-8 sequence, so the
    /// server left out `completion_probabilities` and the content is empty.
    static func llamacppCompletion(model: String, prompt: String, promptTokens: Int, seed: UInt32, bias: [(Int, Double)],
                                   nProbs: Int, sampled: Token?, top: [Token]) -> String {
        let echoed = "[" + bias.map { "{\"bias\":\(number($0.1)),\"token\":\($0.0)}" }.joined(separator: ",") + "]"
        let content = sampled.map { SyntheticLogs.tokenText($0.id) } ?? ""
        var s = "{\"index\":0,\"content\":\(string(content)),\"tokens\":[],\"id_slot\":0,\"stop\":true,"
        s += "\"model\":\(string(model)),\"tokens_predicted\":1,\"tokens_evaluated\":\(promptTokens),"
        s += "\"generation_settings\":{\"seed\":\(seed),\"temperature\":0.800000011920929,\"top_k\":40,\"top_p\":0.949999988079071,"
        s += "\"min_p\":0.0500000007450581,\"max_tokens\":1,\"n_predict\":1,\"n_keep\":0,\"ignore_eos\":false,\"stream\":false,"
        s += "\"logit_bias\":\(echoed),\"n_probs\":\(nProbs),\"min_keep\":0,\"post_sampling_probs\":false},"
        s += "\"prompt\":\(string(prompt)),\"has_new_line\":false,\"truncated\":false,\"stop_type\":\"limit\","
        s += "\"stopping_word\":\"\",\"tokens_cached\":\(promptTokens),\"timings\":{\"prompt_n\":\(promptTokens),\"predicted_n\":1}"
        if let sampled {
            s += ",\"completion_probabilities\":[" + llamacppEntry(sampled) + ",\"top_logprobs\":["
            s += top.map { llamacppEntry($0) + "}" }.joined(separator: ",") + "]}]"
        }
        return s + "}"
    }

    static let serverError = "{\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}"

    static func batchInput(customID: String, url: String, body: String) -> String {
        "{\"custom_id\":\(string(customID)),\"method\":\"POST\",\"url\":\"\(url)\",\"body\":\(body)}"
    }

    static func batchOutput(lineID: String, customID: String, requestID: String, body: String) -> String {
        "{\"id\":\"batch_req_\(lineID)\",\"custom_id\":\(string(customID)),\"response\":{\"status_code\":200,"
            + "\"request_id\":\"\(requestID)\",\"body\":\(body)},\"error\":null}"
    }

    /// A failed Batch line: alternately a 500 with an error body, or no response and a batch-level error.
    static func batchFailure(lineID: String, customID: String, requestID: String, variant: Int) -> String {
        if variant % 2 == 0 {
            return "{\"id\":\"batch_req_\(lineID)\",\"custom_id\":\(string(customID)),\"response\":{\"status_code\":500,"
                + "\"request_id\":\"\(requestID)\",\"body\":\(serverError)},\"error\":null}"
        }
        return "{\"id\":\"batch_req_\(lineID)\",\"custom_id\":\(string(customID)),\"response\":null,\"error\":{\"code\":\"batch_expired\","
            + "\"message\":\"This request could not be executed before the completion window expired.\"}}"
    }
}
