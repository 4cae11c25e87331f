import Foundation
import RankProbeLinearAlgebra

/// What the answers for one prompt need from its log-probability row: the unbiased top list and the
/// values of those and of every token some request biases. A full row (V doubles) per prompt would not fit
/// in memory for thousands of prompts at V = 32000, and the answers never look at more than this.
struct SampleLogprobs: Sendable {
    /// Unbiased top-20 ids by descending logprob (ties keep the lower id first, as `topIndices` does).
    let top: [Int]
    private let values: [Int: Double]

    init(top: [Int], values: [Int: Double]) { self.top = top; self.values = values }

    /// log p(id) — only for ids in `top` or among the tokens asked for when the table was built.
    subscript(id: Int) -> Double {
        guard let v = values[id] else { preconditionFailure("token \(id) was not requested for this sample") }
        return v
    }
}

extension SyntheticModel {
    /// Log-probability tables of arbitrary, scattered samples (prompt hashes are not contiguous, so
    /// `forEachBlock`'s ranges do not apply), keeping `tokens[i]` plus the top list of `samples[i]`.
    ///
    /// **Why blocks.** One row costs a V × d matrix–vector product that reads the whole unembedding
    /// (≈ 1 GB at 32000 × 4096, ≈ 0.1 s of memory bandwidth). `count` rows at once are one dgemm that reads
    /// it once and runs compute-bound, ~20–50× cheaper per row. Per-token dot products
    /// (`SyntheticSample.logprob(token:)`) would not help here: every answer needs the normaliser log Z and
    /// the argmax of the row, both of which need the full row anyway (`logNormalizer` computes a 64-sample
    /// block per uncached sample, which for scattered hashes is 64 rows to get one).
    ///
    /// **Same numbers.** Each column is formed exactly as `forEachBlock(kind: .logprobs)` forms it — the same
    /// `mixedState`, one dgemm column, `+ b`, minus `logSumExp` of that column. Answers are therefore bitwise
    /// independent of the block size; against `logprobs(sample:)` (a one-column product, which OpenBLAS hands
    /// to a matrix–vector kernel with a different summation order) they differ by an ulp or two of the logits
    /// (4.4e-15 measured at d = 12; `ResponderBlockTests` bounds it).
    func logprobTables(samples: [Int], tokens: [[Int]], blockSize: Int? = nil) -> [SampleLogprobs] {
        precondition(samples.count == tokens.count)
        let n = samples.count
        guard n > 0 else { return [] }
        let d = hidden, v = vocab
        let step = max(1, blockSize ?? defaultBlockSize())
        let results = UnsafeMutablePointer<SampleLogprobs>.allocate(capacity: n)
        defer { results.deinitialize(count: n); results.deallocate() }
        let resultPointer = SendablePointer(results)
        var start = 0
        while start < n {
            let count = min(step, n - start)
            let states = Matrix(rows: d, columns: count)
            let statePointer = SendablePointer(states.storage)
            let first = start
            parallelFor(count) { j in
                let scratch = UnsafeMutablePointer<Double>.allocate(capacity: d)
                defer { scratch.deallocate() }
                mixedState(sample: samples[first + j], into: statePointer.pointer + j * d, scratch: scratch)
            }
            let block = Matrix(rows: v, columns: count)
            LinearAlgebra.gemm(tokenFactors, states, into: block)
            let blockPointer = SendablePointer(block.storage)
            parallelFor(count) { j in
                let column = blockPointer.pointer + j * v
                if let outputBias { for t in 0..<v { column[t] += outputBias[t] } }
                let lse = Self.logSumExp(UnsafeBufferPointer(start: column, count: v))
                for t in 0..<v { column[t] -= lse }
                let row = UnsafeBufferPointer(start: column, count: v)
                let top = ResponderState.topIndices(row, count: min(20, v))
                var values: [Int: Double] = [:]
                values.reserveCapacity(top.count + tokens[first + j].count)
                for id in top { values[id] = row[id] }
                for id in tokens[first + j] where id >= 0 && id < v { values[id] = row[id] }
                (resultPointer.pointer + first + j).initialize(to: SampleLogprobs(top: top, values: values))
            }
            start += count
        }
        return Array(UnsafeBufferPointer(start: results, count: n))
    }
}
