import Foundation
import RankProbeLogs
import Testing

// MARK: record builders shared by the assembler tests

func entry(_ text: String, _ logprob: Double, id: Int? = nil) -> LogRecord.Entry {
    LogRecord.Entry(id: id, token: text, bytes: Array(text.utf8), logprob: logprob)
}

/// A forced-token request/response: logit_bias {id: 100}, max_tokens 1, sampled `text` with `logprob`.
func forced(_ prompt: String, id: Int, text: String, _ logprob: Double, top: [LogRecord.Entry] = [],
            line: Int, model: String? = "m1", file: String = "log.jsonl") -> LogRecord {
    LogRecord(file: file, line: line, format: .openaiBatch, model: model, promptKey: prompt, logitBias: [id: 100],
              maxTokens: 1, sampled: entry(text, logprob), top: top)
}

func direct(_ prompt: String, _ entries: [LogRecord.Entry], line: Int, model: String? = "m1") -> LogRecord {
    LogRecord(file: "direct.jsonl", line: line, format: .vllm, model: model, promptKey: prompt,
              sampled: entries.first, top: entries)
}

func value(_ a: Assembly, row: String, column: String) -> Double? {
    guard let r = a.samples.rowLabels?.firstIndex(of: row), let c = a.samples.columnLabels?.firstIndex(of: column) else { return nil }
    return a.samples[r, c]
}

let texts = ["a", "b", "c", "d"]

/// Hand-chosen log-probabilities: prompt p, token id 10+t.
let truth: [[Double]] = [
    [-1.5, -2.25, -3.0, -4.125],
    [-0.5, -6.0, -2.5, -7.75],
    [-3.5, -1.0, -9.0, -0.25],
]

@Suite struct AssembleForcedTests {
    @Test func forcedTokenMatrixEqualsTheSampledLogprobs() throws {
        var records: [LogRecord] = []
        var line = 0
        for (p, row) in truth.enumerated() {
            for (t, lp) in row.enumerated() {
                line += 1
                // Each response also lists token "z" (never forced) and token "a" as top alternatives.
                let top = [entry("z", -0.125 - Double(p)), entry("a", row[0])]
                records.append(forced("P\(p)", id: 10 + t, text: texts[t], lp, top: top, line: line))
            }
        }
        let a = try LogIngest.assemble(records: records.shuffled())
        #expect(a.samples.rows == 3)
        #expect(a.samples.columns == 5)
        for (p, row) in truth.enumerated() {
            for (t, lp) in row.enumerated() { #expect(value(a, row: "P\(p)", column: String(10 + t)) == lp) }
            #expect(value(a, row: "P\(p)", column: "\"z\"") == -0.125 - Double(p))
        }
        #expect(a.summary.requestsRead == 12)
        #expect(a.summary.requestsUsed == 12)
        #expect(a.summary.protocols == ["forced": 3])
        #expect(a.summary.model == "m1")
        #expect(a.summary.rowsKept == 3 && a.summary.columnsKept == 5)
        // "a" is learned as id 10 and its top entries merge into column 10: 4 observations per prompt, all equal.
        #expect(a.summary.repeatedCells == 3 + 3)
        #expect(a.summary.servingNoise == 0)
    }

    @Test func forcedTokenNotSampledIsSkippedWithItsLocation() throws {
        var records: [LogRecord] = []
        var line = 0
        for p in 0..<4 {
            for t in 0..<4 {
                line += 1
                let bad = p == 2 && t == 1
                records.append(forced("P\(p)", id: 10 + t, text: bad ? "x" : texts[t], -1 - Double(t), line: line))
            }
        }
        let a = try LogIngest.assemble(records: records)
        #expect(a.summary.skipped[Assembler.Reason.forcedNotSampled] == 1)
        #expect(a.summary.requestsUsed == 15)
        #expect(a.summary.notes.contains { $0.contains(Assembler.Reason.forcedNotSampled) && $0.contains("log.jsonl:10") })
        // The hole at (P2, 11) costs one row or one column: 3 × 4 or 4 × 3.
        #expect(a.samples.rows * a.samples.columns == 12)
    }

    @Test func firstSampledTextWrongIsOverruledByTheMajority() throws {
        // The first response for id 11 sampled "x" (force failed); the three later ones sampled "b".
        var records: [LogRecord] = []
        for p in 0..<4 {
            records.append(forced("P\(p)", id: 10, text: "a", -1, line: 2 * p + 1))
            records.append(forced("P\(p)", id: 11, text: p == 0 ? "x" : "b", -2, line: 2 * p + 2))
        }
        let a = try LogIngest.assemble(records: records)
        #expect(a.summary.skipped[Assembler.Reason.forcedNotSampled] == 1)
        #expect(a.summary.requestsUsed == 7)
        #expect(a.samples.rows == 3)
        #expect(a.samples.rowLabels == ["P1", "P2", "P3"])
        #expect(a.samples.values == [-1, -2, -1, -2, -1, -2])
    }

    @Test func conflictingTextsForOneIDAreReported() throws {
        let records = [
            LogRecord(file: "v.jsonl", line: 1, format: .vllm, model: "m1", promptKey: "P0",
                      sampled: entry("a", -1, id: 5), top: [entry("a", -1, id: 5), entry("b", -2, id: 6)]),
            LogRecord(file: "v.jsonl", line: 2, format: .vllm, model: "m1", promptKey: "P1",
                      sampled: entry("A", -1.5, id: 5), top: [entry("A", -1.5, id: 5), entry("b", -2.5, id: 6)]),
        ]
        let a = try LogIngest.assemble(records: records)
        #expect(a.samples.values == [-1, -2, -1.5, -2.5])
        #expect(a.summary.notes.contains { $0.contains("token id 5") && $0.contains("\"a\"") && $0.contains("\"A\"") })
    }
}

@Suite struct AssembleDirectTests {
    @Test func directTopLogprobsAndPromptLogprobRows() throws {
        var r0 = direct("P0", [entry("a", -0.5, id: 1), entry("b", -1.5, id: 2)], line: 1)
        r0.promptLogprobs = [[], [entry("a", -2, id: 1), entry("b", -3, id: 2)]]
        let r1 = direct("P1", [entry("b", -0.25, id: 2), entry("a", -2.25, id: 1)], line: 2)
        let a = try LogIngest.assemble(records: [r0, r1])
        #expect(a.samples.rowLabels == ["P0", "P0#1", "P1"])
        #expect(a.samples.columnLabels == ["1", "2"])
        #expect(a.samples.values == [-0.5, -1.5, -2, -3, -2.25, -0.25])
        #expect(a.summary.protocols == ["direct": 3])
        #expect(a.summary.repeatedCells == 0)  // sampled = top[0] is one observation, not a repeat
    }

    @Test func placeholdersAndNonFiniteValuesNeverEnterTheMatrix() throws {
        let records = [
            direct("P0", [entry("a", -1), entry("b", -9999), entry("c", -3)], line: 1),
            direct("P1", [entry("a", -1.5), entry("b", -2.5), entry("c", .nan)], line: 2),
            direct("P2", [entry("a", -0.5), entry("b", -4.5), entry("c", -.infinity)], line: 3),
        ]
        let a = try LogIngest.assemble(records: records)
        #expect(a.samples.values.allSatisfy { $0.isFinite })
        // Holes at (P0, b), (P1, c), (P2, c): dropping column c then row P0 leaves the optimum 2 × 2.
        #expect(a.samples.rowLabels == ["P1", "P2"])
        #expect(a.samples.columnLabels == ["\"a\"", "\"b\""])
        #expect(a.samples.values == [-1.5, -2.5, -0.5, -4.5])
        #expect(a.summary.entriesSkipped[Assembler.EntryReason.placeholder] == 1)
        #expect(a.summary.entriesSkipped[Assembler.EntryReason.nonFinite] == 2)
    }
}

@Suite struct AssembleRepeatsTests {
    @Test func repeatsCombineByTheMedianAndGiveTheServingNoise() throws {
        var records: [LogRecord] = []
        var line = 0
        func add(_ p: Int, _ t: Int, _ v: Double) {
            line += 1
            records.append(forced("P\(p)", id: 10 + t, text: texts[t], v, line: line))
        }
        for p in 0..<3 { for t in 0..<2 { add(p, t, truth[p][t]) } }
        // (P0, 10) three times: median -1.5, deviations 0, 0.01, 0.02 → MAD 0.01.
        add(0, 0, -1.49); add(0, 0, -1.52)
        // (P1, 11) twice: median -6.015, MAD 0.015.
        add(1, 1, -6.03)
        // (P2, 10) twice: median -3.52, MAD 0.02.
        add(2, 0, -3.54)
        let a = try LogIngest.assemble(records: records)
        #expect(value(a, row: "P0", column: "10") == -1.5)
        #expect(abs(value(a, row: "P1", column: "11")! - -6.015) < 1e-12)
        #expect(abs(value(a, row: "P2", column: "10")! - -3.52) < 1e-12)
        #expect(a.summary.repeatedCells == 3)
        let noise = try #require(a.summary.servingNoise)
        #expect(abs(noise - 0.015) < 1e-12)
        #expect(a.summary.entriesSkipped.isEmpty)
    }

    @Test func conflictingRepeatsKeepAClearMedianAndDropAnUndecidablePair() throws {
        var records: [LogRecord] = []
        var line = 0
        func add(_ p: Int, _ t: Int, _ v: Double) {
            line += 1
            records.append(forced("P\(p)", id: 10 + t, text: texts[t], v, line: line))
        }
        for p in 0..<4 { for t in 0..<3 { add(p, t, -1 - Double(p + t)) } }
        add(0, 0, -1.01); add(0, 0, -4)      // line 13, 14: outlier among three: median −1.01 kept
        add(1, 1, -3.01)                     // small noise pair
        add(3, 2, -9)                        // line 16: conflicting pair (−6 vs −9): dropped
        let a = try LogIngest.assemble(records: records)
        #expect(a.summary.entriesSkipped[Assembler.EntryReason.conflictKept] == 1)
        #expect(a.summary.entriesSkipped[Assembler.EntryReason.conflictDropped] == 1)
        #expect(value(a, row: "P0", column: "10") == -1.01)
        // The dropped cell (P3, 12) is a hole: the complete block loses one row or one column.
        #expect(a.samples.rows * a.samples.columns == 9)
        #expect(a.summary.notes.contains { $0.contains("conflicting repeats") && ($0.contains("log.jsonl:14") || $0.contains("log.jsonl:16")) })
    }
}

@Suite struct AssembleBlockTests {
    @Test func holesInOneRowAndOneColumnCostExactlyThat() throws {
        // 5 × 5 with holes at (4,0), (4,1), (4,3) and (0,2): the optimum is rows 0–3 × columns {0,1,3,4} (16 cells).
        let holes: Set<[Int]> = [[4, 0], [4, 1], [4, 3], [0, 2]]
        var records: [LogRecord] = []
        for r in 0..<5 {
            let entries = (0..<5).filter { !holes.contains([r, $0]) }.map { entry("t\($0)", -Double(r * 5 + $0 + 1), id: $0) }
            records.append(direct("P\(r)", entries, line: r + 1))
        }
        let a = try LogIngest.assemble(records: records)
        #expect(a.samples.rowLabels == ["P0", "P1", "P2", "P3"])
        #expect(a.samples.columnLabels == ["0", "1", "3", "4"])
        #expect(a.samples[1, 2] == -9)
        #expect(a.summary.rowsSeen == 5 && a.summary.columnsSeen == 5)
        #expect(a.summary.rowsKept == 4 && a.summary.columnsKept == 4)
        #expect(a.summary.notes.contains { $0.contains("collect the 4 missing") })
    }
}

@Suite struct AssembleModelTests {
    func records() -> [LogRecord] {
        (0..<3).map { direct("P\($0)", [entry("a", -1, id: 1)], line: $0 + 1, model: "m1") }
            + (0..<2).map { direct("Q\($0)", [entry("a", -2, id: 1)], line: $0 + 10, model: "m2") }
    }

    @Test func mixedModelsAreRefusedWithCounts() {
        #expect(throws: AssembleError.mixedModels(counts: ["m1": 3, "m2": 2])) {
            try LogIngest.assemble(records: records())
        }
        let message = AssembleError.mixedModels(counts: ["m1": 3, "m2": 2]).description
        #expect(message.contains("m1: 3 records") && message.contains("m2: 2 records") && message.contains("--model"))
    }

    @Test func aModelCanBeSelected() throws {
        let a = try LogIngest.assemble(records: records(), options: LogIngestOptions(model: "m2"))
        #expect(a.samples.rowLabels == ["Q0", "Q1"])
        #expect(a.summary.skipped[Assembler.Reason.otherModel] == 3)
        #expect(a.summary.model == "m2")
        #expect(throws: AssembleError.self) { try LogIngest.assemble(records: records(), options: LogIngestOptions(model: "m3")) }
    }
}
