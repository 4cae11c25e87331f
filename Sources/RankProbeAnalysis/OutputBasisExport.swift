import Foundation
import RankProbeDetect
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeNPY

/// The recovered output layer: W̃ = V_d·Σ_d (columns × d) from the double-centred samples.
///
/// **What subspace this is.** A centred row is `P·W·(h − h̄)` (see `CentredSamples`), so the right-singular
/// vectors span the column space of `P·W`, where `P = I − 11ᵀ/n` removes each token column's share of the
/// all-ones direction. No method can see W's component along 1 (log-probabilities are defined up to a
/// per-row constant), so W̃ equals `P·W·M` for an unknown invertible d × d `M`, not `W·M`. An output bias `b`
/// is a constant row offset; the column centring removes it, so it is *not* in W̃ (without column centring it
/// would add one direction, `P·b`, and the rank would read d + 1).
///
/// Scaling: Σ_d carries √(N − 1) × the standard deviation of the hidden states along each direction, so W̃
/// from more samples is larger; `W̃ᵀW̃/(N − 1)` is invariant. Rows of W̃ follow the kept columns; their labels
/// (token ids for dumps, the log reader's labels for API logs) are written next to the array.
public struct OutputBasisExport: Sendable {
    /// Column labels, one per row of `basis`.
    public var labels: [String]
    /// `labels.count × hiddenDim`, column-major.
    public var basis: Matrix
    public var hiddenDim: Int
    public var hiddenDimSource: String
    public var samples: Int
    public var singularValues: [Double]
    public var droppedRows: Int
    public var droppedColumns: Int

    /// Computes W̃ from in-memory samples; non-finite values are handled by `NonFinitePolicy` (failed rows,
    /// then columns), as `estimate` handles them.
    public static func compute(samples: DenseSamples, hiddenDim: Int? = nil) throws -> OutputBasisExport {
        let (rows, columns) = NonFinitePolicy.select(samples)
        guard rows.count >= 3, columns.count >= 3 else {
            throw AnalysisError("only \(rows.count) usable rows and \(columns.count) usable columns; at least 3 of each are needed")
        }
        let x = CentredSamples.rowCentred(samples, rows: rows, columns: columns)
        CentredSamples.subtract(CentredSamples.columnMeans(x), from: x)
        let svd: (u: Matrix, s: [Double], vt: Matrix)
        do { svd = try LinearAlgebra.svd(x) } catch { throw AnalysisError("SVD failed: \(error)") }
        let usable = Array(svd.s.prefix(max(0, min(x.rows - 1, x.columns - 1))))
        let d: Int
        let source: String
        if let hiddenDim {
            guard hiddenDim >= 1, hiddenDim <= usable.count else {
                throw AnalysisError("--hidden \(hiddenDim) is outside 1…\(usable.count) (rank available from \(x.rows) rows × \(x.columns) columns after centring)")
            }
            d = hiddenDim; source = "given"
        } else {
            let detection = Detector().detect(singularValues: usable, samples: x.rows, columns: x.columns)
            guard detection.verdict == .ok, let rank = detection.rank else {
                throw AnalysisError("the hidden size could not be determined (\(detection.verdict.rawValue)): \(detection.explanation); pass --hidden")
            }
            d = rank; source = "detected"
        }
        let basis = Matrix(rows: x.columns, columns: d)
        for k in 0..<d {
            for j in 0..<x.columns { basis[j, k] = svd.vt[k, j] * svd.s[k] }
        }
        let labels = samples.columnLabels.map { l in columns.map { l[$0] } } ?? columns.map(String.init)
        return OutputBasisExport(labels: labels, basis: basis, hiddenDim: d, hiddenDimSource: source, samples: x.rows,
                                 singularValues: usable, droppedRows: samples.rows - rows.count,
                                 droppedColumns: samples.columns - columns.count)
    }

    /// A column label as it goes into the sidecar: a token id (a dump's column index, or a log's id label)
    /// as a JSON number, token text (the log reader's JSON string literal) as a JSON string — so a reader
    /// never has to guess whether "123" is an id or the text "123".
    static func jsonLabel(_ label: String) -> Any {
        if let id = Int(label), id >= 0, label.utf8.allSatisfy({ (48...57).contains($0) }) { return id }
        if label.hasPrefix("\""), let text = try? JSONSerialization.jsonObject(with: Data(label.utf8), options: .fragmentsAllowed) as? String {
            return text
        }
        return label
    }

    /// Path of the labels sidecar for an output path: `W.npy` → `W.columns.json`.
    public static func sidecarPath(for path: String) -> String {
        (path.hasSuffix(".npy") ? String(path.dropLast(4)) : path) + ".columns.json"
    }

    /// Writes W̃ as float64 `.npy` (rows = columns of the samples, C order) and the sidecar JSON
    /// `{"columns": [...], "hidden_dim", "samples", "singular_values", "basis": "V_d·Σ_d", ...}`.
    public func write(path: String) throws {
        let b = basis
        do {
            try NPYWriter.write(path: path, rows: b.rows, columns: b.columns, scalar: .float64) { row, buffer in
                for k in 0..<b.columns { buffer[k] = b[row, k] }
            }
        } catch {
            throw AnalysisError(source: path, "cannot write the .npy: \(error)")
        }
        let meta: [String: Any] = [
            "columns": labels.map(Self.jsonLabel), "hidden_dim": hiddenDim, "hidden_dim_source": hiddenDimSource, "samples": samples,
            "singular_values": Array(singularValues.prefix(hiddenDim + 1)), "basis": "V_d·Σ_d of the double-centred samples",
            "rows_dropped": droppedRows, "columns_dropped": droppedColumns,
            "note": "row k of the array is column k below; the array spans P·W (W up to a d×d linear map, all-ones direction and output bias removed)",
        ]
        let sidecar = Self.sidecarPath(for: path)
        do {
            let data = try JSONSerialization.data(withJSONObject: meta, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try data.write(to: URL(fileURLWithPath: sidecar))
        } catch {
            throw AnalysisError(source: sidecar, "cannot write the column labels: \(error.localizedDescription)")
        }
    }
}
