import Foundation
import Testing

/// `rankprobe synth` through the built binary: recorded traffic and answered Batch files must carry the
/// model's hidden size all the way through `rankprobe estimate`, and bad option combinations must fail
/// with a message that names the options.
@Suite struct SynthCLITests {
    func estimateJSON(_ files: [String]) throws -> [String: Any] {
        let r = try runCLI(["estimate"] + files + ["--format", "json", "--no-hash"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// A chat-completions Batch request forcing `token` after `prompt`.
    func batchLine(_ id: String, prompt: String, token: Int, top: Int = 0) -> String {
        #"{"custom_id":"\#(id)","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"\#(prompt)"}],"max_tokens":1,"logprobs":true,"top_logprobs":\#(top),"logit_bias":{"\#(token)":100}}}"#
    }

    @Test(arguments: [("forced", 24), ("biased", 16)])
    func batchTrafficRecoversHiddenSize(proto: String, d: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("run").path
        let r = try runCLI(["synth", "--hidden", "\(d)", "--vocab", "300", "--samples", "60", "--seed", "9",
                            "--format", "openai-batch", "--protocol", proto, "--tokens", "90", "--out", prefix + ".jsonl"])
        #expect(r.status == 0, "\(r.stderr)")
        let input = prefix + ".input.jsonl", output = prefix + ".output.jsonl"
        #expect(FileManager.default.fileExists(atPath: input) && FileManager.default.fileExists(atPath: output))
        let lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n").count
        // forced: one request per prompt × token; biased: an anchor plus 19 tokens per request.
        #expect(lines == (proto == "forced" ? 60 * 90 : 60 * 5))
        let result = try estimateJSON([input, output])
        #expect(result["status"] as? String == "ok", "\(result)")
        #expect(result["hidden_dim"] as? Int == d)
        #expect(result["samples"] as? Int == 60)
    }

    @Test func logWriterImperfectionsReachTheFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("imperfect").path
        let r = try runCLI(["synth", "--hidden", "8", "--vocab", "40", "--samples", "10", "--format", "openai-chat",
                            "--tokens", "20", "--top-logprobs", "3", "--repeats", "1", "--failure-rate", "0.2",
                            "--corruption-rate", "0.1", "--out", prefix])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: prefix + ".jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10 * 20 * 2)
        var errors = 0, broken = 0, tops: Set<Int> = []
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { broken += 1; continue }
            if object["error"] != nil { errors += 1; continue }
            let choices = try #require(object["choices"] as? [[String: Any]])
            let content = try #require(((choices[0]["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])?.first)
            tops.insert((content["top_logprobs"] as? [Any])?.count ?? -1)
        }
        // 400 lines: Binomial(400, 0.2) errors (sd 8), Binomial(400, 0.1) truncations (sd 6), some overlapping.
        #expect(errors > 40 && errors < 110, "\(errors) error lines")
        #expect(broken > 15 && broken < 65, "\(broken) truncated lines")
        #expect(tops == [3])
    }

    /// A hand-written Batch input: 3 prompts × 4 forced tokens, answered without --samples.
    @Test func respondAnswersAHandWrittenFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("plan.input.jsonl").path
        let output = dir.appendingPathComponent("plan.output.jsonl").path
        var lines: [String] = []
        for p in ["The cat sat on the", "Once upon a", "2 + 2 ="] {
            for t in [0, 7, 19, 33] { lines.append(batchLine("\(lines.count)", prompt: p, token: t, top: 2)) }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let r = try runCLI(["synth", "--hidden", "8", "--vocab", "50", "--respond", input, "--out", output])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("answered 12 requests (3 prompts, 0 failed)"), "\(r.stderr)")
        #expect(!r.stderr.contains("--samples"))
        let before = try String(contentsOfFile: output, encoding: .utf8)
        // Scripts written when --samples was required still work: same answers, and a note that it is ignored.
        let old = try runCLI(["synth", "--hidden", "8", "--vocab", "50", "--samples", "2", "--respond", input, "--out", output])
        #expect(old.status == 0 && old.stderr.contains("--samples is ignored"), "\(old.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == before)
        let answers = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(Set(answers.compactMap { $0["custom_id"] as? String }) == Set((0..<12).map(String.init)))
        var perPrompt: [Int: [Double]] = [:]
        for answer in answers {
            let id = Int(answer["custom_id"] as! String)!
            let response = try #require(answer["response"] as? [String: Any])
            #expect(response["status_code"] as? Int == 200)
            let body = try #require(response["body"] as? [String: Any])
            let choices = try #require(body["choices"] as? [[String: Any]])
            let content = try #require(((choices[0]["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])?.first)
            #expect(content["token"] as? String == "tok\([0, 7, 19, 33][id % 4])")
            let lp = try #require(content["logprob"] as? Double)
            #expect(lp < 0 && lp > -60)
            perPrompt[id / 4, default: []].append(lp)
        }
        // Four distinct tokens of one prompt cannot all have the same probability.
        #expect(perPrompt.count == 3 && perPrompt.values.allSatisfy { Set($0).count == 4 })
    }

    /// End to end: a Batch input written here (40 prompts × 60 tokens), answered by --respond, estimated.
    @Test(arguments: ["forced", "biased"])
    func respondThenEstimateRecoversHiddenSize(proto: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("probe.input.jsonl").path
        let output = dir.appendingPathComponent("probe.output.jsonl").path
        var lines: [String] = []
        for p in 0..<40 {
            for t in 0..<60 {
                if proto == "forced" {
                    lines.append(batchLine("f\(p)-\(t)", prompt: "prompt \(p) about things", token: t))
                } else if t % 3 == 1 {
                    // anchor 0 plus tokens t, t+1 (t+2 ≤ 60), all +100, top 3: the server's shifted logprobs.
                    lines.append(#"{"custom_id":"b\#(p)-\#(t)","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"prompt \#(p) about things"}],"max_tokens":1,"logprobs":true,"top_logprobs":3,"logit_bias":{"0":100,"\#(t)":100,"\#(t + 1)":100}}}"#)
                }
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let r = try runCLI(["synth", "--hidden", "16", "--vocab", "200", "--seed", "4", "--respond", input,
                            "--protocol", proto, "--out", output])
        #expect(r.status == 0, "\(r.stderr)")
        let result = try estimateJSON([input, output])
        #expect(result["status"] as? String == "ok", "\(result)")
        #expect(result["hidden_dim"] as? Int == 16)
        #expect(result["samples"] as? Int == 40)
    }

    @Test(arguments: [
        (["--respond", "IN", "--format", "npy"], "openai-batch"),
        (["--respond", "IN", "--protocol", "direct"], "forced"),
        (["--respond", "IN", "--tokens", "5"], "--tokens"),
        (["--respond", "IN", "--precision", "f16"], "--precision"),
        (["--samples", "10", "--protocol", "biased"], "--protocol"),
        (["--samples", "10", "--failure-rate", "0.1"], "--failure-rate"),
        (["--samples", "10", "--format", "openai-batch", "--quantize", "0.1"], "--quantize"),
        (["--samples", "10", "--format", "openai-batch", "--failure-rate", "1.5"], "--failure-rate"),
        (["--samples", "10", "--format", "openai-batch", "--top-logprobs", "21"], "--top-logprobs"),
        (["--samples", "10", "--format", "openai-batch", "--tokens", "500"], "--tokens"),
        (["--samples", "10", "--format", "openai-batch", "--protocol", "direct", "--tokens", "5"], "--tokens"),
        (["--format", "openai-batch"], "--samples"),
    ] as [([String], String)])
    func badCombinationsAreRefused(arguments: [String], phrase: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl").path
        try (batchLine("a", prompt: "x", token: 1) + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.jsonl").path
        let args = ["synth", "--hidden", "4", "--vocab", "30", "--out", out] + arguments.map { $0 == "IN" ? input : $0 }
        let r = try runCLI(args)
        #expect(r.status != 0, "accepted: \(args)")
        #expect(r.stderr.contains(phrase), "expected '\(phrase)' in: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func respondNamesAMissingOrMalformedInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("absent.jsonl").path
        let r = try runCLI(["synth", "--hidden", "4", "--vocab", "30", "--respond", missing, "--out", dir.appendingPathComponent("o.jsonl").path])
        #expect(r.status != 0 && r.stderr.contains("absent.jsonl"), "\(r.stderr)")
        let bad = dir.appendingPathComponent("bad.jsonl").path
        try (batchLine("a", prompt: "x", token: 1) + "\n{\"custom_id\":\"b\"}\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let r2 = try runCLI(["synth", "--hidden", "4", "--vocab", "30", "--respond", bad, "--out", dir.appendingPathComponent("o.jsonl").path])
        #expect(r2.status != 0 && r2.stderr.contains("bad.jsonl:2"), "\(r2.stderr)")
    }
}
