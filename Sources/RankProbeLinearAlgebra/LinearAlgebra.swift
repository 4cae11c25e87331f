import _LinearAlgebraShims

/// Thin, checked entry points into BLAS and LAPACK (through `_LinearAlgebraShims`).
///
/// Every function takes column-major storage. Sizes are checked against Int32 before the call: LAPACK
/// indexes with 32-bit integers here, and a silent overflow would read the wrong memory.
public enum LinearAlgebra {
    /// Threads OpenBLAS will use.
    public static var threads: Int { Int(rp_blas_threads()) }

    /// LAPACK's single-character flags ('U', 'L', 'N', 'T') as the C `char` they are.
    static func flag(_ c: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: c.value) }

    static func int32(_ v: Int, _ what: String) -> Int32 {
        precondition(v >= 0 && v <= Int(Int32.max), "\(what) = \(v) does not fit LAPACK's 32-bit integers")
        return Int32(v)
    }

    /// `c(lower) += Aᵀ A` where `a` is column-major `k × n` with leading dimension `lda`, `c` is `n × n`.
    public static func accumulateGramLower(
        n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, into c: UnsafeMutablePointer<Double>, beta: Double = 1
    ) {
        rp_dsyrk_lower_trans(int32(n, "n"), int32(k, "k"), 1.0, a, int32(lda, "lda"), beta, c, int32(n, "n"))
    }

    /// `C = alpha op(A) op(B) + beta C` on `Matrix` values.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Double = 1, beta: Double = 0, into c: Matrix
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb && c.rows == m && c.columns == n, "gemm: shapes do not agree")
        if m == 0 || n == 0 { return }
        rp_dgemm(transposeA ? flag("T") : flag("N"), transposeB ? flag("T") : flag("N"),
                 int32(m, "m"), int32(n, "n"), int32(k, "k"), alpha,
                 a.storage, int32(max(a.rows, 1), "lda"), b.storage, int32(max(b.rows, 1), "ldb"),
                 beta, c.storage, int32(max(c.rows, 1), "ldc"))
    }

    /// `A·B` (or with transposes) as a new matrix.
    public static func product(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        let c = Matrix(rows: m, columns: n)
        gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c)
        return c
    }

    /// Eigenvalues, ascending, of the symmetric matrix held in one triangle of `a` (`n × n`, leading
    /// dimension `lda`). Destroys that triangle and the diagonal; the other triangle is left untouched,
    /// which lets a caller keep a second symmetric matrix in it.
    public static func symmetricEigenvalues(
        upper: Bool, n: Int, a: UnsafeMutablePointer<Double>, lda: Int
    ) throws(LAPACKError) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        if n == 0 { return w }
        let info = w.withUnsafeMutableBufferPointer {
            rp_dsyevd_values(upper ? flag("U") : flag("L"), int32(n, "n"), a, int32(lda, "lda"), $0.baseAddress!)
        }
        try LAPACKError.check(info, "dsyevd_2stage")
        return w
    }

    /// Eigenvalues (ascending) and eigenvectors (as the columns of the returned matrix) of symmetric `a`.
    /// `a` is not modified.
    public static func symmetricEigen(_ a: Matrix) throws(LAPACKError) -> (values: [Double], vectors: Matrix) {
        precondition(a.rows == a.columns)
        let v = a.copy()
        var w = [Double](repeating: 0, count: a.rows)
        if a.rows == 0 { return (w, v) }
        let info = w.withUnsafeMutableBufferPointer {
            rp_dsyevd_vectors(flag("L"), int32(a.rows, "n"), v.storage, int32(a.rows, "lda"), $0.baseAddress!)
        }
        try LAPACKError.check(info, "dsyevd")
        return (w, v)
    }

    /// Cholesky factor in place (triangle `upper` or lower).
    public static func cholesky(upper: Bool, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) throws(LAPACKError) {
        let info = rp_dpotrf(upper ? flag("U") : flag("L"), int32(n, "n"), a, int32(lda, "lda"))
        try LAPACKError.check(info, "dpotrf")
    }

    /// Solves `A x = b` for one right-hand side with a factor from `cholesky`.
    public static func choleskySolve(
        upper: Bool, n: Int, factor: UnsafePointer<Double>, lda: Int, b: inout [Double]
    ) throws(LAPACKError) {
        precondition(b.count == n)
        let info = b.withUnsafeMutableBufferPointer {
            rp_dpotrs(upper ? flag("U") : flag("L"), int32(n, "n"), 1, factor, int32(lda, "lda"),
                      $0.baseAddress!, int32(max(n, 1), "ldb"))
        }
        try LAPACKError.check(info, "dpotrs")
    }

    /// Singular values, descending, of `a` (not modified).
    public static func singularValues(_ a: Matrix) throws(LAPACKError) -> [Double] {
        let work = a.copy()
        var s = [Double](repeating: 0, count: min(a.rows, a.columns))
        if s.isEmpty { return s }
        let info = s.withUnsafeMutableBufferPointer {
            rp_dgesdd_values(int32(a.rows, "m"), int32(a.columns, "n"), work.storage, int32(max(a.rows, 1), "lda"), $0.baseAddress!)
        }
        try LAPACKError.check(info, "dgesdd")
        return s
    }

    /// Thin SVD `a = U Σ Vᵀ`; `a` is not modified.
    public static func svd(_ a: Matrix) throws(LAPACKError) -> (u: Matrix, s: [Double], vt: Matrix) {
        let work = a.copy()
        let k = min(a.rows, a.columns)
        let u = Matrix(rows: a.rows, columns: k)
        let vt = Matrix(rows: k, columns: a.columns)
        var s = [Double](repeating: 0, count: k)
        if k == 0 { return (u, s, vt) }
        let info = s.withUnsafeMutableBufferPointer {
            rp_dgesdd_thin(int32(a.rows, "m"), int32(a.columns, "n"), work.storage, int32(max(a.rows, 1), "lda"),
                           $0.baseAddress!, u.storage, int32(max(a.rows, 1), "ldu"), vt.storage, int32(max(k, 1), "ldvt"))
        }
        try LAPACKError.check(info, "dgesdd")
        return (u, s, vt)
    }
}
