/// A small, self-contained cliff finder for the analyses, used when the caller gives no hidden size.
///
/// It takes the largest ratio σ_k / σ_(k+1) among the singular values that are not rounding noise
/// (σ_(k+1) > 1e-13·σ_1 would be too strict for exact data, where the whole tail is rounding noise, so the
/// first value below that level ends the search and its index counts as a cliff of infinite depth). This is
/// deliberately simpler than the estimator's detector (which also models the power-law bulk); the CLI uses
/// the estimator's `hidden_dim` and only falls back to this for in-memory callers.
public enum SpectrumCliff {
    public struct Cliff: Sendable, Equatable {
        /// Number of singular values above the cliff.
        public var index: Int
        /// σ_index / σ_(index+1) (infinite when the next value is zero).
        public var ratio: Double
    }

    /// The deepest cliff, or nil when the spectrum has fewer than two values.
    public static func deepest(_ s: [Double], minimumIndex: Int = 1) -> Cliff? {
        guard s.count >= 2, let top = s.first, top > 0 else { return nil }
        var best: Cliff?
        for k in max(minimumIndex, 1)..<s.count {
            let next = s[k]
            if next <= 1e-13 * top {
                let ratio = next > 0 ? s[k - 1] / next : .infinity
                if best == nil || ratio > best!.ratio { best = Cliff(index: k, ratio: ratio) }
                break
            }
            let ratio = s[k - 1] / next
            if best == nil || ratio > best!.ratio { best = Cliff(index: k, ratio: ratio) }
        }
        return best
    }
}
