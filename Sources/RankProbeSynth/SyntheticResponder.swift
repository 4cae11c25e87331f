import Foundation

/// Plays the OpenAI Batch API: answers a Batch input file (`/v1/chat/completions` requests with
/// `max_tokens` 1, `logprobs`, `top_logprobs`, `logit_bias`) from a `SyntheticModel`, writing Batch output lines
/// `{"id","custom_id","response":{"status_code","request_id","body"},"error"}`.
///
/// **Prompt → sample.** A request's prompt is identified by its content only: the FNV-1a 64-bit hash of each
/// message's role and content (or of a completions `prompt`), shifted to 40 bits, is the model's sample index.
/// Identical prompts therefore get identical hidden states (as on a real server, repeats agree up to the
/// injected noise) and no bookkeeping of prompt order is needed; distinct prompts collide with probability
/// ~n²/2⁴¹.
///
/// **Bias semantics.** `.unbiasedLogprobs` is today's OpenAI behaviour: `logit_bias` steers sampling (the
/// sampled token is the argmax of the biased logits, so a +100 bias forces that token) but the returned
/// logprobs — sampled and `top_logprobs` — are those of the unbiased distribution. `.biasedLogprobs` is a
/// server that applies the bias before the softmax: returned values and the top-k list come from the
/// biased distribution. Decoding is greedy in both.
///
/// **Tokens.** Token id `t` is spelled `tok<t>` (with its UTF-8 `bytes`), stable and unambiguous.
///
/// **Imperfections.** Optional Gaussian noise (nats, independent per returned value, clamped at 0), a failure
/// rate (status 500 lines with an error body), and a seeded shuffle of the output order — Batch output
/// files are not in input order.
public struct SyntheticResponder {
    public enum BiasSemantics: String, Sendable, CaseIterable {
        case unbiasedLogprobs = "unbiased"
        case biasedLogprobs = "biased"
    }

    public struct Options: Sendable {
        public var semantics: BiasSemantics
        /// Standard deviation of the Gaussian noise added to each returned logprob (nats).
        public var noise: Double
        /// Probability that a request fails with status 500.
        public var failureRate: Double
        public var shuffle: Bool
        /// Seed for noise, failures and shuffling (the model has its own).
        public var seed: UInt64
        /// Prompts per BLAS block when computing their rows (nil: about 64 MB of rows, at most 256). Only
        /// speed and peak memory depend on it, never the answers.
        public var blockSize: Int?
        /// How prompts map to samples and how tokens are spelled (see `Dialect`).
        public var dialect: Dialect

        public init(semantics: BiasSemantics = .unbiasedLogprobs, noise: Double = 0, failureRate: Double = 0,
                    shuffle: Bool = true, seed: UInt64 = 1, blockSize: Int? = nil, dialect: Dialect = .contentHash) {
            self.semantics = semantics; self.noise = noise; self.failureRate = failureRate
            self.shuffle = shuffle; self.seed = seed; self.blockSize = blockSize; self.dialect = dialect
        }
    }

    /// Whose conventions the answers follow.
    ///
    /// `.contentHash` is the responder's own (prompt content hashed to a sample, tokens spelled `tok<t>`).
    /// `.logWriter` answers like `SyntheticLogs` writes: the prompt `SyntheticLogs.promptText(p)` is sample
    /// p, and tokens are spelled `SyntheticLogs.tokenText`. Resending lost requests of a `SyntheticLogs` log
    /// (`estimate --emit-retry`) needs it: the retry answers must be the same model's answers to the same
    /// prompts, spelled the same, or they could not fill the original log's holes. Prompts of any other form
    /// fall back to the content hash.
    public enum Dialect: String, Sendable, CaseIterable {
        case contentHash = "content-hash"
        case logWriter = "log-writer"
    }

    /// The sample a request's prompt maps to under `options.dialect`.
    func sample(promptKey: String) -> Int {
        if options.dialect == .logWriter, let p = Self.logWriterPrompt(promptKey) { return p }
        return Self.sampleIndex(promptKey: promptKey)
    }

    /// p when the canonical prompt (a single user message, or a completions prompt) is exactly
    /// `SyntheticLogs.promptText(p)`.
    static func logWriterPrompt(_ key: String) -> Int? {
        var text = Substring(key)
        if text.hasPrefix("user\u{0}"), text.hasSuffix("\u{0}") {
            text = text.dropFirst(5).dropLast()
        } else if text.hasPrefix("prompt\u{0}") {
            text = text.dropFirst(7)
        } else {
            return nil
        }
        guard text.hasPrefix("Prompt "), let colon = text.firstIndex(of: ":"),
              let p = Int(text[text.index(text.startIndex, offsetBy: 7)..<colon]), p >= 0,
              SyntheticLogs.promptText(p) == text else { return nil }
        return p
    }

    /// A token's text under `options.dialect`.
    func tokenText(_ id: Int) -> String {
        options.dialect == .logWriter ? SyntheticLogs.tokenText(id) : "tok\(id)"
    }

    public struct Summary: Sendable, Equatable {
        public var requests: Int
        public var failed: Int
        public var prompts: Int
    }

    public let model: SyntheticModel
    public let options: Options

    public init(model: SyntheticModel, options: Options = Options()) {
        self.model = model; self.options = options
    }

    /// The sample index a prompt maps to (see the type's documentation).
    public static func sampleIndex(promptKey: String) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in promptKey.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return Int(h >> 24)
    }

    /// Answers every line of `inputPath` into `outputPath`.
    ///
    /// Three passes: parse every request (so a malformed line fails before any work), compute the rows of
    /// all distinct prompts in BLAS blocks (see `SyntheticModel.logprobTables`), then answer in input order —
    /// the order that the failure and noise draws follow, so results do not depend on how rows were grouped.
    public func respond(inputPath: String, outputPath: String) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: inputPath) else {
            throw SyntheticModelError("\(inputPath): cannot read the Batch input file")
        }
        var requests: [BatchRequest] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            start = end < data.endIndex ? end + 1 : end
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            requests.append(try BatchRequest(json: Data(line), file: inputPath, line: lineNumber))
        }

        // Every prompt with at least one answerable request, and the biased tokens its answers read.
        var needs: [Int: Set<Int>] = [:]
        for request in requests where !request.logitBias.contains(where: { $0.id < 0 || $0.id >= model.vocab }) {
            needs[sample(promptKey: request.promptKey), default: []].formUnion(request.logitBias.map(\.id) + request.tracked)
        }
        let samples = needs.keys.sorted()
        let computed = model.logprobTables(samples: samples, tokens: samples.map { Array(needs[$0]!) },
                                           blockSize: options.blockSize)
        var state = ResponderState(responder: self, tables: Dictionary(uniqueKeysWithValues: zip(samples, computed)))

        var outputs: [String] = []
        outputs.reserveCapacity(requests.count)
        for request in requests { outputs.append(state.answer(request, ordinal: outputs.count)) }
        if options.shuffle {
            var random = SyntheticRandom(seed: options.seed, purpose: .noise, index: 0x5348_5546)
            var i = outputs.count
            while i > 1 {
                let j = random.below(i)
                i -= 1
                outputs.swapAt(i, j)
            }
        }
        var text = outputs.joined(separator: "\n")
        if !outputs.isEmpty { text += "\n" }
        guard FileManager.default.createFile(atPath: outputPath, contents: Data(text.utf8)) else {
            throw SyntheticModelError("\(outputPath): cannot write the Batch output file")
        }
        return Summary(requests: outputs.count, failed: state.failed, prompts: state.promptsSeen.count)
    }
}

/// One parsed Batch input line.
struct BatchRequest {
    var customID: String
    var model: String
    var promptKey: String
    var topLogprobs: Int
    var logitBias: [(id: Int, bias: Double)]
    var promptTokens: Int
    /// Token ids asked for by id (vLLM `logprob_token_ids`, SGLang `token_ids_logprob`): a tracked-token
    /// request, answered in its server's shape (see SyntheticResponder+Tracked.swift).
    var tracked: [Int] = []
    var endpoint: Endpoint = .chat
    enum Endpoint { case chat, completions, sglang }

    init(json: Data, file: String, line: Int) throws {
        func fail(_ problem: String) -> SyntheticModelError { SyntheticModelError("\(file):\(line): \(problem)") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json) } catch {
            throw fail("not valid JSON (\(error.localizedDescription))")
        }
        guard let top = object as? [String: Any] else { throw fail("expected a JSON object") }
        guard let customID = top["custom_id"] as? String else { throw fail("missing \"custom_id\"") }
        guard let body = top["body"] as? [String: Any] else { throw fail("missing \"body\"") }
        self.customID = customID
        model = body["model"] as? String ?? "synthetic"
        if let messages = body["messages"] as? [[String: Any]] {
            var key = ""
            for m in messages {
                key += (m["role"] as? String ?? "") + "\u{0}"
                if let content = m["content"] as? String {
                    key += content
                } else if let parts = m["content"] as? [[String: Any]] {
                    for p in parts { key += p["text"] as? String ?? "" }
                }
                key += "\u{0}"
            }
            promptKey = key
        } else if let prompt = body["prompt"] as? String {
            promptKey = "prompt\u{0}" + prompt
            endpoint = .completions
        } else if let text = body["text"] as? String {
            promptKey = "prompt\u{0}" + text
            endpoint = .sglang
        } else {
            throw fail("the body has neither \"messages\" nor \"prompt\" (nor SGLang's \"text\")")
        }
        if let ids = body["logprob_token_ids"] ?? body["token_ids_logprob"] {
            guard let list = ids as? [NSNumber], !list.isEmpty else { throw fail("the tracked token ids are not a non-empty list of integers") }
            tracked = list.map(\.intValue)
        }
        promptTokens = max(1, promptKey.utf8.count / 4)
        topLogprobs = (body["top_logprobs"] as? NSNumber)?.intValue ?? 0
        guard topLogprobs >= 0 && topLogprobs <= 20 else { throw fail("top_logprobs must be between 0 and 20 (got \(topLogprobs))") }
        var bias: [(Int, Double)] = []
        if let lb = body["logit_bias"] as? [String: Any] {
            for (key, value) in lb {
                guard let id = Int(key), let b = (value as? NSNumber)?.doubleValue else {
                    throw fail("logit_bias entry \(key.debugDescription) is not token id → number")
                }
                guard b >= -100 && b <= 100 else { throw fail("logit_bias for \(id) is \(b), outside −100…100") }
                bias.append((id, b))
            }
        }
        logitBias = bias.sorted { $0.0 < $1.0 }
    }
}
