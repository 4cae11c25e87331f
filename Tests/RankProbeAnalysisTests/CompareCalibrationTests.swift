import Foundation
import Testing
import RankProbeAnalysis
import RankProbeMatrix
import RankProbeSynth

/// The thresholds (same ≤ 1.5 < inconclusive < 3 ≤ different) checked on repeated draws: under the null
/// (two samples of one model, equal noise) the excess must stay well below 1.5; a 2 % rank-1 change of W
/// must land above 3. The measured ranges are printed so the documentation can quote them.
@Suite struct CompareCalibrationTests {
    func noisy(_ s: DenseSamples, _ sigma: Double, seed: UInt64) -> DenseSamples {
        var rng = ToyRandom(seed: seed)
        var out = s
        for i in out.values.indices { out.values[i] += sigma * rng.gaussian() }
        return out
    }

    func excesses(model: SyntheticModel, changed: SyntheticModel?, sigma: Double, rowsB: Int, trials: Int) throws -> [Double] {
        var values: [Double] = []
        let cols = model.vocab
        for t in 0..<trials {
            let a = DenseSamples(rows: 200, columns: cols, values: model.logprobs(samples: (t * 1000)..<(t * 1000 + 200)),
                                 columnLabels: (0..<cols).map(String.init))
            let bModel = changed ?? model
            let b = DenseSamples(rows: rowsB, columns: cols, values: bModel.logprobs(samples: (t * 1000 + 500)..<(t * 1000 + 500 + rowsB)),
                                 columnLabels: (0..<cols).map(String.init))
            let r = try SubspaceComparison.compare(a: noisy(a, sigma, seed: UInt64(2 * t + 1)), b: noisy(b, sigma, seed: UInt64(2 * t + 2)),
                                                   options: .init(hiddenDim: model.hidden))
            values.append(r.excess ?? .nan)
        }
        return values
    }

    @Test(arguments: [1e-4, 1e-2], [1, 40])
    func nullStaysBelowSameThreshold(sigma: Double, rowsB: Int) throws {
        let model = SyntheticModel(hidden: 32, vocab: 300, seed: 8)
        let e = try excesses(model: model, changed: nil, sigma: sigma, rowsB: rowsB, trials: 8)
        print("calibration null σ=\(sigma) rowsB=\(rowsB): min \(e.min()!) max \(e.max()!)")
        #expect(e.allSatisfy { $0 < 1.25 }, "\(e)")
    }

    @Test(arguments: [1e-4, 1e-2])
    func differentModelOfSameSizeIsFarAbove(sigma: Double) throws {
        let model = SyntheticModel(hidden: 32, vocab: 300, seed: 8)
        let other = SyntheticModel(hidden: 32, vocab: 300, seed: 9)
        let e = try excesses(model: model, changed: other, sigma: sigma, rowsB: 20, trials: 4)
        print("calibration other-model σ=\(sigma): min \(e.min()!) max \(e.max()!)")
        #expect(e.allSatisfy { $0 > 10 }, "\(e)")
    }
}

extension CompareCalibrationTests {
    /// How small a change the test sees: rank-1 updates of W of relative Frobenius size ε, noise σ = 0.01 nats.
    @Test func smallChangeDetectionCurve() throws {
        let model = ToyModel(vocab: 300, hidden: 24, seed: 11)
        let a = model.samples(rows: 200, seed: 1, noise: 0.01)
        var previous = 0.0
        for epsilon in [0.0, 0.001, 0.003, 0.01, 0.03] {
            let b = model.lowRankUpdate(rank: 1, relative: epsilon, seed: 5).samples(rows: 40, seed: 2, noise: 0.01)
            let r = try SubspaceComparison.compare(a: a, b: b, options: .init(hiddenDim: 24))
            print("calibration rank-1 update ε=\(epsilon) σ=0.01: excess \(r.excess!) verdict \(r.verdict.rawValue)")
            #expect(r.excess! >= previous * 0.95)
            previous = r.excess!
            if epsilon == 0 { #expect(r.verdict == .same) }
            if epsilon >= 0.03 { #expect(r.verdict == .different) }
        }
    }
}
