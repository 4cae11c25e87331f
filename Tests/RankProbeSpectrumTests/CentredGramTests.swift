import Foundation
import Testing
import RankProbeSynth
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeSpectrum

/// The shared SplitMix64 stream from `seed`, with the Gaussians these tests were written with.
struct Rng {
    var core: SplitMix64
    init(_ seed: UInt64) { core = SplitMix64(state: seed) }
    mutating func next() -> UInt64 { core.next() }
    mutating func gaussian() -> Double {
        let u = (Double(next() >> 11) + 0.5) / Double(1 << 53)
        let v = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

/// N × V logits of rank r (+ an optional constant offset vector), shifted by a different large constant
/// per row, as log-probabilities are.
func lowRank(n: Int, v: Int, r: Int, bias: Bool, seed: UInt64) -> DenseSamples {
    var rng = Rng(seed)
    let h = (0..<(n * r)).map { _ in rng.gaussian() }
    let w = (0..<(v * r)).map { _ in rng.gaussian() }
    let b = (0..<v).map { _ in 3 * rng.gaussian() }
    var x = [Double](repeating: 0, count: n * v)
    for i in 0..<n {
        let shift = -20 - 5 * rng.gaussian()
        for j in 0..<v {
            var s = shift
            for k in 0..<r { s += h[i * r + k] * w[j * r + k] }
            if bias { s += b[j] }
            x[i * v + j] = s
        }
    }
    return DenseSamples(rows: n, columns: v, values: x)
}

/// Reference: singular values of the explicitly double-centred matrix via dgesdd.
func referenceSingularValues(_ d: DenseSamples) throws -> [Double] {
    let m = Matrix(rows: d.rows, columns: d.columns)
    for i in 0..<d.rows {
        let mean = (0..<d.columns).reduce(0.0) { $0 + d[i, $1] } / Double(d.columns)
        for j in 0..<d.columns { m[i, j] = d[i, j] - mean }
    }
    for j in 0..<d.columns {
        let mean = (0..<d.rows).reduce(0.0) { $0 + m[$1, j] } / Double(d.rows)
        for i in 0..<d.rows { m[i, j] -= mean }
    }
    return try LinearAlgebra.singularValues(m)
}

@Test func gramSpectrumMatchesDirectSVD() throws {
    // Full-rank data (r = V) with a large per-row offset: the centring must be exact, not approximate.
    let d = lowRank(n: 30, v: 50, r: 50, bias: false, seed: 3)
    let source = SampleSource.dense(d)
    let gram = CentredGram(source, scan: FinitenessScan(source))
    let sv = try gram.doubleCentredEigenvalues().map { max($0, 0).squareRoot() }
    let ref = try referenceSingularValues(d)
    #expect(sv.count == 29)
    for i in 0..<29 { #expect(abs(sv[i] - ref[i]) <= 1e-9 * ref[0]) }
}

@Test func handCheckedThreeByThree() throws {
    // Rows (8,9,10), (9,11,16), (7,7,7). Row-centred: (−1,0,1), (−3,−1,4), (0,0,0); column means
    // (−4/3, −1/3, 5/3); so the double-centred matrix is C = (1/3)·[[1,1,−2],[−5,−2,7],[4,1,−5]] and G = C·Cᵀ = (1/9)·[[6,−21,15],[−21,78,−57],[15,−57,42]].
    // Its characteristic polynomial is λ³ − 14λ² + λ (trace 14, sum of 2×2 principal minors 1, det 0), so
    // the eigenvalues are 7 + 4√3 = 13.928203230275509…, 7 − 4√3 = 0.071796769724490…, and 0 (numpy's
    // eigvalsh: 13.92820323, 0.07179677, −3e−16; sympy gives the closed forms). The routine returns the
    // n − 1 = 2 nonzero ones, largest first.
    //
    // Tolerance: whether the centring is done on the data or on the Gram, each entry of the computed G is
    // a few sums and differences of terms bounded by ‖X‖²_F = 850 (the raw data), so |ΔG_ij| ≲ c·u·‖X‖²_F
    // with u = 2⁻⁵³ and c ≈ 16 operations; ‖ΔG‖₂ ≤ n·max|ΔG_ij|. The symmetric eigensolver is backward
    // stable (backward error ≲ p(n)·u·‖G‖₂, far smaller here), and by Weyl's inequality every eigenvalue
    // moves by at most ‖ΔG‖₂: |Δλ| ≤ 16·3·u·850 ≈ 9·10⁻¹².
    let d = DenseSamples(rows: 3, columns: 3, values: [8, 9, 10, 9, 11, 16, 7, 7, 7])
    let source = SampleSource.dense(d)
    let gram = CentredGram(source, scan: FinitenessScan(source))
    let w = try gram.doubleCentredEigenvalues()
    let u = Double.ulpOfOne / 2
    let frobenius2 = [8.0, 9, 10, 9, 11, 16, 7, 7, 7].reduce(0) { $0 + $1 * $1 }
    #expect(frobenius2 == 850)
    let tol = 16 * 3 * u * frobenius2
    let truth = [7 + 4 * 3.0.squareRoot(), 7 - 4 * 3.0.squareRoot()]
    #expect(w.count == 2)
    for (got, want) in zip(w, truth) {
        #expect(abs(got - want) <= tol, "eigenvalue \(got), exactly \(want), bound \(tol)")
    }
    #expect(abs(w.reduce(0, +) - 14) <= 2 * tol)  // trace = ‖C‖²_F = 14
    #expect(abs(w[0] * w[1] - 1) <= tol * (w[0] + w[1]))  // 2×2 principal-minor sum = 1
    // And the independent path: σ² of the double-centred data from LAPACK's SVD.
    let ref = try referenceSingularValues(d)
    #expect(abs(w[0] - ref[0] * ref[0]) <= tol)
    #expect(abs(w[1] - ref[1] * ref[1]) <= tol)
}

@Test func rankAndOffsetOfLowRankData() throws {
    for bias in [false, true] {
        let d = lowRank(n: 80, v: 300, r: 20, bias: bias, seed: bias ? 5 : 6)
        let source = SampleSource.dense(d)
        let gram = CentredGram(source, scan: FinitenessScan(source))
        let sv = try gram.doubleCentredEigenvalues().map { max($0, 0).squareRoot() }
        // Exactly 20 values above float64 rounding, with or without the offset (double centring removes it).
        let tol = sv[0] * 1e-6
        #expect(sv.filter { $0 > tol }.count == 20)
        let residual = try gram.offsetResidual(mu: sv[19] * sv[0] * 1e-9)
        let expectedWithout = (Double(79 - 20) / 80).squareRoot()
        if bias { #expect(residual < 0.01 * expectedWithout) } else { #expect(residual > 0.3 * expectedWithout) }
    }
}

@Test func nonFiniteColumnsAndBrokenRowsAreDropped() {
    var d = lowRank(n: 10, v: 20, r: 3, bias: false, seed: 9)
    d[2, 5] = -.infinity
    d[7, 5] = -.infinity
    d[4, 11] = .nan
    for j in 0..<20 { d[9, j] = .nan } // a failed sample
    let scan = FinitenessScan(.dense(d))
    #expect(scan.keptRows == Array(0..<9))
    #expect(scan.keptColumns == (0..<20).filter { $0 != 5 && $0 != 11 })
    #expect(scan.negativeInfinities == 2 && scan.nans == 21)
}

@Test func tokenSideGramMatchesSampleSide() throws {
    // 120 samples × 40 tokens of rank 12: both Grams give the same nonzero singular values.
    let d = lowRank(n: 120, v: 40, r: 12, bias: true, seed: 11)
    let source = SampleSource.dense(d)
    let scan = FinitenessScan(source)
    let tokenSide = try ColumnGram.singularValues(source, scan: scan)
    let ref = try referenceSingularValues(d)
    #expect(tokenSide.count == 39)
    for i in 0..<12 { #expect(abs(tokenSide[i] - ref[i]) <= 1e-9 * ref[0]) }
    #expect(tokenSide[12] < 1e-6 * tokenSide[0])
}
