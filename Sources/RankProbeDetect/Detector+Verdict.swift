import Foundation

/// One detection: the spectrum in its three forms (as computed, clamped, squared) and the verdict logic.
struct Context {
    let detector: Detector
    /// As computed (negative or non-finite values set to 0).
    let raw: [Double]
    /// Clamped at the Gram's precision, and squared (eigenvalues).
    let s: [Double]
    let lambda: [Double]
    let samples: Int, columns: Int
    /// MP dimensions of the double-centred matrix.
    let n: Int, p: Int
    let known: [KnownNoise]
    let numericalFloor: Double
    let dominant: Int
    var warnings: [String] = []

    var m: Int { raw.count }
    /// Values past m are missing because the columns (not the samples) ran out.
    var limitedByColumns: Bool { columns <= samples }

    init(detector: Detector, sv: [Double], samples: Int, columns: Int, known: [KnownNoise], machineEpsilon: Double) {
        self.detector = detector
        self.samples = samples; self.columns = columns; self.known = known
        n = samples - 1; p = columns - 1
        raw = sv.map { $0.isFinite ? max($0, 0) : 0 }
        // Eigenvalues of a float64 Gram carry absolute errors of order √N·ε·λ_max, so singular values
        // below σ₁·√(√N·ε) (with a factor 2 of margin) are rounding: they are clamped to that level.
        numericalFloor = 2 * raw[0] * (Double(max(samples, 2)).squareRoot() * machineEpsilon).squareRoot()
        let clamp = numericalFloor
        s = raw.map { max($0, clamp) }
        lambda = s.map { $0 * $0 }
        dominant = detector.dominantDirections(s.map { log10($0) })
    }

    /// Number of leading values (of a descending array) above `level`.
    func count(_ values: [Double], above level: Double) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] > level { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Values standing `provableFactor` above every known lower bound of the noise (no bulk needed).
    var provable: Int {
        var level = numericalFloor
        for k in known { level = max(level, k.sigma * ((Double(n)).squareRoot() + Double(p).squareRoot())) }
        return count(raw, above: detector.provableFactor * level)
    }

    func median(_ values: ArraySlice<Double>) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    func cliff(_ k: Int) -> Cliff {
        let next = k < m ? raw[k] : 0
        let ratio = k >= 1 && next > 0 ? raw[k - 1] / next : .infinity
        return Cliff(index: k, ratio: ratio, floor: median(raw[min(k, m)...]) ?? 0, tailLength: m - k)
    }

    mutating func run() -> Detection {
        // 1. Noise level and signal count: the largest k whose k-th value stands above the noise edge
        // fitted to the values after it. Scanning from the bottom matters: a smooth power-law stretch of
        // signal can pass for a bulk on its own, so a count grown from the top can stall inside the signal.
        // Inside a real bulk no k qualifies (neighbours there are far closer than the Tracy–Widom scale),
        // so the first k met from below is where the bulk ends. With none, the spectrum is either all
        // noise (the fit at k = 0 matches) or all signal (it does not: see the misfit branch).
        guard m - 1 >= detector.minFitBulk else { return shortBulk() }
        let clamp2 = numericalFloor * numericalFloor
        var found: BulkFit? = nil
        for k in stride(from: m - detector.minFitBulk, through: 1, by: -1) {
            let f = detector.fitBulk(lambda, k: k, rows: n, columns: p, known: known, clamp: clamp2)
            // Above the edge, and apart from the bulk's top value by the same margin: the top of a smooth
            // run (a power-law stretch, a stretched bulk) can poke above a fitted edge, but not jump it.
            // The bulk must also look like one: with signal left in it (k too small for the data: N
            // barely above d) the fitted law misses its lower quartiles.
            if lambda[k - 1] > f.threshold && lambda[k - 1] - lambda[k] > f.threshold - f.edge && f.misfit <= detector.maxMisfit {
                found = f
                break
            }
        }
        if let found { return fitted(found) }
        // No k qualifies. If the whole spectrum fits a bulk, it is noise; if not, the signal runs on to
        // the end, or the floor is too short to fit — the flat-floor rule reads those.
        let all = detector.fitBulk(lambda, k: 0, rows: n, columns: p, known: known, clamp: clamp2)
        return all.misfit > detector.maxMisfit ? shortBulk() : fitted(all)
    }

    /// The noise model a fit implies; `margin` is filled in once the count is settled.
    func noiseModel(_ fit: BulkFit) -> NoiseModel {
        let top = fit.k < m ? s[fit.k] : 0
        let bulk = NoiseModel.BulkFit(
            sigma: fit.fittedSigma2.squareRoot(), values: m - fit.k,
            stretch: fit.edge > 0 ? top / fit.edge.squareRoot() : 0, misfit: fit.misfit)
        // A "bulk" that is only the clamped precision floor is not a noise measurement.
        let atPrecision = fit.source == .bulkFit && (fit.fittedSigma2 * fit.law.edgeCentre).squareRoot() <= 1.5 * numericalFloor
        let source: NoiseModel.Source = atPrecision ? .precision : fit.source
        return NoiseModel(source: source, sigma: fit.sigma2.squareRoot(), edge: fit.edge.squareRoot(),
                          threshold: fit.threshold.squareRoot(), margin: nil, bulkFit: bulk, known: known)
    }

    /// Strength of value k over the detection threshold, in spike units (θ_k / θ_c).
    func margin(_ k: Int, _ fit: BulkFit) -> Double {
        let sigma = fit.sigma2.squareRoot()
        guard sigma > 0 else { return .infinity }
        guard let theta = fit.law.spikeStrength(observed: s[k - 1], sigma: sigma) else { return 1 }
        return theta / fit.law.detectionThreshold(sigma: sigma)
    }

    mutating func fitted(_ fit: BulkFit) -> Detection {
        let kMP = fit.k
        var noise = noiseModel(fit)
        let floor = median(raw[kMP...])
        if kMP == 0 {
            warnings.append("no singular value stands out of the noise bulk: the data look like unstructured noise rather than model outputs")
            return insufficient(
                "no direction stands above the noise (σ ≈ \(Fmt.g(noise.sigma ?? 0)) per entry, bulk edge \(Fmt.g(noise.edge))); the outputs carry no signal this analysis can see — check that these are log-probabilities of one model",
                lowerBound: 0, noise: noise, floor: floor, suggestSamples: false)
        }
        // Values above the MP edge that are not detached from the bulk just below them.
        var kEmp = 0
        for i in stride(from: kMP, through: 1, by: -1) where detector.isDetached(lambda, value: i) {
            kEmp = i
            break
        }
        var k = kMP
        if kEmp < kMP {
            let run = kMP - kEmp
            // A clear drop onto values that hug the fitted edge: those are the top of a bulk whose noise is
            // not i.i.d. (bfloat16 rounding grows with |logit|), stretched a little above the MP edge —
            // not signal, which would stand detached. Real bf16 SmolLM2 outputs look exactly like this.
            let hugsEdge = kEmp >= 1 && s[kEmp - 1] / s[kEmp] >= detector.minDrop && s[kEmp] <= detector.stretchTolerance * noise.edge
            if hugsEdge {
                k = kEmp
                warnings.append("the \(run) largest noise value\(run == 1 ? "" : "s") stand\(run == 1 ? "s" : "") up to ×\(Fmt.g(s[kEmp] / noise.edge)) above the random-matrix edge fitted to the rest: the noise is not uniform (rounding that grows with |logit| does this), so \(run == 1 ? "it is" : "they are") counted as noise, not signal")
            } else {
                // Values just above the edge below a drop are not provable (see `nearEdgeFactor`).
                if let j = nearEdgeDrop(before: kEmp, edge: noise.edge) { kEmp = j }
                let run = kMP - kEmp
                noise.margin = kEmp >= 1 ? margin(kEmp, fit) : nil
                let afterDrop = kEmp >= 1 && s[kEmp - 1] / s[kEmp] >= detector.minDrop && s[kEmp] <= detector.nearEdgeFactor * noise.edge
                if kEmp >= 1 && (afterDrop || run <= max(detector.nearEdgeRun, kMP / 50)) {
                    return ambiguous(
                        "\(kEmp) directions stand clearly out of the noise; the next \(run) lie above the fitted noise edge (\(Fmt.g(noise.edge))) but are not detached from the bulk below them, so they may be weak signal or the top of a structured noise bulk; candidates: \(kMP), \(kEmp). Repeated requests (to measure the noise) or less rounded outputs would decide",
                        lowerBound: kEmp, candidates: [kMP, kEmp], noise: noise, floor: floor)
                }
                return insufficient(
                    "\(kEmp) directions stand clearly out of the noise, then \(run) more fade gradually into it: the signal continues below the noise level (σ ≈ \(Fmt.g(noise.sigma ?? 0)) per entry), so the hidden size is at least \(kEmp); less noisy outputs (full precision, averaged repeats)\(limitedByColumns ? " or more token columns" : "") are needed to see where it ends",
                    lowerBound: kEmp, noise: noise, floor: floor, suggestSamples: limitedByColumns)
            }
        }
        noise.margin = margin(k, fit)
        if let bulk = noise.bulkFit { noise.bulkFit?.stretch = noise.edge > 0 ? s[k] / noise.edge : bulk.stretch }
        let floorK = median(raw[k...])
        // A few values just above the edge after a clear drop: detached from the bulk by the book, but within
        // the stretch that structured noise (bf16 rounding of large logits) gives its top values. They may
        // be a weak shelf or noise outliers; neither reading may be printed as the answer.
        if let j = nearEdgeDrop(before: k, edge: noise.edge) {
            noise.margin = margin(j, fit)
            return ambiguous(
                "the values fall by ×\(Fmt.g(s[j - 1] / s[j])) after \(j) directions; the next \(k - j) stand only ×\(Fmt.g(s[j] / noise.edge)) above the fitted noise edge (\(Fmt.g(noise.edge))) — a weak shelf of signal or the outliers that non-uniform noise (bf16 rounding of large logits) puts at a bulk's top; candidates: \(j), \(k). Repeated requests or less rounded outputs would decide",
                lowerBound: j, candidates: [j, k], noise: noise, floor: floorK)
        }
        let strength = noise.margin ?? .infinity
        if strength < detector.okMargin {
            return insufficient(
                "\(k) directions stand out of the noise, but the weakest is only \(Fmt.g(strength))× the detection threshold σ·(np)^¼ — weaker directions would be invisible, so the hidden size is at least \(k); reduce the noise (σ ≈ \(Fmt.g(noise.sigma ?? 0)) per entry: full-precision outputs, averaged repeats) to confirm",
                lowerBound: k, noise: noise, floor: floorK, suggestSamples: false)
        }
        let tail = m - k
        let answer = cliff(k)
        if tail < detector.confidentTail {
            warnings.append("only \(tail) singular values lie after the signal; a few hundred more samples than the hidden size make the noise bulk unambiguous")
        }
        let confident = strength >= detector.highMargin && tail >= detector.confidentTail
        let shelf = findShelf(k, edge: noise.edge)
        return Detection(
            verdict: .ok, rank: k, lowerBound: nil, candidates: [answer], confidence: confident ? .high : .medium,
            noiseFloor: floorK, noise: noise, shelf: shelf, dominantDirections: dominant, numericalFloor: numericalFloor,
            suggestedSamples: nil, suggestedColumns: nil,
            explanation: "\(k) singular values stand out of the noise bulk (edge \(Fmt.g(noise.edge)), \(noiseSourceText(noise))); the weakest is \(strength.isFinite ? Fmt.g(strength) + "×" : "far above") the detection threshold, and the values fall by ×\(Fmt.g(answer.ratio)) onto \(tail) values of noise" + (shelf.map { "; the last \($0.last - $0.first + 1) form a weak shelf ×\(Fmt.g($0.height)) above the noise, below a ×\(Fmt.g($0.drop)) drop" } ?? ""),
            warnings: warnings)
    }

    func noiseSourceText(_ noise: NoiseModel) -> String {
        switch noise.source {
        case .bulkFit: "noise fitted to the bulk"
        case .repeats: "noise measured from repeated requests"
        case .grid: "noise of the rounding grid"
        case .flatFloor: "flat floor"
        case .precision: "the float64 Gram's precision"
        }
    }

    /// The count j < k after which the values drop by at least `minDrop` onto the near-edge zone (values
    /// within `nearEdgeFactor` of the MP edge), nearest to k; nil when the values reach that zone smoothly.
    func nearEdgeDrop(before k: Int, edge: Double) -> Int? {
        var j = k - 1
        while j >= 1 && s[j] <= detector.nearEdgeFactor * edge {
            if s[j - 1] / s[j] >= detector.minDrop { return j }
            j -= 1
        }
        return nil
    }

    /// The last drop of at least ×1.6 inside the signal's final part: the values after it form a shelf.
    func findShelf(_ k: Int, edge: Double) -> Shelf? {
        let start = max(dominant + 1, k - max(8, k / 4))
        guard start < k else { return nil }
        for i in stride(from: k - 1, through: start, by: -1) where s[i - 1] / s[i] >= detector.minDrop {
            return Shelf(first: i + 1, last: k, drop: s[i - 1] / s[i], height: edge > 0 ? s[k - 1] / edge : .infinity)
        }
        return nil
    }

    /// `.ambiguous` between `candidates` (most likely first); `lowerBound` is the provable count.
    func ambiguous(_ why: String, lowerBound: Int, candidates: [Int], noise: NoiseModel, floor: Double?) -> Detection {
        Detection(
            verdict: .ambiguous, rank: nil, lowerBound: lowerBound, candidates: candidates.map(cliff), confidence: .low,
            noiseFloor: floor, noise: noise, shelf: nil, dominantDirections: dominant, numericalFloor: numericalFloor,
            suggestedSamples: nil, suggestedColumns: nil, explanation: why, warnings: warnings)
    }

    func insufficient(_ why: String, lowerBound: Int, noise: NoiseModel, floor: Double?, suggestSamples: Bool) -> Detection {
        let margin = max(64, lowerBound / 10)
        let byColumns = suggestSamples && limitedByColumns
        return Detection(
            verdict: .insufficient, rank: nil, lowerBound: lowerBound, candidates: [], confidence: .none,
            noiseFloor: floor, noise: noise, shelf: nil, dominantDirections: dominant, numericalFloor: numericalFloor,
            suggestedSamples: suggestSamples && !byColumns ? max(lowerBound + margin + 1, samples + margin) : nil,
            suggestedColumns: byColumns ? max(lowerBound + margin + 1, columns + margin) : nil,
            explanation: why, warnings: warnings)
    }

    /// Too few values past the signal to fit a bulk: a drop onto a flat tail, or not enough samples.
    mutating func shortBulk() -> Detection {
        let l = s.map { log10($0) }
        let minDecades = log10(detector.minDrop)
        // A drop into a tail of at least `minTail` values that is flat compared with the drop, and that
        // no later drop as deep follows (the tail is floor, not more signal).
        var best: Cliff? = nil
        for k in 1..<m where l[k - 1] - l[k] >= minDecades && m - k >= detector.minTail {
            let drop = l[k - 1] - l[k]
            let spread = l[k] - l[m - 1]
            guard spread <= 0.5 * drop else { continue }
            let c = Cliff(index: k, ratio: pow(10, drop), floor: median(raw[k...]) ?? 0, tailLength: m - k)
            if best.map({ c.ratio > $0.ratio }) ?? true { best = c }
        }
        let knownEdge = known.map { $0.sigma * (Double(n).squareRoot() + Double(p).squareRoot()) }.max()
        var noise = NoiseModel(source: knownEdge == nil ? .flatFloor : (known.contains { $0.source == .repeats } ? .repeats : .grid),
                               sigma: known.map(\.sigma).max(), edge: knownEdge ?? numericalFloor, threshold: knownEdge ?? numericalFloor,
                               margin: nil, bulkFit: nil, known: known)
        if let best, best.ratio >= detector.flatOkRatio, best.index <= provable || knownEdge == nil {
            noise.source = knownEdge == nil ? .flatFloor : noise.source
            noise.edge = s[best.index]
            noise.threshold = s[best.index]
            warnings.append("only \(best.tailLength) singular values lie after the signal; a few hundred more samples than the hidden size make the noise bulk unambiguous")
            return Detection(
                verdict: .ok, rank: best.index, lowerBound: nil, candidates: [best], confidence: .medium,
                noiseFloor: best.floor, noise: noise, shelf: nil, dominantDirections: dominant,
                numericalFloor: numericalFloor, suggestedSamples: nil, suggestedColumns: nil,
                explanation: "the singular values fall by ×\(Fmt.g(best.ratio)) after index \(best.index) onto a flat floor of \(best.tailLength) values (too few to fit a noise bulk)",
                warnings: warnings)
        }
        let bound = provable
        let end = limitedByColumns ? "the \(columns) token columns allow at most \(m) dimensions" : "the \(samples) samples give only \(m) dimensions"
        if let best {
            // A deep drop that known noise (measured repeats, a grid) says cannot be real: the floor lies far
            // below the level the noise would put it at, so the matrix and the noise measurement disagree.
            let contradicted = best.ratio >= detector.flatOkRatio && (knownEdge ?? 0) > s[best.index]
            let why = contradicted
                ? "the values fall by ×\(Fmt.g(best.ratio)) after \(best.index) onto \(best.tailLength) values, but the \(noise.source == .repeats ? "spread of repeated requests" : "rounding grid") puts the noise at σ ≈ \(Fmt.g(noise.sigma ?? 0)) per entry, far above that floor: the \(noise.source == .repeats ? "repeats disagree with the assembled values (were the requests read with the right protocol?)" : "grid and the values disagree"), so the cliff cannot be trusted; candidates: \(best.index)"
                : "the deepest drop, after \(best.index) values, is only ×\(Fmt.g(best.ratio)) onto \(best.tailLength) values — too shallow and too short a floor to trust; candidates: \(best.index)"
            return Detection(
                verdict: .ambiguous, rank: nil, lowerBound: min(bound, best.index), candidates: [best],
                confidence: .low, noiseFloor: best.floor, noise: noise, shelf: nil, dominantDirections: dominant,
                numericalFloor: numericalFloor, suggestedSamples: limitedByColumns ? nil : samples + max(64, m / 10),
                suggestedColumns: limitedByColumns ? columns + max(64, m / 10) : nil,
                explanation: why, warnings: warnings)
        }
        if bound < m {
            return insufficient(
                "\(end): \(bound) values stand ≥ ×\(Fmt.g(detector.provableFactor)) above every known noise level, so the hidden size is at least \(bound), and the last \(m - bound) are too few to show the noise bulk below the signal; collect a few hundred more \(limitedByColumns ? "token columns" : "samples") than the hidden size",
                lowerBound: bound, noise: noise, floor: nil, suggestSamples: true)
        }
        return insufficient(
            "\(end), and the signal has not ended there: \(bound) values stand ≥ ×\(Fmt.g(detector.provableFactor)) above every known noise level (the Gram's precision\(known.isEmpty ? "" : ", the rounding or measured noise")), so the hidden size is at least \(bound); collect more \(limitedByColumns ? "token columns" : "samples") than the hidden size",
            lowerBound: bound, noise: noise, floor: nil, suggestSamples: true)
    }
}

/// Short number formatting for explanations (3 significant digits, no exponent for ordinary sizes).
enum Fmt {
    static func g(_ x: Double) -> String {
        guard x.isFinite else { return x > 0 ? "∞" : "—" }
        let a = abs(x)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.3g", x) }
        return String(format: a >= 100 ? "%.0f" : (a >= 10 ? "%.1f" : "%.3g"), x)
    }
}
