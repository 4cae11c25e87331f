import Foundation

/// From a recovered hidden size to "how big is this model, and would it fit on a GPU".
public enum ParameterEstimator {
    /// Bytes per parameter for weight memory.
    public static let precisions: [(name: String, bytes: Double)] = [("fp16", 2), ("int8", 1), ("int4", 0.5)]
    /// One 80 GB accelerator (decimal: 80·10⁹ bytes, the conservative reading of "80 GB").
    public static let gpuBytes = 80e9

    /// The estimate for hidden size `d` against the bundled table.
    public static func estimate(hiddenSize d: Int) throws -> ParameterEstimate {
        let table = try ArchitectureTable.bundled()
        return estimate(hiddenSize: d, table: table, model: try ParameterModel.fit(table))
    }

    public static func estimate(hiddenSize d: Int, table: [Architecture], model: ParameterModel)
        -> ParameterEstimate
    {
        let (low, high) = model.range(hiddenSize: d)
        var memory: [String: [Double]] = [:]
        for p in precisions { memory[p.name] = [low * p.bytes, high * p.bytes] }
        return .init(
            low: low, high: high, nearest: nearest(to: d, in: table).map(\.nearest), method: model.method,
            memoryBytes: memory, caveats: caveats(hiddenSize: d, table: table))
    }

    /// Models with exactly this width (all of them, dense and MoE), then the closest narrower and wider widths
    /// in the table (up to three models each), ordered by distance in log-width, then by size.
    public static func nearest(to d: Int, in table: [Architecture]) -> [Architecture] {
        let exact = table.filter { $0.hiddenSize == d }.sorted { $0.parameters < $1.parameters }
        let widths = Set(table.map(\.hiddenSize))
        let below = widths.filter { $0 < d }.max()
        let above = widths.filter { $0 > d }.min()
        var neighbours: [Architecture] = []
        for w in [below, above].compactMap({ $0 }) {
            neighbours += table.filter { $0.hiddenSize == w }.sorted { $0.parameters < $1.parameters }.prefix(3)
        }
        neighbours.sort {
            let a = abs(log(Double($0.hiddenSize) / Double(d))), b = abs(log(Double($1.hiddenSize) / Double(d)))
            return a != b ? a < b : $0.parameters < $1.parameters
        }
        return exact + neighbours
    }

    static func caveats(hiddenSize d: Int, table: [Architecture]) -> [String] {
        var out: [String] = []
        let moeSame = table.filter { $0.moe && $0.hiddenSize == d }
        if !moeSame.isEmpty {
            let names = moeSame.map { "\($0.model) (\(CountFormatting.count($0.parameters)))" }.joined(separator: ", ")
            out.append("The table has a mixture-of-experts model with this exact width: \(names). If this model is one, "
                + "its parameter count is several times the dense range.")
        }
        // The general caveat, with the table's own example of a dense and an MoE model sharing a width.
        if let moe = table.first(where: { $0.moe }),
            let dense = table.first(where: { !$0.moe && $0.hiddenSize == moe.hiddenSize && $0.family == moe.family })
                ?? table.first(where: { !$0.moe && $0.hiddenSize == moe.hiddenSize })
        {
            out.append("A mixture of experts breaks this estimate: the hidden size fixes the width, not the number of "
                + "experts. \(moe.model) has d = \(moe.hiddenSize) like \(dense.model) but "
                + "\(CountFormatting.count(moe.parameters)) parameters instead of \(CountFormatting.count(dense.parameters)).")
        } else {
            out.append("A mixture of experts breaks this estimate: the hidden size fixes the width, not the number of experts.")
        }
        if let lo = table.map(\.hiddenSize).min(), let hi = table.map(\.hiddenSize).max(), d < lo || d > hi {
            out.append("d = \(d) is outside the widths in the reference table (\(lo)–\(hi)): the range is an extrapolation.")
        }
        out.append("Memory is for the weights alone; the KV cache and activations come on top.")
        return out
    }

    /// "fits on one 80 GB GPU at fp16: yes/no/maybe", in plain words, from the memory range.
    public static func gpuSentence(_ p: ParameterEstimate) -> String {
        var parts: [String] = []
        for prec in precisions {
            guard let r = p.memoryBytes[prec.name], r.count == 2 else { continue }
            let verdict = r[1] <= gpuBytes ? "yes" : (r[0] > gpuBytes ? "no" : "maybe (depends on where in the range it falls)")
            parts.append("at \(prec.name): \(verdict)")
        }
        return "Weights fit on one 80 GB GPU " + parts.joined(separator: "; ") + "."
    }
}
