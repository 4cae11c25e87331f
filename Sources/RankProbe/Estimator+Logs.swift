import RankProbeLogs
import RankProbeMatrix

extension Estimator {
    /// Recorded API traffic → the sample matrix (the log reader's job; see RankProbeLogs).
    static func loadLogs(paths: [String], options: EstimateOptions) throws -> (samples: DenseSamples, summary: IngestSummary) {
        try LogIngest.load(paths: paths, options: LogIngestOptions(model: options.model, protocolOverride: options.logProtocol))
    }
}
