// The log modules behind this entry point, re-exported so that importers of RankProbeLogs see one module.
@_exported import RankProbeLogCells
@_exported import RankProbeLogRecords
import RankProbeMatrix

/// Entry point of log ingest for the pipeline: recorded API traffic → sample matrix + what was done.
public enum LogIngest {
    /// Reads log files (any format `LogParser` knows; `.gz` too) and assembles the sample matrix.
    ///
    /// Run-level problems (unreadable or empty file, mixed formats, Batch output without input) throw
    /// `LogReadError`; mixed models throw `AssembleError` unless `options.model` picks one; per-line
    /// problems are counted in the summary (`skipped`, with file:line examples in `notes`).
    public static func load(paths: [String], options: LogIngestOptions = LogIngestOptions()) throws
        -> (samples: DenseSamples, summary: IngestSummary)
    {
        let loaded = try loadWithRetries(paths: paths, options: options)
        return (loaded.samples, loaded.summary)
    }

    /// Assembles records that are already in memory (tests, callers with their own reader).
    public static func assemble<S: Sequence>(records: S, options: LogIngestOptions = LogIngestOptions()) throws
        -> Assembly where S.Element == LogRecord
    {
        var assembler = Assembler(options: options)
        assembler.add(contentsOf: records)
        return try assembler.finish()
    }
}
