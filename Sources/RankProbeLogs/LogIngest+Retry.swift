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
        // Used linearly here (never copied mid-stream), so the store may be filled on a thread of its own.
        if options.threads > 1 { assembler.enableBackgroundApply() }
        let read = LogReadOptions(threads: options.threads, progress: options.progress)
        var stats = try LogParser.read(paths: paths, options: read) { assembler.add($0) }
        let retry = stats.retry
        stats.retry = RetryLedger()
        try afterReading(retry)
        assembler.absorb(stats)
        var a = try assembler.finish()
        a.summary.requestsRetryable = retry.count
        return (a.samples, a.summary, retry)
    }
}
