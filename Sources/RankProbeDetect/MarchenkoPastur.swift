import Foundation

/// The random-matrix facts the detector's noise model rests on, for an n × p matrix of i.i.d. entries of
/// variance σ² (n ≤ p after swapping; only the spectrum matters).
///
/// * **Bulk** (Marchenko–Pastur): the n eigenvalues of `E Eᵀ` spread over σ²·[(√p − √n)², (√p + √n)²]
///   with the MP density of ratio γ = n/p, so singular values lie in σ·[√p − √n, √p + √n].
/// * **Edge fluctuations** (Johnstone 2001): the largest eigenvalue is σ²(μ + s·TW₁) with
///   μ = (√(n−½) + √(p−½))² and s = (√(n−½) + √(p−½))·(1/√(n−½) + 1/√(p−½))^⅓; TW₁ is the
///   Tracy–Widom law of real matrices. Its upper tail falls like exp(−⅔ x^{3/2}): P(TW₁ > 3) ≈ 10⁻³.
/// * **Spikes** (Baik–Ben Arous–Péché; Benaych-Georges & Nadakuditi): a signal singular value θ added to
///   the noise shows above the bulk only if θ > θ_c = σ·(np)^¼, and then at
///   σ_obs² = (θ² + σ²n)(θ² + σ²p)/θ². Below θ_c it is lost in the bulk, whatever the sample size.
///
/// These hold for heavy-ish tails and mild variance profiles too (edge universality); strongly structured
/// noise (rounding that grows with |logit|) stretches the bulk's top, which is why the detector also tests
/// each candidate against the *empirical* edge of the values below it (`EmpiricalEdge`).
public struct MarchenkoPastur: Sendable {
    /// Dimensions of the noise matrix, `n ≤ p`.
    public let n: Double, p: Double
    /// Cumulative distribution on a grid of the MP law of ratio n/p, in units of σ²·p.
    private let grid: [Double]
    private let cdf: [Double]

    public init(rows: Int, columns: Int) {
        let a = Double(max(1, min(rows, columns))), b = Double(max(1, max(rows, columns)))
        n = a; p = b
        let g = a / b
        let lo = (1 - g.squareRoot()) * (1 - g.squareRoot()), hi = (1 + g.squareRoot()) * (1 + g.squareRoot())
        // x = (lo+hi)/2 − (hi−lo)/2·cos t: the density's square-root edges become smooth in t, so the
        // trapezoid rule is accurate at both ends (and at the pole x → 0 when γ = 1).
        let steps = 512  // quantiles to ~1e-6 of the support with the cosine substitution
        var xs = [Double](repeating: 0, count: steps + 1)
        var f = [Double](repeating: 0, count: steps + 1)
        let half = (hi - lo) / 2
        for i in 0...steps {
            let t = Double.pi * Double(i) / Double(steps)
            let x = (lo + hi) / 2 - half * cos(t)
            xs[i] = x
            let s = sin(t)
            // At the pole (γ = 1, x → 0) the integrand tends to half/(πγ).
            f[i] = x > 1e-300 ? half * half * s * s / (2 * Double.pi * g * x) : half / (Double.pi * g)
        }
        var c = [Double](repeating: 0, count: steps + 1)
        let dt = Double.pi / Double(steps)
        for i in 1...steps { c[i] = c[i - 1] + (f[i] + f[i - 1]) / 2 * dt }
        let total = c[steps]
        grid = xs
        cdf = c.map { $0 / total }
    }

    /// The q-quantile of one eigenvalue of `E Eᵀ` for σ = 1 (so the bulk spans p·[lo, hi]).
    public func quantile(_ q: Double) -> Double {
        let q = min(max(q, 0), 1)
        var lo = 0, hi = cdf.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if cdf[mid] < q { lo = mid } else { hi = mid }
        }
        let span = cdf[hi] - cdf[lo]
        let w = span > 0 ? (q - cdf[lo]) / span : 0
        return p * (grid[lo] + w * (grid[hi] - grid[lo]))
    }

    /// Johnstone's centring μ and scale s of the largest eigenvalue, for σ = 1.
    public var edgeCentre: Double {
        let r = (n - 0.5).squareRoot() + (p - 0.5).squareRoot()
        return r * r
    }
    public var edgeScale: Double {
        let a = max(n - 0.5, 0.5).squareRoot(), b = max(p - 0.5, 0.5).squareRoot()
        return (a + b) * cbrt(1 / a + 1 / b)
    }

    /// The signal strength θ (a singular value of the noise-free matrix) that would be seen at singular
    /// value `observed` above a bulk of noise σ, or nil when `observed` is not above the bulk's edge (its
    /// strength is then at most the detection threshold).
    public func spikeStrength(observed: Double, sigma: Double) -> Double? {
        let s2 = sigma * sigma
        let y = observed * observed
        let b = y - s2 * (n + p)
        let disc = b * b - 4 * s2 * s2 * n * p
        guard b > 0, disc >= 0 else { return nil }
        return ((b + disc.squareRoot()) / 2).squareRoot()
    }

    /// The weakest signal singular value that stands out of the bulk: σ·(np)^¼.
    public func detectionThreshold(sigma: Double) -> Double { sigma * (n * p).squareRoot().squareRoot() }
}

/// The edge of a bulk read off its own top values, with no assumption on the noise's variance profile.
///
/// Near the top of any bulk with a square-root edge (MP, and its generalisations to heteroscedastic
/// noise), the j-th largest eigenvalue sits at E − c·(j − ½)^⅔, and the largest fluctuates around E on
/// the Tracy–Widom scale s = c / (3π/2)^⅔. Fitting E and c to the first values below a candidate and
/// asking whether the candidate stands more than `t·s` above E tells whether it is *detached* from the
/// bulk (a spike) or its top member — the test of Onatski's edge-distribution estimator, without the
/// noise level.
enum EmpiricalEdge {
    static let twScaleFactor = pow(1.5 * Double.pi, 2.0 / 3.0)

    /// Edge E and Tracy–Widom scale s of the eigenvalues `lambda[from..<from+count]` (descending).
    static func fit(_ lambda: [Double], from: Int, count: Int) -> (edge: Double, scale: Double)? {
        let end = min(lambda.count, from + count)
        let m = end - from
        guard m >= 4 else { return nil }
        var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        for j in 0..<m {
            let x = pow(Double(j) + 0.5, 2.0 / 3.0)
            let y = lambda[from + j]
            sx += x; sy += y; sxx += x * x; sxy += x * y
        }
        let dm = Double(m)
        let det = dm * sxx - sx * sx
        guard det > 0 else { return nil }
        let slope = (dm * sxy - sx * sy) / det      // = −c
        let intercept = (sy - slope * sx) / dm      // = E
        return (intercept, max(-slope, 0) / twScaleFactor)
    }
}
