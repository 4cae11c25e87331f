import Foundation
import Testing
import RankProbeSynth
import RankProbeDetect

/// Spectra built to the shape real models show: `dominant` large leading values, a power-law bulk down
/// to index d, then a cliff of `cliffDecades` onto a slightly noisy floor.
func realisticSpectrum(d: Int, m: Int, dominant: Int = 3, cliffDecades: Double = 3, alpha: Double = 0.8,
                       seed: UInt64 = 1) -> [Double] {
    var rng = SplitMix(seed)
    var s: [Double] = []
    for i in 1...m {
        if i <= dominant {
            s.append(1e3 * pow(0.3, Double(i - 1)))
        } else if i <= d {
            s.append(30 * pow(Double(i), -alpha))
        } else {
            let edge = 30 * pow(Double(d), -alpha)
            s.append(edge * pow(10, -cliffDecades) * (1 + 0.2 * rng.uniform()))
        }
    }
    return s.sorted(by: >)
}

/// The shared SplitMix64 stream from `seed`, with the uniforms these tests were written with.
struct SplitMix {
    var core: SplitMix64
    init(_ seed: UInt64) { core = SplitMix64(state: seed) }
    mutating func next() -> UInt64 { core.next() }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Test func findsTheCliffNotTheEarlyGap() {
    // σ1/σ_d ≈ 2000 and a ×1000 cliff: within what a float64 Gram resolves (≈ 10^6.6 below σ1).
    let sv = realisticSpectrum(d: 4096, m: 4399, alpha: 0.5)
    // The early gap (σ1/σ2 = 3.3) is the largest neighbour ratio among the first values, but the cliff
    // after 4096 is ×1000.
    let r = Detector().detect(singularValues: sv, samples: 4400, columns: 32000)
    #expect(r.verdict == .ok)
    #expect(r.rank == 4096)
    #expect(r.confidence == .high)
    #expect(r.dominantDirections == 3)
    let floor = try! #require(r.noiseFloor)
    #expect(floor < sv[4095] / 500 && floor > sv[4398] / 2)
}

@Test func earlyGapLargerThanCliffIsStillNotTheAnswer() {
    // A 10× massive-activation gap and only a 30× cliff: the largest ratio is elsewhere when the bulk is
    // steep, but the cliff is the only drop onto a flat floor.
    var sv = realisticSpectrum(d: 500, m: 700, dominant: 1, cliffDecades: 1.5)
    sv[0] = sv[1] * 40
    let r = Detector().detect(singularValues: sv, samples: 701, columns: 5000)
    #expect(r.verdict == .ok)
    #expect(r.rank == 500)
}

@Test func noCliffWhenSamplesDoNotExceedTheHiddenSize() {
    // 4000 samples of a 4096-dim model: the power law runs to the end.
    let sv = Array(realisticSpectrum(d: 4096, m: 4399).prefix(3999))
    let r = Detector().detect(singularValues: sv, samples: 4000, columns: 32000)
    #expect(r.verdict == .insufficient, "\(r.explanation) \(r.candidates)")
    #expect(r.rank == nil)
    #expect(r.lowerBound == 3999)
    #expect((r.suggestedSamples ?? 0) > 4000)
}

@Test func unstructuredNoiseIsInsufficientWithAWarning() {
    // Marchenko–Pastur-like: 300 × 2000 Gaussian noise, values between (1 ± √0.15)·√2000.
    var rng = SplitMix(7)
    let sv = (0..<299).map { _ in sqrt(2000.0) * (0.62 + 0.76 * rng.uniform()) }.sorted(by: >)
    let r = Detector().detect(singularValues: sv, samples: 300, columns: 2000)
    #expect(r.verdict == .insufficient)
    #expect(r.warnings.contains { $0.contains("noise") })
}

@Test func weakShelfAboveTheNoiseIsSignal() {
    // Signal to 300, a ×300 drop to a shelf of 100 values, then a ×100 drop to a floor of 200: the shelf
    // stands far above the noise, so its 100 directions are signal (the old "deepest cliff" rule called
    // this ambiguous between 300 and 400). The report names the shelf.
    var sv: [Double] = []
    for i in 1...300 { sv.append(100 * pow(Double(i), -0.5)) }
    let edge = sv.last!
    for _ in 0..<100 { sv.append(edge / 300) }
    for _ in 0..<200 { sv.append(edge / 300 / 100) }
    let r = Detector().detect(singularValues: sv, samples: 601, columns: 5000)
    #expect(r.verdict == .ok)
    #expect(r.rank == 400)
    #expect(r.shelf?.first == 301 && r.shelf?.last == 400)
    #expect(abs((r.shelf?.drop ?? 0) - 300) < 1e-6)
}

@Test func fiveFoldDropOntoAFittedBulkIsEnough() {
    // A ×5 drop onto 200 values that form a noise bulk: the weakest direction is ≈ 10× the detection
    // threshold σ(np)^¼, which the flat-floor rule (×10 or nothing) used to call ambiguous.
    let sv = realisticSpectrum(d: 200, m: 400, dominant: 2, cliffDecades: 0.7)
    let r = Detector().detect(singularValues: sv, samples: 401, columns: 5000)
    #expect(r.verdict == .ok)
    #expect(r.rank == 200)
    #expect(r.noise.source == .bulkFit)
    #expect((r.noise.margin ?? 0) > 5)
}

@Test func cliffWhereColumnsRunOutIsNotAHiddenSize() {
    // 800 samples but only 301 token columns: everything past 300 is exactly zero, and the signal (d =
    // 2000) has not ended there. Any lower bound must be ≤ 300, and the advice is more columns.
    var sv = Array(realisticSpectrum(d: 2000, m: 2000).prefix(300))
    sv += [Double](repeating: 0, count: 499)
    let r = Detector().detect(singularValues: sv, samples: 800, columns: 301)
    #expect(r.verdict == .insufficient)
    #expect((r.lowerBound ?? 0) >= 1 && (r.lowerBound ?? 1000) <= 300)
    #expect(r.suggestedColumns != nil)
    #expect(r.rank == nil)
}

@Test func handCheckedTinySpectrum() {
    // σ = 8, 4, 2, then 1e-3 ×4: the only drop onto a flat tail is after index 3 (×2000).
    let sv = [8.0, 4, 2, 1e-3, 1e-3, 1e-3, 1e-3]
    let r = Detector().detect(singularValues: sv, samples: 8, columns: 100)
    #expect(r.verdict == .ok)
    #expect(r.rank == 3)
    #expect(abs(r.candidates[0].ratio - 2000) < 1e-9)
    #expect(r.confidence == .medium) // only 4 values in the tail
}

@Test func zeroSpectrumIsInsufficient() {
    let r = Detector().detect(singularValues: [0, 0, 0], samples: 4, columns: 10)
    #expect(r.verdict == .insufficient)
}

@Test func roundingNoiseGivesAnHonestLowerBound() {
    // 300 signal values decaying from 100 to 3.25, then 200 values of rounding noise from 3.2 down to 2:
    // the signal runs into the noise with no gap, so no hidden size can be read. The old detector said
    // "at least 500" here — counting the 200 noise values as signal. Any bound must now be ≤ 300, with
    // or without the grid's noise level.
    var sv: [Double] = (1...300).map { 100 * pow(Double($0), -0.6) }
    sv += (0..<200).map { 3.2 - 1.2 * Double($0) / 200 }
    sv.sort(by: >)
    let plain = Detector().detect(singularValues: sv, samples: 501, columns: 5000)
    #expect(plain.verdict == .insufficient)
    #expect((plain.lowerBound ?? 0) >= 1 && (plain.lowerBound ?? 1000) <= 300)
    let sigma = 2.6 / (5000.0.squareRoot() + 501.0.squareRoot())
    let aware = Detector().detect(singularValues: sv, samples: 501, columns: 5000, known: [KnownNoise(source: .grid, sigma: sigma)])
    #expect(aware.verdict == .insufficient)
    #expect((aware.lowerBound ?? 0) >= 1 && (aware.lowerBound ?? 1000) <= 300)
    #expect(aware.noise.known == [KnownNoise(source: .grid, sigma: sigma)])
}
