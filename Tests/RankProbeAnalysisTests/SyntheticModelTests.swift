import Foundation
import RankProbeLinearAlgebra
import RankProbeMatrix
import RankProbeNPY
import RankProbeSynth
import Testing

/// The synthetic model is the ground truth other tests measure against, so its promises are checked here:
/// reproducibility, normalisation, realistic entropies, exact rank, and that requested output options
/// (precision, rounding, noise) really reach the file.
@Suite struct SyntheticModelTests {
    static let small = SyntheticModel(hidden: 12, vocab: 150, seed: 7)
    static let smallBias = SyntheticModel(hidden: 12, vocab: 150, seed: 7, bias: true)

    @Test func sameSeedSameRowsDifferentSeedDifferentRows() {
        let a = SyntheticModel(hidden: 12, vocab: 150, seed: 7).logprobs(samples: 0..<5)
        let b = Self.small.logprobs(samples: 0..<5)
        let c = SyntheticModel(hidden: 12, vocab: 150, seed: 8).logprobs(samples: 0..<5)
        #expect(a == b)
        #expect(zip(a, c).contains { $0 != $1 })
    }

    /// A sample's row must not depend on which block it was generated in, and the cheap single-token path
    /// must agree with the full rows (log synthesis relies on it).
    @Test func rowsIndependentOfBlockingAndSingleTokenPathAgrees() {
        let model = Self.smallBias
        var byThree = [Double](), bySeven = [Double]()
        model.forEachBlock(samples: 3..<20, blockSize: 3) { _, m in byThree += UnsafeBufferPointer(start: m.storage, count: m.rows * m.columns) }
        model.forEachBlock(samples: 3..<20, blockSize: 7) { _, m in bySeven += UnsafeBufferPointer(start: m.storage, count: m.rows * m.columns) }
        #expect(byThree.count == 17 * 150)
        #expect(zip(byThree, bySeven).allSatisfy { abs($0 - $1) < 1e-10 })
        for (sample, token) in [(3, 0), (10, 77), (19, 149)] {
            let full = byThree[(sample - 3) * 150 + token]
            #expect(abs(model.logprob(sample: sample, token: token) - full) < 1e-9)
        }
    }

    @Test func rowsAreNormalised() {
        let rows = Self.smallBias.logprobs(samples: 0..<30)
        rows.withUnsafeBufferPointer { all in
            for r in 0..<30 {
                let lse = SyntheticModel.logSumExp(UnsafeBufferPointer(rebasing: all[(r * 150)..<((r + 1) * 150)]))
                #expect(abs(lse) < 1e-12)
            }
        }
    }

    /// Real models average 1–5 nats of next-token entropy, with a wide spread between confident and
    /// uncertain contexts; an isotropic toy model would sit near log V with almost no spread.
    @Test func entropiesAreRealistic() {
        let model = SyntheticModel(hidden: 64, vocab: 2000, seed: 3)
        let rows = model.logprobs(samples: 0..<200)
        let entropies = (0..<200).map { r in
            rows[(r * 2000)..<((r + 1) * 2000)].reduce(0.0) { $0 - exp($1) * $1 }
        }
        let mean = entropies.reduce(0, +) / 200
        let sd = (entropies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 199).squareRoot()
        #expect(mean > 1 && mean < 5, "mean entropy \(mean)")
        #expect(sd > 0.5, "entropy spread \(sd)")
        #expect(entropies.min()! < 1 && entropies.max()! < log(2000.0) - 0.5)
    }

    /// Singular values of the (row- or doubly-) centred N × V matrix: exact rank d, or d + 1 when a bias
    /// survives row-centring.
    static func spectrum(_ rows: [Double], n: Int, v: Int, centreRows: Bool, centreColumns: Bool) throws -> [Double] {
        let m = Matrix(rows: n, columns: v)
        for i in 0..<n { for j in 0..<v { m[i, j] = rows[i * v + j] } }
        if centreRows {
            for i in 0..<n {
                let mean = (0..<v).reduce(0.0) { $0 + m[i, $1] } / Double(v)
                for j in 0..<v { m[i, j] -= mean }
            }
        }
        if centreColumns {
            for j in 0..<v {
                let mean = (0..<n).reduce(0.0) { $0 + m[$1, j] } / Double(n)
                for i in 0..<n { m[i, j] -= mean }
            }
        }
        return try LinearAlgebra.singularValues(m)
    }

    static func numericalRank(_ s: [Double]) -> Int { s.filter { $0 > s[0] * 1e-9 }.count }

    @Test func numericalRankIsTheHiddenSize() throws {
        let n = 40, v = 150
        let plain = try Self.spectrum(Self.small.logprobs(samples: 0..<n), n: n, v: v, centreRows: true, centreColumns: false)
        #expect(Self.numericalRank(plain) == 12)
        #expect(plain[11] / plain[12] > 1e6)

        let biased = Self.smallBias.logprobs(samples: 0..<n)
        let rowCentred = try Self.spectrum(biased, n: n, v: v, centreRows: true, centreColumns: false)
        #expect(Self.numericalRank(rowCentred) == 13)
        let doubly = try Self.spectrum(biased, n: n, v: v, centreRows: true, centreColumns: true)
        #expect(Self.numericalRank(doubly) == 12)
    }

    /// The spectrum has structure before the cliff: leading directions stand out and the rest decays
    /// smoothly over two orders of magnitude or less — not flat (isotropic toy) and not a staircase.
    @Test func spectrumDecaysSmoothlyBeforeTheCliff() throws {
        let model = SyntheticModel(hidden: 64, vocab: 2000, seed: 11)
        let s = try Self.spectrum(model.logprobs(samples: 0..<200), n: 200, v: 2000, centreRows: true, centreColumns: true)
        #expect(s[0] / s[7] > 2)
        #expect(s[0] / s[63] > 10 && s[0] / s[63] < 1000)
        #expect(s[63] / s[64] > 1e8)
        for i in 8..<62 { #expect(s[i] / s[i + 1] < 1.5, "σ\(i + 1)/σ\(i + 2) = \(s[i] / s[i + 1])") }
    }

    @Test func unembeddingAndBiasReproduceTheLogits() {
        let model = Self.smallBias
        let w = model.unembedding
        let logits = model.logits(samples: 4..<6)
        for (r, sample) in [4, 5].enumerated() {
            let h = model.hiddenState(sample: sample)
            for t in stride(from: 0, to: 150, by: 13) {
                let direct = (0..<12).reduce(model.outputBias![t]) { $0 + w[t, $1] * h[$1] }
                #expect(abs(direct - logits[r * 150 + t]) < 1e-9 * max(1, abs(direct)))
            }
        }
    }

    @Test func rotationIsOrthogonal() {
        var random = SyntheticRandom(seed: 5, purpose: .structure)
        for n in [1, 2, 7, 64, 100] {
            let q = RandomRotation(dimension: n, random: &random)
            var x = (0..<n).map { _ in random.normal() }
            let original = x
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: n)
            defer { scratch.deallocate() }
            x.withUnsafeMutableBufferPointer { q.apply($0.baseAddress!, scratch: scratch) }
            let norm0 = original.reduce(0) { $0 + $1 * $1 }, norm1 = x.reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm0 - norm1) < 1e-10 * norm0)
            if n > 4 { #expect(zip(x, original).contains { abs($0 - $1) > 1e-3 }) }
            x.withUnsafeMutableBufferPointer { q.applyTranspose($0.baseAddress!, scratch: scratch) }
            #expect(zip(x, original).allSatisfy { abs($0 - $1) < 1e-12 })
        }
    }

    // MARK: output options reach the file

    static func read(_ path: String) throws -> (NPYFile, [Double]) {
        let file = try NPYFile(path: path)
        var values: [Double] = []
        for r in 0..<file.rows { for c in 0..<file.columns { values.append(file.element(r, c)) } }
        return (file, values)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-synth-\(UUID().uuidString)-\(name)").path
    }

    @Test func precisionKindAndQuantisationAreHonoured() throws {
        let model = Self.smallBias
        let exact = model.logprobs(samples: 0..<9)
        let logits = model.logits(samples: 0..<9)

        let p64 = Self.temporaryPath("f64.npy"), p32 = Self.temporaryPath("f32.npy")
        let p16 = Self.temporaryPath("f16q.npy"), pl = Self.temporaryPath("logits.npy")
        defer { for p in [p64, p32, p16, pl] { try? FileManager.default.removeItem(atPath: p) } }

        try model.writeNPY(path: p64, samples: 9, precision: .float64)
        let (f64, v64) = try Self.read(p64)
        #expect(f64.scalar == .float64 && f64.rows == 9 && f64.columns == 150)
        #expect(v64 == exact)

        try model.writeNPY(path: p32, samples: 9, precision: .float32)
        let (f32, v32) = try Self.read(p32)
        #expect(f32.scalar == .float32)
        #expect(v32 == exact.map { Double(Float($0)) })

        try model.writeNPY(path: pl, samples: 9, kind: .logits, precision: .float64)
        #expect(try Self.read(pl).1 == logits)

        let step = 0.0625
        try model.writeNPY(path: p16, samples: 9, precision: .float16, quantize: step)
        let (f16, v16) = try Self.read(p16)
        #expect(f16.scalar == .float16)
        for (stored, x) in zip(v16, exact) {
            let rounded = (x / step).rounded() * step
            #expect(stored == Double(Float16(rounded)))
            if abs(x) < 128 { #expect(stored == rounded) }  // multiples of 1/16 below 128 are exact in float16
        }
    }

    @Test func noiseRaisesTheRankAndIsReproducible() throws {
        let a = Self.temporaryPath("noise-a.npy"), b = Self.temporaryPath("noise-b.npy")
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        try Self.small.writeNPY(path: a, samples: 40, precision: .float64, noise: 0.05)
        try Self.small.writeNPY(path: b, samples: 40, precision: .float64, noise: 0.05)
        let (_, va) = try Self.read(a), (_, vb) = try Self.read(b)
        #expect(va == vb)
        let s = try Self.spectrum(va, n: 40, v: 150, centreRows: true, centreColumns: false)
        #expect(s[12] > s[0] * 1e-4)  // the cliff is now a step down to the noise floor, not to zero
        #expect(s[11] / s[12] > 2)     // …but still visible at σ = 0.05
    }

    @Test func badOptionsAreRejected() {
        let path = Self.temporaryPath("never.npy")
        #expect(throws: SyntheticModelError.self) { try Self.small.writeNPY(path: path, samples: 3, noise: -1) }
        #expect(throws: SyntheticModelError.self) { try Self.small.writeNPY(path: path, samples: 3, quantize: 0) }
        #expect(throws: SyntheticModelError.self) { try Self.small.writeNPY(path: path, samples: 0) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
