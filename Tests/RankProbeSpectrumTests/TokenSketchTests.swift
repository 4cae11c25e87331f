import Foundation
import Testing
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeSpectrum

/// Reference: singular values of J · Y_r · S formed explicitly (Y_r the row-centred data, S the sketch as
/// a dense V × m matrix), via dgesdd — the centring derivation in `TokenSketch`, checked independently.
func referenceSketchedSingularValues(_ d: DenseSamples, sketch: TokenSketch) throws -> [Double] {
    let n = d.rows, v = d.columns, m = sketch.width
    var y = [Double](repeating: 0, count: n * v)
    for i in 0..<n {
        let mean = (0..<v).reduce(0.0) { $0 + d[i, $1] } / Double(v)
        for j in 0..<v { y[i * v + j] = d[i, j] - mean }
    }
    let z = Matrix(rows: n, columns: m)
    for i in 0..<n {
        for c in 0..<v {
            let (b, w) = sketch.entry(c)
            z[i, b] += w * y[i * v + c]
        }
    }
    for j in 0..<m {
        let mean = (0..<n).reduce(0.0) { $0 + z[$1, j] } / Double(n)
        for i in 0..<n { z[i, j] -= mean }
    }
    return try LinearAlgebra.singularValues(z)
}

@Test func sketchBucketsAreBalancedAndOrthonormal() {
    for (v, m) in [(1000, 7), (5000, 800), (64, 64)] {
        let s = TokenSketch(columns: v, width: m, seed: 17)
        var count = [Int](repeating: 0, count: m), norm2 = [Double](repeating: 0, count: m)
        for c in 0..<v {
            let (b, w) = s.entry(c)
            count[b] += 1
            norm2[b] += w * w
        }
        #expect(count.max()! - count.min()! <= 1)
        #expect(count.reduce(0, +) == v)
        // Disjoint supports and unit norms: SᵀS = I exactly, up to the rounding of 1/√c squared and summed.
        for b in 0..<m { #expect(abs(norm2[b] - 1) <= 4 * Double(count[b]) * Double.ulpOfOne) }
        // Signs are not all alike: u = Sᵀ1 is far from its extremes ±√c.
        if v / m >= 16 { #expect(s.modelColumns == m + 1) }
    }
    #expect(TokenSketch(columns: 64, width: 64).modelColumns == 64)  // a signed permutation: P S loses one
}

@Test func sketchAtFullWidthIsTheExactSpectrum() throws {
    // m = V: S is a signed permutation, so (Y S)(Y S)ᵀ = Y Yᵀ; only rounding differs (different sums).
    // Both are Gram eigenvalues of the same centred matrix, each with error ≲ c·u·‖X‖²_F; the data's
    // offsets (−20 ± 5 per row) make ‖X‖²_F ≈ 400·N·V, so the bound is taken relative to it.
    let d = lowRank(n: 40, v: 90, r: 12, bias: true, seed: 21)
    let source = SampleSource.dense(d)
    let scan = FinitenessScan(source)
    let exact = try CentredGram(source, scan: scan).doubleCentredEigenvalues()
    let sketched = try CentredGram(source, scan: scan, sketch: TokenSketch(columns: 90, width: 90)).doubleCentredEigenvalues()
    let frobenius2 = d.values.reduce(0) { $0 + $1 * $1 }
    let tol = 64 * 40 * Double.ulpOfOne * frobenius2
    #expect(exact.count == sketched.count)
    for (a, b) in zip(exact, sketched) { #expect(abs(a - b) <= tol, "\(a) vs \(b), bound \(tol)") }
}

@Test func sketchedCentringMatchesTheExplicitProduct() throws {
    // Full-rank data with a large per-row offset, V/m ≈ 6: the one-pass sketch with the rank-one row
    // centring must equal J · Y_r · S formed explicitly.
    let d = lowRank(n: 40, v: 500, r: 500, bias: false, seed: 23)
    let source = SampleSource.dense(d)
    let sketch = TokenSketch(columns: 500, width: 80, seed: 5)
    let sv = try CentredGram(source, scan: FinitenessScan(source), sketch: sketch).doubleCentredEigenvalues()
        .map { max($0, 0).squareRoot() }
    let ref = try referenceSketchedSingularValues(d, sketch: sketch)
    #expect(sv.count == 39)
    for i in 0..<39 { #expect(abs(sv[i] - ref[i]) <= 1e-9 * ref[0], "σ\(i + 1): \(sv[i]) vs \(ref[i])") }
    // Without the correction the row offsets (−20 ± 5 per entry, summed over ~6 tokens per bucket) would
    // dominate: the top value would be several times the reference.
    #expect(sv[0] < 1.001 * ref[0])
}

@Test func sketchKeepsTheRankAndTheOffset() throws {
    for bias in [false, true] {
        let d = lowRank(n: 80, v: 3000, r: 20, bias: bias, seed: bias ? 31 : 32)
        let source = SampleSource.dense(d)
        let gram = CentredGram(source, scan: FinitenessScan(source), sketch: TokenSketch(columns: 3000, width: 160))
        let sv = try gram.doubleCentredEigenvalues().map { max($0, 0).squareRoot() }
        #expect(sv.filter { $0 > 1e-6 * sv[0] }.count == 20)
        let residual = try gram.offsetResidual(mu: sv[19] * sv[0] * 1e-9)
        let expectedWithout = (Double(79 - 20) / 80).squareRoot()
        if bias { #expect(residual < 0.01 * expectedWithout) } else { #expect(residual > 0.3 * expectedWithout) }
    }
}

@Test func sketchedNoiseIsMarchenkoPasturAtTheSamePerEntrySigma() throws {
    // Pure Gaussian noise σ = 0.7, N = 300, V = 12000, m = 600 (V/m = 20). E·P·S has i.i.d. entries of
    // variance σ² in m columns, so after J the Gram's eigenvalues follow MP for (N − 1) × m at σ²:
    // mean σ²·m, top edge σ²(√(N−1) + √m)². If the sketch scaled the noise by √(V/m) (unnormalised signs)
    // or left the row offsets in, both would be off by ×20 or more.
    let n = 300, v = 12000, m = 600, sigma = 0.7
    var rng = Rng(77)
    var x = [Double](repeating: 0, count: n * v)
    for i in 0..<n {
        let shift = -15 + 3 * rng.gaussian()
        for j in 0..<v { x[i * v + j] = shift + sigma * rng.gaussian() }
    }
    let source = SampleSource.dense(DenseSamples(rows: n, columns: v, values: x))
    let sketch = TokenSketch(columns: v, width: m)
    let w = try CentredGram(source, scan: FinitenessScan(source), sketch: sketch).doubleCentredEigenvalues()
    let s2 = sigma * sigma
    let mean = w.reduce(0, +) / Double(w.count)
    // The trace is a sum of (N−1)·m squared Gaussians: relative sd √(2/(N m)) ≈ 0.3 %; allow 2 %.
    #expect(abs(mean / (s2 * Double(m)) - 1) < 0.02, "mean eigenvalue \(mean), MP \(s2 * Double(m))")
    // Top edge: Tracy–Widom fluctuations at this size are ~1 % of the edge; allow 4 %.
    let edge = s2 * pow(Double(n - 1).squareRoot() + Double(m).squareRoot(), 2)
    #expect(abs(w[0] / edge - 1) < 0.04, "top eigenvalue \(w[0]), MP edge \(edge)")
    // The bottom edge too (it would sit near 0 if the noise had fewer than N dimensions per row).
    let bottom = s2 * pow(Double(m).squareRoot() - Double(n - 1).squareRoot(), 2)
    #expect(abs(w[w.count - 1] / bottom - 1) < 0.08, "bottom eigenvalue \(w[w.count - 1]), MP edge \(bottom)")
}

/// Writes `d` as a float32 `.npy` in C or Fortran order.
private func writeFloat32NPY(_ d: DenseSamples, fortran: Bool, to path: String) throws {
    var header = Array("{'descr': '<f4', 'fortran_order': \(fortran ? "True" : "False"), 'shape': (\(d.rows), \(d.columns)), }".utf8)
    while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
    header.append(0x0A)
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
    bytes.reserveCapacity(bytes.count + 4 * d.rows * d.columns)
    for k in 0..<(d.rows * d.columns) {
        let (i, j) = fortran ? (k % d.rows, k / d.rows) : (k / d.columns, k % d.columns)
        withUnsafeBytes(of: Float(d[i, j]).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Test func sketchReadsEveryLayoutAlike() throws {
    // The sketch is formed row by row for C-ordered files and samples in memory (in chunks of
    // `rowChunk` columns) and by column block for Fortran-ordered files. V = 40000 spans three chunks and
    // twenty blocks; a non-finite column in the middle of a chunk makes the kept columns non-contiguous
    // (the gather path). All three must match J·Y_r·S formed explicitly on the kept, float32-rounded data.
    let n = 24, v = 40000, m = 96
    var d = lowRank(n: n, v: v, r: 8, bias: true, seed: 41)
    var values = d.values
    for i in 0..<n { values[i * v + 20011] = .nan }
    d = DenseSamples(rows: n, columns: v, values: values.map { Double(Float($0)) })
    let keptValues = (0..<n).flatMap { i in (0..<v).filter { $0 != 20011 }.map { d[i, $0] } }
    let kept = DenseSamples(rows: n, columns: v - 1, values: keptValues)
    let sketch = TokenSketch(columns: v - 1, width: m, seed: 9)
    let reference = try referenceSketchedSingularValues(kept, sketch: sketch)

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sketch-layouts-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var sources: [(String, SampleSource)] = [("dense", .dense(d))]
    for fortran in [false, true] {
        let path = dir.appendingPathComponent(fortran ? "f.npy" : "c.npy").path
        try writeFloat32NPY(d, fortran: fortran, to: path)
        sources.append((fortran ? "Fortran-ordered file" : "C-ordered file", try SampleSource.load(paths: [path])))
    }
    for (name, source) in sources {
        let scan = FinitenessScan(source)
        #expect(scan.keptColumns.count == v - 1, "\(name): the NaN column is dropped")
        let sv = try CentredGram(source, scan: scan, sketch: sketch).doubleCentredEigenvalues()
            .map { max($0, 0).squareRoot() }
        #expect(sv.count == n - 1)
        // Two float64 evaluations of the same spectrum: the Gram's eigenvalues carry an absolute error of
        // order N·ε·λ_max (Weyl: ‖δG‖₂ ≤ N max|δG_ij|, each entry an m-term sum with relative error ~ε
        // of its Cauchy–Schwarz bound), the SVD's less. So eigenvalues are compared, with 4× that bound;
        // the float32-rounding tail (σ ≈ 1e-5 σ₁) is resolved only to this absolute level.
        let lambdaMax = reference[0] * reference[0]
        let tol = 4 * Double(n) * Double.ulpOfOne * lambdaMax
        for i in 0..<(n - 1) {
            let a = sv[i] * sv[i], b = reference[i] * reference[i]
            #expect(abs(a - b) <= tol, "\(name) λ\(i + 1): \(a) vs \(b), bound \(tol)")
        }
        #expect(sv[7] > 1e3 * sv[8], "\(name): rank 8 kept")
    }
}
