import Testing
import RankProbeMatrix

@Test func sixteenthOfANatGridIsFound() {
    // Values k/16 for assorted k: on the 1/16 grid, not on the 1/32·odd grid.
    var values: [Double] = []
    for r in 0..<4 {
        for c in 0..<100 {
            let k: Int = (r * 37 + c * 13) % 400 + 1
            values.append(-Double(k) / 16)
        }
    }
    let noise = FinitenessScan(.dense(DenseSamples(rows: 4, columns: 100, values: values)))
    #expect(noise.rounding.quantizationStep == 0.0625)
    #expect(abs(noise.rounding.perEntry - 0.0625 / 12.0.squareRoot()) < 1e-12)
    // Expected noise edge σ(√V + √N) = 0.018042…·(10 + 2).
    #expect(abs(noise.rounding.expectedEdge(samples: 4, columns: 100) - 12 * 0.0625 / 12.0.squareRoot()) < 1e-12)
}

@Test func unroundedValuesHaveNoGrid() {
    let rows = (0..<400).map { -3.0 - Double($0) * 0.0123456789 }
    let scan = FinitenessScan(.dense(DenseSamples(rows: 4, columns: 100, values: rows)))
    #expect(scan.rounding.quantizationStep == nil)
    #expect(scan.rounding.perEntry == 0) // float64 in memory: no storage rounding
}
