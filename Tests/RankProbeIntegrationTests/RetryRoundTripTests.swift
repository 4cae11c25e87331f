import Foundation
import RankProbe
import RankProbeSynth
import Testing

/// What the parse-independent reading of a Batch log says was lost: the input custom_ids whose output
/// lines are missing, not JSON, or failures. Computed with Foundation's JSON parser, not rankprobe's.
func lostCustomIDs(input: String, output: String) throws -> (lost: Set<String>, inputLines: [String: String]) {
    var inputs: [String: String] = [:]
    for line in try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n") {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        inputs[try #require(object["custom_id"] as? String)] = String(line)
    }
    var answered = Set<String>()
    for line in try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let id = object["custom_id"] as? String else { continue }
        let response = object["response"] as? [String: Any]
        if !(object["error"] is NSNull) || response?["status_code"] as? Int != 200 { continue }
        answered.insert(id)
    }
    return (Set(inputs.keys).subtracting(answered), inputs)
}

/// Damaged Batch logs: the lost requests are counted exactly, written back byte for byte under fresh ids,
/// and once answered they restore the full matrix and the true hidden size.
@Suite(.serialized) struct RetryRoundTripTests {
    func estimate(_ paths: [String], emitRetry: String? = nil) throws -> EstimateResult {
        try Estimator.estimate(paths: paths, options: EstimateOptions(hashInputs: false, emitRetry: emitRetry))
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func customID(_ line: String) throws -> String {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(object["custom_id"] as? String)
    }

    /// 1 %-corrupted single-shot forced-token Batch log, prompts and tokens ≈ 1.3 d.
    @Test(arguments: [(24, 32, UInt64(5)), (28, 36, UInt64(11))])
    func corruptedForcedLogIsNeverConfidentlyWrongAndRetriesRestoreIt(hidden: Int, size: Int, seed: UInt64) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = SyntheticModel(hidden: hidden, vocab: 200, seed: 3)
        let files = try SyntheticLogs.write(source: model, options: SyntheticLogOptions(
            format: .openaiBatch, protocol: .forced, prompts: size, tokens: size, topLogprobs: 0, corruptionRate: 0.01, seed: seed),
            to: dir.appendingPathComponent("log").path)
        let (lost, inputLines) = try lostCustomIDs(input: files[0], output: files[1])
        #expect(lost.count >= 3, "the seed should corrupt a few of the \(size * size) lines")

        // Without --emit-retry: counted, and the warning says how to get them.
        let plain = try estimate(files)
        let plainInput = try #require(plain.input)
        #expect(plain.status != .ok || plain.hiddenDim == hidden, "confidently wrong: \(plain.message)")
        #expect(plainInput.requestsRetryable == lost.count)
        #expect((plainInput.skipped["invalid JSON"] ?? 0) + (plainInput.skipped["truncated last line"] ?? 0) == lost.count)
        #expect(plainInput.requestsRead == size * size)
        #expect(plainInput.requestsUsed == size * size - lost.count)
        #expect(plain.warnings.contains { $0.contains("\(lost.count) requests lost") && $0.contains("`--emit-retry PATH` writes them") },
                "\(plain.warnings)")
        if plain.status != .ok {
            #expect(plain.warnings.contains { $0.contains("holes shrank the complete block") }, "\(plain.warnings)")
        }

        // With it: exactly the lost requests, bodies byte for byte, ids <id>-retry1.
        let prefix = dir.appendingPathComponent("retry").path
        let result = try estimate(files, emitRetry: prefix)
        let retryFile = prefix + "-0001.jsonl"
        #expect(result.input?.retryFiles == [retryFile])
        #expect(result.warnings.contains { $0.contains("\(lost.count) requests lost") && $0.contains("written to \(retryFile)") })
        let retried = try lines(retryFile)
        #expect(retried.count == lost.count)
        #expect(Set(try retried.map(customID)) == Set(lost.map { $0 + "-retry1" }))
        for line in retried {
            let original = String(try customID(line).dropLast("-retry1".count))
            let expected = try #require(inputLines[original]).replacingOccurrences(of: "\"\(original)\"", with: "\"\(original)-retry1\"")
            #expect(line == expected)
        }

        // Answer the retries with the same model; all files together give the whole matrix and the true d.
        let answers = dir.appendingPathComponent("retry-0001.output.jsonl").path
        let summary = try SyntheticResponder(model: model, options: .init(dialect: .logWriter))
            .respond(inputPath: retryFile, outputPath: answers)
        #expect(summary.requests == lost.count && summary.failed == 0)
        let merged = try estimate(files + [retryFile, answers])
        #expect(merged.status == .ok, "\(merged.message)")
        #expect(merged.hiddenDim == hidden)
        #expect(merged.input?.rowsKept == size && merged.input?.columnsKept == size)
        #expect(merged.input?.requestsRetryable == 0)
        #expect(merged.input?.requestsUsed == size * size)
    }

    /// A second round: the retry's own answers are partly lost. Original + retry files read together name each
    /// still-missing request once, as <id>-retry2 — unique next to <id> and <id>-retry1.
    @Test func secondRoundStaysUnique() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = SyntheticModel(hidden: 16, vocab: 100, seed: 4)
        let files = try SyntheticLogs.write(source: model, options: SyntheticLogOptions(
            format: .openaiBatch, protocol: .forced, prompts: 24, tokens: 24, topLogprobs: 0, corruptionRate: 0.03, seed: 2),
            to: dir.appendingPathComponent("log").path)
        let (lost, _) = try lostCustomIDs(input: files[0], output: files[1])
        #expect(lost.count >= 4)
        let first = dir.appendingPathComponent("r1").path
        _ = try estimate(files, emitRetry: first)
        let retry1 = first + "-0001.jsonl", answers1 = dir.appendingPathComponent("r1.output.jsonl").path
        _ = try SyntheticResponder(model: model, options: .init(shuffle: false, dialect: .logWriter)).respond(inputPath: retry1, outputPath: answers1)
        // Lose two of the retry's answers: one truncated, one replaced by a failure.
        var out = try lines(answers1)
        let truncatedID = try customID(out[0]), failedID = try customID(out[1])
        out[0] = String(out[0].prefix(40))
        out[1] = #"{"id":"x","custom_id":"\#(failedID)","response":{"status_code":500,"body":{"error":{"message":"boom"}}},"error":null}"#
        try (out.joined(separator: "\n") + "\n").write(toFile: answers1, atomically: true, encoding: .utf8)

        let second = dir.appendingPathComponent("r2").path
        let result = try estimate(files + [retry1, answers1], emitRetry: second)
        #expect(result.input?.requestsRetryable == 2)
        let retry2 = try lines(second + "-0001.jsonl").map(customID)
        let expected = [truncatedID, failedID].map { String($0.dropLast("-retry1".count)) + "-retry2" }
        #expect(Set(retry2) == Set(expected))
        #expect(retry2.count == 2)
    }

    /// Protocols with redundancy: a lost line costs a row (direct, biased) or nothing (repeats), so 1 % loss
    /// still gives the true hidden size; the lost lines are counted exactly.
    @Test(arguments: [("direct", 0), ("biased", 0), ("forced", 1), ("forced", 2)])
    func redundantLogsSurviveOnePercentLoss(kind: String, repeats: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hidden = 24
        let model = SyntheticModel(hidden: hidden, vocab: 200, seed: 6)
        let proto = SyntheticLogOptions.ProtocolKind(rawValue: kind)!
        // Enough lines that 1 % is a few of them: 400 direct lines, 90 × 5 biased, 40 × 40 × copies forced.
        let prompts = proto == .forced ? 40 : (proto == .direct ? 400 : 90)
        let options = SyntheticLogOptions(
            format: .openaiBatch, protocol: proto, prompts: prompts, tokens: proto == .direct ? nil : (proto == .forced ? 40 : 96),
            topLogprobs: proto == .direct ? 200 : (proto == .biased ? 20 : 0), repeats: repeats, corruptionRate: 0.01, seed: 9)
        let files = try SyntheticLogs.write(source: model, options: options, to: dir.appendingPathComponent("log").path)
        let (lost, inputs) = try lostCustomIDs(input: files[0], output: files[1])
        #expect(lost.count >= 2, "the seed should corrupt some of the \(inputs.count) lines")
        let result = try estimate(files)
        let input = try #require(result.input)
        #expect(result.status == .ok, "\(result.message)")
        #expect(result.hiddenDim == hidden)
        #expect(input.requestsRetryable == lost.count)
        #expect(input.skipped["invalid JSON", default: 0] + input.skipped["truncated last line", default: 0] == lost.count)
        #expect(input.requestsRead == inputs.count)
        if proto == .forced {
            // Every cell has 2–3 copies; losing all of them is rare, so the block stays (nearly) whole.
            #expect(input.rowsKept * input.columnsKept >= prompts * 40 * 95 / 100)
        } else {
            // One lost line drops at most its prompt's row, never a column.
            #expect(input.rowsKept >= prompts - lost.count)
            #expect(input.columnsKept == input.columnsSeen)
        }
    }
}
