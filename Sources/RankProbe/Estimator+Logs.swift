import RankProbeDetect
import RankProbeLogs
import RankProbeMatrix

extension Estimator {
    /// Recorded API traffic → the sample matrix (the log reader's job; see RankProbeLogs). With a
    /// `retryPrefix`, the requests without a usable answer are written there right after reading — before
    /// assembly, which may still fail for lack of data.
    static func loadLogs(paths: [String], options: EstimateOptions, retryPrefix: String? = nil) throws
        -> (samples: DenseSamples, summary: IngestSummary, reach: ContextReach)
    {
        var written: RetryLedger.Written?
        do {
            let loaded = try LogIngest.loadMeasuringReach(
                paths: paths, options: LogIngestOptions(model: options.model, protocolOverride: options.logProtocol)
            ) { ledger in
                if let retryPrefix {
                    options.progress?("writing \(ledger.count) requests to retry")
                    written = try ledger.write(to: retryPrefix)
                }
            }
            var summary = loaded.summary
            if let written { summary.retryFiles = written.files }
            summary.notes = plannedBlockNotes(summary, samples: loaded.samples, reach: loaded.reach)
            return (loaded.samples, summary, loaded.reach)
        } catch let error as RetryWriteError {
            throw error
        } catch AssembleError.noUsableData(let detail) where detail.contains(Assembler.Reason.noPrompt) {
            let error = AssembleError.noUsableData(detail: detail)
            throw InputError("\(error)\n" + promptlessAdvice + (written.map { w in w.requests > 0 ? "\n(the \(w.requests) requests without a usable answer were written to \(w.files.joined(separator: ", ")) for resending)" : "" } ?? ""))
        } catch {
            guard let written, written.requests > 0 else { throw error }
            throw InputError("\(error) (the \(written.requests) requests without a usable answer were written to "
                + "\(written.files.joined(separator: ", ")) for resending)")
        }
    }

    /// The selection notes of a run whose requests chose their columns (forced, biased, tracked), when every
    /// requested column is complete for every prompt: the only holes are in tokens seen among the free top-k
    /// alternatives, which differ per prompt and were never asked for. The assembler's generic advice ("collect
    /// the N missing (prompt, token) log-probabilities") would send the user after values no plan needs, so it
    /// is replaced by what happened. Any other run keeps the assembler's notes.
    static func plannedBlockNotes(_ s: IngestSummary, samples: DenseSamples, reach: ContextReach) -> [String] {
        guard !reach.requested.isEmpty, s.rowsKept == s.rowsSeen, s.columnsKept < s.columnsSeen,
              let labels = samples.columnLabels else { return s.notes }
        let kept = Set(labels.compactMap(Int.init))
        guard reach.requested.isSubset(of: kept) else { return s.notes }
        let extra = s.columnsSeen - s.columnsKept
        var notes = s.notes.filter { !($0.hasPrefix("warning: ") && $0.contains(" cells are missing (never imputed)")) && !$0.contains(" missing (prompt, token) log-probabilities") }
        notes.append("every requested column (\(reach.requested.count) token ids) is complete for all \(s.rowsKept) prompts; "
            + "\(extra) other token(s) seen only among the free top-k alternatives, which differ per prompt and no request "
            + "asked for, are not columns of the measurement and were left out")
        return notes
    }

    /// What to record instead of bare responses: one line per request with the request beside the response
    /// (the shape the README's five-line recorder writes).
    static let promptlessAdvice = "record one JSON line per request, the request body beside the response, e.g.\n"
        + "  {\"request\": {\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a\"}], "
        + "\"max_tokens\": 1, \"logprobs\": true, \"top_logprobs\": 20, \"logit_bias\": {\"1734\": 100}}, "
        + "\"response\": {\"id\": \"chatcmpl-…\", \"object\": \"chat.completion\", \"choices\": [… as the SDK's model_dump() writes it …]}}\n"
        + "(LiteLLM's StandardLoggingPayload, with `messages` and `model_parameters` beside `response`, is read too; "
        + "see the README's \"Recording Chat Completions with their prompts\")"

    /// The verdict on logs that are only top-k lists (no `logit_bias`, no tracked ids: the Responses API,
    /// Gemini, Ollama, most hosted OpenAI-compatible APIs), or nil when the logs are not of that kind or the
    /// verdict is unaffected.
    ///
    /// Each context returns its own k most likely tokens, so the complete block has at most k columns and
    /// the spectrum at most k − 1 values after centring: a hidden size above k − 1 can never show a cliff
    /// there, however many prompts are recorded. The detector alone would call that "too few token columns"
    /// or "unstructured noise", which sends the user to collect more of the same. An `ok` at k − 1 or above
    /// is not believable either (it is the block's edge, not a cliff) and becomes insufficient.
    static func topKOnly(_ reach: ContextReach, ingest: IngestSummary, detection: Detection)
        -> (status: EstimateResult.Status, message: String, dropWarning: (String) -> Bool)?
    {
        // A block wider than k is not a set of plain top-k lists (several lists per prompt covered different
        // tokens, e.g. biased answers whose bias the log does not show): the detector's own verdict stands.
        guard let k = reach.topK, k >= 1, k < ingest.columnsSeen || k <= 20, ingest.columnsKept <= k else { return nil }
        if detection.verdict == .ok, let rank = detection.rank, rank < k - 1 { return nil }
        let columns = ingest.columnsKept
        let message = "insufficient data: these logs are top-\(k) lists without logit_bias or tracked token ids: each "
            + "context returns at most \(k) tokens, its own most likely ones, so the complete block has at most \(k) "
            + "token columns (here \(columns)) and cannot fix a hidden size above \(k - 1); more prompts of the same "
            + "kind will not change that. To measure a larger hidden size, record requests that choose their tokens: "
            + "forced or biased logit_bias requests where the API takes them, or tracked token ids on a vLLM or SGLang "
            + "server (`rankprobe plan --api NAME` lists what each API allows and costs). The spectrum itself: "
            + detection.explanation
        return (.insufficient, message, { $0.contains("unstructured noise") })
    }
}
