#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import _JSONShims
import _SystemShims

/// A 128-bit in-process fingerprint of some bytes (a Batch `custom_id`, a canonical prompt).
///
/// Real batches reach tens of millions of requests (4,700 prompts × 4,700 forced tokens); keeping every
/// `custom_id` as a String would cost ~100 bytes per request before the map itself, so the join keys on
/// 16 bytes instead. Two independently keyed 64-bit multiply-fold hashes (`rp_hash128`; keys drawn from
/// Swift's per-process random hashing seed) give 128 bits: the chance of any collision among 10⁸ ids is
/// ~10⁻²³ for hashes that behave randomly. The value is never stored or compared across runs, so the
/// per-process keys do not matter. Two SipHash passes (Swift's `Hasher`) did the same job at about three
/// times the cost, a few percent of the whole read; SHA-256 (used for the persistent `promptKey`) cost ~10%.
struct RequestID: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    /// Per-process random keys, from Swift's randomly seeded `Hasher`.
    private static let keys: (UInt64, UInt64) = {
        var a = Hasher()
        a.combine(0x5A as UInt8)
        var b = Hasher()
        b.combine(0xA5 as UInt8)
        return (UInt64(bitPattern: Int64(a.finalize())), UInt64(bitPattern: Int64(b.finalize())))
    }()

    init(_ bytes: UnsafeRawBufferPointer) {
        var h: UInt64 = 0, l: UInt64 = 0
        let keys = Self.keys
        rp_hash128(bytes.baseAddress, bytes.count, keys.0, keys.1, &h, &l)
        high = h
        low = l
    }

    init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// `high` alone is already a uniform hash.
    func hash(into hasher: inout Hasher) { hasher.combine(high) }
}

/// Per-thread memo of canonical prompt → hex SHA-256 `promptKey`. A forced-token batch repeats each prompt
/// once per forced token (thousands of times), so hashing it once per thread instead of once per line saves
/// most of the SHA-256 work. Bounded: cleared when it reaches `limit` entries (direct-protocol logs with
/// millions of distinct prompts gain nothing from it).
///
/// It also interns what every record repeats: short token byte strings (a vocabulary is small, a log has
/// hundreds of millions of entries) and the model name, so a record shares one array/string per distinct
/// value instead of allocating its own — fewer mallocs on the parser threads, fewer frees on the delivering
/// thread, and equal arrays compare by identity in the assembler.
final class PromptKeyCache {
    private var keys: [RequestID: String] = [:]
    private let limit = 1 << 16
    /// Direct-mapped cache of short byte strings (a collision just replaces the slot): cheaper than a
    /// dictionary, and a vocabulary's hot tokens stay resident.
    private var tokenKeys = [ShortBytes](repeating: ShortBytes(), count: 4096)
    private var tokenArrays = [[UInt8]](repeating: [], count: 4096)
    private var models: [(bytes: [UInt8], string: String)] = []

    func key(for canonical: UnsafeRawBufferPointer) -> String {
        let id = RequestID(canonical)
        if let k = keys[id] { return k }
        if keys.count >= limit { keys.removeAll(keepingCapacity: true) }
        let k = RecordConverter.hexSHA256(canonical)
        keys[id] = k
        return k
    }

    private var canonicalBytes: [UInt8] = []

    /// The row key of `d`'s prompt (the SHA-256 of `PromptKey.canonical`), nil when it has none.
    func key(for d: rp_doc) -> String? {
        guard PromptKey.canonical(d, into: &canonicalBytes) else { return nil }
        return canonicalBytes.withUnsafeBytes { key(for: $0) }
    }

    /// The bytes of `s` as an array, shared with earlier equal ones when short.
    func bytes(_ s: rp_str) -> [UInt8]? {
        guard let ptr = s.ptr else { return nil }
        let raw = UnsafeRawBufferPointer(start: ptr, count: Int(s.len))
        guard let key = ShortBytes(raw) else { return Array(raw) }
        let slot = key.slot(bits: 12)
        if tokenKeys[slot] == key { return tokenArrays[slot] }
        let a = Array(raw)
        tokenKeys[slot] = key
        tokenArrays[slot] = a
        return a
    }

    private var textKeys = [ShortBytes](repeating: ShortBytes(), count: 4096)
    private var texts = [String](repeating: "", count: 4096)

    /// Token text as a String, from the same kind of cache as `bytes` (skips UTF-8 validation per entry).
    func text(_ s: rp_str) -> String? {
        guard let ptr = s.ptr else { return nil }
        let raw = UnsafeRawBufferPointer(start: ptr, count: Int(s.len))
        guard let key = ShortBytes(raw) else { return String(decoding: raw, as: UTF8.self) }
        let slot = key.slot(bits: 12)
        if textKeys[slot] == key { return texts[slot] }
        let t = String(decoding: raw, as: UTF8.self)
        textKeys[slot] = key
        texts[slot] = t
        return t
    }

    private var pairKeys = [ShortBytes](repeating: ShortBytes(), count: 4096)
    private var pairTexts = [String](repeating: "", count: 4096)
    private var pairArrays = [[UInt8]](repeating: [], count: 4096)

    /// An entry's token text and bytes, as `text` and `bytes` would give them. OpenAI entries carry the
    /// same short bytes twice (`token` and the decoded `bytes`); then one probe of a cache holding both
    /// answers, instead of two probes of two caches — this runs for every returned entry.
    func textAndBytes(_ token: rp_str, _ bytes: rp_str) -> (String?, [UInt8]?) {
        if let t = token.ptr, let b = bytes.ptr, token.len == bytes.len, token.len <= 16,
           memcmp(t, b, Int(token.len)) == 0,
           let key = ShortBytes(UnsafeRawBufferPointer(start: t, count: Int(token.len))) {
            let slot = key.slot(bits: 12)
            if pairKeys[slot] == key { return (pairTexts[slot], pairArrays[slot]) }
            let raw = UnsafeRawBufferPointer(start: t, count: Int(token.len))
            let text = String(decoding: raw, as: UTF8.self)
            let array = Array(raw)
            pairKeys[slot] = key
            pairTexts[slot] = text
            pairArrays[slot] = array
            return (text, array)
        }
        return (text(token), self.bytes(bytes))
    }

    /// `s` as a String, shared with an earlier equal one (a run names one or a few models).
    func model(_ s: rp_str) -> String? {
        guard let ptr = s.ptr else { return nil }
        let raw = UnsafeRawBufferPointer(start: ptr, count: Int(s.len))
        for m in models where m.bytes.count == raw.count {
            if m.bytes.withUnsafeBytes({ $0.elementsEqual(raw) }) { return m.string }
        }
        let string = String(decoding: raw, as: UTF8.self)
        if models.count < 8 { models.append((Array(raw), string)) }
        return string
    }
}

/// Up to 16 bytes packed into two words, as a cache key without an allocation. `count` 255 marks an
/// empty slot.
struct ShortBytes: Equatable {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var count: UInt8 = 255

    init() {}

    @inline(__always) func slot(bits: Int) -> Int {
        let h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
        return Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count <= 16 else { return nil }
        count = UInt8(raw.count)
        // Two block copies, not a byte loop: this runs twice for every returned entry (text and bytes).
        guard let base = raw.baseAddress else { return }
        let first = min(8, raw.count)
        withUnsafeMutableBytes(of: &a) { $0.baseAddress!.copyMemory(from: base, byteCount: first) }
        if raw.count > 8 {
            withUnsafeMutableBytes(of: &b) { $0.baseAddress!.copyMemory(from: base + 8, byteCount: raw.count - 8) }
        }
    }
}

/// The request fields of one Batch input line that the join needs (not the line itself).
struct BatchRequestFields: Sendable {
    var promptKey: String?
    /// logit_bias pairs. A single pair (the forced-token protocol) is held in `single` and `bias` stays
    /// empty, so the common input line allocates no array.
    var bias: [(Int, Double)]
    var single: (Int, Double)?
    var maxTokens: Int?
    var model: String?
    /// Tracked token ids (the tracked-token protocol), nil for other requests.
    var tracked: [Int]? = nil

    var biasCount: Int { single == nil ? bias.count : 1 }
}

/// custom_id → request fields, built from the Batch input files before the output files are read.
///
/// Stored compactly: prompt keys and models are interned (a batch has few distinct prompts and one model),
/// and logit_bias pairs live in two flat arrays, so one request costs a few dozen bytes — and its fields
/// sit in the hash bucket itself, so joining an output line costs one cache miss (see `RequestTable`).
struct BatchIndex: Sendable {
    struct Slot: Sendable {
        var prompt: Int32
        var model: Int32
        var maxTokens: Int32
        var biasCount: Int32
        var biasStart: Int
        /// Index into `biasDicts` when the request's logit_bias was interned, else -1.
        var biasDict: Int32
        /// Insertion order of the request (see `RetryTracker`); fills the bucket's padding.
        var order: Int32
    }

    struct Request {
        var promptKey: String?
        var logitBias: [Int: Double]
        var maxTokens: Int?
        var model: String?
        /// Insertion order of the request (see `RetryTracker`).
        var slot: Int32
        /// Tracked token ids, for tracked-token requests.
        var tracked: Set<Int>? = nil
    }

    private var table = RequestTable()
    private var prompts: [String] = []
    private var lastPrompt: Int32 = -1
    private var promptIndex: [String: Int32] = [:]
    private var models: [String] = []
    private var biasIDs: [Int] = []
    private var biasValues: [Double] = []
    /// Single-token logit_bias dictionaries (the forced-token protocol: one per forced id), built once and
    /// shared by every request that uses them instead of rebuilt per delivered record.
    private var biasDicts: [[Int: Double]] = []
    private var biasDictIndex: [SingleBias: Int32] = [:]
    private struct SingleBias: Hashable { var id: Int; var bits: UInt64 }
    /// Tracked-token requests: slot order → interned id set. Kept beside the table (not in the bucket,
    /// whose size the join's cache misses depend on); empty for every other kind of batch.
    private var trackedOfSlot: [Int32: Int32] = [:]
    private var trackedSets: [Set<Int>] = []
    private var trackedIndex: [[Int]: Int32] = [:]

    var count: Int { table.count }

    mutating func reserve(_ n: Int) { table.reserve(n) }

    /// Adds a request; returns false (and keeps the first) when the custom_id is already indexed.
    mutating func insert(_ id: RequestID, _ fields: BatchRequestFields) -> Bool {
        if table[id] != nil { return false }
        var prompt: Int32 = -1
        if let key = fields.promptKey {
            // Input files usually list a prompt's requests together: the previous line's key (often the
            // very same string object, from the parser thread's memo) is checked before hashing 64 bytes.
            if lastPrompt >= 0, prompts[Int(lastPrompt)] == key { prompt = lastPrompt } else if let i = promptIndex[key] { prompt = i } else {
                prompt = Int32(prompts.count)
                prompts.append(key)
                promptIndex[key] = prompt
            }
            lastPrompt = prompt
        }
        var model: Int32 = -1
        if let m = fields.model {
            if let i = models.firstIndex(of: m) { model = Int32(i) } else { model = Int32(models.count); models.append(m) }
        }
        let start = biasIDs.count
        var dict: Int32 = -1
        if let single = fields.single ?? (fields.bias.count == 1 ? fields.bias[0] : nil) {
            let key = SingleBias(id: single.0, bits: single.1.bitPattern)
            if let i = biasDictIndex[key] { dict = i } else if biasDicts.count < 1 << 20 {
                dict = Int32(biasDicts.count)
                biasDicts.append([single.0: single.1])
                biasDictIndex[key] = dict
            }
        }
        if dict < 0 {
            if let (id, value) = fields.single { biasIDs.append(id); biasValues.append(value) }
            for (id, value) in fields.bias { biasIDs.append(id); biasValues.append(value) }
        }
        let order = Int32(table.count)
        if let tracked = fields.tracked {
            if let i = trackedIndex[tracked] { trackedOfSlot[order] = i } else {
                let i = Int32(trackedSets.count)
                trackedSets.append(Set(tracked))
                trackedIndex[tracked] = i
                trackedOfSlot[order] = i
            }
        }
        table.insert(id, Slot(prompt: prompt, model: model, maxTokens: Int32(clamping: fields.maxTokens ?? -1),
                              biasCount: Int32(fields.biasCount), biasStart: start, biasDict: dict,
                              order: order))
        return true
    }

    func request(for id: RequestID) -> Request? {
        guard let s = table[id] else { return nil }
        var bias: [Int: Double] = [:]
        if s.biasDict >= 0 {
            bias = biasDicts[Int(s.biasDict)]
        } else if s.biasCount > 0 {
            bias.reserveCapacity(Int(s.biasCount))
            for i in s.biasStart..<(s.biasStart + Int(s.biasCount)) { bias[biasIDs[i]] = biasValues[i] }
        }
        return Request(promptKey: s.prompt >= 0 ? prompts[Int(s.prompt)] : nil, logitBias: bias,
                       maxTokens: s.maxTokens >= 0 ? Int(s.maxTokens) : nil,
                       model: s.model >= 0 ? models[Int(s.model)] : nil, slot: s.order,
                       tracked: trackedOfSlot.isEmpty ? nil : trackedOfSlot[s.order].map { trackedSets[Int($0)] })
    }

    func slot(for id: RequestID) -> Int32? { table[id]?.order }
}

/// RequestID → request slot, open addressing with linear probing. The key is already a uniform 128-bit
/// hash, so its high word picks the bucket directly: no second hashing pass per lookup (a Swift
/// `Dictionary` would run SipHash over it again, on every input line and every output line).
///
/// A bucket holds the key and the request's slot together (48 bytes): a batch of millions of requests makes
/// the table far larger than the cache and lookups arrive in random order, so a join must cost one cache
/// miss, not one per parallel array plus one for a separate slot array (four, before).
struct RequestTable: Sendable {
    private struct Bucket: Sendable {
        var high: UInt64
        var low: UInt64
        /// `slot.biasCount` is -1 in an empty bucket (a request has 0 or more bias pairs).
        var slot: BatchIndex.Slot
    }

    private static let empty = Bucket(high: 0, low: 0, slot: BatchIndex.Slot(
        prompt: -1, model: -1, maxTokens: -1, biasCount: -1, biasStart: 0, biasDict: -1, order: -1))

    private var buckets: [Bucket]
    private var shift: Int
    private(set) var count = 0

    init() {
        buckets = Self.emptyBuckets(1024)
        shift = 64 - 10
    }

    private static func emptyBuckets(_ count: Int) -> [Bucket] { [Bucket](repeating: Self.empty, count: count) }

    @inline(__always) private func home(_ id: RequestID) -> Int { Int(truncatingIfNeeded: id.high >> UInt64(shift)) }

    subscript(_ id: RequestID) -> BatchIndex.Slot? {
        let start = home(id)
        return buckets.withUnsafeBufferPointer { b in
            let mask = b.count - 1
            var i = start
            while true {
                if b[i].slot.biasCount < 0 { return nil }
                if b[i].high == id.high && b[i].low == id.low { return b[i].slot }
                i = (i + 1) & mask
            }
        }
    }

    /// Adds a key that is not present.
    mutating func insert(_ id: RequestID, _ slot: BatchIndex.Slot) {
        if 2 * (count + 1) > buckets.count { resize(buckets.count * 2) }
        let start = home(id)
        buckets.withUnsafeMutableBufferPointer { b in
            let mask = b.count - 1
            var i = start
            while b[i].slot.biasCount >= 0 { i = (i + 1) & mask }
            b[i] = Bucket(high: id.high, low: id.low, slot: slot)
        }
        count += 1
    }

    mutating func reserve(_ n: Int) {
        var size = buckets.count
        while size < 2 * n { size *= 2 }
        if size > buckets.count { resize(size) }
    }

    private mutating func resize(_ size: Int) {
        let old = buckets
        buckets = Self.emptyBuckets(size)
        shift = 64 - size.trailingZeroBitCount
        count = 0
        for b in old where b.slot.biasCount >= 0 { insert(RequestID(high: b.high, low: b.low), b.slot) }
    }
}
