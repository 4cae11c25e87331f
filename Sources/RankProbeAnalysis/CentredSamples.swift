import RankProbeLinearAlgebra
import RankProbeMatrix

/// Column alignment and centring shared by `compare` and `export`.
///
/// Why centre twice: a row of log-probabilities is `W·h + b − logZ(h)·1`. Subtracting the row's mean over
/// the chosen columns removes the per-prompt normaliser `logZ` (and anything else that shifts a whole row,
/// such as the anchor offset of the biased protocol); subtracting a reference mean row removes the constant
/// `b` and the mean hidden state. What remains is `P·W·(h − h̄)` with `P` the centring projector on the
/// columns, so every centred row lies in the `d`-dimensional column space of `P·W` — the model's image.
public enum CentredSamples {
    /// Column indices of the labels both sample sets share, in A's order.
    ///
    /// Without labels on both sides the columns can only be matched by position, which is safe only when the
    /// two sets have the same width (full-vocabulary dumps, where column = token id).
    public static func sharedColumns(_ a: DenseSamples, _ b: DenseSamples) -> (a: [Int], b: [Int], labels: [String]) {
        if let la = a.columnLabels, let lb = b.columnLabels {
            var position: [String: Int] = [:]
            position.reserveCapacity(lb.count)
            for (j, label) in lb.enumerated() where position[label] == nil { position[label] = j }
            var ia: [Int] = [], ib: [Int] = [], labels: [String] = []
            var seen = Set<String>()
            for (i, label) in la.enumerated() {
                guard let j = position[label], seen.insert(label).inserted else { continue }
                ia.append(i); ib.append(j); labels.append(label)
            }
            return (ia, ib, labels)
        }
        let n = min(a.columns, b.columns)
        let labels = a.columnLabels.map { Array($0.prefix(n)) } ?? b.columnLabels.map { Array($0.prefix(n)) }
            ?? (0..<n).map(String.init)
        return (Array(0..<n), Array(0..<n), labels)
    }

    /// The selected rows and columns of `samples`, each row centred over those columns, as a column-major
    /// matrix. The selection must be finite (`NonFinitePolicy.select` chooses it).
    public static func rowCentred(_ samples: DenseSamples, rows: [Int], columns: [Int]) -> Matrix {
        let n = columns.count
        let m = Matrix(rows: rows.count, columns: n)
        samples.values.withUnsafeBufferPointer { v in
            for (i, r) in rows.enumerated() {
                let base = r * samples.columns
                var mean = 0.0
                for c in columns { mean += v[base + c] }
                mean /= Double(max(n, 1))
                for (j, c) in columns.enumerated() { m[i, j] = v[base + c] - mean }
            }
        }
        return m
    }

    /// Mean row of `m` (length `m.columns`).
    public static func columnMeans(_ m: Matrix) -> [Double] {
        var means = [Double](repeating: 0, count: m.columns)
        guard m.rows > 0 else { return means }
        for j in 0..<m.columns {
            var s = 0.0
            let col = m.storage + j * m.rows
            for i in 0..<m.rows { s += col[i] }
            means[j] = s / Double(m.rows)
        }
        return means
    }

    /// Subtracts `means[j]` from column `j` in place.
    public static func subtract(_ means: [Double], from m: Matrix) {
        precondition(means.count == m.columns)
        for j in 0..<m.columns {
            let col = m.storage + j * m.rows
            let mu = means[j]
            for i in 0..<m.rows { col[i] -= mu }
        }
    }

    /// Frobenius norm squared.
    public static func energy(_ m: Matrix) -> Double {
        var s = 0.0
        for k in 0..<(m.rows * m.columns) { s += m.storage[k] * m.storage[k] }
        return s
    }

    /// The first `d` right-singular vectors of `m` as the columns of an `m.columns × d` matrix, with all
    /// singular values.
    public static func topRightSingular(_ m: Matrix, d: Int) throws -> (v: Matrix, singularValues: [Double]) {
        let (_, s, vt) = try LinearAlgebra.svd(m)
        let k = min(d, vt.rows)
        let v = Matrix(rows: m.columns, columns: k)
        for i in 0..<k {
            for j in 0..<m.columns { v[j, i] = vt[i, j] }
        }
        return (v, s)
    }

    /// `‖X − X·V·Vᵀ‖²_F` for orthonormal columns `V`: the energy of `X`'s rows outside span(V).
    public static func residualEnergy(_ x: Matrix, outside v: Matrix) -> Double {
        guard x.rows > 0 else { return 0 }
        let coefficients = LinearAlgebra.product(x, v)                 // rows × d
        let r = x.copy()
        LinearAlgebra.gemm(coefficients, v, transposeB: true, alpha: -1, beta: 1, into: r)
        return energy(r)
    }

    /// Rows `indices` of `m` as a new matrix.
    public static func rows(_ indices: [Int], of m: Matrix) -> Matrix {
        let out = Matrix(rows: indices.count, columns: m.columns)
        for j in 0..<m.columns {
            for (i, r) in indices.enumerated() { out[i, j] = m[r, j] }
        }
        return out
    }
}
