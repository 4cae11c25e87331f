import Foundation


/// Finds the hidden size in a singular-value spectrum — or says the spectrum cannot tell.
///
/// Real spectra are not "signal, then a gap": a few dominant directions (massive activations) make a
/// large early gap, a smooth power-law bulk follows, and only then does the cliff at d drop onto a noise
/// floor made of rounding (float16, 1/16-nat quantisation), serving nondeterminism and, at the very
/// bottom, float64 rounding of the Gram matrix. "The largest ratio between neighbours" picks the early
/// gap. The rule used here is that a cliff must land *on the floor*: after it, the spectrum is flat.
///
/// Every drop σ_k/σ_(k+1) of at least `minDecades` starts a segment running to the next such drop. A
/// drop counts as a cliff when the segment after it, and every later segment, is flat: σ_(k+1) sits close
/// to the segment's median compared with the drop (`tailFlatness`). The median of the segment is the floor
/// that cliff implies. An early gap fails because a power law of many decades follows it; a cliff onto a
/// shelf that later drops again still counts, and competes with the later drop. Among cliffs that
/// pass, the deepest wins; it is reported as `.ok` only if it is at least `okDecades` deep and no other
/// cliff comes within `competitorFraction` of its depth (then: `.ambiguous` with the candidates). With no
/// cliff — fewer samples than the hidden size, or unstructured noise — the verdict is `.insufficient`
/// with a lower bound and how many samples to collect.
public struct Detector: Sendable {
    /// A drop must be at least this many decades (log10, here ×1.6) to be considered at all: shallow cliffs
    /// are still reported as candidates of an `.ambiguous` verdict rather than hidden.
    public var minDecades = 0.2
    /// A cliff this deep (×10) or deeper can be reported as the answer.
    public var okDecades = 1.0
    /// A cliff this deep (×100), with a tail of at least `confidentTail` values, is "high" confidence.
    public var highDecades = 2.0
    public var confidentTail = 16
    /// σ_(k+1) may stand at most this fraction of the drop (in decades) above the tail's median.
    public var tailFlatness = 0.5
    /// The floor needs at least this many values after the cliff to be a floor.
    public var minTail = 3
    /// Another cliff at least this fraction as deep makes the answer ambiguous.
    public var competitorFraction = 0.5

    public init() {}

    /// - Parameters:
    ///   - singularValues: descending singular values of the double-centred samples (N − 1 of them).
    ///   - samples: rows used (N).
    ///   - columns: token columns used (V). Row centring leaves at most V − 1 dimensions.
    ///   - roundingEdge: the largest singular value rounding noise alone would produce (from the data's
    ///     grid step and storage type), if known. When no cliff is found and the tail sits at this level,
    ///     the noise — not a lack of samples — hides the cliff, and the lower bound counts only the values
    ///     clearly above it.
    ///   - machineEpsilon: relative precision of the Gram eigenvalues (float64).
    public func detect(singularValues sv: [Double], samples: Int, columns: Int, roundingEdge: Double? = nil,
                       machineEpsilon: Double = Double.ulpOfOne) -> Detection {
        let m = sv.count
        guard m >= 2, let top = sv.first, top > 0, top.isFinite else {
            return Detection(
                verdict: .insufficient, rank: nil, lowerBound: m > 0 && (sv.first ?? 0) > 0 ? 1 : 0, candidates: [],
                confidence: .none, noiseFloor: nil, dominantDirections: 0, numericalFloor: 0,
                suggestedSamples: max(2 * samples, 64), suggestedColumns: nil,
                explanation: m < 2 ? "fewer than three usable samples: no spectrum to read"
                    : "the centred samples are all zero: every prompt gave the same output",
                warnings: [])
        }
        // Eigenvalues of a float64 Gram carry absolute errors of order √N·ε·λ_max (rounding in the Gram's
        // entries behaves like a random symmetric matrix of entry size ε·λ_max/N… summed over N); singular
        // values below σ_1·√(√N·ε), with a factor 2 of margin, are rounding: they are clamped to that
        // level and form a flat floor instead of a ragged one.
        let numericalFloor = 2 * top * (Double(max(samples, 2)).squareRoot() * machineEpsilon).squareRoot()
        let s = sv.map { max($0.isFinite ? $0 : 0, numericalFloor) }
        let l = s.map { log10($0) }
        let dominant = dominantDirections(l)
        let usableDims = min(m, max(columns - 1, 0))

        // Every drop of at least `minDecades` starts a segment that runs to the next such drop (or the end).
        // A segment is flat when its first value stands close to its median compared with the drop into
        // it. A drop is a cliff when its own segment and every later one are flat: the spectrum after it
        // is floor (or shelves of floor), not the power-law bulk that follows a massive-activation gap.
        let drops = (1..<m).filter { l[$0 - 1] - l[$0] >= minDecades }
        var flat = [Bool](repeating: false, count: drops.count)
        var medians = [Double](repeating: 0, count: drops.count)
        for (j, k) in drops.enumerated() {
            let end = j + 1 < drops.count ? drops[j + 1] : m
            let segment = Array(l[k..<end]).sorted()
            medians[j] = segment[segment.count / 2]
            flat[j] = l[k] - medians[j] <= tailFlatness * (l[k - 1] - l[k])
        }
        var cliffs: [Cliff] = []
        var suffixFlat = true
        for j in stride(from: drops.count - 1, through: 0, by: -1) {
            suffixFlat = suffixFlat && flat[j]
            let k = drops[j]
            guard suffixFlat, m - k >= minTail else { continue }
            cliffs.append(Cliff(index: k, ratio: pow(10, l[k - 1] - l[k]), floor: pow(10, medians[j]), tailLength: m - k))
        }
        cliffs.sort { $0.ratio > $1.ratio }
        var warnings: [String] = []

        func insufficient(_ why: String, lowerBound: Int, byColumns: Bool) -> Detection {
            let margin = max(64, lowerBound / 10)
            return Detection(
                verdict: .insufficient, rank: nil, lowerBound: lowerBound, candidates: cliffs,
                confidence: .none, noiseFloor: cliffs.first?.floor, dominantDirections: dominant,
                numericalFloor: numericalFloor,
                suggestedSamples: byColumns ? nil : max(lowerBound + margin + 1, samples + margin),
                suggestedColumns: byColumns ? max(lowerBound + margin + 1, columns + margin) : nil,
                explanation: why, warnings: warnings)
        }

        guard let best = cliffs.first else {
            let span = l[0] - l[m - 1]
            if span < 1.5 && dominant == 0 {
                warnings.append(String(
                    format: "the spectrum spans only %.1f decades with no dominant directions: it looks like unstructured noise rather than model outputs", span))
            }
            if let edge = roundingEdge, edge > 0 {
                let bottom = Array(s.suffix(max(1, m / 10))).sorted()
                if bottom[bottom.count / 2] <= 3 * edge {
                    let above = s.filter { $0 > 2 * edge }.count
                    var d = insufficient(
                        String(format: "no cliff: the smallest singular values sit at the level rounding noise alone gives (≈ %.3g), so rounding hides the cliff; %d values stand above twice that level, so the hidden size is at least %d — less coarsely rounded outputs are needed to say more", edge, above, above),
                        lowerBound: above, byColumns: false)
                    d.suggestedSamples = nil
                    return d
                }
            }
            if usableDims < m || columns < samples {
                return insufficient(
                    "no cliff: the \(columns) token columns allow at most \(usableDims) dimensions, and the spectrum is still falling there; collect more token columns",
                    lowerBound: usableDims, byColumns: true)
            }
            return insufficient(
                "no cliff: all \(m) singular values lie on a smooth decay, so the hidden size is at least \(m) — unless noise (rounding, serving nondeterminism) hides the cliff; collect more samples than the hidden size, with less noise if you can",
                lowerBound: m, byColumns: false)
        }
        if best.index >= usableDims && usableDims < m {
            return insufficient(
                "the only cliff is where the \(columns) token columns run out (\(usableDims) dimensions): the hidden size is at least \(usableDims); collect more token columns",
                lowerBound: usableDims, byColumns: true)
        }

        let competitors = cliffs.dropFirst().filter { $0.decades >= competitorFraction * best.decades }
        if best.decades < okDecades || !competitors.isEmpty {
            let list = ([best] + competitors).map { "\($0.index) (×\(String(format: "%.1f", $0.ratio)))" }.joined(separator: ", ")
            let why = best.decades < okDecades
                ? "the deepest cliff, after \(best.index) values, is only ×\(String(format: "%.1f", best.ratio)) above the noise — too shallow to trust"
                : "several cliffs of similar depth: \(list)"
            return Detection(
                verdict: .ambiguous, rank: nil, lowerBound: nil, candidates: [best] + competitors,
                confidence: .low, noiseFloor: best.floor, dominantDirections: dominant, numericalFloor: numericalFloor,
                suggestedSamples: nil, suggestedColumns: nil,
                explanation: why + "; candidates: " + list, warnings: warnings)
        }
        let confident = best.decades >= highDecades && best.tailLength >= confidentTail
        if best.tailLength < confidentTail {
            warnings.append("only \(best.tailLength) singular values lie after the cliff; a few hundred more samples than the hidden size make the noise floor unambiguous")
        }
        return Detection(
            verdict: .ok, rank: best.index, lowerBound: nil, candidates: cliffs, confidence: confident ? .high : .medium,
            noiseFloor: best.floor, dominantDirections: dominant, numericalFloor: numericalFloor,
            suggestedSamples: nil, suggestedColumns: nil,
            explanation: String(format: "the singular values fall by ×%.3g after index %d onto a flat floor of %d values",
                                best.ratio, best.index, best.tailLength),
            warnings: warnings)
    }

    /// Leading directions far above the bulk: the last index among the first few whose drop to the next
    /// is at least ×2.5. Reported and marked on plots; never taken for the cliff.
    func dominantDirections(_ l: [Double]) -> Int {
        let limit = min(8, l.count / 4)
        var last = 0
        if limit >= 1 {
            for i in 1...limit where l[i - 1] - l[i] >= log10(2.5) { last = i }
        }
        return last
    }
}
