import Foundation
import RankProbe
import RankProbeMatrix

/// Common mistakes in what was recorded, recognised so the user reads what went wrong instead of a verdict
/// that only looks odd ("ambiguous 393/396" for probabilities, "at least 0" for constant data).
enum InputChecks {
    /// Rows sampled from a dump to recognise probabilities: enough to be sure, cheap next to the Gram.
    static let sampledRows = 64

    /// Before the work, for `.npy` dumps: values that all lie in [0, 1] with rows summing to at most 1 are
    /// probabilities, not log-probabilities (which are ≤ 0) or logits. Their rows are not linear in the
    /// hidden state, so no spectrum of them shows the hidden size.
    static func refuseProbabilities(paths: [String]) throws {
        guard !paths.isEmpty, paths.allSatisfy({ $0.lowercased().hasSuffix(".npy") }) else { return }
        guard let source = try? SampleSource.load(paths: paths), source.rows > 0, source.columns > 0 else { return }
        let rows = min(source.rows, sampledRows)
        var buffer = [Double](repeating: 0, count: rows * source.columns)
        buffer.withUnsafeMutableBufferPointer { source.readRows(0..<rows, into: $0) }
        var anyPositive = false
        for r in 0..<rows {
            var sum = 0.0
            for v in buffer[(r * source.columns)..<((r + 1) * source.columns)] where v.isFinite {
                guard v >= 0, v <= 1 else { return }
                if v > 0 { anyPositive = true }
                sum += v
            }
            guard sum <= 1.02 else { return }
        }
        guard anyPositive else { return }
        throw InputError(
            "\(paths.joined(separator: ", ")): every value lies in [0, 1] and each row sums to at most 1: these look like probabilities, not log-probabilities. Save log(p) (numpy.log) or the raw logits: only those are linear in the hidden state")
    }

    /// After the work: a spectrum with no variation at all means every row is the same up to a constant
    /// (for instance all zeros, or one value everywhere) — not model outputs. Relative to the values' size
    /// when it is known (dumps), else in nats.
    static func review(_ r: EstimateResult, paths: [String]) throws -> EstimateResult {
        let n = Double(max(r.samples, 1)), v = Double(max(r.columns, 1))
        let rms = (r.singularValues.reduce(0) { $0 + $1 * $1 } / (n * v)).squareRoot()
        var scale = 1.0
        if paths.allSatisfy({ $0.lowercased().hasSuffix(".npy") }), let source = try? SampleSource.load(paths: paths), source.columns > 0 {
            let rows = min(source.rows, sampledRows)
            var buffer = [Double](repeating: 0, count: rows * source.columns)
            buffer.withUnsafeMutableBufferPointer { source.readRows(0..<rows, into: $0) }
            scale = max(buffer.lazy.filter(\.isFinite).map(abs).max() ?? 0, 1e-300)
        }
        if rms <= 1e-9 * scale {
            throw InputError(
                "\(paths.joined(separator: ", ")): the rows do not vary (every row is the same up to a constant, e.g. one value everywhere): there is nothing to measure. Check that the file holds the model's outputs for different prompts")
        }
        return r
    }
}
