import Foundation
import Testing
import RankProbe
import RankProbeNPY
import RankProbeSynth

/// A fresh temporary directory per test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-it-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Estimates, then deletes the inputs' directories (the 4096-dim dumps are 70–140 MB each).
func estimate(_ paths: [String]) throws -> EstimateResult {
    defer {
        for p in paths { try? FileManager.default.removeItem(at: URL(fileURLWithPath: p).deletingLastPathComponent()) }
    }
    return try Estimator.estimate(paths: paths, options: EstimateOptions(hashInputs: false))
}

/// Regression tests against synthetic 4096-dimensional models (the size gpt-3.5-turbo was found to have).
/// 4400 samples, 8192 token columns: enough of both to see the cliff with ~300 values of floor after it.
@Suite(.serialized) struct Regression4096 {
    static let d = 4096, n = 4400, v = 8192

    func dump(bias: Bool = false, samples: Int = n, precision: NPYScalar = .float32, noise: Double = 0,
              quantize: Double? = nil, seed: UInt64 = 42) throws -> String {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("model.npy").path
        let model = SyntheticModel(hidden: Self.d, vocab: Self.v, seed: seed, bias: bias)
        try model.writeNPY(path: path, samples: samples, precision: precision, noise: noise, quantize: quantize)
        return path
    }

    @Test func exactRecovery() throws {
        let r = try estimate([dump()])
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 4096)
        #expect(r.outputBias == false)
        #expect(r.confidence == "high")
        #expect(r.samples == 4400 && r.columns == 8192)
        #expect(r.singularValues.count == 4399)
        #expect((r.gap?.ratio ?? 0) > 100)
    }

    @Test func withOutputBias() throws {
        let r = try estimate([dump(bias: true, seed: 43)])
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 4096)
        #expect(r.outputBias == true)
    }

    @Test func float16PlusServingNoise() throws {
        // float16 storage (grid noise known from the values) plus 1e-3 of serving noise on the logits: both
        // far below the weakest direction, so the answer stands, with the noise model saying where from.
        let r = try estimate([dump(precision: .float16, noise: 1e-3, seed: 44)])
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 4096)
        #expect(r.noiseModel?.known.contains { $0.source == "grid" } == true)
    }

    @Test func sixteenthOfANatRounding() throws {
        // An API's 1/16-nat grid: uniform rounding noise of 0.018 per entry, an i.i.d. bulk the fit reads.
        let r = try estimate([dump(quantize: 0.0625, seed: 45)])
        #expect(r.status == .ok, "\(r.message)")
        #expect(r.hiddenDim == 4096)
        #expect(r.warnings.contains { $0.contains("grid of step 0.0625") })
    }

    @Test func fewerSamplesThanTheHiddenSize() throws {
        let r = try estimate([dump(samples: 3000, seed: 46)])
        #expect(r.status == .insufficient)
        #expect(r.hiddenDim == nil)
        #expect(r.lowerBound == 2999)
        #expect((r.suggestedSamples ?? 0) > 3000)
    }

    @Test func stackedFilesAreRows() throws {
        // The same model split over two files (rows 0..<2200 and 2200..<4400) gives the same spectrum.
        let dir = try temporaryDirectory()
        let model = SyntheticModel(hidden: Self.d, vocab: Self.v, seed: 47)
        let a = dir.appendingPathComponent("a.npy").path, b = dir.appendingPathComponent("b.npy").path
        try model.writeNPY(path: a, samples: 0..<2200)
        try model.writeNPY(path: b, samples: 2200..<4400)
        let r = try estimate([a, b])
        #expect(r.status == .ok && r.hiddenDim == 4096 && r.samples == 4400)
    }
}

@Test func pureNoiseIsInsufficient() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("noise.npy").path
    var state: UInt64 = 99
    try NPYWriter.write(path: path, rows: 400, columns: 3000, scalar: .float32) { _, row in
        for j in 0..<row.count {
            // Sum of 12 uniforms − 6: a cheap, adequate Gaussian.
            var s = -6.0
            for _ in 0..<12 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                s += Double(state >> 11) / Double(1 << 53)
            }
            row[j] = -10 + s
        }
    }
    let r = try estimate([path])
    #expect(r.status == .insufficient)
    #expect(r.hiddenDim == nil)
    #expect(r.warnings.contains { $0.contains("noise") })
}

@Test func smallModelEndToEndWithNonFiniteColumns() throws {
    // d = 48 model; three token columns are −inf for every prompt (masked tokens) and one is NaN once.
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("masked.npy").path
    let model = SyntheticModel(hidden: 48, vocab: 600, seed: 5)
    let rows = model.logprobs(samples: 0..<200)
    try NPYWriter.write(path: path, rows: 200, columns: 600, scalar: .float64) { r, row in
        for j in 0..<600 { row[j] = rows[r * 600 + j] }
        row[10] = -.infinity; row[11] = -.infinity; row[12] = -.infinity
        if r == 7 { row[300] = .nan }
    }
    let r = try estimate([path])
    #expect(r.status == .ok)
    #expect(r.hiddenDim == 48)
    #expect(r.columns == 596 && r.columnsDropped == 4)
    #expect(r.warnings.contains { $0.contains("dropped 4 of 600 token columns") })
}
