import RankProbeLogs
import RankProbeMatrix

extension Estimator {
    /// Recorded API traffic → the sample matrix (the log reader's job; see RankProbeLogs). With a
    /// `retryPrefix`, the requests without a usable answer are written there right after reading — before
    /// assembly, which may still fail for lack of data.
    static func loadLogs(paths: [String], options: EstimateOptions, retryPrefix: String? = nil) throws
        -> (samples: DenseSamples, summary: IngestSummary)
    {
        var written: RetryLedger.Written?
        do {
            let loaded = try LogIngest.loadWithRetries(
                paths: paths, options: LogIngestOptions(model: options.model, protocolOverride: options.logProtocol)
            ) { ledger in
                if let retryPrefix {
                    options.progress?("writing \(ledger.count) requests to retry")
                    written = try ledger.write(to: retryPrefix)
                }
            }
            var summary = loaded.summary
            if let written { summary.retryFiles = written.files }
            return (loaded.samples, summary)
        } catch let error as RetryWriteError {
            throw error
        } catch {
            guard let written, written.requests > 0 else { throw error }
            throw InputError("\(error) (the \(written.requests) requests without a usable answer were written to "
                + "\(written.files.joined(separator: ", ")) for resending)")
        }
    }
}
