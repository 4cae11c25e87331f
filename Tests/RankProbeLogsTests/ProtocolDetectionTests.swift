import RankProbeLogs
import Testing

@Suite struct ProtocolDetectionTests {
    func record(bias: [Int: Double], maxTokens: Int?, sampled: Double, others: [Double]) -> LogRecord {
        let s = LogRecord.Entry(token: "x", logprob: sampled)
        let top = [s] + others.enumerated().map { LogRecord.Entry(token: "o\($0.offset)", logprob: $0.element) }
        return LogRecord(file: "f", line: 1, format: .openaiChat, promptKey: "p", logitBias: bias, maxTokens: maxTokens,
                         sampled: s, top: top)
    }

    @Test func noBiasIsDirect() {
        #expect(LogProtocol.detect(record(bias: [:], maxTokens: 1, sampled: -1, others: [-2]), forcedMinBias: 20) == .direct)
        #expect(LogProtocol.detect(record(bias: [5: 0], maxTokens: 1, sampled: -1, others: [-2]), forcedMinBias: 20) == .direct)
    }

    @Test func oneLargeBiasWithUnbiasedResponseIsForced() {
        // Today's API: the forced token keeps its small unbiased logprob; the argmax alternatives are near 0.
        #expect(LogProtocol.detect(record(bias: [5: 100], maxTokens: 1, sampled: -12, others: [-0.1, -3]), forcedMinBias: 20) == .forced)
        // No alternatives returned: cannot show a bias, taken as forced.
        #expect(LogProtocol.detect(record(bias: [5: 100], maxTokens: 1, sampled: -1e-9, others: []), forcedMinBias: 20) == .forced)
    }

    @Test func responsesThatShowTheBiasAreBiased() {
        // Old API: the biased token takes all the mass, the rest sit ~B below it.
        #expect(LogProtocol.detect(record(bias: [5: 100], maxTokens: 1, sampled: -1e-30, others: [-88, -95]), forcedMinBias: 20) == .biased)
        // Several biased tokens, a small bias, or a longer generation: biased.
        #expect(LogProtocol.detect(record(bias: [5: 100, 6: 100], maxTokens: 1, sampled: -1, others: [-2]), forcedMinBias: 20) == .biased)
        #expect(LogProtocol.detect(record(bias: [5: 5], maxTokens: 1, sampled: -1, others: [-2]), forcedMinBias: 20) == .biased)
        #expect(LogProtocol.detect(record(bias: [5: 100], maxTokens: 16, sampled: -1, others: [-2]), forcedMinBias: 20) == .biased)
    }

    @Test func overrideWins() {
        #expect(LogProtocol.detect(record(bias: [:], maxTokens: 1, sampled: -1, others: []), forcedMinBias: 20, override: .biased) == .biased)
    }
}
