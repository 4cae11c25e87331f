/// Is recording B served by the same output layer as recording A?
///
/// A model's centred log-probability rows lie in the `d`-dimensional column space of its (centred) output
/// matrix `P·W`. Two recordings of one model therefore share that subspace on their shared token columns;
/// a different model (another `W`, a fine-tuned output layer, another hidden size) puts part of B's rows
/// outside A's subspace. The test measures exactly that part and compares it with what noise alone leaves
/// there, calibrated on A's own held-out rows.
public struct SubspaceComparison: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable { case same, different, inconclusive }

    public struct Options: Sendable {
        /// Hidden size of A; nil: take the deepest cliff of A's spectrum on the shared columns.
        public var hiddenDim: Int?
        /// B's residual RMS may exceed A's held-out residual RMS by this factor and still be "same".
        public var sameThreshold: Double
        /// From this factor on the verdict is "different"; between the two it is "inconclusive".
        public var differentThreshold: Double
        /// Cross-validation folds over A's rows for the noise floor.
        public var folds: Int
        /// Minimum depth σ_d/σ_(d+1) of A's cliff for A's image to count as determined.
        public var minimumCliffRatio: Double

        public init(hiddenDim: Int? = nil, sameThreshold: Double = 1.5, differentThreshold: Double = 3,
                    folds: Int = 5, minimumCliffRatio: Double = 1.5) {
            self.hiddenDim = hiddenDim; self.sameThreshold = sameThreshold
            self.differentThreshold = differentThreshold; self.folds = folds
            self.minimumCliffRatio = minimumCliffRatio
        }
    }

    public var verdict: Verdict
    /// One-sentence summary, and every reason that shaped the verdict.
    public var message: String
    public var reasons: [String]

    /// Dimension of A's image used (given, or detected).
    public var hiddenDim: Int?
    public var hiddenDimSource: String
    public var rowsA: Int
    public var rowsB: Int
    public var columnsA: Int
    public var columnsB: Int
    public var sharedColumns: Int
    /// Shared columns the test needs at least (d + margin).
    public var requiredColumns: Int?
    public var requiredRowsA: Int?
    /// σ_d / σ_(d+1) of A on the shared columns.
    public var cliffRatioA: Double?

    /// ‖B_c − B_c·V·Vᵀ‖_F / ‖B_c‖_F: the share of B's centred energy outside A's image.
    public var relativeResidualB: Double?
    /// Same quantity for A's held-out rows (cross-validated), the reference a fresh sample of A's model gets.
    public var relativeResidualHeldOutA: Double?
    /// Residual per entry (RMS over rows × (columns − d)) of B, and of A's held-out rows.
    public var residualRMSB: Double?
    public var residualRMSHeldOutA: Double?
    /// B's own noise level per entry (tail of B's spectrum beyond d), when B's spectrum has its cliff at d too.
    public var residualRMSNoiseB: Double?
    /// B's hidden size as its own spectrum shows it (nil: B has too few rows or no clear cliff).
    public var hiddenDimB: Int?
    /// Lowest residual RMS treated as meaningful (rounding level of the data).
    public var residualRMSFloor: Double?
    /// residualRMSB / max(residualRMSHeldOutA, residualRMSNoiseB, floor): 1 means "as close to A's image as A's own rows".
    public var excess: Double?
    public var sameThreshold: Double
    public var differentThreshold: Double

    /// Principal angles (degrees, ascending) between B's top-k right-singular subspace and A's image,
    /// k = min(d, rows of B). Angles of B's weak directions are dominated by noise; `strongDirectionsB` counts
    /// B's directions whose singular value exceeds twice the noise edge, and `maxAngleStrongDegrees` is the
    /// largest angle among those.
    public var principalAnglesDegrees: [Double]
    public var strongDirectionsB: Int?
    public var maxAngleStrongDegrees: Double?
    /// Rows dropped as failed samples (mostly non-finite on the shared columns; `NonFinitePolicy`).
    public var droppedRowsA: Int
    public var droppedRowsB: Int
}
