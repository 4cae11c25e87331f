import RankProbeLogCells
import RankProbeLogRecords
import RankProbeMatrix

/// How many token columns one context of the log can give, as the responses show it.
///
/// A top-k list without any steering (no `logit_bias`, no tracked ids) names each context's own k most
/// likely tokens: at most k columns per context, and different ones per prompt, so the complete block has at
/// most k columns and a hidden size above k − 1 cannot be seen in it, however many prompts are recorded.
/// Requests that choose their tokens (forced, biased, tracked) are not limited that way.
public struct ContextReach: Sendable, Equatable {
    /// Records read.
    public var records = 0
    /// Records whose tokens the request chose (a non-zero `logit_bias`, tracked ids): their columns are not
    /// capped by k.
    public var steered = 0
    /// Largest number of entries one context returned (the sampled token and its alternatives, or one prompt
    /// position of `prompt_logprobs`), over the unsteered records.
    public var maxEntries = 0
    /// Token ids some request asked for: biased or forced ids, and the ids of tracked answers.
    public var requested = Set<Int>()

    public init() {}

    mutating func observe(_ r: LogRecord) {
        records += 1
        if r.tracked {
            steered += 1
            for e in r.top { if let id = e.id { requested.insert(id) } }
            if let id = r.sampled?.id { requested.insert(id) }
            return
        }
        if r.logitBias.values.contains(where: { $0 != 0 }) {
            steered += 1
            for (id, b) in r.logitBias where b != 0 { requested.insert(id) }
            return
        }
        var n = r.top.count
        if let s = r.sampled, !r.top.contains(where: { $0.sameToken(as: s) }) { n += 1 }
        for position in r.promptLogprobs ?? [] { n = max(n, position.count) }
        maxEntries = max(maxEntries, n)
    }

    /// k when every record is an unsteered top-k list, else nil.
    public var topK: Int? { records > 0 && steered == 0 ? maxEntries : nil }
}

extension LogIngest {
    /// `loadWithRetries`, plus what the responses show about how many columns a context can give.
    public static func loadMeasuringReach(
        paths: [String], options: LogIngestOptions = LogIngestOptions(), afterReading: (RetryLedger) throws -> Void = { _ in }
    ) throws -> (samples: DenseSamples, summary: IngestSummary, retry: RetryLedger, reach: ContextReach) {
        var assembler = Assembler(options: options)
        var read = LogReadOptions(threads: options.threads, progress: options.progress)
        read.forcedMinBias = options.forcedMinBias
        var reach = ContextReach()
        var stats = try LogParser.read(paths: paths, options: read) { reach.observe($0); assembler.add($0) }
        let retry = stats.retry
        stats.retry = RetryLedger()
        try afterReading(retry)
        assembler.absorb(stats)
        var a = try assembler.finish()
        a.summary.requestsRetryable = retry.count
        if !stats.unretryableTokens.isEmpty {
            let tokens = stats.unretryableTokens.keys.sorted()
            let n = stats.unretryableTokens.values.reduce(0, +)
            a.summary.requestsUnretryable = n
            a.summary.unretryableTokens = tokens
            let shown = tokens.count <= 20 ? tokens.map(String.init).joined(separator: ", ")
                : tokens.prefix(20).map(String.init).joined(separator: ", ") + ", … (\(tokens.count) tokens)"
            a.summary.notes.append("warning: \(n) forced requests got no probabilities because their token is a byte "
                + "fragment that the server never samples whole (llama.cpp withholds probabilities for an incomplete "
                + "UTF-8 token): token ids \(shown); not retryable, so these columns cannot be measured with forced requests")
        }
        return (a.samples, a.summary, retry, reach)
    }
}
