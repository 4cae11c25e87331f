import Foundation
import RankProbeLinearAlgebra
import RankProbeNPY

/// Invalid arguments to a synthetic-model operation.
public struct SyntheticModelError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension SyntheticModel {
    /// Writes the rows of `samples` (one per sample, `vocab` columns) to a `.npy` file.
    ///
    /// Rows are computed in BLAS blocks (`forEachBlock`) and streamed through `NPYWriter`, so memory stays
    /// at one block of float64 logits (~64 MB) beyond the model itself, whatever the number of samples.
    /// `precision` is the stored element type; conversion rounds to nearest, after `quantize`.
    public func writeNPY(
        path: String, samples: Range<Int>, kind: OutputKind = .logprobs, precision: NPYScalar = .float32,
        noise: Double = 0, quantize: Double? = nil, serving: ServingArtefacts = .none
    ) throws {
        guard samples.count >= 1, samples.lowerBound >= 0 else {
            throw SyntheticModelError("sample range \(samples) is empty or negative")
        }
        guard noise >= 0, noise.isFinite else { throw SyntheticModelError("noise σ = \(noise) must be finite and ≥ 0") }
        if let quantize, !(quantize > 0 && quantize.isFinite) {
            throw SyntheticModelError("quantisation step \(quantize) must be finite and > 0")
        }
        var current: Matrix?
        var currentRange = 0..<0
        let blockSize = defaultBlockSize()
        let v = vocab
        try NPYWriter.write(path: path, rows: samples.count, columns: vocab, scalar: precision) { row, buffer in
            let sample = samples.lowerBound + row
            if !currentRange.contains(sample) {
                let range = sample..<min(samples.upperBound, sample + blockSize)
                current = nil  // free the previous block before computing the next
                forEachBlock(samples: range, kind: kind, noise: noise, quantize: quantize, serving: serving, blockSize: range.count) { r, block in
                    current = block
                    currentRange = r
                }
            }
            let column = current!.storage + (sample - currentRange.lowerBound) * v
            buffer.baseAddress!.update(from: column, count: v)
        }
    }

    /// `writeNPY` for samples `0..<samples`.
    public func writeNPY(
        path: String, samples: Int, kind: OutputKind = .logprobs, precision: NPYScalar = .float32,
        noise: Double = 0, quantize: Double? = nil, serving: ServingArtefacts = .none
    ) throws {
        guard samples >= 1 else { throw SyntheticModelError("need at least one sample, got \(samples)") }
        try writeNPY(path: path, samples: 0..<samples, kind: kind, precision: precision, noise: noise, quantize: quantize,
                     serving: serving)
    }
}
