/// Requests that were sent but have no usable answer, located in the files that hold their request text,
/// so that `write(to:)` can copy them into Batch API input files for resending.
///
/// Why this exists: with the forced-token protocol every (prompt, token) cell is its own request, so losing
/// 1 % of the lines at random leaves holes in nearly every row and column, and nothing may be imputed. The
/// only honest repair is to ask those requests again; this names them.
///
/// What counts as lost: a Batch input line whose `custom_id` has no output line, only unreadable ones
/// (truncated, not JSON), or only failed ones (`error` set, status ≠ 200); and a `{request, response}` pair
/// line whose response failed. A request resent as `<id>-retry<k>` belongs to the family of `<id>`: when the
/// original and retry files are read together, the family is lost only if no member was answered, and is
/// then emitted once, as `<id>-retry<k+1>` with k the highest round present, so ids stay unique round after
/// round. A bare llama.cpp `/completion` response that asked for probabilities and got none (the sampled
/// token was an incomplete UTF-8 sequence) is named by its echo. Other response-only logs (Chat/Completions
/// responses, vLLM) carry no request, so their failed and unreadable lines cannot be named here.
public struct RetryLedger: Sendable, Equatable {
    /// Where a lost request's text is: a Batch input line, a `{request, response}` pair, or a bare llama.cpp
    /// `/completion` response whose echo (`prompt`, `generation_settings`) rebuilds the request.
    enum Kind: Sendable, Equatable { case batchInput, pair, llamaEcho }

    struct Source: Sendable, Equatable {
        var path: String
        var kind: Kind
        /// False for a whole-file JSON document: its requests are not lines and cannot be copied as such.
        var lines: Bool
    }

    /// One request to resend: 1-based line in `sources[file]`, and the retry round its new id gets.
    struct Entry: Sendable, Equatable {
        var file: Int32
        var line: Int32
        var round: Int32
    }

    var sources: [Source] = []
    /// In file order, then line order.
    var entries: [Entry] = []

    public init() {}

    /// Requests without a usable answer (a retry family counts once).
    public var count: Int { entries.count }

    /// Of `count`, those from Batch input files (the rest are failed request/response pairs and bare
    /// llama.cpp responses rebuilt from their echo).
    public var batchRequests: Int { entries.lazy.filter { sources[Int($0.file)].kind == .batchInput }.count }

    /// Of `count`, those that sit in whole-file JSON documents and cannot be copied out as lines.
    public var notCopyable: Int { entries.lazy.filter { !sources[Int($0.file)].lines }.count }
}

/// Collects, while a run reads, which Batch requests were answered and which pair requests failed; turns
/// that into a `RetryLedger` at the end.
///
/// Batch requests are the `BatchIndex` slots, numbered in insertion order, so per request this keeps only
/// its line (4 bytes) and one answered bit: a 22 M-request batch costs ~90 MB, not a copy of every id.
struct RetryTracker {
    private var ledger = RetryLedger()
    private var fileIndex: [String: Int32] = [:]
    /// Line of each slot, and the first slot of every run of slots from one file.
    private var lines: [Int32] = []
    private var runs: [(file: Int32, firstSlot: Int)] = []
    private var answeredBits: [UInt64] = []
    /// Slots whose custom_id ends in "-retry<k>": the family's base id and k.
    private var families: [(slot: Int32, base: RequestID, round: Int)] = []
    private var failedPairs: [RetryLedger.Entry] = []

    private mutating func source(_ file: LogFileInfo, _ kind: RetryLedger.Kind) -> Int32 {
        if let i = fileIndex[file.path] { return i }
        let i = Int32(ledger.sources.count)
        ledger.sources.append(.init(path: file.path, kind: kind, lines: file.layout == .lines))
        fileIndex[file.path] = i
        return i
    }

    /// A Batch input line went into the index as its next slot.
    mutating func indexed(customID: String, file: LogFileInfo, line: Int) {
        let slot = lines.count
        let f = source(file, .batchInput)
        if runs.last?.file != f { runs.append((f, slot)) }
        lines.append(Int32(clamping: line))
        if slot & 63 == 0 { answeredBits.append(0) }
        // Only ids ending in a digit can carry a round number; most do not, so no bytes are copied for them.
        guard let last = customID.utf8.last, last >= 0x30, last <= 0x39 else { return }
        let bytes = Array(customID.utf8)
        let (base, round) = RetryLine.splitRetry(bytes)
        if round > 0 {
            families.append((Int32(slot), base.withUnsafeBytes { RequestID($0) }, round))
        }
    }

    mutating func answered(slot: Int32) {
        guard slot >= 0, Int(slot) < lines.count else { return }
        answeredBits[Int(slot) >> 6] |= 1 << UInt64(slot & 63)
    }

    private func isAnswered(_ slot: Int) -> Bool { answeredBits[slot >> 6] & (1 << UInt64(slot & 63)) != 0 }

    /// A `{request, response}` line whose response is a failure.
    mutating func failedPair(file: LogFileInfo, line: Int) {
        failedPairs.append(.init(file: source(file, .pair), line: Int32(clamping: line), round: 1))
    }

    /// A bare llama.cpp response that came back without the probabilities it asked for: its echo names
    /// the request. Each such line is its own request (a resent one answers in a line of its own), so no
    /// family bookkeeping applies.
    mutating func echoedRequest(file: LogFileInfo, line: Int) {
        failedPairs.append(.init(file: source(file, .llamaEcho), line: Int32(clamping: line), round: 1))
    }

    /// The ledger: unanswered slots (one per retry family) and failed pairs. `index` resolves a family's base
    /// id to its slot when the original request is among the inputs.
    func finish(index: BatchIndex) -> RetryLedger {
        var out = ledger
        struct Family { var slots: [Int32] = []; var round = 0 }
        var byBase: [RequestID: Family] = [:]
        for f in families {
            byBase[f.base, default: Family()].slots.append(f.slot)
            byBase[f.base]!.round = max(byBase[f.base]!.round, f.round)
        }
        var suppressed = Set<Int32>()
        var rounds: [Int32: Int] = [:]
        for (base, var family) in byBase {
            if let s = index.slot(for: base) { family.slots.append(s) }
            let members = family.slots
            if members.contains(where: { isAnswered(Int($0)) }) {
                suppressed.formUnion(members)
            } else {
                let first = members.min()!
                for m in members where m != first { suppressed.insert(m) }
                rounds[first] = family.round + 1
            }
        }
        var entries: [RetryLedger.Entry] = []
        for (r, run) in runs.enumerated() {
            let end = r + 1 < runs.count ? runs[r + 1].firstSlot : lines.count
            for slot in run.firstSlot..<end where !isAnswered(slot) && !suppressed.contains(Int32(slot)) {
                entries.append(.init(file: run.file, line: lines[slot], round: Int32(rounds[Int32(slot)] ?? 1)))
            }
        }
        entries += failedPairs
        entries.sort { $0.file != $1.file ? $0.file < $1.file : $0.line < $1.line }
        out.entries = entries
        return out
    }
}
