import RankProbeLinearAlgebra
import RankProbeMatrix

/// The spectrum through the token side, for samples with fewer kept token columns than rows.
///
/// Recorded API traffic often gives a few thousand prompts × a few hundred or thousand tokens. The
/// nonzero singular values of the centred N × V matrix are the same whichever Gram is used, and with
/// V < N the V × V one (`Y_cᵀ Y_c`) is the cheaper eigenproblem (V³ instead of N³). Such matrices are
/// small enough to centre exactly in memory, so no shift-and-correct step is needed.
public enum ColumnGram {
    /// Singular values, descending, of the double-centred kept samples: V − 1 of them (row centring
    /// removes one dimension of token space).
    public static func singularValues(_ source: SampleSource, scan: FinitenessScan) throws -> [Double] {
        let n = scan.keptRows.count, v = scan.keptColumns.count
        let y = Matrix(rows: n, columns: v)  // column-major N × V
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(source.columns, 1))
        defer { row.deallocate() }
        for (k, r) in scan.keptRows.enumerated() {
            source.readRow(r, into: row)
            var mean = 0.0
            for c in scan.keptColumns { mean += row[c] }
            mean /= Double(max(v, 1))
            for (j, c) in scan.keptColumns.enumerated() { y[k, j] = row[c] - mean }
        }
        for j in 0..<v {
            var mean = 0.0
            for k in 0..<n { mean += y[k, j] }
            mean /= Double(max(n, 1))
            for k in 0..<n { y[k, j] -= mean }
        }
        let g = Matrix(rows: v, columns: v)
        LinearAlgebra.accumulateGramLower(n: v, k: n, a: y.storage, lda: n, into: g.storage, beta: 0)
        let w = try LinearAlgebra.symmetricEigenvalues(upper: false, n: v, a: g.storage, lda: v)
        return w.reversed().dropLast().map { $0 > 0 ? $0.squareRoot() : 0 }
    }
}
