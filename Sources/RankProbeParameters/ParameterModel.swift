import Foundation

/// The width→size relation fitted on the dense rows of the reference table.
///
/// A classic GPT block has 4d² attention and 8d² MLP weights, so a dense transformer has
/// P ≈ 12·L·d² + V·d parameters (L layers, vocabulary V). Modern blocks deviate: gated MLPs with wider
/// hidden layers (Qwen2.5, Gemma 2: up to ≈27·d² per layer), grouped- or multi-query attention (Falcon:
/// ≈10·d²), untied output embeddings. Rather than guess a per-family block shape, each dense row is reduced
/// to its *12-equivalent depth* L_eff = (P − V·d)/(12·d²) — the depth a classic block would need for the same
/// count — and L_eff is fitted as a power law of d (least squares in log–log). The rows' spread around the fit
/// (min and max of L_eff/fit, widened 5 % each way) is the range; V runs from 32 000 to 256 000, the extremes of
/// the table's vocabularies, with the low end of the count taking the small vocabulary and the high end the
/// large one. Calibration is in-sample; the tests also check leave-one-family-out coverage.
public struct ParameterModel: Sendable, Equatable {
    /// L_eff ≈ effA · d^effB.
    public var effA: Double
    public var effB: Double
    /// Range factors on the fitted L_eff (already widened by `margin`).
    public var lowFactor: Double
    public var highFactor: Double
    /// Plain depth fit L ≈ depthA · d^depthB, reported for readers (the estimate uses L_eff).
    public var depthA: Double
    public var depthB: Double
    public var vocabularyLow: Double = 32_000
    public var vocabularyHigh: Double = 256_000
    public var rows: Int
    public static let margin = 0.05

    /// Fits on the dense rows; needs at least two distinct widths.
    public static func fit(_ table: [Architecture]) throws -> ParameterModel {
        let dense = table.filter { !$0.moe }
        guard Set(dense.map(\.hiddenSize)).count >= 2 else {
            throw ReportError("architecture table: need dense rows of at least two widths to fit width→depth")
        }
        let x = dense.map { log(Double($0.hiddenSize)) }
        let leff = dense.map { r -> Double in
            let d = Double(r.hiddenSize)
            return max((r.parameters - Double(r.vocabulary) * d) / (12 * d * d), 1e-6)
        }
        let (ea, eb) = linearFit(x, leff.map(log))
        let residuals = zip(x, leff).map { xi, l in l / exp(ea + eb * xi) }
        let (da, db) = linearFit(x, dense.map { log(Double($0.layers)) })
        return ParameterModel(
            effA: exp(ea), effB: eb,
            lowFactor: residuals.min()! * (1 - margin), highFactor: residuals.max()! * (1 + margin),
            depthA: exp(da), depthB: db, rows: dense.count)
    }

    public func effectiveDepth(_ d: Int) -> Double { effA * pow(Double(d), effB) }
    public func depth(_ d: Int) -> Double { depthA * pow(Double(d), depthB) }

    /// [low, high] parameter count for hidden size d.
    public func range(hiddenSize d: Int) -> (low: Double, high: Double) {
        let dd = Double(d)
        let l = effectiveDepth(d)
        return (12 * lowFactor * l * dd * dd + vocabularyLow * dd, 12 * highFactor * l * dd * dd + vocabularyHigh * dd)
    }

    /// The constants in words, for `ParameterEstimate.method`.
    public var method: String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        return "P ≈ 12·L_eff·d² + V·d. L_eff (12-equivalent depth: the depth of a classic 4d²+8d² block with the "
            + "same count) fitted on \(rows) dense rows of the reference table: L_eff ≈ \(f(effA))·d^\(f(effB)), "
            + "range ×\(f(lowFactor))…×\(f(highFactor)) of the fit (the rows' spread widened \(Int(Self.margin * 100))%); "
            + "V from \(Int(vocabularyLow)) (low end) to \(Int(vocabularyHigh)) (high end). "
            + "Layer count alone: L ≈ \(f(depthA))·d^\(f(depthB))."
    }
}

/// Ordinary least squares y ≈ a + b·x.
func linearFit(_ x: [Double], _ y: [Double]) -> (Double, Double) {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0
    for (xi, yi) in zip(x, y) { sxy += (xi - mx) * (yi - my); sxx += (xi - mx) * (xi - mx) }
    let b = sxx > 0 ? sxy / sxx : 0
    return (my - b * mx, b)
}
