import Foundation

/// What real served outputs carry that a clean float64 dump does not: the final norm's architecture, hidden
/// directions that barely vary, fast-decaying unembedding spectra, bfloat16 logits and batch jitter.
///
/// They exist so that the detector is tested on data that does *not* share its assumptions: its noise model
/// is an i.i.d. bulk, while bfloat16 rounding grows with |logit| and jitter is relative, and its rank is the
/// hidden size only for RMSNorm.
public struct SyntheticArtefacts: Sendable, Equatable {
    public enum Norm: String, Sendable, CaseIterable {
        /// `γ ⊙ x / rms(x)`: rank d.
        case rms
        /// `γ ⊙ (x − mean x) / std(x)`: the hidden states span d − 1 dimensions.
        case layerNorm = "layernorm"
        /// `γ ⊙ (x − mean x) / std(x) + β`: d − 1 varying dimensions plus a constant offset.
        case layerNormShift = "layernorm-shift"
    }
    public var norm: Norm = .rms
    /// The last `weakDirections` directions of the pre-norm bulk are scaled by `weakScale`: a shelf of
    /// directions that barely vary across prompts.
    public var weakDirections = 0
    public var weakScale = 0.02
    /// Exponent of the unembedding's column spectrum s_j ∝ j^-e (0.25 by default; 1 decays fast).
    public var unembeddingExponent: Double? = nil

    public init(norm: Norm = .rms, weakDirections: Int = 0, weakScale: Double = 0.02, unembeddingExponent: Double? = nil) {
        self.norm = norm; self.weakDirections = weakDirections; self.weakScale = weakScale
        self.unembeddingExponent = unembeddingExponent
    }

    public static let none = SyntheticArtefacts()
}

/// How a server turns the model's float64 logits into what it returns.
public struct ServingArtefacts: Sendable, Equatable {
    /// Round every logit to bfloat16 (round to nearest even) before the log-softmax, as GPU servers do.
    public var bfloat16Logits = false
    /// Relative batch jitter: each logit is multiplied by (1 + jitter · z), z standard normal — the
    /// accumulation-order noise that batch composition causes, proportional to the logit's size.
    public var jitter = 0.0
    public init(bfloat16Logits: Bool = false, jitter: Double = 0) {
        self.bfloat16Logits = bfloat16Logits; self.jitter = jitter
    }
    public static let none = ServingArtefacts()
    var isNone: Bool { !bfloat16Logits && jitter == 0 }
}

extension SyntheticModel {
    /// Rounds `x` to the nearest bfloat16 (8 significant bits), ties to even, as a float32 → bfloat16
    /// conversion does.
    public static func bfloat16(_ x: Double) -> Double {
        let f = Float(x)
        guard f.isFinite else { return Double(f) }
        let bits = f.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Double(Float(bitPattern: rounded))
    }

    /// Applies `serving` to one output row of logits (in place), with the row's own random stream.
    func serve(_ column: UnsafeMutablePointer<Double>, count v: Int, sample: Int, serving: ServingArtefacts) {
        if serving.jitter > 0 {
            var random = SyntheticRandom(seed: seed, purpose: .jitter, index: UInt64(bitPattern: Int64(sample)))
            for t in 0..<v { column[t] *= 1 + serving.jitter * random.normal() }
        }
        if serving.bfloat16Logits {
            for t in 0..<v { column[t] = Self.bfloat16(column[t]) }
        }
    }
}
