import RankProbeLinearAlgebra

extension EstimateResult {
    /// How the spectrum was computed (`spectrum` in the JSON): which Gram, why, and what a tried sketch saw.
    public struct SpectrumReport: Codable, Sendable, Equatable {
        /// "exact" (every token column) or "sketch" (the columns summed with random signs into
        /// `sketch_columns`; see `TokenSketch`).
        public var method: String
        /// What was asked: "auto", "exact" (`--exact`) or "sketch" (`--sketch`).
        public var requested: String
        /// One sentence: why this method ran.
        public var reason: String
        /// Sketch width m, and the column count the noise model used (m, less the row centring's share).
        public var sketchColumns: Int?
        public var modelColumns: Int?
        public var seed: Int?
        /// √(V/m): a signal direction's singular value in the sketch is about its exact value over this
        /// (it keeps ≈ m/V of its energy); the noise keeps its per-entry σ. The reported singular values
        /// are the sketch's own.
        public var scale: Double?
        /// The sketch's own verdict and cost; when `auto` then ran the exact Gram, what it did not trust.
        public var sketchTrial: SketchTrial?
        public var sketchSeconds: Double?
        /// For an `ok` read from a sketch: the singular values (exact data's units) of directions the sketch
        /// could not see and the exact route could — from its detection threshold σ(NV)^¼ to (V/m)^¼ × that.
        public var blindBand: [Double]?
        /// The OpenBLAS kernel set the Gram and eigensolver ran on, and who chose it (see `BLASCore`).
        public var blas: BLASCoreReport?

        public init(method: String, requested: String, reason: String, sketchColumns: Int? = nil,
                    modelColumns: Int? = nil, seed: Int? = nil, scale: Double? = nil,
                    sketchTrial: SketchTrial? = nil, sketchSeconds: Double? = nil) {
            self.method = method; self.requested = requested; self.reason = reason
            self.sketchColumns = sketchColumns; self.modelColumns = modelColumns; self.seed = seed
            self.scale = scale; self.sketchTrial = sketchTrial; self.sketchSeconds = sketchSeconds
        }
    }

    /// The sketch's own detection (reported also when its result is the one used).
    public struct SketchTrial: Codable, Sendable, Equatable {
        public var status: String
        public var rank: Int?
        public var lowerBound: Int?
        public var confidence: String
        /// Weakest counted direction over the sketch's detection threshold.
        public var margin: Double?
        /// Sketched Gram + its eigenvalues.
        public var seconds: Double
    }
}
