import Foundation
import Testing
import RankProbe
import RankProbeMatrix
import RankProbeNPY
import RankProbeSynth

/// The detector on a real model's outputs: SmolLM2-135M (d = 576, RMSNorm, no output bias), 1000 prompts ×
/// 1280 token columns of float32 logits (`Tests/Fixtures/SmolLM2`, made by `Scripts/make-smollm2-fixture.py`).
/// Each test serves them the way a real server or recorder would — bfloat16 logits, batch jitter, an API's
/// 1/16-nat grid, float16 storage, Gaussian noise — and pins the verdict. The truth is 576 in every case.
@Suite(.serialized) struct SmolLM2Served {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/SmolLM2")
    static let d = 576

    /// Row-major float64 logits and each row's full-vocabulary log-sum-exp.
    static let data: (logits: [Double], lse: [Double], rows: Int, columns: Int) = {
        let file = try! NPYFile(path: fixtures.appendingPathComponent("logits.npy").path)
        var logits = [Double](repeating: 0, count: file.rows * file.columns)
        for r in 0..<file.rows { for c in 0..<file.columns { logits[r * file.columns + c] = file.element(r, c) } }
        // logsumexp.npy is 1-D (the reader takes only 2-D dumps): a version-1.0 header, then float64s.
        let bytes = try! Data(contentsOf: fixtures.appendingPathComponent("logsumexp.npy"))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let lse = bytes.subdata(in: (10 + headerLength)..<bytes.count).withUnsafeBytes { raw in
            (0..<file.rows).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
        }
        return (logits, lse, file.rows, file.columns)
    }()

    /// Writes log-probabilities `serve(logit, row, column) − lse(row)` of the first `rows` prompts and estimates.
    func estimate(rows: Int = data.rows, scalar: NPYScalar = .float32, quantize: Double? = nil,
                  _ serve: (Double, inout SyntheticRandom) -> Double = { x, _ in x }) throws -> EstimateResult {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("smollm2.npy").path
        let v = Self.data.columns
        var random = SyntheticRandom(seed: 576, purpose: .noise)
        try NPYWriter.write(path: path, rows: rows, columns: v, scalar: scalar) { r, row in
            for c in 0..<v {
                var x = serve(Self.data.logits[r * v + c], &random) - Self.data.lse[r]
                if let quantize { x = (x / quantize).rounded() * quantize }
                row[c] = x
            }
        }
        return try Estimator.estimate(paths: [path], options: EstimateOptions(hashInputs: false))
    }

    @Test func float32Outputs() throws {
        let r = try estimate()
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
        #expect(r.confidence == "high")
        // RMSNorm, no lm-head bias: the data-calibrated test must not report one (the old cut did).
        #expect(r.outputBias == false)
        #expect(r.readings.map(\.hiddenDim) == [576, 577])
    }

    @Test func bfloat16Logits() throws {
        let r = try estimate { x, _ in SyntheticModel.bfloat16(x) }
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
        #expect(r.noiseModel?.source == "bulk_fit")
        // Rounding of ≈ 0.02 per entry: the bulk edge sits near 1, the weakest direction near 3.6.
        #expect((r.noiseModel?.edge ?? 0) > 0.8 && (r.noiseModel?.edge ?? 9) < 1.2)
        #expect(r.outputBias == false)
    }

    @Test func bfloat16LogitsWithBatchJitter() throws {
        let r = try estimate { x, random in SyntheticModel.bfloat16(x * (1 + 0.002 * random.normal())) }
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
    }

    @Test func jitterThatNearlyHidesTheLastDirection() throws {
        // 0.8 % relative jitter puts the bulk's top within ×1.05 of σ_576: no confident answer, but the bound
        // and the candidates are true ones.
        let r = try estimate { x, random in SyntheticModel.bfloat16(x * (1 + 0.008 * random.normal())) }
        #expect(r.status == .ambiguous, "\(r.message)")
        #expect(r.lowerBound == Self.d)
        #expect(r.candidates.contains { $0.dim == Self.d })
    }

    @Test func gaussianServingNoise() throws {
        let r = try estimate { x, random in x + 0.02 * random.normal() }
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
    }

    @Test func sixteenthOfANatGrid() throws {
        let r = try estimate(quantize: 0.0625)
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
        #expect(r.warnings.contains { $0.contains("grid of step 0.0625") })
    }

    @Test func float16Storage() throws {
        let r = try estimate(scalar: .float16)
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
        #expect(r.noiseModel?.source == "grid")
    }

    @Test func twoSamplesMoreThanTheHiddenSize() throws {
        // 578 prompts leave 577 dimensions: 576 of signal and one of noise — too little to see a bulk, so no
        // answer; the bound must still be true (the old detector said "at least 577").
        let r = try estimate(rows: 578)
        #expect(r.status == .insufficient, "\(r.message)")
        #expect(r.lowerBound == Self.d)
        #expect((r.suggestedSamples ?? 0) > 578)
    }

    @Test func aModestMarginOfSamples() throws {
        let r = try estimate(rows: 700)
        #expect(r.status == .ok && r.hiddenDim == Self.d, "\(r.message)")
    }
}
