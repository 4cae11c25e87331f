import Foundation
import RankProbeLogs
import Testing

/// Logprobs a server returns when it adds `bias` to the logits before the softmax.
func biasedLogprobs(_ lp: [Double], bias: [Int: Double]) -> [Double] {
    let shifted = lp.enumerated().map { $0.element + (bias[$0.offset] ?? 0) }
    let m = shifted.max()!
    let logZ = m + log(shifted.reduce(0) { $0 + exp($1 - m) })
    return shifted.map { $0 - logZ }
}

func biasedRecord(_ prompt: String, truth lp: [Double], bias: [Int: Double], returned: [Int], line: Int) -> LogRecord {
    let lpb = biasedLogprobs(lp, bias: bias)
    let entries = returned.sorted { lpb[$0] > lpb[$1] }.map { LogRecord.Entry(id: $0, token: "t\($0)", logprob: lpb[$0]) }
    return LogRecord(file: "b.jsonl", line: line, format: .pairs, model: "m1", promptKey: prompt, logitBias: bias,
                     maxTokens: 1, sampled: entries[0], top: entries)
}

@Suite struct AssembleBiasedTests {
    @Test func exactInversionByHand() throws {
        // p = (0.5, 0.3, 0.2). Bias ln 2 on token 1: weights (0.5, 0.6, 0.2), Z' = 1.3, p' = (5, 6, 2)/13.
        // Σ_S p' = 6/13, so (1 − Σ_S p')·e^B + Σ_S p' = (7/13)·2 + 6/13 = 20/13 and
        // log p_1 = log(6/13) − log(20/13) = log 0.3; for the unbiased tokens the same shift less B = ln 2:
        // log p_0 = log(5/13) − log(20/13) + ln 2 = log 0.5.
        // Bias ln 3 on token 2 alone (no common anchor with the first request): weights (0.5, 0.3, 0.6).
        let r1 = LogRecord(file: "b.jsonl", line: 1, format: .pairs, model: "m1", promptKey: "P", logitBias: [1: log(2)],
                           sampled: .init(id: 1, logprob: log(6.0 / 13)),
                           top: [.init(id: 1, logprob: log(6.0 / 13)), .init(id: 0, logprob: log(5.0 / 13)), .init(id: 2, logprob: log(2.0 / 13))])
        let r2 = LogRecord(file: "b.jsonl", line: 2, format: .pairs, model: "m1", promptKey: "P", logitBias: [2: log(3)],
                           sampled: .init(id: 2, logprob: log(0.6 / 1.4)),
                           top: [.init(id: 2, logprob: log(0.6 / 1.4)), .init(id: 0, logprob: log(0.5 / 1.4)), .init(id: 1, logprob: log(0.3 / 1.4))])
        let assembler = { () -> Assembly in
            var a = Assembler()
            a.add(r1); a.add(r2)
            return try a.finish()
        }
        let a = try assembler()
        #expect(a.rowRules == ["biased-exact"])
        #expect(a.samples.columnLabels == ["1", "0", "2"])
        let expected = [log(0.3), log(0.5), log(0.2)]
        for j in 0..<3 { #expect(abs(a.samples[0, j] - expected[j]) < 1e-12) }
        #expect(a.summary.protocols == ["biased-exact": 1])
        #expect(a.summary.requestsUsed == 2)
    }

    @Test func commonAnchorGivesLogitDifferences() throws {
        let lp = biasedLogprobs([0.3, -1.2, 2.0, -0.7, 0.1, -2.5], bias: [:])   // normalised truth
        let lq = biasedLogprobs([-1.0, 0.5, 0.25, 1.5, -3.0, 0.0], bias: [:])
        var records: [LogRecord] = []
        // Anchor token 0 biased in every request with three others, B = 30 (only biased tokens returned).
        for (p, truth) in [("P", lp), ("Q", lq)] {
            records.append(biasedRecord(p, truth: truth, bias: [0: 30, 1: 30, 2: 30], returned: [0, 1, 2], line: records.count + 1))
            records.append(biasedRecord(p, truth: truth, bias: [0: 30, 3: 30, 4: 30, 5: 30], returned: [0, 3, 4, 5], line: records.count + 1))
        }
        var assembler = Assembler()
        assembler.add(contentsOf: records)
        let a = try assembler.finish()
        #expect(a.rowRules == ["biased-anchor", "biased-anchor"])
        #expect(a.samples.columns == 6)
        for (i, truth) in [lp, lq].enumerated() {
            for j in 0..<6 {
                let c = a.samples.columnLabels!.firstIndex(of: String(j))!
                #expect(abs(a.samples[i, c] - (truth[j] - truth[0])) < 1e-9)
            }
        }
    }

    @Test func unbiasedTopEntriesOfABiasedRequestUseTheKnownBias() throws {
        // One request, anchor 0 and token 1 biased by 5, tokens 2 and 3 returned unbiased.
        let lp = biasedLogprobs([0.0, -1.0, 1.0, -0.5], bias: [:])
        let r = biasedRecord("P", truth: lp, bias: [0: 5, 1: 5], returned: [0, 1, 2, 3], line: 1)
        let a = try LogIngest.assemble(records: [r])
        for j in 0..<4 {
            let c = a.samples.columnLabels!.firstIndex(of: String(j))!
            #expect(abs(a.samples[0, c] - (lp[j] - lp[0])) < 1e-12)
        }
    }

    @Test func exactInversionNeedsTheWholeBiasedSetAndEnoughPrecision() throws {
        let lp = biasedLogprobs([0.0, -1.0, 1.0, -0.5], bias: [:])
        // No common anchor (sets {0,1} and {2,3}); the second request does not return token 3.
        let ok = biasedRecord("P", truth: lp, bias: [0: 2, 1: 2], returned: [0, 1, 2, 3], line: 1)
        let incomplete = biasedRecord("P", truth: lp, bias: [2: 2, 3: 2], returned: [2, 0], line: 2)
        // B = 60 on two tokens: the unbiased mass (~e^-60) is far below the printed precision.
        let illConditioned = biasedRecord("P", truth: lp, bias: [1: 60, 3: 60], returned: [1, 3, 0], line: 3)
        let a = try LogIngest.assemble(records: [ok, incomplete, illConditioned])
        #expect(a.summary.skipped[Assembler.Reason.biasedIncomplete] == 1)
        #expect(a.summary.skipped[Assembler.Reason.biasedIllConditioned] == 1)
        #expect(a.summary.requestsUsed == 1)
        for j in 0..<4 {
            let c = a.samples.columnLabels!.firstIndex(of: String(j))!
            #expect(abs(a.samples[0, c] - lp[j]) < 1e-12)
        }
    }
}
