import RankProbeLogRecords

/// A column's identity: a token id where the request or the API gives one, else the token's bytes.
///
/// Bytes rather than `String`: OpenAI chat responses carry `bytes`, legacy completions only the text, and
/// the same token must land in the same column from both; `[UInt8]` also hashes without Unicode
/// normalisation, which matters at hundreds of millions of entries.
enum ColumnKey: Hashable, Sendable {
    case id(Int)
    case text([UInt8])

    /// Hashes the bytes in one call: the element-wise default costs a hasher round per byte, and this runs
    /// for every returned alternative of every response.
    func hash(into hasher: inout Hasher) {
        switch self {
        case .id(let id): hasher.combine(0 as UInt8); hasher.combine(id)
        case .text(let bytes): hasher.combine(1 as UInt8); bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    init?(_ entry: LogRecord.Entry) {
        if let id = entry.id { self = .id(id); return }
        if let b = entry.bytes { self = .text(b); return }
        if let t = entry.token { self = .text(Array(t.utf8)); return }
        return nil
    }

    /// The text form used for learning id ↔ string pairs (nil for entries without text).
    static func textKey(_ entry: LogRecord.Entry) -> [UInt8]? {
        entry.bytes ?? entry.token.map { Array($0.utf8) }
    }

    /// Column label: the decimal id, or the token text as a JSON string literal (so "123" the text and 123 the
    /// id never collide, and control bytes stay printable).
    var label: String {
        switch self {
        case .id(let id): return String(id)
        case .text(let bytes): return Self.quoted(bytes)
        }
    }

    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        if let s = String(validating: bytes, as: UTF8.self) {
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) }
                    else { out.unicodeScalars.append(u) }
                }
            }
        } else {
            for b in bytes { out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16) }
        }
        return out + "\""
    }
}

/// Interned columns: key → dense index, in order of first appearance.
struct ColumnTable: Sendable {
    private(set) var keys: [ColumnKey] = []
    private var index: [ColumnKey: Int32] = [:]

    mutating func intern(_ key: ColumnKey) -> Int32 {
        if let i = index[key] { return i }
        let i = Int32(keys.count)
        keys.append(key)
        index[key] = i
        return i
    }

    func lookup(_ key: ColumnKey) -> Int32? { index[key] }
}

/// What the logs say about which text each token id stands for.
///
/// Two sources: entries that carry both an id and a text (vLLM, llama.cpp) are authoritative; forced-token
/// requests pair the forced id (a `logit_bias` key) with the sampled token's text, one vote per request.
/// A forced request whose sampled text is not the id's text did not sample the forced token.
struct TokenPairs: Sendable {
    /// id → text → count, from entries that carry both.
    var authoritative: [Int: [[UInt8]: Int]] = [:]
    /// id → text → count, from forced requests (complete after `settle`).
    var votes: [Int: [[UInt8]: Int]] = [:]
    /// The first text voted for each id: forced cells with that text are stored at once, others wait.
    var firstVote: [Int: [UInt8]] = [:]
    /// While reading, votes that agree with the id's first text are only counted, per column index, so the
    /// common case costs two array accesses instead of nested dictionary updates.
    private var firstByColumn: [[UInt8]?] = []
    private var agreeByColumn: [Int] = []
    private var idByColumn: [Int] = []

    mutating func observe(id: Int, text: [UInt8]) {
        authoritative[id, default: [:]][text, default: 0] += 1
    }

    /// Records a forced-request vote for `id` (interned as `column`); true when it agrees with the first
    /// vote for the id.
    mutating func vote(column: Int32, id: Int, text: [UInt8]) -> Bool {
        let c = Int(column)
        if c >= firstByColumn.count {
            let grow = c + 1 - firstByColumn.count
            firstByColumn.append(contentsOf: repeatElement(nil, count: grow))
            agreeByColumn.append(contentsOf: repeatElement(0, count: grow))
            idByColumn.append(contentsOf: repeatElement(0, count: grow))
        }
        if let first = firstByColumn[c] {
            if first == text { agreeByColumn[c] += 1; return true }
            votes[id, default: [:]][text, default: 0] += 1
            return false
        }
        firstByColumn[c] = text; agreeByColumn[c] = 1; idByColumn[c] = id
        return true
    }

    /// Folds the counted agreeing votes into `votes` and `firstVote`.
    mutating func settle() {
        for c in firstByColumn.indices {
            guard let first = firstByColumn[c] else { continue }
            votes[idByColumn[c], default: [:]][first, default: 0] += agreeByColumn[c]
            firstVote[idByColumn[c]] = first
        }
        firstByColumn = []; agreeByColumn = []; idByColumn = []
    }

    /// The accepted text of each id: the most frequent authoritative text; else the forced votes' plurality
    /// if it holds a strict majority of them (a token that cannot be forced yields whatever the argmax was,
    /// which varies by prompt and holds no majority). Ties go to the text seen first.
    func accepted() -> [Int: [UInt8]] {
        var out: [Int: [UInt8]] = [:]
        for (id, texts) in authoritative { out[id] = Self.best(texts, first: nil).text }
        for (id, texts) in votes where out[id] == nil {
            let (text, n) = Self.best(texts, first: firstVote[id])
            let total = texts.values.reduce(0, +)
            if 2 * n > total { out[id] = text }
        }
        return out
    }

    static func best(_ texts: [[UInt8]: Int], first: [UInt8]?) -> (text: [UInt8], count: Int) {
        var best: ([UInt8], Int)? = nil
        if let first, let n = texts[first] { best = (first, n) }
        for (t, n) in texts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where best == nil || n > best!.1 {
            best = (t, n)
        }
        return best!
    }

    /// Human-readable conflicts: ids seen with more than one text.
    func conflicts(limit: Int = 5) -> (count: Int, examples: [String]) {
        var lines: [String] = []
        var count = 0
        for source in [("response", authoritative), ("forced-token", votes)] {
            for (id, texts) in source.1.sorted(by: { $0.key < $1.key }) where texts.count > 1 {
                count += 1
                if lines.count < limit {
                    let parts = texts.sorted { $0.value > $1.value }.prefix(4)
                        .map { "\(ColumnKey.quoted($0.key)) ×\($0.value)" }
                    lines.append("token id \(id) (\(source.0) pairs): " + parts.joined(separator: ", "))
                }
            }
        }
        return (count, lines)
    }
}

/// Text column of a byte array, remembered by the array's storage address.
///
/// The reader shares one array per distinct short token (see `PromptKeyCache.bytes`), so the top
/// alternatives of millions of responses arrive as a handful of arrays; recognising an array by address
/// skips hashing its bytes and probing `ColumnTable` for every entry. Each slot keeps its array alive, so an
/// address in the cache cannot be reused by a different array while it is there: equal address means equal
/// bytes. A miss (or a collision, which just overwrites the slot) falls back to `ColumnTable.intern`.
struct TextColumnCache: Sendable {
    private var arrays = [[UInt8]](repeating: [], count: 1024)
    private var addresses = [UInt](repeating: 0, count: 1024)
    private var columns = [Int32](repeating: -1, count: 1024)

    mutating func column(for bytes: [UInt8], _ table: inout ColumnTable) -> Int32 {
        let address = bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let slot = Int(truncatingIfNeeded: (address >> 4) ^ (address >> 14)) & 1023
        if address != 0, addresses[slot] == address { return columns[slot] }
        let c = table.intern(.text(bytes))
        if address != 0 { arrays[slot] = bytes; addresses[slot] = address; columns[slot] = c }
        return c
    }
}
