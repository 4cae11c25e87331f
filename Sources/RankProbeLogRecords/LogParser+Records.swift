import _JSONShims
import _SystemShims

/// What became of one line (or whole-file array element).
enum LineOutcome: Sendable {
    case record(LogRecord, placeholders: Int, nonFinite: Int)
    case batchInput(id: RequestID, customID: String, request: BatchRequestFields)
    case failed(reason: String, message: String)
    case skipped(reason: String, message: String)
    /// A successful response without the probabilities its request asked for (llama.cpp drops the whole
    /// list when the sampled token is an incomplete UTF-8 sequence). `forcedToken` is set when the request
    /// forced that one token: it is then never sampled whole, and asking again cannot help.
    case answerless(reason: String, message: String, forcedToken: Int?)
}

struct Outcome: Sendable {
    var line: Int
    var kind: LineOutcome
}

/// Everything a parser thread needs to turn an `rp_doc` into an outcome; immutable during a pass.
struct RecordContext: Sendable {
    var file: LogFileInfo
    var batch: SharedBatchIndex?
    /// Smallest `logit_bias` that forces a token (`LogIngestOptions.forcedMinBias`).
    var forcedMinBias: Double = 20
}

/// The Batch index, read by the parser threads while output files are joined. A class so that a lookup
/// borrows the index: reaching an optional struct through the context copied it, retaining and releasing
/// each of its arrays for every output line.
final class SharedBatchIndex: Sendable {
    let index: BatchIndex
    init(_ index: BatchIndex) { self.index = index }
}

enum RecordConverter {
    static let placeholderLogprob = -9999.0

    static func outcome(_ d: rp_doc, line: Int, context: RecordContext, keys: PromptKeyCache) -> LineOutcome {
        let file = context.file
        let kind = rp_kind(rawValue: UInt32(bitPattern: d.kind))
        if kind == RP_KIND_UNKNOWN {
            return .skipped(reason: ReadStats.Reason.unknownShape,
                            message: d.problem.string ?? "its keys match no known log shape")
        }
        if kind == RP_KIND_RESPONSE && d.shape == Int32(RP_SHAPE_ERROR.rawValue) {
            let text = d.error.string ?? "error"
            return .failed(reason: failureReason(text), message: "failed request: \(text)")
        }
        guard let (format, role) = LogFormat.classify(d) else {
            return .skipped(reason: ReadStats.Reason.unknownShape, message: "its keys match no known log shape")
        }
        guard role == file.role, LogFormat.compatible(format, file.format) else {
            let what = role == .batchInput ? "a Batch API input line" : role == .batchOutput ? "a Batch API output line" : "a \(format.rawValue) record"
            let inFile = file.role == .batchInput ? "a Batch API input file" : file.role == .batchOutput ? "a Batch API output file" : "a \(file.format.rawValue) file"
            return .skipped(reason: ReadStats.Reason.formatMismatch, message: "\(what) in \(inFile)")
        }
        if role == .batchInput {
            guard let customID = d.custom_id.string else {
                return .skipped(reason: ReadStats.Reason.missingCustomID, message: "`custom_id` is not a string")
            }
            if let problem = d.problem.string { return .skipped(reason: ReadStats.Reason.malformed, message: problem) }
            var bias: [(Int, Double)] = []
            var single: (Int, Double)? = nil
            if d.bias_count == 1 {
                single = (Int(d.bias_ids[0]), d.bias_values[0])
            } else {
                bias.reserveCapacity(Int(d.bias_count))
                for i in 0..<Int(d.bias_count) { bias.append((Int(d.bias_ids[i]), d.bias_values[i])) }
            }
            let fields = BatchRequestFields(
                promptKey: keys.key(for: d), bias: bias, single: single,
                maxTokens: d.max_tokens >= 0 ? Int(d.max_tokens) : nil, model: d.request_model.string,
                tracked: trackedIDs(d))
            return .batchInput(id: RequestID(d.custom_id.rawBuffer!), customID: customID, request: fields)
        }
        if d.status_code >= 0 && d.status_code != 200 {
            let text = d.error.string.map { ": \($0)" } ?? ""
            return .failed(reason: "HTTP \(d.status_code)", message: "failed request: status \(d.status_code)\(text)")
        }
        if let text = d.error.string {
            return .failed(reason: failureReason(text), message: "failed request: \(text)")
        }
        if let problem = d.problem.string { return .skipped(reason: ReadStats.Reason.malformed, message: problem) }
        if let unknown = unknownProtocol(d, role: role) { return unknown }
        if d.has_logprobs == 0 {
            if role != .batchOutput, d.probs_requested == 1 { return answerless(d, forcedMinBias: context.forcedMinBias) }
            return .skipped(reason: ReadStats.Reason.noLogprobs, message: "the response has no logprobs for its first token")
        }

        var record = LogRecord(file: file.path, line: line, format: file.format, model: keys.model(d.model))
        // Batch output: the join's table lookup is a cache miss; it is started here and completed after the
        // entries are converted (nothing in between can end the record early, so the outcome is the same).
        var requestID: RequestID? = nil
        if role == .batchOutput {
            guard let raw = d.custom_id.rawBuffer else {
                return .skipped(reason: ReadStats.Reason.missingCustomID, message: "`custom_id` is not a string")
            }
            requestID = RequestID(raw)
        } else {
            record.promptKey = keys.key(for: d)
            if d.bias_count > 0 {
                var bias: [Int: Double] = [:]
                for i in 0..<Int(d.bias_count) { bias[Int(d.bias_ids[i])] = d.bias_values[i] }
                record.logitBias = bias
            }
            record.maxTokens = d.max_tokens >= 0 ? Int(d.max_tokens) : nil
            if record.model == nil { record.model = keys.model(d.request_model) }
        }

        var placeholders = 0
        var nonFinite = 0
        func keep(_ e: rp_entry) -> LogRecord.Entry? {
            if e.logprob == placeholderLogprob { placeholders += 1; return nil }
            // llama.cpp writes log 0 as the lowest float (-3.4e38) so that its JSON writer does not make it null.
            if !e.logprob.isFinite || e.logprob < zeroProbabilityLogprob { nonFinite += 1; return nil }
            return entry(e, keys)
        }
        if d.has_sampled != 0 { record.sampled = keep(d.sampled) }
        record.top.reserveCapacity(Int(d.top_count))
        for i in 0..<Int(d.top_count) { if let e = keep(d.top[i]) { record.top.append(e) } }
        if d.prompt_positions >= 0 {
            var positions: [[LogRecord.Entry]] = []
            positions.reserveCapacity(Int(d.prompt_positions))
            for p in 0..<Int(d.prompt_positions) {
                var row: [LogRecord.Entry] = []
                for i in Int(d.prompt_starts[p])..<Int(d.prompt_starts[p + 1]) {
                    if let e = keep(d.prompt_entries[i]) { row.append(e) }
                }
                positions.append(row)
            }
            record.promptLogprobs = positions
        }
        record.droppedEntries = placeholders + nonFinite
        var tracked: Set<Int>? = trackedIDs(d).map(Set.init)
        if let requestID {
            guard let request = context.batch?.index.request(for: requestID) else {
                return .skipped(reason: ReadStats.Reason.unknownCustomID,
                                message: "custom_id \"\(d.custom_id.string ?? "")\" is not in the input file(s)")
            }
            record.promptKey = request.promptKey
            record.logitBias = request.logitBias
            record.maxTokens = request.maxTokens
            record.batchSlot = request.slot
            if record.model == nil { record.model = request.model }
            tracked = request.tracked
        }
        if let tracked { keepTracked(&record, tracked); record.tracked = true }
        return .record(record, placeholders: placeholders, nonFinite: nonFinite)
    }

    /// The request's tracked token ids (vLLM `logprob_token_ids`, SGLang `token_ids_logprob`), if any.
    static func trackedIDs(_ d: rp_doc) -> [Int]? {
        guard d.tracked_count > 0 else { return nil }
        return (0..<Int(d.tracked_count)).map { Int(d.tracked_ids[$0]) }
    }

    /// A tracked-token answer is read for the ids it was asked about. The server adds the sampled token
    /// (and any top-k asked for) to them; those differ per prompt, so as columns they would only be holes in
    /// the block, and the summary would then ask for values the plan never requested. Entries without an
    /// id (a vLLM answer by text) cannot be matched and are kept, as in any other record.
    static func keepTracked(_ record: inout LogRecord, _ tracked: Set<Int>) {
        if let s = record.sampled, let id = s.id, !tracked.contains(id) { record.sampled = nil }
        let offPlan = { (e: LogRecord.Entry) in e.id.map { !tracked.contains($0) } ?? false }
        record.top.removeAll(where: offPlan)
        if record.promptLogprobs != nil {
            for p in record.promptLogprobs!.indices { record.promptLogprobs![p].removeAll(where: offPlan) }
        }
    }

    /// Below this a logprob stands for probability 0 (llama.cpp's `-3.4028234663852886e38`), not a value.
    static let zeroProbabilityLogprob = -1e30

    /// Records whose relation to the model's log-probabilities cannot be established: they are skipped
    /// with the reason, never read as `direct`.
    static func unknownProtocol(_ d: rp_doc, role: LogFileInfo.Role) -> LineOutcome? {
        if d.post_sampling != 0 {
            return .skipped(reason: ReadStats.Reason.postSampling, message:
                "llama.cpp post_sampling_probs: probabilities after the sampler chain (temperature, top-k/top-p/min-p, "
                + "logit_bias), renormalised over the tokens it kept, are not the model's log-probabilities; record "
                + "without post_sampling_probs")
        }
        if d.bias_by_text != 0 {
            return .skipped(reason: ReadStats.Reason.biasByText, message:
                "logit_bias names tokens by text, which the server tokenises: the biased token ids, and so the "
                + "protocol, are unknown; give token ids")
        }
        if role == .records, d.has_request == 0, d.bias_known == 0,
           rp_shape(rawValue: UInt32(bitPattern: d.shape)) == RP_SHAPE_LLAMACPP,
           d.prompt_form != Int32(RP_PROMPT_NONE.rawValue) {
            return .skipped(reason: ReadStats.Reason.biasUnknown, message:
                "llama.cpp response without `generation_settings`: its logit_bias, and so its protocol, is unknown")
        }
        return nil
    }

    /// A successful response lacking the probabilities its request asked for. Retryable unless the request
    /// forced one token (a single bias ≥ `forcedMinBias`, one generated token): llama.cpp withholds the
    /// probabilities when the sampled token is an incomplete UTF-8 sequence, so a forced byte-fragment
    /// token never gets them, while any other request samples something else under another seed.
    static func answerless(_ d: rp_doc, forcedMinBias: Double) -> LineOutcome {
        var forced: Int? = nil
        if d.bias_count == 1, d.bias_values[0] >= forcedMinBias, d.max_tokens == 1 { forced = Int(d.bias_ids[0]) }
        if let forced {
            return .answerless(reason: ReadStats.Reason.fragmentToken, message:
                "the forced token \(forced) came back without probabilities: llama.cpp drops them when the sampled "
                + "token is an incomplete UTF-8 sequence, so this byte-fragment token is never sampled whole (not retryable)",
                forcedToken: forced)
        }
        return .answerless(reason: ReadStats.Reason.probabilitiesDropped, message:
            "the response has no probabilities although the request asked for them (llama.cpp drops them when the "
            + "sampled token is an incomplete UTF-8 sequence); retryable with another seed", forcedToken: nil)
    }

    static func entry(_ e: rp_entry, _ keys: PromptKeyCache) -> LogRecord.Entry {
        let (token, bytes) = keys.textAndBytes(e.token, e.bytes)
        return LogRecord.Entry(id: e.id == Int64.min /* RP_NO_ID */ ? nil : Int(e.id), token: token, bytes: bytes,
                               logprob: e.logprob)
    }

    /// A short, countable reason: the error code when the text starts with one ("rate_limit_exceeded: …").
    static func failureReason(_ text: String) -> String {
        if let colon = text.firstIndex(of: ":"), text.distance(from: text.startIndex, to: colon) <= 48,
           !text[..<colon].contains(" ") {
            return String(text[..<colon])
        }
        return text.count <= 48 ? text : "error response"
    }

    static func hexSHA256(_ bytes: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            rp_sha256(bytes.baseAddress, bytes.count, digest.baseAddress!)
            return String(unsafeUninitializedCapacity: 64) { out in
                let hex: StaticString = "0123456789abcdef"
                let table = hex.utf8Start
                for i in 0..<32 {
                    out[2 * i] = table[Int(digest[i] >> 4)]
                    out[2 * i + 1] = table[Int(digest[i] & 15)]
                }
                return 64
            }
        }
    }
}
