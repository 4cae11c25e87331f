import Testing
import RankProbeMatrix

/// The one non-finite rule, on a hand-made matrix whose right answer is known: a masked token (one −inf)
/// costs its column, a failed sample (mostly NaN) costs its row and no columns; `FinitenessScan` (what
/// `estimate` runs) and `NonFinitePolicy.select` (what `compare` and `export` run) keep the same cells.
@Suite struct NonFinitePolicyTests {
    static func samples() -> DenseSamples {
        let rows = 6, columns = 10
        var values = (0..<(rows * columns)).map { -Double($0 % 7) - 1 }
        values[2 * columns + 3] = -.infinity              // a masked token in row 2
        for c in 0..<6 { values[4 * columns + c] = .nan }  // row 4: 6 of 10 non-finite, a failed sample
        values[5 * columns + 9] = .infinity               // +inf counts like NaN
        return DenseSamples(rows: rows, columns: columns, values: values)
    }

    @Test func dropsFailedRowsThenColumns() {
        let kept = NonFinitePolicy.select(Self.samples())
        #expect(kept.rows == [0, 1, 2, 3, 5])
        #expect(kept.columns == [0, 1, 2, 4, 5, 6, 7, 8])
    }

    @Test func restrictedToColumns() {
        // On columns 0…2 row 4 is all NaN (failed) and nothing else is bad.
        let kept = NonFinitePolicy.select(Self.samples(), columns: [0, 1, 2])
        #expect(kept.rows == [0, 1, 2, 3, 5])
        #expect(kept.columns == [0, 1, 2])
    }

    @Test func scanAgreesWithSelect() {
        let s = Self.samples()
        let scan = FinitenessScan(.dense(s))
        let kept = NonFinitePolicy.select(s)
        #expect(scan.keptRows == kept.rows)
        #expect(scan.keptColumns == kept.columns)
        #expect(scan.nans == 6 && scan.negativeInfinities == 1 && scan.positiveInfinities == 1)
    }

    @Test func scanOnTwoThreadsAgreesWithSelect() {
        // 96 rows: the scan splits them between two threads (each with its own column marks). Damage in
        // both halves, a column masked only in the second half, and a failed row in each.
        let rows = 96, columns = 10
        var values = (0..<(rows * columns)).map { -Double($0 % 7) - 1 }
        values[2 * columns + 3] = -.infinity
        values[70 * columns + 8] = .nan
        for c in 0..<6 { values[4 * columns + c] = .nan }
        for c in 2..<9 { values[90 * columns + c] = .infinity }
        let s = DenseSamples(rows: rows, columns: columns, values: values)
        let scan = FinitenessScan(.dense(s))
        let kept = NonFinitePolicy.select(s)
        #expect(scan.keptRows == Array(0..<96).filter { $0 != 4 && $0 != 90 })
        #expect(scan.keptRows == kept.rows)
        #expect(scan.keptColumns == [0, 1, 2, 4, 5, 6, 7, 9])
        #expect(scan.keptColumns == kept.columns)
        #expect(scan.nans == 7 && scan.negativeInfinities == 1 && scan.positiveInfinities == 7)
        // Row means (the shift) of the finite entries, per kept row.
        for (k, r) in scan.keptRows.enumerated() {
            let finite = (0..<columns).map { values[r * columns + $0] }.filter { $0.isFinite }
            #expect(abs(scan.rowShift[k] - finite.reduce(0, +) / Double(finite.count)) <= 1e-12)
        }
    }
}
