import Foundation

/// Per-file state of a responder run: the prompts' logprob tables, the noise stream and counters.
struct ResponderState {
    let responder: SyntheticResponder
    var random: SyntheticRandom
    var failed = 0
    var promptsSeen = Set<Int>()
    /// sample index → what its answers need (see `SampleLogprobs`), computed up front in BLAS blocks.
    let tables: [Int: SampleLogprobs]

    init(responder: SyntheticResponder, tables: [Int: SampleLogprobs]) {
        self.responder = responder
        self.tables = tables
        random = SyntheticRandom(seed: responder.options.seed, purpose: .noise, index: 0x5245_5350)
    }

    /// Indices of the `count` largest values, in descending order; among equal values the lower index first.
    static func topIndices(_ values: UnsafeBufferPointer<Double>, count: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for (i, v) in values.enumerated() {
            if best.count == count, let last = best.last, values[last] >= v { continue }
            var pos = best.count
            while pos > 0 && values[best[pos - 1]] < v { pos -= 1 }
            best.insert(i, at: pos)
            if best.count > count { best.removeLast() }
        }
        return best
    }

    func entry(_ id: Int, _ logprob: Double) -> String {
        let text = responder.tokenText(id)
        let bytes = text.utf8.map(String.init).joined(separator: ",")
        return "\"token\":\"\(text)\",\"logprob\":\(Self.number(logprob)),\"bytes\":[\(bytes)]"
    }

    /// Shortest round-tripping decimal, as JSON requires (no inf/nan reach here: logprobs are finite).
    static func number(_ x: Double) -> String { "\(x)" }

    mutating func noisy(_ lp: Double) -> Double {
        let sigma = responder.options.noise
        return sigma > 0 ? min(0, lp + sigma * random.normal()) : lp
    }

    mutating func answer(_ request: BatchRequest, ordinal: Int) -> String {
        let idField = "\"id\":\"batch_req_\(ordinal)\",\"custom_id\":\(jsonString(request.customID))"
        let requestID = "req_\(String(UInt64(truncatingIfNeeded: SyntheticResponder.sampleIndex(promptKey: request.customID)), radix: 16))"
        if responder.options.failureRate > 0 && random.uniform() < responder.options.failureRate {
            failed += 1
            return "{\(idField),\"response\":{\"status_code\":500,\"request_id\":\"\(requestID)\",\"body\":{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}},\"error\":null}"
        }
        let model = responder.model
        if let bad = request.logitBias.first(where: { $0.id < 0 || $0.id >= model.vocab }) {
            failed += 1
            return "{\(idField),\"response\":{\"status_code\":400,\"request_id\":\"\(requestID)\",\"body\":{\"error\":{\"message\":\"Invalid key in 'logit_bias': \(bad.id).\",\"type\":\"invalid_request_error\"}}},\"error\":null}"
        }
        if !request.tracked.isEmpty { return answerTracked(request, idField: idField, requestID: requestID, ordinal: ordinal) }
        let sample = responder.sample(promptKey: request.promptKey)
        promptsSeen.insert(sample)
        guard let row = tables[sample] else { preconditionFailure("no logprob table for sample \(sample)") }
        let top = row.top
        let k = request.topLogprobs
        let bias = Dictionary(request.logitBias.map { ($0.id, $0.bias) }, uniquingKeysWith: { a, _ in a })

        // Candidates for the biased argmax and top-k: the unbiased top list plus every biased id.
        var candidates = top
        for (id, _) in request.logitBias where !candidates.contains(id) { candidates.append(id) }
        func biased(_ id: Int) -> Double { row[id] + (bias[id] ?? 0) }
        candidates.sort { biased($0) > biased($1) }
        let sampled = candidates[0]

        var sampledLP: Double
        var topEntries: [(Int, Double)]
        switch responder.options.semantics {
        case .unbiasedLogprobs:
            sampledLP = row[sampled]
            topEntries = top.prefix(k).map { ($0, row[$0]) }
        case .biasedLogprobs:
            // log Z'/Z = log(1 − Σ_S p_j + Σ_S p_j e^{b_j}), evaluated in log space (e^{100} p_j overflows nothing
            // but 1 − Σ p_j must not be formed from rounded exponentials when the mass is small).
            var unbiasedMass = 0.0
            var terms: [Double] = []
            for (id, b) in request.logitBias where b != 0 {
                unbiasedMass += exp(row[id])
                terms.append(row[id] + b)
            }
            terms.append(log1p(-min(unbiasedMass, 1)))
            let m = terms.max()!
            let shift = m + log(terms.reduce(0) { $0 + exp($1 - m) })
            sampledLP = biased(sampled) - shift
            topEntries = candidates.prefix(k).map { ($0, biased($0) - shift) }
        }
        sampledLP = noisy(sampledLP)
        var topText: [String] = []
        for (id, lp) in topEntries { topText.append("{" + entry(id, noisy(lp)) + "}") }
        let content = responder.tokenText(sampled)
        let body = "{\"id\":\"chatcmpl-\(ordinal)\",\"object\":\"chat.completion\",\"created\":0,\"model\":\(jsonString(request.model)),\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\(content)\"},\"logprobs\":{\"content\":[{\(entry(sampled, sampledLP)),\"top_logprobs\":[\(topText.joined(separator: ","))]}]},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":\(request.promptTokens),\"completion_tokens\":1,\"total_tokens\":\(request.promptTokens + 1)}}"
        return "{\(idField),\"response\":{\"status_code\":200,\"request_id\":\"\(requestID)\",\"body\":\(body)},\"error\":null}"
    }

    func jsonString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }
}
