import RankProbeNPY

/// How much noise the stored numbers themselves carry: the API's rounding of log-probabilities to a grid
/// (some round to 1/16 nat) and the storage type's rounding (float16 keeps 11 significant bits).
///
/// Rounding to a grid of step s adds errors uniform on ±s/2, variance s²/12 per entry; a float16 value x
/// carries ulp(x)²/12. Such noise is full-rank: after double centring its singular values spread around
/// σ·(√V ± √N) (Marchenko–Pastur). When it hides the cliff, that level tells which singular values are
/// still signal, so the detector can give an honest lower bound instead of "at least N".
public struct RoundingNoise: Sendable, Equatable {
    /// The grid step the values lie on, if one was found (e.g. 0.0625), in the data's units.
    public var quantizationStep: Double?
    /// Root-mean-square rounding error per entry (grid and storage type together).
    public var perEntry: Double
    public var storage: NPYScalar?

    public init(quantizationStep: Double?, perEntry: Double, storage: NPYScalar?) {
        self.quantizationStep = quantizationStep; self.perEntry = perEntry; self.storage = storage
    }

    /// Expected largest singular value of the rounding noise alone in an N × V double-centred matrix.
    public func expectedEdge(samples: Int, columns: Int) -> Double {
        perEntry * (Double(columns).squareRoot() + Double(samples).squareRoot())
    }

    /// Grid steps tried, coarsest first: binary fractions of a nat, then decimal roundings.
    static let candidateSteps: [Double] = (0...10).map { 1 / Double(1 << $0) } + [0.1, 0.01, 0.001, 0.0001]

    /// Estimates the rounding noise from a few rows (values as read, finite ones only).
    static func estimate(rows: [[Double]], storage: NPYScalar?) -> RoundingNoise {
        let values = rows.joined().filter { $0.isFinite && $0 != 0 }
        guard values.count >= 64 else { return RoundingNoise(quantizationStep: nil, perEntry: 0, storage: storage) }
        var step: Double? = nil
        for s in candidateSteps {
            // A value on the grid is within float rounding of an integer multiple of s.
            let onGrid = values.allSatisfy { x in
                let q = x / s
                return abs(q - q.rounded()) <= 1e-6 * max(1, abs(q))
            }
            if onGrid { step = s; break }
        }
        var variance = 0.0
        if let step { variance += step * step / 12 }
        if storage == .float16 {
            var sum = 0.0
            for x in values { let u = Double(Float16(x).ulp); sum += u * u / 12 }
            variance += sum / Double(values.count)
        } else if storage == .float32 {
            var sum = 0.0
            for x in values { let u = Double(Float(x).ulp); sum += u * u / 12 }
            variance += sum / Double(values.count)
        }
        return RoundingNoise(quantizationStep: step, perEntry: variance.squareRoot(), storage: storage)
    }
}
