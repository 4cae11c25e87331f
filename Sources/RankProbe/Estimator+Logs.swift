import RankProbeLogs
import RankProbeMatrix

extension Estimator {
    /// Recorded API traffic → the sample matrix (the log reader's job; see RankProbeLogs).
    static func loadLogs(paths: [String], model: String?) throws -> (samples: DenseSamples, summary: IngestSummary) {
        throw InputError("\(paths[0]): not a .npy file, and reading API logs is not wired into this build yet")
    }
}
