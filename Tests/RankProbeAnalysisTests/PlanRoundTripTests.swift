import Foundation
import Testing
import RankProbe
import RankProbeAnalysis
import RankProbeLogs
import RankProbeMatrix
import RankProbeSynth

/// A plan's Batch files, answered by the synthetic API and read back by the log reader, must show the
/// planned hidden size.
@Suite struct PlanRoundTripTests {
    @Test(arguments: [QueryPlan.CollectionProtocol.forced, .biased])
    func plannedFilesReproduceTheHiddenSize(protocol proto: QueryPlan.CollectionProtocol) throws {
        let d = 32, vocab = 600
        let plan = try QueryPlan.make(.init(vocab: vocab, hiddenGuess: d, topLogprobs: 5, protocol: proto))
        let dir = NSTemporaryDirectory() + "rankprobe-roundtrip-\(proto.rawValue)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prompts = (0..<plan.prompts).map { "Write the next word of story \($0)." }
        let columns = try TokenColumns.choose(count: plan.columns, vocab: vocab)
        let emitted = try BatchEmitter(plan: plan, model: "synthetic-32", columns: columns,
                                       limits: BatchLimits(requestsPerFile: 1000, bytesPerFile: 200_000_000))
            .write(prompts: prompts, directory: dir)
        #expect(emitted.files.count > 1)

        let model = SyntheticModel(hidden: d, vocab: vocab, seed: 77)
        let semantics: SyntheticResponder.BiasSemantics = proto == .forced ? .unbiasedLogprobs : .biasedLogprobs
        var outputs: [String] = []
        for (i, file) in emitted.files.enumerated() {
            let out = dir + "/output-\(i).jsonl"
            let summary = try SyntheticResponder(model: model, options: .init(semantics: semantics, noise: 1e-6, failureRate: 0, seed: UInt64(i)))
                .respond(inputPath: file, outputPath: out)
            #expect(summary.failed == 0)
            outputs.append(out)
        }
        let (samples, summary) = try LogIngest.load(paths: emitted.files + outputs)
        #expect(samples.rows == plan.prompts, "\(summary.notes)")
        #expect(samples.columns >= plan.columns, "\(summary.notes)")
        let export = try OutputBasisExport.compute(samples: samples)
        #expect(export.hiddenDim == d, "singular values \(export.singularValues.prefix(d + 3))")
        // and through the whole `rankprobe estimate` pipeline
        let estimate = try Estimator.estimate(paths: emitted.files + outputs, options: EstimateOptions(hashInputs: false))
        #expect(estimate.status == .ok)
        #expect(estimate.hiddenDim == d, "\(estimate.message)")

        // The API-log recording compared with a full-vocabulary dump (labels: token ids on both sides).
        let dump = DenseSamples(rows: 200, columns: vocab, values: model.logprobs(samples: 0..<200),
                                columnLabels: (0..<vocab).map(String.init))
        let same = try SubspaceComparison.compare(a: dump, b: samples)
        if proto == .biased {
            // Biased responses carry token text only, so the reader labels those columns by text, not id.
            #expect(same.verdict == .inconclusive)
            #expect(same.reasons.contains { $0.contains("cannot be matched") }, "\(same.reasons)")
            return
        }
        #expect(same.sharedColumns == samples.columns)
        #expect(same.hiddenDim == d)
        #expect(same.verdict == .same, "\(same.reasons)")
        let other = SyntheticModel(hidden: d, vocab: vocab, seed: 78)
        let otherDump = DenseSamples(rows: 200, columns: vocab, values: other.logprobs(samples: 0..<200),
                                     columnLabels: (0..<vocab).map(String.init))
        #expect(try SubspaceComparison.compare(a: otherDump, b: samples).verdict == .different)

    }
}
