import Testing
import RankProbeLinearAlgebra

@Test func lapackFailureBecomesASwiftError() {
    // [[1, 2], [2, 1]] has eigenvalues 3 and −1: not positive definite, dpotrf stops at minor 2.
    let a = Matrix(rowMajor: [[1, 2], [2, 1]])
    #expect(throws: LAPACKError(routine: "dpotrf", info: 2)) {
        try LinearAlgebra.cholesky(upper: false, n: 2, a: a.storage, lda: 2)
    }
    #expect(LAPACKError(routine: "dpotrf", info: 2).description.contains("not positive definite"))
}

@Test func symmetricEigenvaluesHandChecked() throws {
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
    let a = Matrix(rowMajor: [[2, 1], [1, 2]])
    let w = try LinearAlgebra.symmetricEigenvalues(upper: true, n: 2, a: a.storage, lda: 2)
    #expect(abs(w[0] - 1) < 1e-14 && abs(w[1] - 3) < 1e-14)
}

@Test func gramAccumulationMatchesDefinition() {
    // A is 3×2 column-major (k = 3 tokens, n = 2 samples): columns (1,2,3) and (4,5,6).
    let a: [Double] = [1, 2, 3, 4, 5, 6]
    let c = Matrix(rows: 2, columns: 2)
    a.withUnsafeBufferPointer { LinearAlgebra.accumulateGramLower(n: 2, k: 3, a: $0.baseAddress!, lda: 3, into: c.storage) }
    #expect(c[0, 0] == 14 && c[1, 0] == 32 && c[1, 1] == 77)
}

@Test func singularValuesHandChecked() throws {
    // diag(3, 2) padded with a zero column: singular values 3 and 2.
    let s = try LinearAlgebra.singularValues(Matrix(rowMajor: [[0, 3, 0], [2, 0, 0]]))
    #expect(abs(s[0] - 3) < 1e-14 && abs(s[1] - 2) < 1e-14)
}
