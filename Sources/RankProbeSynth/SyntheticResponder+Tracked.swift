/// Tracked-token requests (`rankprobe plan --protocol tracked`): the caller names token ids and the server
/// returns their unbiased log-probabilities at the first generated position, with the sampled (greedy)
/// token besides. Recognised by their fields, so `synth --respond` answers them without a flag:
/// `logprob_token_ids` on a completions body is answered as vLLM does (`text_completion`, `top_logprobs`
/// keyed `token_id:N` as under `return_tokens_as_token_ids`), `token_ids_logprob` on a `text` body as SGLang's
/// `/generate` does (`meta_info` tuples `[logprob, id, text]`).
extension ResponderState {
    mutating func answerTracked(_ request: BatchRequest, idField: String, requestID: String, ordinal: Int) -> String {
        let model = responder.model
        if let bad = request.tracked.first(where: { $0 < 0 || $0 >= model.vocab }) {
            failed += 1
            return "{\(idField),\"response\":{\"status_code\":400,\"request_id\":\"\(requestID)\",\"body\":{\"error\":{\"message\":\"token id \(bad) is out of vocabulary range\",\"type\":\"BadRequestError\"}}},\"error\":null}"
        }
        let sample = responder.sample(promptKey: request.promptKey)
        promptsSeen.insert(sample)
        guard let row = tables[sample] else { preconditionFailure("no logprob table for sample \(sample)") }
        let sampled = row.top[0]
        let sampledLP = noisy(row[sampled])
        var values: [(Int, Double)] = []
        for id in request.tracked { values.append((id, id == sampled ? sampledLP : noisy(row[id]))) }
        let body: String
        if request.endpoint == .sglang {
            func tuple(_ id: Int, _ lp: Double) -> String { "[\(Self.number(lp)),\(id),null]" }
            body = "{\"text\":\(jsonString(responder.tokenText(sampled))),\"meta_info\":{\"id\":\"\(ordinal)\","
                + "\"finish_reason\":{\"type\":\"length\",\"length\":1},\"prompt_tokens\":\(request.promptTokens),"
                + "\"completion_tokens\":1,\"cached_tokens\":0,\"output_token_logprobs\":[\(tuple(sampled, sampledLP))],"
                + "\"output_top_logprobs\":[[]],\"output_token_ids_logprobs\":[["
                + values.map { tuple($0.0, $0.1) }.joined(separator: ",") + "]]}}"
        } else {
            var dict = ["\"token_id:\(sampled)\":\(Self.number(sampledLP))"]
            for (id, lp) in values where id != sampled { dict.append("\"token_id:\(id)\":\(Self.number(lp))") }
            body = "{\"id\":\"cmpl-\(ordinal)\",\"object\":\"text_completion\",\"created\":0,\"model\":\(jsonString(request.model)),"
                + "\"choices\":[{\"index\":0,\"text\":\(jsonString(responder.tokenText(sampled))),\"logprobs\":{\"text_offset\":[0],"
                + "\"token_logprobs\":[\(Self.number(sampledLP))],\"tokens\":[\"token_id:\(sampled)\"],\"top_logprobs\":[{"
                + dict.joined(separator: ",") + "}]},\"finish_reason\":\"length\",\"stop_reason\":null,\"prompt_logprobs\":null}],"
                + "\"usage\":{\"prompt_tokens\":\(request.promptTokens),\"completion_tokens\":1,\"total_tokens\":\(request.promptTokens + 1)}}"
        }
        return "{\(idField),\"response\":{\"status_code\":200,\"request_id\":\"\(requestID)\",\"body\":\(body)},\"error\":null}"
    }
}
