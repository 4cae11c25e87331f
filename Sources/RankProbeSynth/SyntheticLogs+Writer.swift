import Foundation

/// A small seeded generator (SplitMix64) for the log writer's own choices: noise, failures, order.
struct LogRandom: RandomNumberGenerator {
    var core: SplitMix64
    init(_ seed: UInt64, _ stream: UInt64) { core = SplitMix64(state: seed &* SplitMix64.increment ^ (stream &+ 0x632B_E59B_D9B4_E019)) }
    mutating func next() -> UInt64 { core.next() }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func gaussian() -> Double {
        let u = max(uniform(), 0x1p-60), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    /// A 16-hex-digit opaque identifier derived from `x`.
    static func hex(_ x: UInt64) -> String {
        var r = LogRandom(x, 0xC0FFEE)
        let s = String(r.next(), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// Buffered line output to a file.
final class LineFile {
    let path: String
    private let handle: UnsafeMutablePointer<FILE>
    init(_ path: String) throws {
        guard let h = fopen(path, "w") else { throw SyntheticLogError("\(path): cannot create: \(String(cString: strerror(errno)))") }
        self.path = path; handle = h
    }
    func line(_ s: String) throws {
        var s = s
        s += "\n"
        let n = s.withUTF8 { fwrite($0.baseAddress, 1, $0.count, handle) }
        if n != s.utf8.count { throw SyntheticLogError("\(path): write failed: \(String(cString: strerror(errno)))") }
    }
    func close() throws {
        if fclose(handle) != 0 { throw SyntheticLogError("\(path): close failed: \(String(cString: strerror(errno)))") }
    }
}

/// What to request and what the server returns, request by request.
///
/// Request i (0 ≤ i < prompts × perPrompt × copies) is copy `i % copies` of probe `j` of prompt `p`.
/// Probes: forced — token j; biased — the anchor (token 0) plus tokens 1 + j(k−1) ..< 1 + (j+1)(k−1);
/// direct — one plain request. Output order is a random permutation, as Batch results come back.
struct SyntheticLogPlan {
    let o: SyntheticLogOptions
    let tokens: Int
    let perPrompt: Int
    let copies: Int
    var rows: [[Double]] = []
    var topOrder: [[Int]] = []

    init(options: SyntheticLogOptions, tokens: Int) {
        o = options
        self.tokens = tokens
        copies = 1 + max(0, options.repeats)
        switch options.protocolKind {
        case .forced: perPrompt = tokens
        case .biased: perPrompt = max(1, (tokens - 1 + options.topLogprobs - 2) / (options.topLogprobs - 1))
        case .direct: perPrompt = 1
        }
    }

    var total: Int { o.prompts * perPrompt * copies }

    func bias(probe j: Int) -> [(Int, Double)] {
        switch o.protocolKind {
        case .forced: return [(j, o.bias)]
        case .biased:
            let k1 = o.topLogprobs - 1
            return [(0, o.bias)] + (1 + j * k1 ..< min(tokens, 1 + (j + 1) * k1)).map { ($0, o.bias) }
        case .direct: return []
        }
    }

    /// The response's sampled token and top alternatives, with serving noise (one draw per token).
    func response(prompt p: Int, probe j: Int, random: inout LogRandom) -> (sampled: SyntheticJSON.Token, top: [SyntheticJSON.Token]) {
        let row = rows[p]
        var values: [(Int, Double)]
        switch o.protocolKind {
        case .forced, .direct:
            values = topOrder[p].prefix(o.topLogprobs).map { ($0, row[$0]) }
        case .biased:
            let b = bias(probe: j)
            var shifted = row
            for (t, v) in b { shifted[t] += v }
            let m = shifted.max()!
            let logZ = m + log(shifted.reduce(0) { $0 + exp($1 - m) })
            let order = shifted.indices.sorted { shifted[$0] > shifted[$1] }
            values = order.prefix(o.topLogprobs).map { ($0, shifted[$0] - logZ) }
        }
        if o.noise > 0 { values = values.map { ($0.0, min(0, $0.1 + o.noise * random.gaussian())) } }
        var sampled: SyntheticJSON.Token
        if o.protocolKind == .forced {
            sampled = values.first { $0.0 == j }.map { ($0.0, $0.1) }
                ?? (j, o.noise > 0 ? min(0, row[j] + o.noise * random.gaussian()) : row[j])
        } else {
            sampled = (values[0].0, values[0].1)
        }
        return (sampled, values.map { ($0.0, $0.1) })
    }

    mutating func write(source: some LogprobSource, prefix: String) throws -> [String] {
        let v = source.vocab
        let flat = source.logprobs(samples: 0..<o.prompts)
        rows = (0..<o.prompts).map { Array(flat[($0 * v)..<(($0 + 1) * v)]) }
        topOrder = rows.map { r in Array(r.indices.sorted { r[$0] > r[$1] }.prefix(max(o.topLogprobs, 1))) }
        let chatBodies = o.format != .completionsPairs
        let url = o.format == .responsesBatch ? "/v1/responses" : chatBodies ? "/v1/chat/completions" : "/v1/completions"
        let batch = o.format == .openaiBatch || o.format == .responsesBatch

        var order = Array(0..<total)
        var shuffleRandom = LogRandom(o.seed, 1)
        order.shuffle(using: &shuffleRandom)

        var files: [String] = []
        if batch {
            let f = try LineFile(prefix + ".input.jsonl")
            for i in 0..<total { try f.line(SyntheticJSON.batchInput(customID: customID(i), url: url, body: request(i))) }
            try f.close()
            files.append(f.path)
        }
        let out = try LineFile(prefix + (batch ? ".output.jsonl" : ".jsonl"))
        for i in order {
            var random = LogRandom(o.seed, 1000 + UInt64(i))
            let failed = random.uniform() < o.failureRate
            let corrupt = random.uniform() < o.corruptionRate
            var line = failed ? failure(i, variant: Int(random.next() % 2)) : success(i, random: &random)
            if corrupt {
                let cut = 1 + Int(random.next() % UInt64(max(1, line.utf8.count - 2)))
                line = String(decoding: line.utf8.prefix(cut), as: UTF8.self)
            }
            try out.line(line)
        }
        try out.close()
        files.append(out.path)
        return files
    }

    func split(_ i: Int) -> (prompt: Int, probe: Int, copy: Int) {
        (i / (copies * perPrompt), (i / copies) % perPrompt, i % copies)
    }

    func customID(_ i: Int) -> String { "req-" + LogRandom.hex(o.seed &* 31 &+ UInt64(i)) }

    func request(_ i: Int) -> String {
        let (p, j, _) = split(i)
        let prompt = SyntheticLogs.promptText(p)
        switch o.format {
        case .responsesPairs, .responsesBatch: return SyntheticAPIJSON.responsesRequest(model: o.model, prompt: prompt, top: o.topLogprobs)
        case .geminiPairs: return SyntheticAPIJSON.geminiRequest(prompt: prompt, top: o.topLogprobs)
        case .ollamaPairs: return SyntheticAPIJSON.ollamaRequest(model: o.model, prompt: prompt, top: o.topLogprobs, chat: p % 2 == 1)
        case .sglangPairs: return SyntheticAPIJSON.sglangRequest(prompt: prompt, top: o.topLogprobs, tracked: [])
        default: break
        }
        return o.format == .completionsPairs
            ? SyntheticJSON.completionsRequest(model: o.model, prompt: prompt, top: o.topLogprobs, bias: bias(probe: j))
            : SyntheticJSON.chatRequest(model: o.model, prompt: prompt, top: o.topLogprobs, bias: bias(probe: j))
    }

    func success(_ i: Int, random: inout LogRandom) -> String {
        let (p, j, _) = split(i)
        let (sampled, top) = response(prompt: p, probe: j, random: &random)
        let prompt = SyntheticLogs.promptText(p)
        let promptTokens = prompt.split(separator: " ").count + 7
        let id = LogRandom.hex(o.seed &* 131 &+ UInt64(i))
        switch o.format {
        case .openaiBatch:
            let body = SyntheticJSON.chatCompletion(id: id, model: o.model, promptTokens: promptTokens, sampled: sampled, top: top)
            return SyntheticJSON.batchOutput(lineID: id, customID: customID(i), requestID: LogRandom.hex(UInt64(i) ^ 0x5EED), body: body)
        case .openaiChat:
            return SyntheticJSON.chatCompletion(id: id, model: o.model, promptTokens: promptTokens, sampled: sampled, top: top)
        case .llamacpp:
            let answered = !o.fragmentTokens.contains(sampled.id)
            return SyntheticJSON.llamacppCompletion(model: o.model, prompt: prompt, promptTokens: promptTokens,
                                                    seed: UInt32(truncatingIfNeeded: o.seed &+ UInt64(i)), bias: bias(probe: j),
                                                    nProbs: o.topLogprobs, sampled: answered ? sampled : nil, top: top)
        case .responsesPairs, .responsesBatch:
            let body = SyntheticAPIJSON.response(id: id, model: o.model, promptTokens: promptTokens, sampled: sampled, top: top)
            if o.format == .responsesPairs { return "{\"request\":\(request(i)),\"response\":\(body)}" }
            return SyntheticJSON.batchOutput(lineID: id, customID: customID(i), requestID: LogRandom.hex(UInt64(i) ^ 0x5EED), body: body)
        case .geminiPairs:
            let body = SyntheticAPIJSON.gemini(id: id, model: o.model, promptTokens: promptTokens, sampled: sampled, top: top)
            return "{\"request\":\(request(i)),\"response\":\(body)}"
        case .ollamaPairs:
            let body = SyntheticAPIJSON.ollama(model: o.model, promptTokens: promptTokens, sampled: sampled, top: top, chat: p % 2 == 1)
            return "{\"request\":\(request(i)),\"response\":\(body)}"
        case .litellm:
            let body = SyntheticJSON.chatCompletion(id: id, model: o.model, promptTokens: promptTokens, sampled: sampled, top: top)
            return SyntheticAPIJSON.litellm(id: id, model: o.model, prompt: prompt, top: o.topLogprobs, bias: bias(probe: j), response: body)
        case .sglangPairs:
            let body = SyntheticAPIJSON.sglang(id: id, promptTokens: promptTokens, sampled: sampled, top: top, tracked: [])
            return "{\"request\":\(request(i)),\"response\":\(body)}"
        case .completionsPairs:
            let body = SyntheticJSON.completion(id: id, model: o.model, promptLength: prompt.utf8.count,
                                                promptTokens: promptTokens, sampled: sampled, top: top)
            return "{\"request\":\(request(i)),\"response\":\(body)}"
        }
    }

    func failure(_ i: Int, variant: Int) -> String {
        let id = LogRandom.hex(o.seed &* 131 &+ UInt64(i))
        switch o.format {
        case .openaiBatch, .responsesBatch:
            return SyntheticJSON.batchFailure(lineID: id, customID: customID(i), requestID: LogRandom.hex(UInt64(i) ^ 0x5EED), variant: variant)
        case .openaiChat, .llamacpp: return SyntheticJSON.serverError
        case .litellm:
            return SyntheticAPIJSON.litellm(id: id, model: o.model, prompt: SyntheticLogs.promptText(split(i).prompt), top: o.topLogprobs,
                                            bias: bias(probe: split(i).probe), response: nil)
        case .completionsPairs, .responsesPairs, .geminiPairs, .ollamaPairs, .sglangPairs:
            return "{\"request\":\(request(i)),\"response\":\(SyntheticJSON.serverError)}"
        }
    }
}
