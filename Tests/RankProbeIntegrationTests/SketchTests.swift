import Foundation
import Testing
import RankProbe
import RankProbeNPY
import RankProbeSynth

/// The sketched spectrum against the exact one on wide vocabularies (V = 16000 ≥ 6N), each verdict pinned
/// on both routes and on `auto`, which must give the exact route's verdict.
@Suite(.serialized) struct SketchVerdicts {
    static let n = 400, v = 16000

    /// N × V of r planted directions of strength `strength` (singular values, random orthogonal-ish
    /// directions) plus Gaussian noise σ per entry, shifted per row as log-probabilities are.
    /// `weak` adds a second tier of directions, weaker still.
    func planted(rank r: Int, strength: Double, weak: (rank: Int, strength: Double)? = nil, sigma: Double,
                 seed: UInt64) throws -> String {
        let n = Self.n, v = Self.v
        var state = seed
        func gaussian() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = (Double(state >> 11) + 0.5) / Double(1 << 53)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let b = Double(state >> 11) / Double(1 << 53)
            return (-2 * log(a)).squareRoot() * cos(2 * .pi * b)
        }
        func unit(_ count: Int) -> [Double] {
            let x = (0..<count).map { _ in gaussian() }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return x.map { $0 / norm }
        }
        let all = r + (weak?.rank ?? 0)
        let u = (0..<all).map { _ in unit(n) }, w = (0..<all).map { _ in unit(v) }
        let scale = (0..<all).map { $0 < r ? strength : weak!.strength }
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("planted.npy").path
        try NPYWriter.write(path: path, rows: n, columns: v, scalar: .float64) { i, row in
            let shift = -12 + gaussian()
            for j in 0..<v {
                var s = shift + sigma * gaussian()
                for k in 0..<all { s += scale[k] * u[k][i] * w[k][j] }
                row[j] = s
            }
        }
        return path
    }

    func run(_ path: String, _ choice: SpectrumChoice) throws -> EstimateResult {
        var options = EstimateOptions(hashInputs: false)
        options.spectrum = choice
        options.sketchColumns = 2 * Self.n  // the default width, pinned against RANKPROBE_SKETCH_COLUMNS
        return try Estimator.estimate(paths: [path], options: options)
    }

    /// The exact route's detection threshold σ(NV)^¼ in singular-value units.
    static let threshold = pow(Double(n * v), 0.25)

    @Test func pureNoiseBulkIsFittedAtTheTrueSigmaOnBothRoutes() throws {
        let path = try planted(rank: 0, strength: 0, sigma: 0.5, seed: 1)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        for choice in [SpectrumChoice.exact, .sketch, .auto] {
            let r = try run(path, choice)
            #expect(r.status == .insufficient, "\(choice): \(r.message)")
            #expect(r.noiseModel?.source == "bulk_fit")
            // The per-entry σ is the same on both routes (S has orthonormal columns); MP quantile fits on
            // 399 values scatter by ~1 %.
            let sigma = r.noiseModel?.bulkFit?.sigma ?? 0
            #expect(abs(sigma / 0.5 - 1) < 0.03, "\(choice): fitted σ \(sigma)")
            // The bulk's top value sits at the MP edge of the matrix the route computed.
            let stretch = r.noiseModel?.bulkFit?.stretch ?? 0
            #expect(stretch > 0.97 && stretch < 1.05, "\(choice): stretch \(stretch)")
        }
        let auto = try run(path, .auto)
        #expect(auto.spectrum?.method == "exact")
        #expect(auto.spectrum?.sketchTrial?.status == "insufficient")
        #expect(try run(path, .sketch).spectrum?.modelColumns == 801)
    }

    @Test func weakSignalTheSketchCannotConfirmFallsBackToExact() throws {
        // 20 directions at 3× the exact threshold: the exact route counts them (ok, margin ≈ 3); in the
        // sketch (V/m = 20) they stand ≈ 3/20^¼ ≈ 1.4× its threshold, too weak for ok.
        let path = try planted(rank: 20, strength: 3 * Self.threshold, sigma: 1, seed: 2)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let exact = try run(path, .exact)
        #expect(exact.status == .ok && exact.rank == 20, "\(exact.message)")
        let sketch = try run(path, .sketch)
        #expect(sketch.status == .insufficient, "\(sketch.message)")
        #expect(sketch.spectrum?.method == "sketch")
        let auto = try run(path, .auto)
        #expect(auto.status == exact.status && auto.rank == exact.rank && auto.confidence == exact.confidence)
        #expect(auto.spectrum?.method == "exact")
        #expect(auto.spectrum?.sketchTrial?.status == "insufficient")
        #expect(auto.spectrum?.reason.contains("re-run exactly") == true)
    }

    @Test func strongSignalIsReadFromTheSketch() throws {
        // 20 directions at 12× the exact threshold: ≈ 5.6× the sketch's, a wide margin.
        let path = try planted(rank: 20, strength: 12 * Self.threshold, sigma: 1, seed: 3)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let exact = try run(path, .exact)
        #expect(exact.status == .ok && exact.rank == 20 && exact.confidence == "high", "\(exact.message)")
        let auto = try run(path, .auto)
        #expect(auto.spectrum?.method == "sketch", "\(auto.spectrum?.reason ?? "")")
        // The sketch's own confidence is high; a sketched count is reported at most medium, with the band of
        // strengths it cannot see: from the exact threshold σ(NV)^¼ to (V/m)^¼ = 20^¼ times it.
        #expect(auto.spectrum?.sketchTrial?.confidence == "high")
        #expect(auto.status == .ok && auto.rank == 20 && auto.confidence == "medium", "\(auto.message)")
        let band = try #require(auto.spectrum?.blindBand)
        #expect(abs(band[0] / Self.threshold - 1) < 0.03 && abs(band[1] / band[0] - pow(20, 0.25)) < 1e-9)
        #expect(auto.warnings.contains { $0.hasPrefix("read from a sketch of the 16000 token columns into 800") })
        #expect(auto.spectrum?.sketchColumns == 800)
        // Noise per entry is 1 on both routes.
        for r in [exact, auto] { #expect(abs((r.noiseModel?.sigma ?? 0) - 1) < 0.03) }
        // Signal values shrink by ≈ √(m/V) in the sketch: σ_1 · scale is the exact σ_1 within the
        // projection's spread (each direction keeps m/V of its energy ± √(2/m) ≈ 5 %, amplitude ± 2.5 %).
        let scaled = auto.singularValues[0] * (auto.spectrum?.scale ?? 0)
        #expect(abs(scaled / exact.singularValues[0] - 1) < 0.1)
    }

    @Test func weakTierInsideTheSketchsBlindBandIsNamed() throws {
        // 20 directions at 12× the exact threshold and 10 more at 2×. The exact route sees the weak tier
        // (at 2× its threshold: too close to call, ambiguous, at least 20). In the sketch (V/m = 20, its
        // threshold 20^¼ ≈ 2.1× the exact one) the weak tier stands at ≈ 0.95× the threshold and leaves no
        // trace, while the strong tier has a wide margin: the sketch reads ok 20. No route cheaper than
        // the exact Gram can see such a tier, so the sketched answer carries the band it is blind to — and
        // the weak tier's strength lies inside it — a warning saying so, and medium confidence.
        let weak = 2 * Self.threshold
        let path = try planted(rank: 20, strength: 12 * Self.threshold, weak: (10, weak), sigma: 1, seed: 4)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let exact = try run(path, .exact), auto = try run(path, .auto)
        #expect(exact.status == .ambiguous && exact.lowerBound == 20, "\(exact.message)")
        #expect(auto.spectrum?.method == "sketch")
        #expect(auto.status == .ok && auto.rank == 20 && auto.confidence == "medium", "\(auto.message)")
        let band = try #require(auto.spectrum?.blindBand)
        #expect(band[0] < weak && weak < band[1], "weak tier \(weak) outside the band \(band)")
        #expect(auto.warnings.contains { $0.contains("--exact rules them out") })
    }

    @Test func syntheticModelWithOutputBiasSameOnBothRoutes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.npy").path
        try SyntheticModel(hidden: 64, vocab: Self.v, seed: 9, bias: true).writeNPY(path: path, samples: Self.n)
        let exact = try run(path, .exact), auto = try run(path, .auto)
        #expect(auto.spectrum?.method == "sketch", "\(auto.spectrum?.reason ?? "")")
        for r in [exact, auto] {
            #expect(r.status == .ok && r.rank == 64, "\(r.message)")
            #expect(r.outputBias == true)
        }
    }

    @Test func structuredNoiseTheSketchAveragesAwayFallsBackToExact() throws {
        // bf16 logits of a model with massive activations (d = 256, N = 600): the exact route reads the
        // structured rounding noise as signal fading into the bulk (insufficient, a bound ≥ 256); the
        // sketch, summing ~13 tokens per column, says ok 256 over a bulk that is not MP (stretch ≈ 1.2).
        // The verdicts differ, so auto must run exactly.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bf16.npy").path
        try SyntheticModel(hidden: 256, vocab: Self.v, seed: 1)
            .writeNPY(path: path, samples: 600, serving: ServingArtefacts(bfloat16Logits: true))
        let exact = try run(path, .exact), sketch = try run(path, .sketch), auto = try run(path, .auto)
        #expect(exact.status == .insufficient && (exact.lowerBound ?? 0) >= 256, "\(exact.message)")
        // A forced sketch's ok over a bulk that is not MP is reported as what it shows: a lower bound.
        #expect(sketch.spectrum?.sketchTrial?.status == "ok" && sketch.spectrum?.sketchTrial?.rank == 256)
        #expect(sketch.status == .insufficient && sketch.lowerBound == 256 && sketch.rank == nil, "\(sketch.message)")
        #expect((sketch.noiseModel?.bulkFit?.stretch ?? 0) > 1.1)
        #expect(auto.spectrum?.method == "exact")
        #expect(auto.spectrum?.sketchTrial?.status == "ok")
        #expect(auto.spectrum?.reason.contains("not Marchenko–Pastur") == true)
        #expect(auto.status == exact.status && auto.lowerBound == exact.lowerBound && auto.rank == nil)
    }
}
