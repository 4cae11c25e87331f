import Foundation

/// A place in the spectrum where the singular values fall onto the noise floor.
public struct Cliff: Sendable, Equatable {
    /// Number of singular values above the cliff (1-based index of the last one): the candidate rank.
    public var index: Int
    /// σ_index / σ_(index+1).
    public var ratio: Double
    /// Median of the singular values after the cliff: the noise floor if this cliff is the real one.
    public var floor: Double
    /// How many singular values lie after the cliff (the evidence for the floor).
    public var tailLength: Int

    /// log10 of `ratio`.
    public var decades: Double { ratio > 0 ? log10(ratio) : 0 }

    public init(index: Int, ratio: Double, floor: Double, tailLength: Int) {
        self.index = index; self.ratio = ratio; self.floor = floor; self.tailLength = tailLength
    }
}

/// The detector's answer.
public struct Detection: Sendable, Equatable {
    public enum Verdict: String, Sendable { case ok, insufficient, ambiguous }
    public enum Confidence: String, Sendable { case high, medium, low, none }

    public var verdict: Verdict
    /// The rank (hidden size of the double-centred outputs) when `verdict == .ok`.
    public var rank: Int?
    /// What the data do establish when they cannot give the rank: the rank is at least this.
    public var lowerBound: Int?
    /// Credible cliffs, deepest first. For `.ok` the first is the answer.
    public var candidates: [Cliff]
    public var confidence: Confidence
    /// Noise floor (σ units) below the chosen cliff, or below the deepest candidate.
    public var noiseFloor: Double?
    /// Leading singular values far above the rest of the bulk (massive-activation directions).
    public var dominantDirections: Int
    /// Singular values at or below this are float64 rounding in the Gram matrix, not data.
    public var numericalFloor: Double
    /// For `.insufficient`: total samples worth collecting next.
    public var suggestedSamples: Int?
    /// For `.insufficient` because of too few columns: total token columns worth collecting next.
    public var suggestedColumns: Int?
    /// Plain-words explanation of the verdict.
    public var explanation: String
    public var warnings: [String]
}
