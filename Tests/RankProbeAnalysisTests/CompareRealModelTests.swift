import Foundation
import Testing
import RankProbeAnalysis
import RankProbeMatrix
import RankProbeNPY
import RankProbeSynth

/// `compare` on a real model's outputs (SmolLM2-135M, d = 576; `Tests/Fixtures/SmolLM2`): A with a modest
/// margin of rows over d, B of one or two noisy rows, and B from another output layer.
@Suite(.serialized) struct CompareRealModel {
    static let data: (values: [Double], rows: Int, columns: Int) = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/SmolLM2/logits.npy")
        let file = try! NPYFile(path: url.path)
        var v = [Double](repeating: 0, count: file.rows * file.columns)
        for r in 0..<file.rows { for c in 0..<file.columns { v[r * file.columns + c] = file.element(r, c) } }
        return (v, file.rows, file.columns)
    }()

    /// Rows `rows` of the fixture as bf16-served logits (the log-softmax's row constant cancels in centring)
    /// plus Gaussian noise; `permute` shuffles the columns (another output layer on the same labels).
    func samples(_ rows: Range<Int>, noise: Double = 0, seed: UInt64 = 1, permute: Bool = false) -> DenseSamples {
        let v = Self.data.columns
        var random = SyntheticRandom(seed: seed, purpose: .noise)
        var order = Array(0..<v)
        if permute { order = order.reversed() }
        var values: [Double] = []
        for r in rows {
            for c in 0..<v {
                values.append(SyntheticModel.bfloat16(Self.data.values[r * v + order[c]]) + noise * random.normal())
            }
        }
        return DenseSamples(rows: rows.count, columns: v, values: values, columnLabels: (0..<v).map(String.init))
    }

    @Test func modestMarginOfRowsInA() throws {
        // 700 rows for d = 576 used to be refused ("needs 794"): the folds now shrink to fit.
        let r = try SubspaceComparison.compare(a: samples(0..<700), b: samples(900..<960, noise: 0.02, seed: 2))
        #expect(r.hiddenDim == 576)
        #expect(r.verdict == .same, "\(r.reasons)")
    }

    @Test func oneNoisyRowOfTheSameModel() throws {
        let r = try SubspaceComparison.compare(a: samples(0..<700), b: samples(950..<951, noise: 0.02, seed: 3))
        #expect(r.verdict == .same, "\(r.reasons)")
    }

    @Test func twoNoisyRowsOfTheSameModel() throws {
        let r = try SubspaceComparison.compare(a: samples(0..<700), b: samples(980..<982, noise: 0.02, seed: 4))
        #expect(r.verdict == .same, "\(r.reasons)")
    }

    @Test func anotherOutputLayerIsDifferent() throws {
        let r = try SubspaceComparison.compare(a: samples(0..<700), b: samples(900..<902, permute: true))
        #expect(r.verdict == .different, "\(r.reasons)")
    }
}
