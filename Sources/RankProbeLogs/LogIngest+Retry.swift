import RankProbeLogCells
import RankProbeLogRecords
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
        let loaded = try loadMeasuringReach(paths: paths, options: options, afterReading: afterReading)
        return (loaded.samples, loaded.summary, loaded.retry)
    }
}
