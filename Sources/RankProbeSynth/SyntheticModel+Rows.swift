import Foundation
import RankProbeLinearAlgebra

/// What a synthetic dump holds: normalised log-probabilities (what APIs return) or raw logits.
public enum SyntheticOutputKind: String, Sendable, CaseIterable {
    case logprobs, logits
}

extension SyntheticModel {
    public typealias OutputKind = SyntheticOutputKind

    /// Rows per BLAS block: about 64 MB of float64 logits, at most 256 samples. Large enough for dgemm to
    /// run near peak, small enough that memory stays bounded whatever N is.
    func defaultBlockSize() -> Int { max(1, min(256, (64 << 20) / (8 * vocab))) }

    // MARK: hidden states

    /// The final hidden state `h` of `sample` (length `hidden`), with `logits = unembedding · h + bias`.
    public func hiddenState(sample: Int) -> [Double] {
        var h = [Double](repeating: 0, count: hidden)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: hidden)
        defer { scratch.deallocate() }
        h.withUnsafeMutableBufferPointer { hiddenState(sample: sample, into: $0.baseAddress!, scratch: scratch) }
        return h
    }

    /// `h = c · γ ⊙ x / rms(x)` with `x = Q₁(√λ ⊙ z) + massive activations` (see the type's documentation).
    func hiddenState(sample: Int, into h: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        var random = SyntheticRandom(seed: seed, purpose: .hidden, index: UInt64(bitPattern: Int64(sample)))
        let d = hidden
        for j in 0..<d { h[j] = bulkScale[j] * random.normal() }
        bulkRotation.apply(h, scratch: scratch)
        for (k, index) in massiveDimensions.enumerated() {
            h[index] += massiveMagnitudes[k] * exp(Shape.massiveJitter * random.normal())
        }
        if artefacts.norm != .rms {
            // LayerNorm removes the mean over coordinates first: h then lies in a (d − 1)-dimensional
            // subspace (γ ⊙ 1⊥), which is why such models show rank d − 1.
            var mean = 0.0
            for j in 0..<d { mean += h[j] }
            mean /= Double(d)
            for j in 0..<d { h[j] -= mean }
        }
        var sumSquares = 0.0
        for j in 0..<d { sumSquares += h[j] * h[j] }
        let sharpness = exp(Shape.sharpnessSpread * random.normal())
        let scale = sharpness / (sumSquares / Double(d) + 1e-6).squareRoot()
        for j in 0..<d { h[j] *= scale * gains[j] }
        if let shift { for j in 0..<d { h[j] += shift[j] } }
    }

    /// `P h`, the hidden state in the coordinates of `tokenFactors`.
    func mixedState(sample: Int, into u: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        hiddenState(sample: sample, into: u, scratch: scratch)
        mixing.apply(u, scratch: scratch)
    }

    // MARK: blocks of rows

    /// Logits `W h + b` (or `W h` without `addBias`) of `samples` as a V × count column-major matrix:
    /// column j is sample `samples.lowerBound + j`, contiguous over the vocabulary (i.e. one output row).
    func logitBlock(samples: Range<Int>, addBias: Bool = true) -> Matrix {
        let d = hidden, v = vocab, n = samples.count
        let states = Matrix(rows: d, columns: n)
        let statePointer = SendablePointer(states.storage)
        parallelFor(n) { j in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: d)
            defer { scratch.deallocate() }
            mixedState(sample: samples.lowerBound + j, into: statePointer.pointer + j * d, scratch: scratch)
        }
        let out = Matrix(rows: v, columns: n)
        LinearAlgebra.gemm(tokenFactors, states, into: out)
        if addBias, let outputBias {
            let p = SendablePointer(out.storage)
            parallelFor(n) { j in
                let column = p.pointer + j * v
                for t in 0..<v { column[t] += outputBias[t] }
            }
        }
        return out
    }

    /// Generates `samples` block by block and hands each block to `body` as a V × count matrix whose
    /// column j is the output row of sample `range.lowerBound + j`.
    ///
    /// - `noise`: standard deviation of Gaussian noise added to every logit *before* normalisation (an API
    ///   that perturbs its logits). Drawn from the (seed, noise, sample) stream, so it is reproducible.
    /// - `quantize`: rounds the output (log-probabilities or logits) to multiples of this step, as APIs that
    ///   return a few decimals do.
    public func forEachBlock(
        samples: Range<Int>, kind: OutputKind = .logprobs, noise: Double = 0, quantize: Double? = nil,
        serving: ServingArtefacts = .none,
        blockSize: Int? = nil, _ body: (_ samples: Range<Int>, _ rows: Matrix) throws -> Void
    ) rethrows {
        precondition(noise >= 0 && noise.isFinite, "noise must be a finite, non-negative standard deviation")
        precondition(quantize.map { $0 > 0 && $0.isFinite } ?? true, "quantisation step must be positive")
        let step = max(1, blockSize ?? defaultBlockSize())
        var start = samples.lowerBound
        while start < samples.upperBound {
            let range = start..<min(samples.upperBound, start + step)
            let block = logitBlock(samples: range)
            let p = SendablePointer(block.storage)
            let v = vocab
            parallelFor(range.count) { j in
                let column = p.pointer + j * v
                let sample = range.lowerBound + j
                if !serving.isNone { serve(column, count: v, sample: sample, serving: serving) }
                if noise > 0 {
                    var random = SyntheticRandom(seed: seed, purpose: .noise, index: UInt64(bitPattern: Int64(sample)))
                    for t in 0..<v { column[t] += noise * random.normal() }
                }
                if kind == .logprobs {
                    let lse = Self.logSumExp(UnsafeBufferPointer(start: column, count: v))
                    for t in 0..<v { column[t] -= lse }
                    if noise == 0 && serving.isNone { normalizers.store(sample, lse) }
                }
                if let quantize {
                    for t in 0..<v { column[t] = (column[t] / quantize).rounded() * quantize }
                }
            }
            try body(range, block)
            start = range.upperBound
        }
    }

    /// Row-major `samples.count × vocab` logits (`W h + b`).
    public func logits(samples: Range<Int>) -> [Double] { rows(samples: samples, kind: .logits) }

    /// Row-major `samples.count × vocab` log-probabilities.
    public func logprobs(samples: Range<Int>) -> [Double] { rows(samples: samples, kind: .logprobs) }

    /// The full log-probability row of one sample.
    public func logprobs(sample: Int) -> [Double] { rows(samples: sample..<(sample + 1), kind: .logprobs) }

    private func rows(samples: Range<Int>, kind: OutputKind) -> [Double] {
        var out = [Double](repeating: 0, count: samples.count * vocab)
        out.withUnsafeMutableBufferPointer { buffer in
            forEachBlock(samples: samples, kind: kind) { range, block in
                let offset = (range.lowerBound - samples.lowerBound) * vocab
                (buffer.baseAddress! + offset).update(from: block.storage, count: range.count * vocab)
            }
        }
        return out
    }

    // MARK: single tokens

    /// log p(token | sample), noise-free and unrounded.
    ///
    /// Costs O(d log d) for the hidden state plus O(d) for the logit; the sample's log-sum-exp is computed
    /// once per aligned block of 64 samples (one dgemm) and cached, so sweeping many samples stays cheap.
    /// For many tokens of one sample, `sample(_:)` avoids recomputing the hidden state.
    public func logprob(sample: Int, token: Int) -> Double {
        self.sample(sample).logprob(token: token)
    }

    /// One sample's hidden state and normaliser, for cheap repeated single-token queries.
    public func sample(_ index: Int) -> SyntheticSample {
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: hidden)
        defer { scratch.deallocate() }
        var state = [Double](repeating: 0, count: hidden)
        state.withUnsafeMutableBufferPointer { mixedState(sample: index, into: $0.baseAddress!, scratch: scratch) }
        return SyntheticSample(model: self, index: index, mixedState: state, logNormalizer: logNormalizer(sample: index))
    }

    /// log Σ_t exp(logit_t) of `sample`, from the cache or by computing its 64-sample block.
    public func logNormalizer(sample: Int) -> Double {
        if let cached = normalizers.value(sample) { return cached }
        let blockStart = sample >= 0 ? sample / 64 * 64 : sample
        let range = blockStart..<(blockStart + 64)
        let block = logitBlock(samples: range)
        var result = 0.0
        for j in 0..<range.count {
            let lse = Self.logSumExp(UnsafeBufferPointer(start: block.storage + j * vocab, count: vocab))
            normalizers.store(range.lowerBound + j, lse)
            if range.lowerBound + j == sample { result = lse }
        }
        return result
    }

    // MARK: numerics

    /// log Σ exp(xᵢ), shifted by the maximum so that no term overflows.
    public static func logSumExp(_ x: UnsafeBufferPointer<Double>) -> Double {
        var m = -Double.infinity
        for value in x where value > m { m = value }
        if !m.isFinite { return m }
        var s = 0.0
        for value in x { s += exp(value - m) }
        return m + log(s)
    }

    /// Entropy (nats) of the distribution softmax(`logits`): log Z − E[x − max], computed in one pass.
    public static func entropy(logits x: UnsafeBufferPointer<Double>) -> Double {
        var m = -Double.infinity
        for value in x where value > m { m = value }
        var z = 0.0, weighted = 0.0
        for value in x {
            let t = value - m
            let e = exp(t)
            z += e
            weighted += e * t
        }
        return log(z) - weighted / z
    }
}

/// A sample's precomputed state: `logprob(token:)` is one length-d dot product.
public struct SyntheticSample: Sendable {
    public let model: SyntheticModel
    public let index: Int
    let mixedState: [Double]
    /// log Σ exp(logits) of this sample.
    public let logNormalizer: Double

    public func logit(token: Int) -> Double {
        precondition(token >= 0 && token < model.vocab, "token \(token) outside the vocabulary 0..<\(model.vocab)")
        let v = model.vocab
        let f = model.tokenFactors.storage
        var sum = model.outputBias?[token] ?? 0
        mixedState.withUnsafeBufferPointer { u in
            for j in 0..<u.count { sum += f[j * v + token] * u[j] }
        }
        return sum
    }

    public func logprob(token: Int) -> Double { logit(token: token) - logNormalizer }
}
