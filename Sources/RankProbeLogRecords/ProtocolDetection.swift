/// How a request's logprobs relate to the model's unbiased log-probabilities.
///
/// The protocol is a property of the request *and* the server: the same `logit_bias` {id: 100} request is a
/// forced-token probe on today's OpenAI API (logit_bias no longer changes returned logprobs) and a
/// biased-logprob probe on servers that apply the bias before computing logprobs. So it is decided per
/// request from the request and the response together (see `LogProtocol.detect`).
public enum LogProtocol: String, Sendable, Codable, CaseIterable {
    /// `logit_bias` {id: large}, `max_tokens` 1: the sampled token is the forced one, its logprob unbiased.
    case forced
    /// The bias was applied before the logprobs: only differences to a biased anchor (or the exact
    /// k-token inversion) give unbiased values.
    case biased
    /// No bias: logprobs are unbiased as returned.
    case direct

    /// Decides the protocol of one record.
    ///
    /// - No non-zero `logit_bias` → direct.
    /// - Exactly one biased id with bias ≥ `forcedMinBias` and `max_tokens` 1 → forced, *unless the response
    ///   shows the bias*: under a server that applies the bias, every returned token other than the biased one
    ///   sits at least B below it (it lost B nats relative to the anchor); on an unbiased response the top
    ///   alternatives include the argmax, which can never be B/2 nats below the forced token. So
    ///   "all other returned entries are more than B/2 below the sampled one" → biased. A response without
    ///   other entries cannot show the bias and is taken as forced (pass `override` for old logs).
    /// - Several ids with large biases whose best returned alternative is none of them (by id): the bias did not
    ///   shape the returned logprobs (`biasNotShown`) → direct.
    /// - Anything else with a bias (several ids, small bias, longer generations) → biased.
    public static func detect(_ record: LogRecord, forcedMinBias: Double, override: LogProtocol? = nil) -> LogProtocol {
        if let override { return override }
        var biasedIDs = 0
        var bias = 0.0
        for (_, b) in record.logitBias where b != 0 {
            biasedIDs += 1
            bias = b
        }
        if biasedIDs == 0 { return .direct }
        if biasedIDs > 1, biasNotShown(record, forcedMinBias: forcedMinBias) { return .direct }
        guard biasedIDs == 1, bias >= forcedMinBias, record.maxTokens == 1, let sampled = record.sampled else {
            return .biased
        }
        var othersBest = -Double.infinity
        for entry in record.top where !entry.sameToken(as: sampled) && entry.logprob.isFinite && entry.logprob > -9998 {
            othersBest = max(othersBest, entry.logprob)
        }
        if othersBest > -Double.infinity, othersBest - sampled.logprob < -bias / 2 { return .biased }
        return .forced
    }
}

extension LogProtocol {
    /// Several large biases (each ≥ `forcedMinBias`) that the returned logprobs do not show: the best
    /// returned alternative is a token outside the bias, by id. Where the bias was applied before the
    /// logprobs, every biased token gained ≥ `forcedMinBias` nats on the rest and one of them tops the list;
    /// where it was applied only to sampling (llama.cpp b11434 computes `n_probs` from the raw logits;
    /// OpenAI since March 2024), the list is the unbiased one and the values are read as returned (`direct`).
    /// Entries without ids cannot be matched to the bias, so they never decide this.
    static func biasNotShown(_ record: LogRecord, forcedMinBias: Double) -> Bool {
        guard record.logitBias.values.allSatisfy({ $0 == 0 || $0 >= forcedMinBias }) else { return false }
        var best: LogRecord.Entry?
        for entry in record.top where entry.logprob.isFinite && entry.logprob > -9998 {
            if best == nil || entry.logprob > best!.logprob { best = entry }
        }
        guard let best, let id = best.id else { return false }
        return (record.logitBias[id] ?? 0) == 0
    }
}

extension LogRecord.Entry {
    /// True when both entries name the same token: by id when both have one, else by bytes/text.
    package func sameToken(as other: LogRecord.Entry) -> Bool {
        if let a = id, let b = other.id { return a == b }
        if let a = bytes ?? token.map({ Array($0.utf8) }), let b = other.bytes ?? other.token.map({ Array($0.utf8) }) {
            return a == b
        }
        return false
    }
}
