/// Reads recorded API traffic (OpenAI Chat/Completions responses, Batch API input+output files,
/// request/response pair logs, vLLM and llama.cpp server responses; JSONL or whole-file JSON; gzip or not)
/// and delivers one `LogRecord` per usable request, in file and line order.
///
/// Policies, in one place:
/// - **Format** is detected per file from content (the first recognisable record), never from the name.
///   All files of a run must share one format; Batch API input and output files are one format and are
///   joined by `custom_id` (inputs are indexed first, whatever order the paths come in).
/// - **Prompt identity** (`promptKey`) is the hex SHA-256 of the canonical prompt (messages' role+content in
///   order, or the prompt string / token-id list; see `_JSONShims/prompt.cpp`). Bare responses have no
///   request, so their key is nil, except where the server echoes the prompt: llama.cpp's `/completion`
///   response carries `prompt` (and `generation_settings.logit_bias`/`n_predict`, which are used too), and
///   vLLM's carries `prompt_token_ids` when asked. A request body always wins over an echo.
/// - **Placeholders and non-finite values**: an entry whose logprob is exactly -9999.0 (OpenAI's "very
///   unlikely" filler, not a measurement) or is null/NaN/±Infinity (including a llama.cpp probability of 0)
///   is removed from `sampled`/`top` and counted in `ReadStats.droppedEntries` by reason, and in the
///   record's `droppedEntries`. Keeping them would plant fake values in the matrix; dropping them makes the
///   cell missing, which the assembler handles explicitly.
/// - **Failures**: a Batch output line with `error` set or `status_code` ≠ 200, or a response carrying only
///   `error`, is counted in `requestsFailed` (by reason) and not delivered.
/// - **Bad lines** (invalid JSON, truncated last line, over-long line, unknown shape, unknown `custom_id`…)
///   are counted in `skipped` by reason, with the first `maxProblems` reported as file:line: message.
/// - For a whole-file JSON array, `LogRecord.line` is the element's 1-based index.
public enum LogParser {
    /// Reads `paths` and calls `record` for each usable record, on the calling thread, in order.
    /// Parsing runs on `options.threads` threads. Throws `LogReadError` for run-level problems (a file that
    /// cannot be opened or is empty, mixed formats, a Batch output without its input); per-line problems
    /// are counted in the returned stats instead.
    public static func read(
        paths: [String], options: LogReadOptions = LogReadOptions(), record: (LogRecord) throws -> Void
    ) throws -> ReadStats {
        var run = try ReadRun(paths: paths, options: options)
        try run.execute(record)
        return run.stats
    }

    /// Convenience for small logs and tests: all records in memory.
    public static func readAll(paths: [String], options: LogReadOptions = LogReadOptions()) throws -> ([LogRecord], ReadStats) {
        var records: [LogRecord] = []
        let stats = try read(paths: paths, options: options) { records.append($0) }
        return (records, stats)
    }
}

public struct LogReadOptions: Sendable {
    /// Lines longer than this are reported and skipped without being loaded.
    public var maxLineBytes: Int
    /// Largest whole-file JSON document (decompressed) that is loaded; larger ones should be JSONL.
    public var maxDocumentBytes: Int
    /// Parser threads (the machine has 2 cores; more than the core count only adds contention).
    public var threads: Int
    /// Bytes of lines handed to the parser threads at a time.
    public var blockBytes: Int
    /// Progress on stderr: nil = only when stderr is a terminal.
    public var progress: Bool?
    /// How many problems are kept as examples (all are counted).
    public var maxProblems: Int
    /// Smallest `logit_bias` that forces a token: decides whether a request answered without
    /// probabilities was a forced one (not retryable).
    public var forcedMinBias: Double = 20

    public init(
        maxLineBytes: Int = 64 << 20, maxDocumentBytes: Int = 1 << 30, threads: Int = 2, blockBytes: Int = 4 << 20,
        progress: Bool? = nil, maxProblems: Int = 50
    ) {
        self.maxLineBytes = maxLineBytes; self.maxDocumentBytes = maxDocumentBytes; self.threads = max(1, threads)
        self.blockBytes = blockBytes; self.progress = progress; self.maxProblems = maxProblems
    }
}

/// One problem with the input, located by file and 1-based line.
public struct LogProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { "\(file):\(line): \(message)" }
}

/// What `LogParser.read` saw. Every non-blank line (or whole-file array element) is accounted for once:
/// `linesRead == records + requestsFailed + Σ skipped + batchInputLines`.
public struct ReadStats: Sendable, Equatable {
    /// Skip reasons (keys of `skipped`).
    public enum Reason {
        public static let invalidJSON = "invalid JSON"
        public static let truncatedLastLine = "truncated last line"
        public static let lineTooLong = "line longer than 64 MB"
        public static let unknownShape = "not a recognised log record"
        public static let formatMismatch = "record of another format"
        public static let malformed = "record with wrong field types"
        public static let noLogprobs = "response without logprobs"
        public static let probabilitiesDropped = "answer without probabilities (retryable)"
        public static let fragmentToken = "forced token never sampled whole (not retryable)"
        public static let postSampling = "post-sampling probabilities (protocol unknown)"
        public static let biasByText = "logit_bias by token text (protocol unknown)"
        public static let biasUnknown = "no echoed generation_settings (protocol unknown)"
        public static let unknownCustomID = "custom_id not in the input file"
        public static let duplicateCustomID = "duplicate custom_id in input"
        public static let missingCustomID = "batch line without custom_id"
        public static let placeholder = "logprob -9999 placeholder"
        public static let nonFinite = "non-finite logprob"
        public static let gzipStream = "unreadable rest of file"
    }

    public var files: [String] = []
    /// Distinct formats, in the order first seen.
    public var formats: [LogRecord.Format] = []
    /// Decompressed bytes read.
    public var bytesRead: Int = 0
    /// Non-blank lines (or whole-file array elements) read, including Batch input lines.
    public var linesRead: Int = 0
    /// Batch API input lines indexed for the join.
    public var batchInputLines: Int = 0
    /// Records delivered.
    public var records: Int = 0
    /// Requests that failed (reason → count), and their total.
    public var requestsFailed: Int = 0
    public var failures: [String: Int] = [:]
    /// Lines read but not used, reason → count.
    public var skipped: [String: Int] = [:]
    /// Entries removed from delivered records, reason → count (see `LogParser` policies).
    public var droppedEntries: [String: Int] = [:]
    /// Records per `model` ("" when the record names none).
    public var models: [String: Int] = [:]
    /// Requests (non-input lines) read: records + failed + skipped outside the input files.
    public var requestsRead: Int = 0
    /// Example problems (first `maxProblems`), and how many there were in all.
    public var problems: [LogProblem] = []
    public var problemCount: Int = 0
    /// Sent requests without a usable answer, where the log holds their request text.
    public var retry = RetryLedger()
    /// Forced requests answered without probabilities, by forced token id: byte-fragment tokens that are
    /// never sampled whole, so asking again cannot help (see `ReadStats.Reason.fragmentToken`).
    public var unretryableTokens: [Int: Int] = [:]

    public init() {}
}

/// Run-level failures: the input as a whole cannot be read.
public enum LogReadError: Error, Equatable, CustomStringConvertible {
    case noFiles
    case cannotOpen(file: String, reason: String)
    case emptyFile(file: String)
    case io(file: String, message: String)
    /// No line of the file is a log record rankprobe knows.
    case unrecognised(file: String, detail: String)
    /// Files of different formats in one run: format name → files.
    case mixedFormats([String: [String]])
    case batchOutputWithoutInput(outputs: [String])
    case batchInputWithoutOutput(inputs: [String])

    public var description: String {
        switch self {
        case .noFiles: return "no log files given"
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .emptyFile(file): return "\(file): the file is empty"
        case let .io(file, message): return "\(file): read error: \(message)"
        case let .unrecognised(file, detail): return "\(file): not a log format rankprobe reads: \(detail)"
        case let .mixedFormats(byFormat):
            let parts = byFormat.keys.sorted().map { "\($0): \(byFormat[$0]!.joined(separator: ", "))" }
            return "log files of different formats in one run (\(parts.joined(separator: "; "))); run them separately"
        case let .batchOutputWithoutInput(outputs):
            return "Batch API output file(s) \(outputs.joined(separator: ", ")) given without their input file: "
                + "the prompts and logit_bias live in the input file; pass both"
        case let .batchInputWithoutOutput(inputs):
            return "Batch API input file(s) \(inputs.joined(separator: ", ")) given without an output file; pass both"
        }
    }
}
