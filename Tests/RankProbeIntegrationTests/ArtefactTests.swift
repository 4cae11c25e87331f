import Foundation
import Testing
import RankProbe
import RankProbeNPY
import RankProbeSynth

/// Synthetic models carrying the artefacts of real ones (see `SyntheticArtefacts`, `ServingArtefacts`),
/// each verdict pinned. d = 256, V = 3000, N = 600 unless said otherwise.
@Suite(.serialized) struct SyntheticArtefactVerdicts {
    func run(hidden: Int = 256, samples: Int = 600, vocab: Int = 3000, seed: UInt64 = 1,
             artefacts: SyntheticArtefacts = .none, serving: ServingArtefacts = .none, noise: Double = 0) throws -> EstimateResult {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.npy").path
        let model = SyntheticModel(hidden: hidden, vocab: vocab, seed: seed, artefacts: artefacts)
        try model.writeNPY(path: path, samples: samples, noise: noise, serving: serving)
        return try Estimator.estimate(paths: [path], options: EstimateOptions(hashInputs: false))
    }

    @Test func layerNormWithoutShiftMeasuresOneLess() throws {
        // LayerNorm confines h to γ ⊙ 1⊥: rank d − 1. Both readings are reported, and no offset is found.
        let r = try run(artefacts: SyntheticArtefacts(norm: .layerNorm))
        #expect(r.status == .ok && r.rank == 255 && r.hiddenDim == 255, "\(r.message)")
        #expect(r.outputBias == false)
        #expect(r.readings == [.init(architecture: "RMSNorm", hiddenDim: 255),
                               .init(architecture: "LayerNorm without a shift", hiddenDim: 256)])
    }

    @Test func layerNormShiftIsAnOffset() throws {
        // The shift β is constant across prompts: an offset outside the varying part, like an output bias.
        let r = try run(artefacts: SyntheticArtefacts(norm: .layerNormShift))
        #expect(r.status == .ok && r.rank == 255, "\(r.message)")
        #expect(r.outputBias == true)
        #expect(r.readings.map(\.hiddenDim) == [255, 256])
        let test = try #require(r.biasTest)
        #expect(test.residual < (test.cut ?? 0))
    }

    @Test func weakDirectionsFormAShelfThatCounts() throws {
        // The last 8 hidden directions vary 50× less than the others: a shelf far above the float64 floor.
        let r = try run(artefacts: SyntheticArtefacts(weakDirections: 8))
        #expect(r.status == .ok && r.hiddenDim == 256, "\(r.message)")
        let shelf = try #require(r.shelf)
        #expect(shelf.last == 256 && shelf.first > 240)
    }

    @Test func fastDecayingUnembedding() throws {
        let r = try run(artefacts: SyntheticArtefacts(unembeddingExponent: 1))
        #expect(r.status == .ok && r.hiddenDim == 256, "\(r.message)")
    }

    @Test func bfloat16LogitsOfAModelWithMassiveActivations() throws {
        // bf16 rounding of this model's large logits is strongly non-uniform: its bulk's top values stand
        // up to ×1.4 above the fitted edge, detached like weak signal. No answer may be printed, and the
        // bound must be the truth.
        let r = try run(serving: ServingArtefacts(bfloat16Logits: true))
        #expect(r.status == .ambiguous, "\(r.message)")
        #expect(r.lowerBound == 256)
        #expect(r.candidates.contains { $0.dim == 256 })
    }

    @Test func bfloat16LogitsWithJitter() throws {
        let r = try run(serving: ServingArtefacts(bfloat16Logits: true, jitter: 0.002), noise: 0)
        #expect(r.status == .ambiguous, "\(r.message)")
        #expect(r.lowerBound == 256)
    }

    @Test func samplesJustAboveTheHiddenSize() throws {
        // N = d + 14: a floor of 13 values, enough to fit. The answer holds, with a warning on the short tail.
        let r = try run(samples: 270)
        #expect(r.status == .ok && r.hiddenDim == 256, "\(r.message)")
        #expect(r.warnings.contains { $0.contains("singular values lie after the signal") })
    }

    @Test func gaussianNoiseAtTwiceTheThreshold() throws {
        // σ_d measured on the clean dump; noise at σ_d / (2 (NV)^¼) keeps the weakest direction at 2× the
        // detection threshold, the lowest level `ok` is promised at; at 1.2× only a true bound is given.
        let clean = try run()
        let sd = clean.singularValues[255]
        let r = try run(noise: sd / (2 * pow(600.0 * 3000, 0.25)))
        #expect(r.status == .ok && r.hiddenDim == 256, "\(r.message)")
        let weaker = try run(noise: sd / (1.2 * pow(600.0 * 3000, 0.25)))
        #expect(weaker.status == .insufficient, "\(weaker.message)")
        #expect((weaker.lowerBound ?? 0) <= 256 && (weaker.lowerBound ?? 0) >= 200)
    }
}
