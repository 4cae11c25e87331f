import Foundation
import RankProbeLogRecords

/// Biased-logprob requests: the server added bias b_j to the logits of the requested tokens S before the
/// softmax, so a returned logprob is lp'_i = logit_i + b_i − log Z' (b_i = 0 outside S).
extension Assembler {
    /// Relative precision assumed for returned logprobs when judging the exact inversion: APIs print about
    /// seven significant digits, so 1 − Σ p'_j can only be trusted to ~1e-7 of the terms it is made from.
    static let returnedPrecision = 1e-7

    /// Turns every stored biased request into cells, prompt by prompt.
    ///
    /// - biased-anchor: if all requests of a prompt returned a common biased token a (the anchor), every
    ///   returned token i gives (lp'_i − b_i) − (lp'_a − b_a) = logit_i − logit_a: bias and normaliser
    ///   cancel and all entries of the row share the one offset −logit_a. The smallest common column is used.
    /// - biased-exact: otherwise (or when the row also holds absolute logprobs from other protocols, which a
    ///   relative row could not be mixed with), each request is inverted on its own. With p'_j = e^{lp'_j},
    ///   Z/Z' = (1 − Σ_S p'_j) + Σ_S p'_j e^{−b_j}, so log p_i = lp'_i − b_i − log((1 − Σ_S p'_j) + Σ_S p'_j e^{−b_j});
    ///   for equal biases B this is log p'_i − log((1 − Σ_S p'_j)·e^B + Σ_S p'_j) − (B − b_i). It needs every
    ///   token of S returned, and 1 − Σ_S p'_j must be known well compared with the whole term: with a large
    ///   bias the unbiased mass is ~e^{−B} and drowns in the rounding of the printed logprobs, so such requests
    ///   are skipped as ill-conditioned (for a single biased token, 1 − p' = −expm1(lp') stays exact).
    mutating func resolveBiased(remap: [Int32]) {
        guard !biased.isEmpty else { return }
        let order = biased.indices.sorted { biased[$0].row != biased[$1].row ? biased[$0].row < biased[$1].row : $0 < $1 }
        var start = 0
        while start < order.count {
            var end = start
            let row = biased[order[start]].row
            while end < order.count, biased[order[end]].row == row { end += 1 }
            resolveRow(row, requests: order[start..<end].map { remapped(biased[$0], remap) })
            start = end
        }
        biased = []
    }

    private func remapped(_ r: BiasedRequest, _ remap: [Int32]) -> BiasedRequest {
        var out = r
        var seen = Set<Int32>()
        out.entries = r.entries.compactMap { e in
            let c = remap[Int(e.column)]
            return seen.insert(c).inserted ? (c, e.logprob) : nil
        }
        return out
    }

    /// A biased request with the bias of every returned entry worked out.
    private struct Classified {
        var at: SourceLocation
        var entries: [(column: Int32, logprob: Double, bias: Double)]
        var biased: Set<Int32>
        /// Every token of the biased set was returned.
        var complete: Bool
    }

    /// Which returned entries carry a bias. Entries in id columns are matched to `logit_bias` keys. Entries
    /// known only by text (OpenAI responses: no ids, and no forced-token pairs to learn them from) are
    /// classified by value when every token got the same large bias B: a biased token sits within B/2 of the
    /// best returned one, an unbiased one about B below. With unequal or small biases text entries cannot be
    /// told apart, and unless the ids already account for the whole biased set the request is unusable.
    private func classify(_ r: BiasedRequest) -> Classified? {
        let biasOf = Dictionary(r.bias.map { ($0.column, $0.bias) }, uniquingKeysWith: { a, _ in a })
        let biases = r.bias.map(\.bias)
        let b = biases.max() ?? 0
        let byValue = !biases.isEmpty && b - biases.min()! <= 1e-9 * max(1, abs(b)) && b >= options.forcedMinBias
        let best = r.entries.map(\.logprob).max() ?? 0
        var out = Classified(at: r.at, entries: [], biased: [], complete: false)
        var unknown = false
        for (c, lp) in r.entries {
            if let bc = biasOf[c] {
                out.entries.append((c, lp, bc)); out.biased.insert(c)
            } else if case .text = columns.keys[Int(c)] {
                if byValue, lp >= best - b / 2 { out.entries.append((c, lp, b)); out.biased.insert(c); continue }
                unknown = unknown || !byValue
                out.entries.append((c, lp, 0))
            } else {
                out.entries.append((c, lp, 0))
            }
        }
        out.complete = out.biased.count >= r.bias.count
        if unknown && !out.complete { return nil }
        return out
    }

    private mutating func resolveRow(_ row: Int32, requests raw: [BiasedRequest]) {
        store.ensureRow(row)
        var requests: [Classified] = []
        for r in raw {
            if let c = classify(r) { requests.append(c) } else { skip(Reason.biasedUnidentified, at: r.at) }
        }
        guard !requests.isEmpty else { return }
        let hasAbsolute = store.rows[Int(row)].count > 0
        var common = requests[0].biased
        for r in requests.dropFirst() { common.formIntersection(r.biased) }
        if !hasAbsolute, let anchor = common.min() {
            rowRules[Int(row)] |= Self.anchorRule
            for r in requests {
                let a = r.entries.first { $0.column == anchor }!
                for e in r.entries {
                    store.add(row: row, column: e.column, value: (e.logprob - e.bias) - (a.logprob - a.bias), at: r.at)
                }
                requestsUsed += 1
            }
            return
        }
        for r in requests {
            guard r.complete else { skip(Reason.biasedIncomplete, at: r.at); continue }
            guard let logT = Self.exactLogNormaliserRatio(r.entries.filter { r.biased.contains($0.column) }.map { ($0.logprob, $0.bias) }) else {
                skip(Reason.biasedIllConditioned, at: r.at)
                continue
            }
            for e in r.entries { store.add(row: row, column: e.column, value: e.logprob - e.bias - logT, at: r.at) }
            rowRules[Int(row)] |= Self.exactRule
            requestsUsed += 1
        }
    }

    /// log((1 − Σ_S p'_j) + Σ_S p'_j e^{−b_j}) for the biased set's returned logprobs and biases, or nil when
    /// the first term cannot be resolved at the returned precision (its uncertainty exceeds 1% of the sum).
    static func exactLogNormaliserRatio(_ set: [(logprob: Double, bias: Double)]) -> Double? {
        var massS = 0.0, unbiasedS = 0.0, scale = 0.0
        for (lp, b) in set {
            let p = exp(lp)
            massS += p
            unbiasedS += p * exp(-b)
            scale += p * max(1, abs(lp))
        }
        let rest = set.count == 1 ? -expm1(set[0].logprob) : 1 - massS
        let uncertainty = (set.count == 1 ? abs(rest) : scale) * returnedPrecision + 1e-15
        let t = rest + unbiasedS
        guard t > 0, rest > -uncertainty, uncertainty <= 0.01 * t else { return nil }
        return log(t)
    }
}
