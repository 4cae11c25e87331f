import RankProbeLogRecords

/// What the log reader did with the recorded traffic: reported in `EstimateResult.input`.
///
/// Counts are per request/response line unless said otherwise. Every line that was read is either used or
/// counted under one reason in `skipped` (failed lines included), so `requestsRead == requestsUsed + Σ skipped`
/// holds (Batch input-file problems, which are not requests, are in `skipped` too). Notes starting with
/// "warning:" become warnings of the estimate. Entry-level losses inside used lines (a `-9999` top alternative, a conflicting cell) are counted
/// separately in `entriesSkipped`.
public struct IngestSummary: Codable, Sendable, Equatable {
    /// Formats seen, e.g. ["openai-batch"], ["openai-chat"], ["npy"].
    public var formats: [String]
    /// Reconstruction rules used ("forced", "biased-anchor", "biased-exact", "direct") with row counts.
    public var protocols: [String: Int]
    public var requestsRead: Int
    public var requestsFailed: Int
    /// Reason → count, for everything read but not used.
    public var skipped: [String: Int]
    /// Rows (distinct prompts) and columns (tokens) before and after selecting the complete block.
    public var rowsSeen: Int
    public var columnsSeen: Int
    public var rowsKept: Int
    public var columnsKept: Int
    /// Median absolute spread between repeated identical requests, in nats (nil: no repeats).
    public var servingNoise: Double?
    public var model: String?
    /// Human-readable notes (conflicts, selection rationale, what to collect next).
    public var notes: [String]
    /// Lines that contributed at least one log-probability.
    public var requestsUsed: Int
    /// Reason → count for single log-probabilities (or cells) left out of otherwise used lines.
    public var entriesSkipped: [String: Int]
    /// Cells observed more than once (combined by the median; their spread gives `servingNoise`).
    public var repeatedCells: Int
    /// Sent requests whose request text the log holds but that got no usable answer (Batch input lines with
    /// no output line, only unreadable or only failed ones; failed request/response pairs), a retry family
    /// counted once — what `rankprobe estimate --emit-retry` writes. Nil for inputs that are not logs.
    public var requestsRetryable: Int?
    /// The Batch input files the retryable requests were written to (nil: not asked to write them).
    public var retryFiles: [String]?
    /// Forced requests answered without probabilities because their token is a byte fragment that is never
    /// sampled whole (llama.cpp withholds probabilities for an incomplete UTF-8 token): asking again cannot
    /// help. Nil when there were none.
    public var requestsUnretryable: Int?
    /// Those requests' forced token ids, ascending.
    public var unretryableTokens: [Int]?

    public init(
        formats: [String] = [], protocols: [String: Int] = [:], requestsRead: Int = 0, requestsFailed: Int = 0,
        skipped: [String: Int] = [:], rowsSeen: Int = 0, columnsSeen: Int = 0, rowsKept: Int = 0,
        columnsKept: Int = 0, servingNoise: Double? = nil, model: String? = nil, notes: [String] = [],
        requestsUsed: Int = 0, entriesSkipped: [String: Int] = [:], repeatedCells: Int = 0
    ) {
        self.formats = formats; self.protocols = protocols; self.requestsRead = requestsRead
        self.requestsFailed = requestsFailed; self.skipped = skipped; self.rowsSeen = rowsSeen
        self.columnsSeen = columnsSeen; self.rowsKept = rowsKept; self.columnsKept = columnsKept
        self.servingNoise = servingNoise; self.model = model; self.notes = notes
        self.requestsUsed = requestsUsed; self.entriesSkipped = entriesSkipped; self.repeatedCells = repeatedCells
    }
}
