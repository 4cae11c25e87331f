import Foundation
import RankProbeDetect
import RankProbeMatrix
import RankProbeSpectrum

/// Which Gram the spectrum step builds (`--exact`, `--sketch`; `auto` by default).
public enum SpectrumChoice: String, Sendable, CaseIterable {
    case auto, exact, sketch
}

/// The spectrum step's outcome: the values the detector read, its detection, and how they were made.
struct SpectrumOutcome {
    var singularValues: [Double]
    var detection: Detection
    var gram: CentredGram?
    var report: EstimateResult.SpectrumReport
    var gramSeconds: Double
    var eigenSeconds: Double
}

extension Estimator {
    /// `auto` sketches only when V ≥ this many times the sketch width: below it the `dsyrk` flops saved
    /// (N²(V − m)) are small next to what a rejected sketch costs (its own eigensolve, N³-sized).
    static let sketchMinimumRatio = 3

    /// The row-centred spectrum and its detection, by the exact Gram or a sketch of the token columns.
    ///
    /// **When the sketch is trusted.** It keeps the signal's rank but not its strength: directions lose
    /// energy (≈ m/V, the weakest of d about (m − d)/V) while the noise keeps its per-entry σ, so the
    /// detection threshold in exact units rises by (V/m)^¼ or more (see `TokenSketch`). A direction the
    /// exact route would count may therefore sink into the sketch's bulk. `auto` accepts the sketch's
    /// verdict only when it is `ok` with high confidence — the weakest counted direction ≥ `highMargin`
    /// (4×) the sketch's own threshold, a bulk of at least `confidentTail` values — and no weak shelf
    /// (a second, weaker tier of signal is exactly what could hide a third, invisible one), and a bulk
    /// that fits the Marchenko–Pastur law (`cleanBulk`: structured noise is read differently by the two
    /// routes). Anything else is re-run exactly, and `spectrum.sketch_trial` says what the sketch saw. The sketch cannot
    /// rule out a tier of directions between the exact and the sketched thresholds that leaves no trace
    /// in the sketch; `--exact` is the answer for data where that matters.
    static func spectrum(source: SampleSource, scan: FinitenessScan, known: [KnownNoise],
                         options: EstimateOptions) throws -> SpectrumOutcome {
        let n = scan.keptRows.count, v = scan.keptColumns.count
        let requested = effectiveChoice(options)
        if v < n {
            // Fewer tokens than prompts (typical of API logs): the token-side Gram is the smaller problem.
            options.progress?("Gram matrix \(v)×\(v) over \(n) samples")
            let clock = ContinuousClock(), t0 = clock.now
            let sv = try ColumnGram.singularValues(source, scan: scan)
            let detection = options.detector.detect(singularValues: sv, samples: n, columns: v, known: known)
            let reason = "fewer token columns (\(v)) than samples (\(n)): the exact \(v) × \(v) token-side Gram is the smaller problem"
                + (requested == .sketch ? "; --sketch applies only to the sample-side Gram" : "")
            return SpectrumOutcome(singularValues: sv, detection: detection, gram: nil,
                                   report: .init(method: "exact", requested: requested.rawValue, reason: reason),
                                   gramSeconds: seconds(clock.now - t0), eigenSeconds: 0)
        }
        let m = min(v, sketchWidth(options, samples: n) ?? TokenSketch.defaultWidth(samples: n, columns: v))
        var trial: EstimateResult.SketchTrial? = nil
        var reason: String
        switch requested {
        case .exact:
            reason = "--exact"
        case .sketch:
            var run = try sketched(source: source, scan: scan, width: m, known: known, options: options)
            run.report.reason = "--sketch"
            if run.detection.verdict == .ok, !trusted(run.detection) {
                run.detection = boundOnly(run.detection, columns: v, width: m)
                run.report.reason += "; the sketch's count is not a wide-margin ok, so it is reported as a lower bound"
            } else if run.detection.verdict == .ok {
                markBlindBand(&run, samples: n, columns: v, width: m)
            }
            return run
        case .auto:
            if v < sketchMinimumRatio * m {
                reason = "V = \(v) < \(sketchMinimumRatio) × the sketch width \(m): a sketch would save too little of the Gram"
                break
            }
            var run = try sketched(source: source, scan: scan, width: m, known: known, options: options)
            let d = run.detection
            if trusted(d) {
                markBlindBand(&run, samples: n, columns: v, width: m)
                run.report.reason = "the sketch's verdict is ok with a wide margin (weakest direction \(marginText(d))× its detection threshold, which is (V/m)^¼ ≈ \(String(format: "%.2g", thresholdFactor(columns: v, width: m)))× the exact one)"
                return run
            }
            trial = run.report.sketchTrial
            reason = "the sketch's verdict (\(d.verdict), \(d.confidence) confidence\(d.shelf == nil ? "" : ", a weak shelf"), weakest direction \(marginText(d))× its threshold\(cleanBulk(d) ? "" : ", a bulk that is not Marchenko–Pastur: structured noise") is not a wide margin: re-run exactly"
            options.progress?("sketch not conclusive; exact Gram")
        }
        var outcome = try exact(source: source, scan: scan, known: known, options: options)
        outcome.report.requested = requested.rawValue
        outcome.report.reason = reason
        outcome.report.sketchTrial = trial
        if let trial { outcome.report.sketchSeconds = trial.seconds }
        return outcome
    }

    static func exact(source: SampleSource, scan: FinitenessScan, known: [KnownNoise],
                      options: EstimateOptions) throws -> SpectrumOutcome {
        let n = scan.keptRows.count, v = scan.keptColumns.count
        options.progress?("Gram matrix \(n)×\(n) over \(v) columns")
        return try eigen(CentredGram(source, scan: scan), columns: v, known: known, options: options,
                         report: .init(method: "exact", requested: effectiveChoice(options).rawValue, reason: ""))
    }

    static func sketched(source: SampleSource, scan: FinitenessScan, width m: Int, known: [KnownNoise],
                         options: EstimateOptions) throws -> SpectrumOutcome {
        let n = scan.keptRows.count, v = scan.keptColumns.count
        options.progress?("sketched Gram matrix \(n)×\(n) over \(v) columns summed into \(m)")
        let sketch = TokenSketch(columns: v, width: m)
        let report = EstimateResult.SpectrumReport(
            method: "sketch", requested: effectiveChoice(options).rawValue, reason: "", sketchColumns: m,
            modelColumns: sketch.modelColumns, seed: Int(sketch.seed), scale: (Double(v) / Double(m)).squareRoot())
        var run = try eigen(CentredGram(source, scan: scan, sketch: sketch), columns: sketch.modelColumns,
                            known: known, options: options, report: report)
        let d = run.detection
        run.report.sketchTrial = .init(status: "\(d.verdict)", rank: d.rank, lowerBound: d.lowerBound,
                                       confidence: d.confidence.rawValue, margin: d.noise.margin.flatMap { $0.isFinite ? $0 : nil },
                                       seconds: run.gramSeconds + run.eigenSeconds)
        return run
    }

    /// Eigenvalues of `G_c`, then the detector with the column count that makes its MP model right.
    static func eigen(_ g: CentredGram, columns: Int, known: [KnownNoise], options: EstimateOptions,
                      report: EstimateResult.SpectrumReport) throws -> SpectrumOutcome {
        if ProcessInfo.processInfo.environment["RANKPROBE_TRACE"] != nil {
            FileHandle.standardError.write(Data(String(
                format: "rankprobe: trace: %@ gram accumulation %.2f s, centring %.2f s\n",
                report.method, g.accumulateSeconds, g.finishSeconds).utf8))
        }
        options.progress?("eigenvalues")
        let clock = ContinuousClock(), t0 = clock.now
        let sv = try g.doubleCentredEigenvalues().map { $0 > 0 ? $0.squareRoot() : 0 }
        let eigenSeconds = seconds(clock.now - t0)
        let detection = options.detector.detect(singularValues: sv, samples: g.n, columns: columns, known: known)
        return SpectrumOutcome(singularValues: sv, detection: detection, gram: g, report: report,
                               gramSeconds: g.accumulateSeconds + g.finishSeconds, eigenSeconds: eigenSeconds)
    }

    /// The options' choice; when they make none, `RANKPROBE_SPECTRUM` (auto|exact|sketch) may, so whole
    /// test suites can be run down either route without editing them.
    static func effectiveChoice(_ options: EstimateOptions) -> SpectrumChoice {
        if let choice = options.spectrum { return choice }
        let env = ProcessInfo.processInfo.environment["RANKPROBE_SPECTRUM"]
        return env.flatMap(SpectrumChoice.init(rawValue:)) ?? .auto
    }

    /// The options' width, else `RANKPROBE_SKETCH_COLUMNS` (a count, or a multiple of N such as `1.2n`).
    static func sketchWidth(_ options: EstimateOptions, samples n: Int) -> Int? {
        if let w = options.sketchColumns { return max(1, w) }
        guard let text = ProcessInfo.processInfo.environment["RANKPROBE_SKETCH_COLUMNS"]?.lowercased() else { return nil }
        if text.hasSuffix("n"), let f = Double(text.dropLast()) { return max(1, Int((f * Double(n)).rounded())) }
        return Int(text).map { max(1, $0) }
    }

    /// Largest stretch (bulk top / MP edge) and quartile misfit of a sketched bulk still read as i.i.d.
    /// noise. On Gaussian noise the sketch's bulk fits within ×1.05 (`SketchVerdicts`); bf16 rounding of a
    /// model with massive activations leaves ×1.18–1.25 and misfit 1.5–1.6 in the sketch, and there the
    /// exact route reads the structured noise differently (ambiguous or insufficient where the sketch,
    /// which averages ~V/m tokens per column, says ok).
    static let sketchMaxStretch = 1.05
    static let sketchMaxMisfit = 1.25

    /// Whether the sketch's noise looks i.i.d.: the exact route's verdict depends on the noise's
    /// structure across tokens, which the sketch averages away, so the sketch is trusted only where there
    /// is none to see (or no noise above the Gram's precision at all).
    static func cleanBulk(_ d: Detection) -> Bool {
        if d.noise.source == .precision { return true }
        guard let bulk = d.noise.bulkFit else { return false }
        return bulk.stretch <= sketchMaxStretch && bulk.misfit <= sketchMaxMisfit
    }

    /// Whether a sketch's verdict can stand for the exact route's: `ok` with high confidence (the weakest
    /// counted direction ≥ 4× the sketch's threshold), no weak shelf, and a bulk that fits the MP law.
    static func trusted(_ d: Detection) -> Bool {
        d.verdict == .ok && d.confidence == .high && d.shelf == nil && cleanBulk(d)
    }

    /// A forced sketch's `ok` that `trusted` would not accept, as what it does show. Every direction the
    /// sketch counts is real (S has orthonormal columns, so the sketch only takes energy away and keeps the
    /// noise at its σ), so its count is a lower bound; what it cannot show is the absence of weaker
    /// directions between its threshold and the exact route's, (V/m)^¼ lower, which leave no trace in it.
    /// (Measured: a model with a tier of weak directions, read `ok` with a smaller count by a forced sketch
    /// and `ambiguous` with the true size among the candidates by the exact route; `Scripts/bench-detect`.)
    static func boundOnly(_ d: Detection, columns v: Int, width m: Int) -> Detection {
        var b = d
        let k = d.rank ?? 0
        b.verdict = .insufficient
        b.lowerBound = k
        b.rank = nil
        b.candidates = []
        b.confidence = .none
        b.suggestedSamples = nil
        b.suggestedColumns = nil
        let factor = String(format: "%.2g", thresholdFactor(columns: v, width: m))
        var why: [String] = []
        if d.confidence != .high { why.append("\(d.confidence.rawValue) confidence") }
        if d.shelf != nil { why.append("a weak shelf") }
        if !cleanBulk(d) { why.append("a bulk that is not Marchenko–Pastur") }
        b.explanation = "the sketch (--sketch) counts \(k) directions (\(why.joined(separator: ", "))), but weaker "
            + "directions between its detection threshold and the exact route's (\(factor)× lower) would leave no "
            + "trace in it: at least \(k). Run without --sketch, or with --exact, for the count."
        return b
    }

    /// What a sketched `ok` cannot show, said with it. The sketch's detection threshold is (V/m)^¼ times
    /// the exact route's, so directions whose strength lies between the two would be counted by the exact
    /// route and leave no trace in the sketch (a second, weaker tier of the model's directions; `Tests/…/
    /// SketchTests` plants one). Nothing cheaper than the exact Gram rules such a tier out: every route that
    /// reads fewer than the V columns (a sketch, a column or row subset) loses sensitivity as the fourth root
    /// of what it skips. So the band goes into the JSON (`spectrum.blind_band`, singular values in the exact
    /// data's units) and a warning, and the confidence is at most medium: high is kept for counts the exact
    /// route's own noise model confirmed. Without a noise level (`noise.sigma` nil: nothing above the Gram's
    /// float64 precision) the floor is relative to the signal, which the sketch scales as a whole, so there
    /// is no band to report.
    static func markBlindBand(_ run: inout SpectrumOutcome, samples n: Int, columns v: Int, width m: Int) {
        guard let sigma = run.detection.noise.sigma, sigma > 0 else { return }
        let factor = thresholdFactor(columns: v, width: m)
        let low = MarchenkoPastur(rows: n, columns: v).detectionThreshold(sigma: sigma)
        let high = low * factor
        run.report.blindBand = [low, high]
        if run.detection.confidence == .high { run.detection.confidence = .medium }
        run.detection.warnings.append(String(
            format: "read from a sketch of the %d token columns into %d: directions with singular values between %.3g and %.3g (the exact route's detection threshold and %.2g× it) would not show in it; --exact rules them out (its Gram costs about V/m = %.0f× the sketch's)",
            v, m, low, high, factor, Double(v) / Double(m)))
    }

    /// How much higher a sketch's detection threshold is than the exact route's, in exact units: (V/m)^¼
    /// (the signal keeps m/V of its energy, the noise its σ; see `TokenSketch`).
    static func thresholdFactor(columns v: Int, width m: Int) -> Double {
        (Double(v) / Double(m)).squareRoot().squareRoot()
    }

    static func marginText(_ d: Detection) -> String {
        guard let m = d.noise.margin else { return "n/a" }
        return m.isFinite ? String(format: "%.3g", m) : "∞"
    }
}
