import Foundation
import RankProbeLinearAlgebra

/// A synthetic language-model output layer whose log-probability spectra look like a real model's.
///
/// The point of the model is to be an *honest* test subject for the cliff detector: an isotropic Gaussian
/// `W·h` gives a flat spectrum with a trivial cliff, which teaches nothing. Real models have a few
/// dominant directions, a long smooth decay and then the cliff at `d`, and this reproduces each of them:
///
/// * **Hidden states** `h = c · γ ⊙ RMSNorm(x)`. `x` is a *correlated bulk* — independent normals with
///   power-law variances `λᵢ ∝ i^-0.8`, the top three boosted ×8, ×5, ×3 (the "rogue" high-variance
///   directions of residual streams), rotated by a random orthogonal `Q₁` so that the covariance is not
///   axis-aligned — plus a few *massive-activation* coordinates (fixed sign, magnitude ≈ √(d/k), log-normal
///   per-sample variation σ = 0.5) that carry about half of ‖x‖², as observed in LLaMA-style residual
///   streams. RMSNorm couples every coordinate to those few; the gains γ are log-normal (σ = 0.4).
///   `c` is a per-sample log-normal "sharpness" (σ = 0.35), a stand-in for how strongly a context aligns
///   with the vocabulary: it spreads next-token entropies across samples, as in real text, without
///   changing any rank.
/// * **Unembedding** `W = β · R · G · diag(s) · P` (V × d). `G` is i.i.d. Gaussian; `s_j ∝ j^-1/4` gives
///   the columns a power-law spectrum; `P` is a random orthogonal mixing (`RandomRotation`) so that the
///   strong unembedding directions are not the strong hidden-state directions; `R` holds log-normal token
///   norms (σ = 0.3) with the most frequent ~0.2 % of tokens up to 2.5× larger. Because `G` is Gaussian,
///   `G·diag(s)·P` has the same distribution as `U·diag(s)·Qᵀ` with Haar-random factors, at the cost of one
///   V × d Gaussian draw instead of two large orthogonalisations.
///   The exponents are chosen so that the double-centred spectrum decays roughly like i^-0.9 between the
///   leading directions and d (σ₁/σ_d ≈ 200 at d = 512 with N = 1000, ≈ 500 at d = 1024 with N = 1400) — steep enough to be realistic, not so steep that
///   the last directions of a 4096-wide model sink below float16 rounding.
/// * **Output bias** (optional) `b_v = −log(1 + rank_v) + 0.5 z`, centred: a Zipf-like unigram prior, a few
///   nats across the vocabulary, as in models that keep an lm-head bias.
/// * **Temperature** `β` is solved at construction so that the mean next-token entropy of 48 pilot samples
///   is 2.5 nats (or 0.45·log V for tiny vocabularies): real models average 1–5 nats.
///
/// Logits are `W h + b`; log-probabilities subtract the log-sum-exp. The centred N × V matrix therefore
/// has exact rank d (d + 1 with a bias and only row-centring) and, numerically, a few dominant directions
/// (massive activations, frequent tokens), a smooth power-law decay, and a cliff at d down to the rounding
/// floor of the output precision.
///
/// All randomness is keyed by (seed, purpose, index) — see `SyntheticRandom` — so any sample can be
/// regenerated alone and every result is reproducible.
public struct SyntheticModel: Sendable {
    public let hidden: Int
    public let vocab: Int
    public let seed: UInt64
    /// The output bias `b` (length `vocab`, nats), or nil for a model without one.
    public let outputBias: [Double]?
    /// The inverse temperature β that calibration chose (already folded into `W`).
    public private(set) var inverseTemperature: Double
    /// Indices of the massive-activation coordinates of `h`.
    public let massiveDimensions: [Int]
    /// Mean next-token entropy (nats) the temperature was calibrated to.
    public let targetEntropy: Double
    /// Frequency rank of each token (0 = most frequent); drives token norms and the bias.
    public let tokenRanks: [Int32]
    /// Architecture artefacts (final norm, weak directions, unembedding decay).
    public let artefacts: SyntheticArtefacts
    /// β of a LayerNorm with a shift (nil otherwise), added after the gains.
    let shift: [Double]?

    /// `β·R·G·diag(s)` (V × d, column-major). `W = tokenFactors · P`, so logits are `tokenFactors · (P h) + b`;
    /// generating rows never needs `W` itself.
    let tokenFactors: Matrix
    /// `P`: the orthogonal mixing between hidden space and unembedding directions.
    let mixing: RandomRotation
    /// `Q₁`: rotates the power-law bulk away from the coordinate axes.
    let bulkRotation: RandomRotation
    /// √λᵢ of the bulk covariance.
    let bulkScale: [Double]
    /// γ, the final RMSNorm gains.
    let gains: [Double]
    /// Typical magnitude and sign of each massive coordinate, aligned with `massiveDimensions`.
    let massiveMagnitudes: [Double]
    let normalizers: NormalizerCache

    /// Shape parameters of the synthetic model (documented above; kept together so the choices are visible).
    enum Shape {
        static let bulkExponent = 0.8
        static let unembeddingExponent = 0.25
        /// Variance multipliers of the top bulk directions ("rogue dimensions" of residual streams).
        static let rogueBoost: [Double] = [8, 5, 3]
        static let gainSpread = 0.4
        static let massiveJitter = 0.5
        static let sharpnessSpread = 0.35
        static let tokenNormSpread = 0.3
        static let frequentBoost = 1.5
        static let biasJitter = 0.5
        static let entropy = 2.5
        static let pilotSamples = 48
    }

    /// Builds the model: structure, the V × d factor matrix (with BLAS-friendly column-parallel Gaussian
    /// draws) and the temperature calibration. Costs about V·d Gaussian draws plus a 48-sample product;
    /// memory is V·d doubles (1 GB for 32000 × 4096).
    public init(hidden: Int, vocab: Int, seed: UInt64, bias: Bool = false, artefacts: SyntheticArtefacts = .none) {
        precondition(hidden >= 1, "hidden size must be at least 1")
        precondition(vocab >= 2, "vocabulary must have at least 2 tokens")
        self.hidden = hidden
        self.vocab = vocab
        self.seed = seed
        self.artefacts = artefacts
        let d = hidden, v = vocab
        var random = SyntheticRandom(seed: seed, purpose: .structure)

        // Hidden-state structure.
        let massiveCount = min(3, d / 16)
        var dims = random.permutation(d).prefix(massiveCount).map(Int.init)
        dims.sort()
        massiveDimensions = dims
        massiveMagnitudes = dims.map { _ in
            let sign: Double = random.uniform() < 0.5 ? -1 : 1
            return sign * (Double(d) / Double(max(massiveCount, 1))).squareRoot() * (0.8 + 0.45 * random.uniform())
        }
        let harmonic = (1...d).reduce(0.0) { $0 + pow(Double($1), -Shape.bulkExponent) }
        var bulkScale = (1...d).map { i in
            let spike = i <= Shape.rogueBoost.count ? Shape.rogueBoost[i - 1] : 1
            return (spike * pow(Double(i), -Shape.bulkExponent) * Double(d) / harmonic).squareRoot()
        }
        gains = (0..<d).map { _ in exp(Shape.gainSpread * random.normal()) }
        if artefacts.weakDirections > 0 {
            for j in max(0, d - artefacts.weakDirections)..<d { bulkScale[j] *= artefacts.weakScale }
        }
        // Drawn from a stream of its own so that every other part of the model stays as it was.
        if artefacts.norm == .layerNormShift {
            var shiftStream = SyntheticRandom(seed: seed, purpose: .structure, index: 1)
            shift = (0..<d).map { _ in 0.5 * shiftStream.normal() }
        } else {
            shift = nil
        }
        self.bulkScale = bulkScale
        bulkRotation = RandomRotation(dimension: d, random: &random)
        mixing = RandomRotation(dimension: d, random: &random)

        // Vocabulary structure: frequency ranks, token norms, bias.
        let ranks = random.permutation(v)
        tokenRanks = ranks
        let frequentScale = max(5.0, 0.002 * Double(v))
        let tokenNorms = ranks.map { rank in
            exp(Shape.tokenNormSpread * random.normal()) * (1 + Shape.frequentBoost * exp(-Double(rank) / frequentScale))
        }
        if bias {
            var b = ranks.map { -log(1 + Double($0)) + Shape.biasJitter * random.normal() }
            let mean = b.reduce(0, +) / Double(v)
            for i in b.indices { b[i] -= mean }
            outputBias = b
        } else {
            outputBias = nil
        }

        // tokenFactors = R·G·diag(s), one column (hidden direction) per stream so columns fill in parallel.
        let exponent = artefacts.unembeddingExponent ?? Shape.unembeddingExponent
        let harmonicS = (1...d).reduce(0.0) { $0 + pow(Double($1), -2 * exponent) }
        let columnScale = (1...d).map { (pow(Double($0), -2 * exponent) / harmonicS).squareRoot() }
        let factors = Matrix(rows: v, columns: d)
        let storage = SendablePointer(factors.storage)
        parallelFor(d) { j in
            var stream = SyntheticRandom(seed: seed, purpose: .unembedding, index: UInt64(j))
            let column = storage.pointer + j * v
            let s = columnScale[j]
            for i in 0..<v { column[i] = s * tokenNorms[i] * stream.normal() }
        }
        tokenFactors = factors
        normalizers = NormalizerCache()
        inverseTemperature = 1
        targetEntropy = min(Shape.entropy, 0.45 * log(Double(v)))

        // Temperature: solve for β on pilot samples, then fold it into the factors.
        let beta = calibrateInverseTemperature()
        let count = v * d
        let p = factors.storage
        for i in 0..<count { p[i] *= beta }
        inverseTemperature = beta
    }

    /// The unembedding `W` (V × d) with `logits = W h + b` for `h = hiddenState(sample:)`.
    ///
    /// Materialised on each call (V·d doubles, plus V applications of `Pᵀ`): meant for tests of subspace
    /// recovery on small models, not for the generation path.
    public var unembedding: Matrix {
        let w = Matrix(rows: vocab, columns: hidden)
        let row = UnsafeMutablePointer<Double>.allocate(capacity: hidden)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: hidden)
        defer { row.deallocate(); scratch.deallocate() }
        for t in 0..<vocab {
            for j in 0..<hidden { row[j] = tokenFactors.storage[j * vocab + t] }
            mixing.applyTranspose(row, scratch: scratch)  // w_t = Pᵀ f_t, since f_tᵀ P h = (Pᵀ f_t)ᵀ h
            for j in 0..<hidden { w.storage[j * vocab + t] = row[j] }
        }
        return w
    }
}

/// Per-sample log-sum-exp values, filled lazily in blocks by `logprob(sample:token:)`.
final class NormalizerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Double] = [:]

    func value(_ sample: Int) -> Double? {
        lock.lock(); defer { lock.unlock() }
        return values[sample]
    }

    func store(_ sample: Int, _ value: Double) {
        lock.lock(); defer { lock.unlock() }
        values[sample] = value
    }
}

/// A raw pointer that may cross into `concurrentPerform` (each iteration writes a disjoint part).
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// Runs `body(0..<n)` on all cores. Iterations must touch disjoint memory.
func parallelFor(_ n: Int, _ body: (Int) -> Void) {
    if n <= 1 {
        for i in 0..<n { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: n) { box.value($0) }
    }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
