import Foundation

/// The MP fit of the bulk past a candidate count: the noise level, its edge and how well it fits.
struct BulkFit {
    /// Values counted as signal before the bulk.
    var k: Int
    var law: MarchenkoPastur
    /// σ² that matches the bulk's upper quantiles; `sigma2` is that or a higher known level.
    var fittedSigma2: Double
    var sigma2: Double
    var source: NoiseModel.Source
    /// Edge and significance threshold, in eigenvalue (σ²) units.
    var edge: Double
    var threshold: Double
    var misfit: Double
}

extension Detector {
    /// Fits the bulk `lambda[k...]` (eigenvalues, descending, clamped at the Gram's precision).
    ///
    /// The j-th largest of B bulk eigenvalues sits near σ²·Q(1 − (j − ½)/B), Q the MP quantile function;
    /// σ² is the least-squares ratio over the top 2–30 % of the bulk. The very top is left out (leftover
    /// signal, Tracy–Widom fluctuation) and so is the lower part (values clamped at the Gram's precision,
    /// and the part of the law most distorted by a variance profile). `misfit` compares the quartiles.
    func fitBulk(_ lambda: [Double], k: Int, rows n: Int, columns p: Int, known: [KnownNoise], clamp: Double) -> BulkFit {
        let law = MarchenkoPastur(rows: max(n - k, 1), columns: max(p - k, 1))
        let b = lambda.count - k
        let lo = Int((0.02 * Double(b)).rounded(.up))
        let hi = min(b, max(lo + 4, Int(0.3 * Double(b))))
        var yq = 0.0, qq = 0.0
        // At most ~64 points of the band: the fit is a ratio of sums, and the scan calls this for every k.
        let stride = max(1, (hi - lo) / 64)
        for j in Swift.stride(from: lo, to: hi, by: stride) {
            let q = law.quantile(1 - (Double(j) + 0.5) / Double(b))
            yq += lambda[k + j] * q
            qq += q * q
        }
        let fitted = qq > 0 ? yq / qq : 0
        var sigma2 = fitted
        var source = NoiseModel.Source.bulkFit
        for level in known where level.sigma * level.sigma > sigma2 {
            sigma2 = level.sigma * level.sigma
            source = level.source == .repeats ? .repeats : .grid
        }
        var misfit = 1.0
        for f in [0.25, 0.5, 0.75] {
            let j = min(b - 1, Int(f * Double(b)))
            let observed = lambda[k + j]
            let predicted = fitted * law.quantile(1 - (Double(j) + 0.5) / Double(b))
            guard predicted > 0, observed > 0 else { continue }
            // Clamping only raises values, so a clamped value above the law says nothing; one far below it
            // does (the fit was pulled up by signal left in the bulk).
            misfit = max(misfit, predicted / observed)
            if observed > 1.5 * clamp { misfit = max(misfit, observed / predicted) }
        }
        let edge = sigma2 * law.edgeCentre
        return BulkFit(k: k, law: law, fittedSigma2: fitted, sigma2: sigma2, source: source, edge: edge,
                       threshold: edge + twMargin * sigma2 * law.edgeScale, misfit: misfit)
    }

    /// Is value `i` (1-based) detached from the values below it? Tested against the empirical edge of the
    /// next values, so a stretched, heteroscedastic bulk top is not taken for signal.
    func isDetached(_ lambda: [Double], value i: Int) -> Bool {
        let below = lambda.count - i
        let count = min(30, max(8, below / 20))
        guard let e = EmpiricalEdge.fit(lambda, from: i, count: count) else { return true }
        return lambda[i - 1] > e.edge + twMargin * e.scale
    }
}
