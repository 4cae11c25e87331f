import Foundation
import Testing
@testable import RankProbeAnalysis
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeNPY
import RankProbeSynth

/// Largest principal angle (degrees) between the column spaces of `a` and `b` (both orthonormalised here).
func largestPrincipalAngle(_ a: Matrix, _ b: Matrix) throws -> Double {
    func orthonormal(_ m: Matrix) throws -> Matrix {
        let (u, s, _) = try LinearAlgebra.svd(m)
        let k = s.filter { $0 > 1e-10 * s[0] }.count
        let q = Matrix(rows: m.rows, columns: k)
        for j in 0..<k { for i in 0..<m.rows { q[i, j] = u[i, j] } }
        return q
    }
    let qa = try orthonormal(a), qb = try orthonormal(b)
    let cosines = try LinearAlgebra.singularValues(LinearAlgebra.product(qa, transposeA: true, qb))
    return acos(min(1, cosines.min()!)) * 180 / .pi
}

/// P·W: W with each column's mean over the tokens removed (the part of W log-probabilities can reveal).
func centredColumns(_ w: Matrix) -> Matrix {
    let c = w.copy()
    for j in 0..<w.columns {
        var mean = 0.0
        for i in 0..<w.rows { mean += w[i, j] }
        mean /= Double(w.rows)
        for i in 0..<w.rows { c[i, j] -= mean }
    }
    return c
}

@Suite struct ExportTests {
    @Test(arguments: [false, true])
    func exportSpansTheCentredUnembedding(bias: Bool) throws {
        let model = SyntheticModel(hidden: 24, vocab: 400, seed: 21, bias: bias)
        let n = 120
        let rows = model.logprobs(samples: 0..<n)
        let samples = DenseSamples(rows: n, columns: 400, values: rows)
        let export = try OutputBasisExport.compute(samples: samples)
        #expect(export.hiddenDim == 24)
        #expect(export.hiddenDimSource == "detected")
        #expect(export.basis.rows == 400 && export.basis.columns == 24)
        let pw = centredColumns(model.unembedding)
        let angle = try largestPrincipalAngle(export.basis, pw)
        #expect(angle < 1e-4, "largest principal angle \(angle)°")
        // Against the uncentred W the all-ones component is missing: the angle is visibly non-zero.
        let raw = try largestPrincipalAngle(export.basis, model.unembedding)
        #expect(raw > angle)
    }

    @Test func writesNPYAndLabels() throws {
        let toy = ToyModel(vocab: 150, hidden: 12, seed: 4)
        let samples = toy.samples(rows: 80, seed: 2, columns: Array(stride(from: 0, to: 150, by: 2)))
        let export = try OutputBasisExport.compute(samples: samples, hiddenDim: 12)
        let dir = NSTemporaryDirectory() + "rankprobe-export-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/W.npy"
        try export.write(path: path)
        let file = try NPYFile(path: path)
        #expect(file.rows == 75 && file.columns == 12)
        #expect(file.scalar == .float64)
        let sidecar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/W.columns.json"))) as? [String: Any])
        // Token ids are JSON numbers, not strings (issue 12: the sidecar said "2" for token id 2).
        let labels = try #require(sidecar["columns"] as? [Int])
        #expect(labels.count == 75 && labels[1] == 2)
        #expect(sidecar["hidden_dim"] as? Int == 12)
    }

    /// Log columns are labelled by id (a decimal label) or by token text (the log reader's JSON string
    /// literal): ids become numbers, text becomes the plain string, and the text "123" stays a string.
    @Test func labelsKeepIdsAndTextApart() throws {
        #expect(OutputBasisExport.jsonLabel("2") as? Int == 2)
        #expect(OutputBasisExport.jsonLabel("\"123\"") as? String == "123")
        #expect(OutputBasisExport.jsonLabel("\" the\"") as? String == " the")
        #expect(OutputBasisExport.jsonLabel("-1") as? String == "-1")
    }

    @Test func nonFiniteColumnsAreDropped() throws {
        let toy = ToyModel(vocab: 100, hidden: 8, seed: 4)
        var samples = toy.samples(rows: 60, seed: 2)
        samples[3, 10] = -.infinity
        samples[7, 20] = .nan
        let export = try OutputBasisExport.compute(samples: samples, hiddenDim: 8)
        #expect(export.droppedColumns == 2)
        #expect(export.labels.count == 98 && !export.labels.contains("10") && !export.labels.contains("20"))
    }
}
