import _SystemShims

/// Identity of a Batch API request: the first 128 bits of SHA-256(custom_id).
///
/// Real batches reach tens of millions of requests (4,700 prompts × 4,700 forced tokens); keeping every
/// `custom_id` as a String would cost ~100 bytes per request before the map itself. 16 bytes suffice: the
/// chance of any collision among 10⁸ ids is ~10⁻²³.
struct RequestID: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    init(_ customID: UnsafeRawBufferPointer) {
        var h: UInt64 = 0
        var l: UInt64 = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            rp_sha256(customID.baseAddress, customID.count, digest.baseAddress!)
            let raw = UnsafeRawPointer(digest.baseAddress!)
            h = raw.loadUnaligned(as: UInt64.self)
            l = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        }
        high = h
        low = l
    }
}

/// The request fields of one Batch input line that the join needs (not the line itself).
struct BatchRequestFields: Sendable {
    var promptKey: String?
    var bias: [(Int, Double)]
    var maxTokens: Int?
    var model: String?
}

/// custom_id → request fields, built from the Batch input files before the output files are read.
///
/// Stored compactly: prompt keys and models are interned (a batch has few distinct prompts and one model),
/// and logit_bias pairs live in two flat arrays, so one request costs a few dozen bytes.
struct BatchIndex: Sendable {
    private struct Slot: Sendable {
        var prompt: Int32
        var model: Int32
        var maxTokens: Int32
        var biasCount: Int32
        var biasStart: Int
    }

    struct Request {
        var promptKey: String?
        var logitBias: [Int: Double]
        var maxTokens: Int?
        var model: String?
    }

    private var slots: [RequestID: Slot] = [:]
    private var prompts: [String] = []
    private var promptIndex: [String: Int32] = [:]
    private var models: [String] = []
    private var biasIDs: [Int] = []
    private var biasValues: [Double] = []

    var count: Int { slots.count }

    /// Adds a request; returns false (and keeps the first) when the custom_id is already indexed.
    mutating func insert(_ id: RequestID, _ fields: BatchRequestFields) -> Bool {
        if slots[id] != nil { return false }
        var prompt: Int32 = -1
        if let key = fields.promptKey {
            if let i = promptIndex[key] { prompt = i } else {
                prompt = Int32(prompts.count)
                prompts.append(key)
                promptIndex[key] = prompt
            }
        }
        var model: Int32 = -1
        if let m = fields.model {
            if let i = models.firstIndex(of: m) { model = Int32(i) } else { model = Int32(models.count); models.append(m) }
        }
        let start = biasIDs.count
        for (id, value) in fields.bias { biasIDs.append(id); biasValues.append(value) }
        slots[id] = Slot(prompt: prompt, model: model, maxTokens: Int32(clamping: fields.maxTokens ?? -1),
                         biasCount: Int32(fields.bias.count), biasStart: start)
        return true
    }

    func request(for id: RequestID) -> Request? {
        guard let s = slots[id] else { return nil }
        var bias: [Int: Double] = [:]
        if s.biasCount > 0 {
            bias.reserveCapacity(Int(s.biasCount))
            for i in s.biasStart..<(s.biasStart + Int(s.biasCount)) { bias[biasIDs[i]] = biasValues[i] }
        }
        return Request(promptKey: s.prompt >= 0 ? prompts[Int(s.prompt)] : nil, logitBias: bias,
                       maxTokens: s.maxTokens >= 0 ? Int(s.maxTokens) : nil,
                       model: s.model >= 0 ? models[Int(s.model)] : nil)
    }
}
