/// A one-pass subspace embedding of the token columns: V columns summed, with random signs, into m.
///
/// `S` (V × m) has one nonzero per row: token t goes to bucket h(t) with weight s(t)/√c_h(t), where s is a
/// random sign and c_j the number of tokens in bucket j. The buckets are *balanced* — a random permutation
/// of the tokens dealt round-robin, so every c_j is ⌊V/m⌋ or ⌈V/m⌉ — rather than hashed independently.
/// Two things follow, and the noise model rests on them:
///
/// * **S has orthonormal columns** (disjoint supports, unit norms), so for noise E with i.i.d. entries of
///   variance σ², E S again has i.i.d. entries of variance σ² (each a signed average of ~V/m entries, so
///   closer to Gaussian than E itself). The sketched noise is an N × m Marchenko–Pastur matrix at the
///   *same* per-entry σ: known levels (rounding grid, repeats) apply unchanged and the reported σ means
///   what it means for the exact route. Hashing independently would leave bucket sizes Poisson(V/m) —
///   a column-variance profile (±23 % at V/m = 19) that stretches the bulk away from the MP law.
/// * **The signal loses energy, not rank.** `range(S)` is a random m-dimensional subspace of token space,
///   so a signal direction keeps ≈ m/V of its energy and the detection threshold in exact units rises by
///   (V/m)^¼ (spikes need s² > σ²√(N m) in the sketched matrix, against s²·m/V). Rank d ≤ m survives
///   with probability one; the weakest of d directions keeps only about (m − d)/V of its energy (its
///   distance from the span of the others after projection), which is why `defaultWidth` takes m = 2N
///   rather than 1.5N: with d up to N − 1, m − d ≥ N instead of N/2, for a third more `dsyrk` flops on
///   an N × m matrix — small next to the N × N eigensolver, which the sketch does not shrink.
///
/// **Row centring under the sketch.** Y = X P with P = I − 11ᵀ/V (each sample's mean removed). P and S
/// do not commute: Y S = X S − (X 1/V)(1ᵀ S). Both terms come out of the same pass (the sketch of the
/// shifted rows and their sums), so the correction is exact — a rank-one update with u = Sᵀ1, the
/// per-bucket sums of the weights. The projected noise E P S has Gram (P S)ᵀ(P S) = I − u uᵀ/V: one
/// dimension shrinks by ‖u‖²/V (≈ m/V, near nothing) instead of vanishing as in the exact route, which
/// is what `modelColumns` tells the detector. The sample-side centring J acts on the other side and
/// commutes: J (Y S) = (J Y) S (see `CentredGram`).
public struct TokenSketch: Sendable {
    /// Token columns sketched (V).
    public let columns: Int
    /// Sketch columns (m).
    public let width: Int
    public let seed: UInt64
    /// Per kept token column: its bucket and signed weight ±1/√c.
    let bucket: [Int32]
    let weight: [Double]
    /// u = Sᵀ1: what the row centring subtracts, per bucket.
    let bucketSums: [Double]

    /// m = 2N, capped at V: see the type's doc comment for why 2N. At m = V the sketch is a signed
    /// permutation (the exact spectrum, reached another way).
    public static func defaultWidth(samples n: Int, columns v: Int) -> Int { max(1, min(v, 2 * n)) }

    public init(columns v: Int, width m: Int, seed: UInt64 = 0x5EED_0013) {
        precondition(v >= 1 && m >= 1 && m <= v, "sketch width must lie in 1...V")
        columns = v
        width = m
        self.seed = seed
        var rng = SplitMix64(seed)
        var order = Array(0..<v)
        // Fisher–Yates: the position in `order` decides the bucket (round-robin), so sizes differ by ≤ 1.
        for i in stride(from: v - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let q = v / m, extra = v % m
        var bucket = [Int32](repeating: 0, count: v)
        var weight = [Double](repeating: 0, count: v)
        var sums = [Double](repeating: 0, count: m)
        for (position, token) in order.enumerated() {
            let j = position % m
            let count = j < extra ? q + 1 : q
            let w = (rng.next() & 1 == 0 ? 1.0 : -1.0) / Double(count).squareRoot()
            bucket[token] = Int32(j)
            weight[token] = w
            sums[j] += w
        }
        self.bucket = bucket
        self.weight = weight
        bucketSums = sums
    }

    /// The column count to give the detector: the MP law is fitted to an (N − 1 − k) × (columns − 1 − k)
    /// matrix, and the row-centred sketch keeps m − ‖u‖²/V dimensions (m when m ≪ V, m − 1 at m = V).
    public var modelColumns: Int {
        var u2 = 0.0
        for s in bucketSums { u2 += s * s }
        return width + 1 - Int((u2 / Double(columns)).rounded())
    }

    /// Sketch column and weight of kept token column `c` (for tests and references).
    public func entry(_ c: Int) -> (bucket: Int, weight: Double) { (Int(bucket[c]), weight[c]) }
}

/// Steele, Lea and Flood's SplitMix64: a small, fast, well-mixed generator for the sketch's hash.
struct SplitMix64 {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
