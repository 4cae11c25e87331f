import RankProbeDetect
import RankProbeLogs

extension Estimator {
    /// What the result says about lost requests: how many, and what to do about them.
    ///
    /// Scattered losses under the forced-token protocol cannot be repaired from the log (each cell is one
    /// request, nothing may be imputed), so whenever the log names requests without a usable answer the
    /// warning says how to get them asked again. When the verdict is not `ok` and the holes shrank the
    /// complete block, that is the likely reason, and the warning says so.
    static func retryWarnings(_ s: IngestSummary, verdict: Detection.Verdict) -> [String] {
        var out = lostRequestWarnings(s, verdict: verdict)
        if let n = s.requestsUnretryable, n > 0, let tokens = s.unretryableTokens {
            let shown = tokens.prefix(20).map(String.init).joined(separator: ", ") + (tokens.count > 20 ? ", …" : "")
            out.append("\(n) forced requests can never be answered: their tokens (\(shown)) are byte fragments the server "
                + "never samples whole, so it withholds their probabilities; not retryable (input.unretryable_tokens)")
        }
        return out
    }

    private static func lostRequestWarnings(_ s: IngestSummary, verdict: Detection.Verdict) -> [String] {
        let retryable = s.requestsRetryable ?? 0
        let unreadable = [ReadStats.Reason.invalidJSON, ReadStats.Reason.truncatedLastLine, ReadStats.Reason.lineTooLong]
            .reduce(0) { $0 + (s.skipped[$1] ?? 0) }
        let lostLines = s.requestsFailed + unreadable
        let shrunk = s.rowsKept < s.rowsSeen || s.columnsKept < s.columnsSeen
        let why = verdict != .ok && shrunk
            ? "; holes shrank the complete block to \(s.rowsKept) of \(s.rowsSeen) prompts × \(s.columnsKept) of \(s.columnsSeen) tokens"
            : ""
        if retryable == 0 {
            let hasRequests = s.formats.contains(LogRecord.Format.openaiBatch.rawValue) || s.formats.contains(LogRecord.Format.pairs.rawValue)
            if s.retryFiles != nil {
                return [hasRequests
                    ? "no request lacks a usable answer; --emit-retry wrote nothing"
                    : "--emit-retry wrote nothing: \(s.formats.joined(separator: "+")) logs hold responses only, so the \(lostLines) failed or unreadable lines cannot be re-asked from them; re-send those prompts from your own records"]
            }
            if !hasRequests, lostLines > 0, !why.isEmpty {
                return ["\(counted(lostLines, "line")) \(lostLines == 1 ? "failed or is" : "failed or are") unreadable\(why); this log holds responses only (no request text), so they cannot be re-emitted: re-send those prompts from your own records"]
            }
            return []
        }
        let withoutProbabilities = s.skipped[ReadStats.Reason.probabilitiesDropped] ?? 0
        let dropped = withoutProbabilities > 0 ? ", \(withoutProbabilities) answered without probabilities" : ""
        var lost = "\(counted(retryable, "request")) lost (sent, but no usable answer; the outputs hold \(s.requestsFailed) failed and \(counted(unreadable, "unreadable line"))\(dropped))"
        lost += why
        guard let files = s.retryFiles else {
            return [lost + "; `--emit-retry PATH` writes them as Batch API input files to resend"]
        }
        guard !files.isEmpty else {
            return [lost + "; none could be copied (their requests sit in whole-file JSON inputs)"]
        }
        let list = files.count <= 3 ? files.joined(separator: ", ") : "\(files.first!) … \(files.last!) (\(files.count) files)"
        if s.formats == [LogRecord.Format.llamacpp.rawValue] {
            return [lost + "; written to \(list) (rebuilt from the responses' echo, with a new seed): send each line's body to "
                + "the llama.cpp server's `url`, then estimate the answers together with the original log"]
        }
        return [lost + "; written to \(list): submit them to the Batch API, then estimate with every input and output file together"]
    }
}
