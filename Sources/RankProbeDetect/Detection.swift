import Foundation

/// A place in the spectrum where the signal ends: the candidate rank and how the values fall there.
public struct Cliff: Sendable, Equatable {
    /// Number of singular values counted as signal (1-based index of the last one): the candidate rank.
    public var index: Int
    /// σ_index / σ_(index+1) on the spectrum as computed (not clamped to the Gram's precision).
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

/// A noise level known from outside the spectrum.
public struct KnownNoise: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// Measured: the spread of repeated answers to the same request (serving nondeterminism).
        case repeats
        /// The grid the values were rounded to (an API's 1/16 nat, a recorder's decimals) or the storage
        /// type's rounding (float16, float32).
        case grid
    }
    public var source: Source
    /// Standard deviation of the noise per matrix entry.
    public var sigma: Double
    public init(source: Source, sigma: Double) { self.source = source; self.sigma = sigma }
}

/// What the detector took the noise to be, and how far the signal stands above it.
public struct NoiseModel: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// The spectrum's own bulk, fitted to the Marchenko–Pastur law of the noise-only part.
        case bulkFit = "bulk_fit"
        /// A known noise level (see `KnownNoise`) that lies above the fitted bulk.
        case repeats, grid
        /// Too few values past the signal to fit a bulk: the floor is the flat tail itself.
        case flatFloor = "flat_floor"
        /// No noise visible above the float64 Gram's precision.
        case precision
    }
    public struct BulkFit: Sendable, Equatable {
        /// Noise per entry that makes the MP law match the bulk's upper quantiles.
        public var sigma: Double
        /// Number of values in the bulk (after the signal).
        public var values: Int
        /// Largest bulk value / MP edge: above 1 when the noise is heteroscedastic or structured.
        public var stretch: Double
        /// Largest ratio, either way, between the bulk's quartiles and the fitted law's (1 = perfect).
        public var misfit: Double
    }
    public var source: Source
    /// Noise per entry the verdict used (nil for `flatFloor`/`precision`).
    public var sigma: Double?
    /// Singular value at the top of the noise bulk.
    public var edge: Double
    /// A value must stand above this to count as signal (edge plus Tracy–Widom margin).
    public var threshold: Double
    /// Strength of the weakest counted direction over the detection threshold σ(np)^¼ (spike units);
    /// nil when no value is counted or the noise level is not known.
    public var margin: Double?
    public var bulkFit: BulkFit?
    /// Known levels that were given (measured repeats, rounding grids).
    public var known: [KnownNoise]
}

/// A run of weak directions above the noise, below a drop from the stronger ones.
public struct Shelf: Sendable, Equatable {
    /// 1-based indices of the first and last value on the shelf.
    public var first: Int, last: Int
    /// σ_(first−1)/σ_first: the drop onto the shelf.
    public var drop: Double
    /// σ_last / noise edge: how far the shelf stands above the noise.
    public var height: Double
}

/// The detector's answer.
public struct Detection: Sendable, Equatable {
    public enum Verdict: String, Sendable { case ok, insufficient, ambiguous }
    public enum Confidence: String, Sendable { case high, medium, low, none }

    public var verdict: Verdict
    /// The measured rank (singular values counted as signal) when `verdict == .ok`.
    public var rank: Int?
    /// What the data do establish when they cannot give the rank: at least this many values are signal.
    public var lowerBound: Int?
    /// For `.ok` the answer; for `.ambiguous` every rank the data leave open, most likely first.
    public var candidates: [Cliff]
    public var confidence: Confidence
    /// The real noise floor: median of the singular values past the signal (unclamped).
    public var noiseFloor: Double?
    public var noise: NoiseModel
    /// Weak directions standing on a shelf above the noise (counted as signal), if any.
    public var shelf: Shelf?
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
