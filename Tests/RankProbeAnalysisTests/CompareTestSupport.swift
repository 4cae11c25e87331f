import Foundation
import RankProbeMatrix
import RankProbeSynth

/// A tiny stand-in language model for the analysis tests: logits `W·h + b`, log-softmax, optional Gaussian
/// noise. Self-contained so the comparison tests do not depend on how the synthetic-model module draws its
/// weights; everything is seeded.
struct ToyModel {
    var vocab: Int
    var hidden: Int
    /// Row-major vocab × hidden.
    var w: [Double]
    var bias: [Double]

    init(vocab: Int, hidden: Int, seed: UInt64, biasScale: Double = 1) {
        self.vocab = vocab; self.hidden = hidden
        var rng = ToyRandom(seed: seed)
        let scale = 1 / Double(hidden).squareRoot()
        w = (0..<(vocab * hidden)).map { _ in rng.gaussian() * scale * 3 }
        bias = (0..<vocab).map { _ in rng.gaussian() * biasScale }
    }

    /// Log-probability rows for `rows` prompts; hidden states drawn from `seed`.
    func samples(rows: Int, seed: UInt64, noise: Double = 0, columns: [Int]? = nil) -> DenseSamples {
        var rng = ToyRandom(seed: seed)
        let cols = columns ?? Array(0..<vocab)
        var values: [Double] = []
        values.reserveCapacity(rows * cols.count)
        var logits = [Double](repeating: 0, count: vocab)
        for _ in 0..<rows {
            let h = (0..<hidden).map { _ in rng.gaussian() }
            for t in 0..<vocab {
                var z = bias[t]
                for k in 0..<hidden { z += w[t * hidden + k] * h[k] }
                logits[t] = z
            }
            let mx = logits.max()!
            let lse = mx + log(logits.reduce(0) { $0 + exp($1 - mx) })
            for c in cols { values.append(logits[c] - lse + (noise > 0 ? noise * rng.gaussian() : 0)) }
        }
        return DenseSamples(rows: rows, columns: cols.count, values: values, columnLabels: cols.map(String.init))
    }

    /// W + ε·(random rank-`rank` matrix) with the update's Frobenius norm `relative` × ‖W‖.
    func lowRankUpdate(rank: Int, relative: Double, seed: UInt64) -> ToyModel {
        var rng = ToyRandom(seed: seed)
        let u = (0..<(vocab * rank)).map { _ in rng.gaussian() }
        let v = (0..<(hidden * rank)).map { _ in rng.gaussian() }
        var delta = [Double](repeating: 0, count: vocab * hidden)
        for t in 0..<vocab { for k in 0..<hidden { for r in 0..<rank { delta[t * hidden + k] += u[t * rank + r] * v[k * rank + r] } } }
        let nw = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let nd = delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var m = self
        for i in 0..<w.count { m.w[i] += delta[i] * relative * nw / nd }
        return m
    }

    /// The same model with the output rows of `tokens` redrawn ("fine-tuned rows").
    func redrawRows(_ tokens: [Int], seed: UInt64) -> ToyModel {
        var rng = ToyRandom(seed: seed)
        var m = self
        let scale = 3 / Double(hidden).squareRoot()
        for t in tokens { for k in 0..<hidden { m.w[t * hidden + k] = rng.gaussian() * scale } }
        return m
    }
}

/// The shared SplitMix64, seeded as these tests always were, with their uniforms and Gaussians.
struct ToyRandom {
    var core: SplitMix64
    init(seed: UInt64) { core = SplitMix64(state: seed &* SplitMix64.increment &+ 1) }
    mutating func next() -> UInt64 { core.next() }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
    mutating func gaussian() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }
}
