import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeNPY

/// The Gram matrices of the centred samples, built once and read twice.
///
/// With `X` the kept samples (N rows × V tokens), `Y` = X with each row's mean removed (this cancels the
/// softmax normaliser and any per-prompt constant) and `J = I − 11ᵀ/N` the sample-centring projection:
///
/// * `G_r = Y Yᵀ` (row-centred): rank d, or d + 1 when the outputs carry a constant offset (an output
///   bias) that the hidden states do not explain;
/// * `G_c = J G_r J` (double-centred): rank d in both cases. Its eigenvalues are the squared singular
///   values rankprobe reports.
///
/// **Why a Gram and not an SVD.** N ≪ V for full-vocabulary dumps, so `Y Yᵀ` (N² V flops in `dsyrk`)
/// followed by a symmetric eigensolver is several times faster than `dgesdd` on N × V, whose
/// bidiagonalisation costs about 4N²V flops and streams the whole matrix repeatedly. The Gram is
/// accumulated in float64 from float64 copies of column blocks: a float32 Gram loses the cliff (its
/// rounding floor, ε·λ_max with ε ≈ 1e-7, sits above σ_d² for realistic spectra).
///
/// **Memory.** One N × N float64 buffer holds both matrices: `G_c` in the lower triangle, `G_r` in the
/// strict upper triangle plus a saved diagonal. LAPACK's eigensolver destroys only the triangle it is
/// given, so the upper one survives for the bias test. Mapped input pages are released block by block.
public final class CentredGram: @unchecked Sendable {
    public let n: Int
    /// Kept columns (the V in the formulas).
    public let columns: Int
    public let scan: FinitenessScan
    let storage: UnsafeMutablePointer<Double>
    /// Diagonal of `G_r` (the shared buffer's diagonal belongs to `G_c`).
    let rowCentredDiagonal: [Double]
    /// Row means of `G_r` and their mean: what `G_c = J G_r J` subtracts (kept for `noOffsetResidual`).
    let rowCentredMeans: [Double]
    let rowCentredGrandMean: Double
    private var eigenvaluesTaken = false
    /// Wall time of the block accumulation (conversion + dsyrk) and of the centring that follows.
    public let accumulateSeconds: Double
    public let finishSeconds: Double

    /// Columns converted per `dsyrk` call. Each call reads and writes the whole N × N triangle, so fewer,
    /// larger blocks save memory traffic; the float64 block (block × N × 8 bytes, 72 MB at N = 4400)
    /// stays well under the Gram's own 155 MB.
    public static let blockColumns = 2048

    /// How the N × N Gram was formed: from every kept token column, or from a sketch of them.
    public let sketch: TokenSketch?

    /// The exact Gram: every kept token column goes through `dsyrk`.
    public convenience init(_ source: SampleSource, scan: FinitenessScan) {
        let begin = ContinuousClock.now
        let n = scan.keptRows.count
        let cols = scan.keptColumns
        let storage = UnsafeMutablePointer<Double>.allocate(capacity: max(n * n, 1))
        storage.initialize(repeating: 0, count: max(n * n, 1))

        // Blocks of kept columns: both cores convert a block to float64 (each half of the rows), then
        // dsyrk squares it on both cores. Converting the next block on a third thread while dsyrk runs
        // (double buffering) was tried: on 2 cores it only took cycles from BLAS, so the Gram took as long,
        // and it needed a second block buffer.
        let b = Self.blockColumns
        let converter = BlockConverter(source: source, scan: scan, n: n, capacity: b)
        defer { converter.deallocate() }
        var residualSum = [Double](repeating: 0, count: n)
        for start in stride(from: 0, to: cols.count, by: b) {
            let range = start..<min(start + b, cols.count)
            DispatchQueue.concurrentPerform(iterations: BlockConverter.parts) { part in
                let rows = (n * part / BlockConverter.parts)..<(n * (part + 1) / BlockConverter.parts)
                converter.convert(range, rows: rows, part: part)
            }
            // Fortran-ordered files hold the block contiguously: release it once every part has read it.
            converter.releaseColumnMajor(range)
            LinearAlgebra.accumulateGramLower(
                n: n, k: range.count, a: converter.block.baseAddress!, lda: range.count, into: storage)
            for k in 0..<n { residualSum[k] += converter.sums[k] }
        }
        // Exact row centring: with e the residual row means of the shifted values,
        // Y Yᵀ = X'X'ᵀ − V e eᵀ (derivation in the type's doc comment).
        let v = Double(max(cols.count, 1))
        let e = residualSum.map { $0 / v }
        for j in 0..<n {
            for i in j..<n { storage[j * n + i] -= v * e[i] * e[j] }
        }
        self.init(scan: scan, n: n, columns: cols.count, rowCentredLower: storage, sketch: nil, since: begin)
    }

    /// Takes a buffer holding `G_r` (row-centred) in its lower triangle and builds the shared layout:
    /// `G_c = J G_r J` in the lower triangle, `G_r` in the strict upper one plus a saved diagonal.
    ///
    /// The sample-side centring `J` acts on the left of Y and a token-side sketch S on the right, so
    /// `J (Y S) = (J Y) S`: double-centring the sketched Gram is the same operation as for the exact one.
    init(scan: FinitenessScan, n: Int, columns: Int, rowCentredLower storage: UnsafeMutablePointer<Double>,
         sketch: TokenSketch?, since begin: ContinuousClock.Instant) {
        self.scan = scan
        self.n = n
        self.columns = columns
        self.storage = storage
        self.sketch = sketch
        let accumulated = ContinuousClock.now
        // Save G_r's diagonal and the row means G_c needs (G_c = J G_r J).
        var diag = [Double](repeating: 0, count: n)
        var rowMean = [Double](repeating: 0, count: n)
        for j in 0..<n {
            diag[j] = storage[j * n + j]
            for i in j..<n {
                let g = storage[j * n + i]
                rowMean[i] += g
                if i != j { rowMean[j] += g }
            }
        }
        let dn = Double(max(n, 1))
        for i in 0..<n { rowMean[i] /= dn }
        let grand = rowMean.reduce(0, +) / dn
        // G_r moves to the strict upper triangle (a transpose, done in tiles so both sides stay in cache)
        // and G_c takes its place in the lower one: the eigensolver gets the lower triangle, which
        // dsyevd_2stage reduced faster than the upper one in every run we timed (about a tenth).
        let tile = 64
        for jb in stride(from: 0, to: n, by: tile) {
            for ib in stride(from: 0, to: jb + tile, by: tile) {
                for j in jb..<min(jb + tile, n) {
                    for i in ib..<min(ib + tile, j) {
                        let g = storage[i * n + j]
                        storage[j * n + i] = g
                        storage[i * n + j] = g - rowMean[i] - rowMean[j] + grand
                    }
                }
            }
        }
        for j in 0..<n { storage[j * n + j] = diag[j] - 2 * rowMean[j] + grand }
        rowCentredDiagonal = diag
        rowCentredMeans = rowMean
        rowCentredGrandMean = grand
        accumulateSeconds = (accumulated - begin).seconds
        finishSeconds = (ContinuousClock.now - accumulated).seconds
    }

    deinit { storage.deallocate() }

    /// Eigenvalues of `G_c`, descending. Can be called once (it consumes the lower triangle).
    ///
    /// `J` removes one dimension, so one eigenvalue is zero up to rounding; it is dropped, leaving N − 1.
    public func doubleCentredEigenvalues() throws -> [Double] {
        precondition(!eigenvaluesTaken, "the double-centred Gram was already consumed")
        eigenvaluesTaken = true
        let w = try LinearAlgebra.symmetricEigenvalues(upper: false, n: n, a: storage, lda: n)
        return Array(w.reversed().dropLast())
    }

    /// The residual `offsetResidual` would show if the outputs carried *no* offset, computed from the data.
    ///
    /// Without an offset the mean output row ȳ lies in the span of the centred rows: ȳᵀ = aᵀY_c, with the
    /// least-norm a = G_c⁺ Y_c ȳ. Then range(Y_r) = (I + 1aᵀ) range(Y_c), and the all-ones vector lies
    /// at relative distance 1/√(1 + N‖a‖²) from it. When the mean is large against the variation (massive
    /// activations make real final hidden states nearly constant along a few directions), ‖a‖ is large and
    /// that distance is small — about 0.005 on real RMSNorm models — so a fixed fraction of √((N − d)/N)
    /// reads every such model as biased. With an offset, the residual falls far below this expectation.
    ///
    /// `Y_c ȳ = G_r 1/N − (1ᵀG_r1/N²)·1` needs only `G_r`'s row means (kept from `init`); `G_c + μI` is rebuilt in the lower
    /// triangle (the eigensolver consumed that one) for one Cholesky solve. Call before `offsetResidual`,
    /// which overwrites `G_r`.
    public func noOffsetResidual(mu: Double) throws -> Double {
        precondition(eigenvaluesTaken, "take the eigenvalues first: this rebuilds the triangle they consumed")
        let rowMean = rowCentredMeans, grand = rowCentredGrandMean, dn = Double(max(n, 1))
        for j in 0..<n {
            storage[j * n + j] = rowCentredDiagonal[j] - 2 * rowMean[j] + grand + mu
            for i in (j + 1)..<n { storage[j * n + i] = storage[i * n + j] - rowMean[i] - rowMean[j] + grand }
        }
        try LinearAlgebra.cholesky(upper: false, n: n, a: storage, lda: n)
        var a = rowMean.map { $0 - grand }
        try LinearAlgebra.choleskySolve(upper: false, n: n, factor: storage, lda: n, b: &a)
        var norm2 = 0.0
        for v in a { norm2 += v * v }
        return 1 / (1 + dn * norm2).squareRoot()
    }

    /// How far the all-ones sample vector lies outside the signal part of `G_r`'s range.
    ///
    /// `rank(J Y) = rank(Y) − 1` exactly when `1 ∈ range(Y)`, i.e. when the samples share a constant offset
    /// that their varying part does not explain (an output bias). Numerically, "in the range" means "in
    /// the span of eigenvectors whose eigenvalues stand above the noise", so the test solves the
    /// regularised system (G_r + μI) x = 1 with μ between the signal and the noise eigenvalues; the
    /// residual μ·x keeps the components of 1 along eigenvalues below μ and suppresses those above.
    /// Returns ‖μx‖ / ‖1‖: near 0 with a bias, of order √((N − d)/N) without. One Cholesky (N³/3 flops).
    public func offsetResidual(mu: Double) throws -> Double {
        precondition(eigenvaluesTaken, "take the eigenvalues first: the bias test overwrites the buffer")
        for j in 0..<n { storage[j * n + j] = rowCentredDiagonal[j] + mu }
        try LinearAlgebra.cholesky(upper: true, n: n, a: storage, lda: n)
        var x = [Double](repeating: 1, count: n)
        try LinearAlgebra.choleskySolve(upper: true, n: n, factor: storage, lda: n, b: &x)
        var s = 0.0
        for v in x { s += (mu * v) * (mu * v) }
        return (s / Double(n)).squareRoot()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
