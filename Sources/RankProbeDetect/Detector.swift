import Foundation

/// Counts the singular values that stand out of the noise — and says when the data cannot tell.
///
/// The centred N × V output matrix is signal of rank d plus noise (bfloat16 logits, batch jitter, an
/// API's rounding grid, storage rounding, the float64 Gram's own precision). Its noise part is a random
/// matrix, so below the signal the spectrum is a *bulk* with a known shape (Marchenko–Pastur) and a sharp
/// top edge, not a flat line. The detector therefore works in three steps:
///
/// 1. **Noise level.** The bulk past a candidate count k is fitted to the MP law of an
///    (N−1−k) × (V−1−k) noise matrix, matching its upper quantiles (the top 2–30 %: robust to a few
///    leftover signal values above and to clamped values below). A known level — measured repeats or the
///    rounding grid — raises the level when it is higher. The count k and the fit are iterated to a
///    fixed point, Kritchman–Nadler style: each value counted as signal leaves the bulk.
/// 2. **Signal count.** A value is signal when it stands `twMargin` Tracy–Widom scales above the MP edge,
///    *and* above the empirical edge of the values just below it (`EmpiricalEdge`): structured noise
///    stretches the bulk's top above the MP edge, and only values detached from the bulk itself are
///    provably signal. Weak directions on a shelf above the noise are signal like any other.
/// 3. **Verdict.** `ok` when the weakest counted direction is at least `okMargin` times the detection
///    threshold σ(np)^¼ (a direction weaker than the threshold cannot be seen at all, so a count whose
///    last member is barely above it may be missing more), the bulk below fits the noise model, and
///    enough values lie past the signal. `ambiguous` when a few near-edge values are above the MP edge but
///    not detached from the bulk (the candidates span them). `insufficient` otherwise, with a lower bound
///    that counts only provable signal and a sentence on what to collect.
///
/// With too few values past the signal to fit a bulk (N just above d), the floor is the flat tail itself
/// (the old "cliff onto a flat floor" rule, one case of the same model): a drop of at least
/// `flatOkRatio` onto values that are flat gives `ok`.
public struct Detector: Sendable {
    /// Tracy–Widom scales above the edge for a value to count (≈ 10⁻³ false alarms per step).
    public var twMargin = 3.0
    /// `ok` needs the weakest counted direction this many times the detection threshold (spike units).
    public var okMargin = 2.0
    /// `high` confidence needs this margin and `confidentTail` values in the bulk.
    public var highMargin = 4.0
    public var confidentTail = 16
    /// Fewest values past the signal for a bulk fit. Smaller bulks fit the asymptotic MP quantiles badly
    /// (measured: a 27-value Gaussian bulk put its top value ×1.07 above the fitted edge, 5 Tracy–Widom
    /// scales), so below this the flat-floor rule reads the tail.
    public var minFitBulk = 32
    /// Fewest values past the signal for any verdict other than `insufficient`.
    public var minTail = 3
    /// Without a fittable bulk: the drop onto a flat floor that `ok` needs (×10).
    public var flatOkRatio = 10.0
    /// Smallest drop (×1.6) considered as a cliff onto a flat floor.
    public var minDrop = 1.6
    /// Known levels and the Gram's precision are lower bounds of the real noise: a value counts toward a
    /// lower bound without a fitted bulk only when it stands this far above them.
    public var provableFactor = 10.0
    /// Largest ratio between the bulk's quartiles and the fitted law's before the bulk is "not noise".
    public var maxMisfit = 2.0
    /// Near-edge runs of at most this many values (or 2 % of the count) are `ambiguous`; longer runs mean
    /// the signal fades into the noise (`insufficient`).
    public var nearEdgeRun = 4
    /// Values above the MP edge but not detached from the bulk, after a drop of at least `minDrop`, are the
    /// bulk's stretched top (heteroscedastic noise) when they stay within this factor of the edge.
    public var stretchTolerance = 1.25
    /// Values below a drop of at least `minDrop` that stand within this factor of the MP edge are never
    /// counted as the answer: structured noise (bf16 rounding of large logits, measured on synthetic models
    /// with massive activations) puts outliers up to ×1.4 above the edge fitted to its bulk.
    public var nearEdgeFactor = 2.0

    public init() {}

    /// - Parameters:
    ///   - singularValues: descending singular values of the double-centred samples.
    ///   - samples: rows used (N); columns: token columns used (V).
    ///   - known: noise levels known from outside the spectrum (repeats, rounding grid).
    ///   - machineEpsilon: relative precision of the Gram eigenvalues (float64).
    public func detect(singularValues sv: [Double], samples: Int, columns: Int, known: [KnownNoise] = [],
                       machineEpsilon: Double = Double.ulpOfOne) -> Detection {
        // Double centring leaves at most min(N, V) − 1 dimensions; values past that are structural zeros.
        let usable = min(sv.count, max(columns - 1, 0), max(samples - 1, 0))
        let known = known.filter { $0.sigma > 0 && $0.sigma.isFinite }
        guard usable >= 2, let top = sv.first, top > 0, top.isFinite else {
            let precision = NoiseModel(source: .precision, sigma: nil, edge: 0, threshold: 0, margin: nil, bulkFit: nil, known: known)
            return Detection(
                verdict: .insufficient, rank: nil, lowerBound: usable > 0 && (sv.first ?? 0) > 0 ? 1 : 0,
                candidates: [], confidence: .none, noiseFloor: nil, noise: precision, shelf: nil,
                dominantDirections: 0, numericalFloor: 0,
                suggestedSamples: max(2 * samples, 64), suggestedColumns: nil,
                explanation: usable < 2 ? "fewer than three usable samples or token columns: no spectrum to read"
                    : "the centred samples are all zero: every prompt gave the same output",
                warnings: [])
        }
        var c = Context(detector: self, sv: Array(sv.prefix(usable)), samples: samples, columns: columns,
                        known: known, machineEpsilon: machineEpsilon)
        return c.run()
    }

    /// Leading directions far above the bulk: the last index among the first few whose drop to the next
    /// is at least ×2.5. Reported and marked on plots; never taken for the end of the signal.
    func dominantDirections(_ l: [Double]) -> Int {
        let limit = min(8, l.count / 4)
        var last = 0
        if limit >= 1 {
            for i in 1...limit where l[i - 1] - l[i] >= log10(2.5) { last = i }
        }
        return last
    }
}
