import Foundation
import RankProbeLogs
import RankProbeMatrix
import RankProbeSynth
import Testing

/// Synthetic logs → LogParser → Assembler: the assembled matrix must be the model's own log-probabilities,
/// row by row up to a per-row constant (the biased-anchor rule gives logit differences, not logprobs).
@Suite(.serialized) struct AssembleRoundTripTests {
    static let model = SyntheticModel(hidden: 32, vocab: 200, seed: 3)
    static let prompts = 60

    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-assemble-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Largest |difference| between each assembled row and its model row after removing the per-row mean,
    /// matching rows to prompts by nearest model row (prompt keys are digests); also checks the matching is
    /// one-to-one.
    func deviation(_ samples: DenseSamples) throws -> Double {
        let m = Self.model
        var idOfLabel: [String: Int] = [:]
        for t in 0..<m.vocab {
            idOfLabel[String(t)] = t
            idOfLabel["\"" + SyntheticLogs.tokenText(t) + "\""] = t
        }
        let ids = try samples.columnLabels!.map { try #require(idOfLabel[$0], "unexpected column \($0)") }
        func centred(_ xs: [Double]) -> [Double] { let mean = xs.reduce(0, +) / Double(xs.count); return xs.map { $0 - mean } }
        let truth = (0..<Self.prompts).map { p in centred(ids.map { m.logprob(sample: p, token: $0) }) }
        var worst = 0.0
        var used = Set<Int>()
        for i in 0..<samples.rows {
            let row = centred((0..<samples.columns).map { samples[i, $0] })
            let (p, d) = truth.enumerated().map { p, t in (p, zip(row, t).map { abs($0 - $1) }.max()!) }.min { $0.1 < $1.1 }!
            #expect(used.insert(p).inserted, "two rows matched prompt \(p)")
            worst = max(worst, d)
        }
        return worst
    }

    func roundTrip(_ options: SyntheticLogOptions) throws -> (samples: DenseSamples, summary: IngestSummary) {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try SyntheticLogs.write(source: Self.model, options: options, to: dir + "/log")
        return try LogIngest.load(paths: files)
    }

    @Test(arguments: [SyntheticLogOptions.Format.openaiBatch, .completionsPairs])
    func forcedTokenLogsGiveTheModelsLogprobs(format: SyntheticLogOptions.Format) throws {
        let a = try roundTrip(SyntheticLogOptions(format: format, protocol: .forced, prompts: Self.prompts, tokens: 80, topLogprobs: 5))
        #expect(a.summary.rowsKept == Self.prompts)
        #expect(a.summary.columnsKept >= 80)
        #expect(a.summary.requestsRead == Self.prompts * 80)
        #expect(a.summary.requestsUsed == Self.prompts * 80)
        #expect(a.summary.protocols == ["forced": Self.prompts])
        #expect(a.summary.model == "synthetic-model")
        #expect(try deviation(a.samples) < 1e-9)
    }

    @Test(arguments: [SyntheticLogOptions.Format.openaiBatch, .completionsPairs])
    func biasedLogsGiveLogitDifferences(format: SyntheticLogOptions.Format) throws {
        let k = format == .completionsPairs ? 5 : 20
        let a = try roundTrip(SyntheticLogOptions(format: format, protocol: .biased, prompts: Self.prompts, tokens: 81, topLogprobs: k))
        #expect(a.summary.rowsKept == Self.prompts)
        #expect(a.summary.columnsKept == 81)
        #expect(a.summary.protocols == ["biased-anchor": Self.prompts])
        #expect(a.summary.skipped.isEmpty)
        #expect(try deviation(a.samples) < 1e-9)
    }

    @Test func directLogsWithFullRows() throws {
        let a = try roundTrip(SyntheticLogOptions(format: .completionsPairs, protocol: .direct, prompts: Self.prompts, topLogprobs: 200))
        #expect(a.summary.rowsKept == Self.prompts && a.summary.columnsKept == 200)
        #expect(a.summary.protocols == ["direct": Self.prompts])
        #expect(try deviation(a.samples) < 1e-9)
    }

    @Test func noisyRepeatedFailingCorruptedBatchStillGivesTheModel() throws {
        let sigma = 1e-3
        let a = try roundTrip(SyntheticLogOptions(format: .openaiBatch, protocol: .forced, prompts: Self.prompts, tokens: 64,
                                                  topLogprobs: 3, repeats: 2, noise: sigma, failureRate: 0.02, corruptionRate: 0.01))
        let s = a.summary
        #expect(s.requestsRead == Self.prompts * 64 * 3)
        #expect(s.requestsFailed > 0)
        #expect(s.skipped.values.reduce(0, +) > s.requestsFailed)  // truncated lines too
        #expect(s.requestsUsed + s.skipped.values.reduce(0, +) == s.requestsRead)
        let noise = try #require(s.servingNoise)
        #expect(noise > 0.2 * sigma && noise < 2 * sigma)
        // Three copies of each request: losing all three (~(3%)³) is rare, so nearly everything is kept.
        #expect(s.rowsKept * s.columnsKept >= Self.prompts * 64 * 9 / 10)
        #expect(try deviation(a.samples) < 10 * sigma)
    }
}
