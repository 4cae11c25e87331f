import RankProbeMatrix
import RankProbeLogRecords

/// Turns `LogRecord`s into one log-probability vector per prompt, then into the largest complete sample
/// matrix. Feed records with `add` as the reader streams them; call `finish` once.
///
/// Storage is per cell, not per record (a 4,700 × 4,700 forced-token collection is 22 M records): prompts
/// and tokens are interned to indices, cells live in `CellStore`, and only requests that cannot be decided
/// until every record is seen (biased-logprob requests, whose anchor depends on all requests of the prompt,
/// and forced requests whose sampled text disagrees with the first text seen for that id) are kept.
public struct Assembler: Sendable {
    /// Skip reasons (keys of `IngestSummary.skipped`).
    public enum Reason {
        public static let otherModel = "other model"
        public static let noPrompt = "no request body (prompt unknown)"
        public static let noLogprobs = "no usable logprobs"
        public static let forcedNotSampled = "forced token not sampled"
        public static let forcedBadLogprob = "forced token logprob unusable (-9999, non-finite or positive)"
        public static let biasedUnidentified = "biased tokens not identifiable (no token ids, unequal or small biases)"
        public static let biasedIncomplete = "biased set not fully returned (exact inversion impossible)"
        public static let biasedIllConditioned = "biased inversion ill-conditioned (bias too large for the returned precision)"
    }

    /// Entry-level reasons (keys of `IngestSummary.entriesSkipped`).
    public enum EntryReason {
        public static let placeholder = "-9999 placeholder"
        public static let nonFinite = "non-finite logprob"
        public static let positive = "positive logprob"
        public static let noToken = "entry without id or token"
        public static let conflictKept = "conflicting repeats (median kept)"
        public static let conflictDropped = "conflicting repeats (cell dropped)"
    }

    /// Row reconstruction rules, as bits of `rowRules`.
    static let ruleNames = ["forced", "biased-anchor", "biased-exact", "direct"]
    static let forcedRule: UInt8 = 1, anchorRule: UInt8 = 2, exactRule: UInt8 = 4, directRule: UInt8 = 8

    struct BiasedRequest: Sendable {
        var row: Int32
        var at: SourceLocation
        var bias: [(column: Int32, bias: Double)]
        var entries: [(column: Int32, logprob: Double)]
    }

    struct PendingForced: Sendable {
        var row: Int32
        var id: Int
        var column: Int32
        var text: [UInt8]
        var logprob: Double
        var at: SourceLocation
        var top: [(column: Int32, logprob: Double)]
    }

    let options: LogIngestOptions
    var files: [String] = []
    var fileIndex: [String: Int32] = [:]
    var rowIndex: [String: Int32] = [:]
    var rowCache = RowKeyCache()
    var rowKeys: [String] = []
    var rowRules: [UInt8] = []
    var columns = ColumnTable()
    var store: CellStore
    /// Cell observations of the streaming phase not yet in `store` (see Assembler+Staging.swift).
    var staging: CellStaging
    var pairs = TokenPairs()
    var biased: [BiasedRequest] = []
    var pending: [PendingForced] = []
    var textColumns = TextColumnCache()

    var requestsRead = 0
    var requestsFailed = 0
    var requestsUsed = 0
    var skipped: [String: Int] = [:]
    var skipExample: [String: String] = [:]
    var entriesSkipped: [String: Int] = [:]
    var formatCounts: [String: Int] = [:]
    var modelCounts: [String: Int] = [:]
    var recordsWithoutModel = 0
    // Run-length counters: consecutive records nearly always share format and model, so the dictionaries
    // are touched only when they change (see `flushRuns`).
    var lastFormat: LogRecord.Format? = nil
    var lastFormatRun = 0
    var lastModel: String? = nil
    var lastModelRun = 0
    var readerProblems: [String] = []
    var readerProblemCount = 0

    public init(options: LogIngestOptions = LogIngestOptions()) {
        self.options = options
        self.store = CellStore(repeatCap: max(3, options.repeatValuesKept))
        self.staging = CellStaging(limit: Self.stagingBatch)
    }

    // MARK: counting

    /// Counts a line the reader read but could not turn into a record (invalid JSON, an error response, an
    /// unmatched custom_id…). It counts as read, failed and skipped under `reason`.
    public mutating func countFailed(reason: String, file: String, line: Int) {
        requestsRead += 1
        requestsFailed += 1
        skip(reason, file: file, line: line)
    }

    mutating func flushRuns() { flushFormatRun(); flushModelRun() }

    mutating func flushFormatRun() {
        if let f = lastFormat, lastFormatRun > 0 { formatCounts[f.rawValue, default: 0] += lastFormatRun }
        lastFormatRun = 0; lastFormat = nil
    }

    mutating func flushModelRun() {
        if let m = lastModel, lastModelRun > 0 { modelCounts[m, default: 0] += lastModelRun }
        lastModelRun = 0; lastModel = nil
    }

    /// Takes over the reader's counts: lines that never became records (failed requests, bad lines) and
    /// entries it removed from records. Batch input-file problems are included in `skipped` although they
    /// are not requests.
    public mutating func absorb(_ stats: ReadStats) {
        requestsRead += stats.requestsRead - stats.records
        requestsFailed += stats.requestsFailed
        for (reason, n) in stats.failures { skipped[reason, default: 0] += n }
        for (reason, n) in stats.skipped { skipped[reason, default: 0] += n }
        for (reason, n) in stats.droppedEntries { entriesSkipped[reason, default: 0] += n }
        for f in stats.formats { formatCounts[f.rawValue, default: 0] += 0 }
        readerProblems = stats.problems.map(\.description)
        readerProblemCount = stats.problemCount
    }

    mutating func skip(_ reason: String, file: String, line: Int) {
        skipped[reason, default: 0] += 1
        if skipExample[reason] == nil { skipExample[reason] = "\(file):\(line)" }
    }

    mutating func skip(_ reason: String, at location: SourceLocation) {
        skip(reason, file: files[Int(location.file)], line: location.line)
    }

    /// Nil when the logprob can enter the matrix, else the entry-level reason it cannot.
    @inline(__always) static func unusable(_ logprob: Double) -> String? {
        if !logprob.isFinite { return EntryReason.nonFinite }
        if logprob <= -9998.5 { return EntryReason.placeholder }
        if logprob > 1e-6 { return EntryReason.positive }
        return nil
    }

    // MARK: interning

    mutating func location(_ r: LogRecord) -> SourceLocation {
        if let last = files.last, last == r.file { return SourceLocation(file: Int32(files.count - 1), line: r.line) }
        if let i = fileIndex[r.file] { return SourceLocation(file: i, line: r.line) }
        let i = Int32(files.count)
        files.append(r.file)
        fileIndex[r.file] = i
        return SourceLocation(file: i, line: r.line)
    }

    mutating func row(_ key: String, rule: UInt8) -> Int32 {
        if let i = rowCache.row(for: key) { rowRules[Int(i)] |= rule; return i }
        if let i = rowIndex[key] { rowRules[Int(i)] |= rule; rowCache.remember(key, row: i); return i }
        let i = Int32(rowKeys.count)
        rowKeys.append(key)
        rowRules.append(rule)
        rowIndex[key] = i
        rowCache.remember(key, row: i)
        return i
    }

    /// The usable entries of a response (sampled first, then the top alternatives that are not the sampled
    /// token again, so one response never counts as a repeat of itself), interned to columns.
    mutating func entries(_ r: LogRecord, includeSampled: Bool) -> [(column: Int32, logprob: Double)] {
        var out: [(column: Int32, logprob: Double)] = []
        out.reserveCapacity(r.top.count + 1)
        if includeSampled, let s = r.sampled { append(s, to: &out) }
        for e in r.top {
            if let s = r.sampled, e.sameToken(as: s) { continue }
            append(e, to: &out)
        }
        return out
    }

    mutating func append(_ e: LogRecord.Entry, to out: inout [(column: Int32, logprob: Double)]) {
        if let reason = Self.unusable(e.logprob) { entriesSkipped[reason, default: 0] += 1; return }
        guard let key = ColumnKey(e) else { entriesSkipped[EntryReason.noToken, default: 0] += 1; return }
        if let id = e.id, let text = ColumnKey.textKey(e) { pairs.observe(id: id, text: text) }
        out.append((columns.intern(key), e.logprob))
    }

    // MARK: records

    public mutating func add<S: Sequence>(contentsOf records: S) where S.Element == LogRecord {
        for r in records { add(r) }
    }

    public mutating func add(_ r: LogRecord) {
        requestsRead += 1
        if r.format == lastFormat { lastFormatRun += 1 } else { flushFormatRun(); lastFormat = r.format; lastFormatRun = 1 }
        if let m = r.model {
            if m == lastModel { lastModelRun += 1 } else { flushModelRun(); lastModel = m; lastModelRun = 1 }
            if let want = options.model, m != want {
                skip(Reason.otherModel, file: r.file, line: r.line)
                return
            }
        } else {
            recordsWithoutModel += 1
        }
        guard let key = r.promptKey else {
            skip(Reason.noPrompt, file: r.file, line: r.line)
            return
        }
        let at = location(r)
        switch LogProtocol.detect(r, forcedMinBias: options.forcedMinBias, override: options.protocolOverride) {
        case .direct: addDirect(r, key: key, at: at)
        case .forced: addForced(r, key: key, at: at)
        case .biased: addBiased(r, key: key, at: at)
        }
    }

    mutating func addDirect(_ r: LogRecord, key: String, at: SourceLocation) {
        var used = false
        let first = entries(r, includeSampled: true)
        if !first.isEmpty {
            let row = row(key, rule: Self.directRule)
            for (c, v) in first { stage(row: row, column: c, value: v, at: at) }
            used = true
        }
        if let positions = r.promptLogprobs {
            for (p, alternatives) in positions.enumerated() where !alternatives.isEmpty {
                var list: [(column: Int32, logprob: Double)] = []
                for e in alternatives { append(e, to: &list) }
                if list.isEmpty { continue }
                let row = row(key + "#\(p)", rule: Self.directRule)
                    for (c, v) in list { stage(row: row, column: c, value: v, at: at) }
                used = true
            }
        }
        if used { requestsUsed += 1 } else { skip(Reason.noLogprobs, at: at) }
    }

    mutating func addForced(_ r: LogRecord, key: String, at: SourceLocation) {
        guard let forcedID = r.logitBias.first(where: { $0.value != 0 })?.key, let s = r.sampled else {
            skip(Reason.noLogprobs, at: at)
            return
        }
        if Self.unusable(s.logprob) != nil { skip(Reason.forcedBadLogprob, at: at); return }
        if let sid = s.id, sid != forcedID { skip(Reason.forcedNotSampled, at: at); return }
        let column = columns.intern(.id(forcedID))
        // The vote touches neither columns nor counters, so taking it before the top entries are interned
        // keeps column order and counts as they were, and the common (agreeing) case needs no list.
        if s.id == nil, let text = ColumnKey.textKey(s), !pairs.vote(column: column, id: forcedID, text: text) {
            // Disagrees with the first text seen for this id: decided in `finish` by the majority.
            let top = entries(r, includeSampled: false)
            pending.append(PendingForced(row: row(key, rule: 0), id: forcedID, column: column, text: text,
                                         logprob: s.logprob, at: at, top: top))
            return
        }
        let row = row(key, rule: Self.forcedRule)
        stage(row: row, column: column, value: s.logprob, at: at)
        for e in r.top where !e.sameToken(as: s) {
            if let reason = Self.unusable(e.logprob) { entriesSkipped[reason, default: 0] += 1; continue }
            let column: Int32
            if e.id == nil, let bytes = e.bytes {
                column = textColumns.column(for: bytes, &columns)
            } else {
                guard let key = ColumnKey(e) else { entriesSkipped[EntryReason.noToken, default: 0] += 1; continue }
                if let id = e.id, let text = ColumnKey.textKey(e) { pairs.observe(id: id, text: text) }
                column = columns.intern(key)
            }
            stage(row: row, column: column, value: e.logprob, at: at)
        }
        if let sid = s.id, let text = ColumnKey.textKey(s) { pairs.observe(id: sid, text: text) }
        requestsUsed += 1
    }

    mutating func addBiased(_ r: LogRecord, key: String, at: SourceLocation) {
        let list = entries(r, includeSampled: true)
        if list.isEmpty { skip(Reason.noLogprobs, at: at); return }
        var bias: [(column: Int32, bias: Double)] = []
        for (id, b) in r.logitBias.sorted(by: { $0.key < $1.key }) where b != 0 {
            bias.append((columns.intern(.id(id)), b))
        }
        biased.append(BiasedRequest(row: row(key, rule: 0), at: at, bias: bias, entries: list))
    }
}
