/// The one rule for values that cannot enter a spectrum — NaN, −inf and +inf — used by `estimate`
/// (through `FinitenessScan`), `compare` and `export`.
///
/// 1. A row with more than half of its entries non-finite is a **failed sample** (an error answer, a
///    broken dump row) and is dropped.
/// 2. Then every **column** holding a non-finite value in a kept row is dropped.
///
/// Why columns and not rows: a `-inf` log-probability is a token the server gives probability 0 (masked
/// special tokens, a filtered vocabulary), and such a token is masked for every prompt, so dropping its
/// column keeps every sample and the rank the samples can show. Dropping rows instead would lose every
/// prompt to one masked token. Rule 1 comes first so that one broken row cannot take every column with it.
/// `+inf` is treated like NaN (it cannot come from a softmax). Callers count and report what was dropped.
public enum NonFinitePolicy {
    /// Rule 1: `nonFinite` bad entries out of `count` make a failed sample.
    @inline(__always)
    public static func isFailedRow(nonFinite: Int, of count: Int) -> Bool { 2 * nonFinite > count }

    /// The rows and columns of `samples` that the rule keeps, restricted to `columns` (all by default);
    /// both ascending, `columns` as indices into `samples`.
    public static func select(_ samples: DenseSamples, columns: [Int]? = nil) -> (rows: [Int], columns: [Int]) {
        let columns = columns ?? Array(0..<samples.columns)
        var finiteColumn = [Bool](repeating: true, count: columns.count)
        var rows: [Int] = []
        samples.values.withUnsafeBufferPointer { v in
            for r in 0..<samples.rows {
                let base = r * samples.columns
                var bad = 0
                for c in columns where !v[base + c].isFinite { bad += 1 }
                if isFailedRow(nonFinite: bad, of: columns.count) { continue }
                rows.append(r)
                if bad > 0 { for (j, c) in columns.enumerated() where !v[base + c].isFinite { finiteColumn[j] = false } }
            }
        }
        return (rows, columns.indices.filter { finiteColumn[$0] }.map { columns[$0] })
    }
}
