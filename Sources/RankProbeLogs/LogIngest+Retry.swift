import RankProbeMatrix

extension LogIngest {
    /// `load`, plus the requests that were sent but got no usable answer (see `RetryLedger`); the summary's
    /// `requestsRetryable` is set from it. The ledger holds only file positions, so keeping it costs little
    /// even for gigabyte logs; `RetryLedger.write(to:)` re-reads the request files to copy the lines.
    ///
    /// `afterReading` sees the ledger before the matrix is assembled, so retries can be written even when
    /// assembly then fails (a batch whose every answer was lost has no matrix, and needs the retry most).
    public static func loadWithRetries(
        paths: [String], options: LogIngestOptions = LogIngestOptions(), afterReading: (RetryLedger) throws -> Void = { _ in }
    ) throws -> (samples: DenseSamples, summary: IngestSummary, retry: RetryLedger) {
        var assembler = Assembler(options: options)
        var read = LogReadOptions(threads: options.threads, progress: options.progress)
        read.forcedMinBias = options.forcedMinBias
        var stats = try LogParser.read(paths: paths, options: read) { assembler.add($0) }
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
        return (a.samples, a.summary, retry)
    }
}
