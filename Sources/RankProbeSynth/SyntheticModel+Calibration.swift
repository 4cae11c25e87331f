import Foundation
import RankProbeLinearAlgebra

extension SyntheticModel {
    /// Solves for the inverse temperature β at which the mean next-token entropy of the pilot samples
    /// equals `targetEntropy`, by bisection on log β.
    ///
    /// Called while `tokenFactors` is still unscaled, so the pilot logits are `u = F·(P h)`; the entropy of
    /// softmax(β u + b) falls from that of the bias (or log V) at β = 0 towards 0 as β grows, so bisection
    /// brackets the target. 48 pilot samples pin the mean to within a few hundredths of a nat, and the
    /// pilot uses the model's own samples 0..<48, so the result depends only on the seed.
    func calibrateInverseTemperature() -> Double {
        let pilot = logitBlock(samples: 0..<Shape.pilotSamples, addBias: false)  // β scales W h only
        let v = vocab, n = Shape.pilotSamples
        let target = targetEntropy
        let source = SendablePointer(pilot.storage)
        func meanEntropy(_ beta: Double) -> Double {
            var entropies = [Double](repeating: 0, count: n)
            entropies.withUnsafeMutableBufferPointer { buffer in
                let out = SendablePointer(buffer.baseAddress!)
                parallelFor(n) { j in
                    let scaled = UnsafeMutablePointer<Double>.allocate(capacity: v)
                    defer { scaled.deallocate() }
                    let column = source.pointer + j * v
                    for t in 0..<v { scaled[t] = beta * column[t] + (outputBias?[t] ?? 0) }
                    out.pointer[j] = Self.entropy(logits: UnsafeBufferPointer(start: scaled, count: v))
                }
            }
            return entropies.reduce(0, +) / Double(n)
        }
        var lo = -12.0, hi = 12.0  // log β
        if meanEntropy(exp(lo)) <= target { return exp(lo) }
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if meanEntropy(exp(mid)) > target { lo = mid } else { hi = mid }
        }
        return exp((lo + hi) / 2)
    }
}
