import Foundation
import Testing
import RankProbeSynth

@Suite struct ResponderTests {
    let model = SyntheticModel(hidden: 16, vocab: 200, seed: 3)

    func request(_ id: String, prompt: String, bias: [Int: Int], top: Int = 5) -> String {
        let b = bias.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        return #"{"custom_id":"\#(id)","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"\#(prompt)"}],"max_tokens":1,"logprobs":true,"top_logprobs":\#(top),"logit_bias":{\#(b)}}}"#
    }

    func run(_ lines: [String], options: SyntheticResponder.Options) throws -> (SyntheticResponder.Summary, [[String: Any]]) {
        let dir = NSTemporaryDirectory() + "rankprobe-responder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let summary = try SyntheticResponder(model: model, options: options).respond(inputPath: dir + "/in.jsonl", outputPath: dir + "/out.jsonl")
        let text = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8)
        let objects = try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        return (summary, objects)
    }

    func content(_ line: [String: Any]) throws -> [String: Any] {
        let response = try #require(line["response"] as? [String: Any])
        let body = try #require(response["body"] as? [String: Any])
        let choices = try #require(body["choices"] as? [[String: Any]])
        let logprobs = try #require(choices[0]["logprobs"] as? [String: Any])
        return try #require((logprobs["content"] as? [[String: Any]])?.first)
    }

    @Test func forcedTokenGetsItsUnbiasedLogprob() throws {
        let lines = (0..<30).map { request("r\($0)", prompt: "hello \($0 % 3)", bias: [($0 * 7) % 200: 100]) }
        let (summary, out) = try run(lines, options: .init(shuffle: false))
        #expect(summary.requests == 30 && summary.failed == 0 && summary.prompts == 3)
        for (i, line) in out.enumerated() {
            #expect(line["custom_id"] as? String == "r\(i)")
            let c = try content(line)
            let forced = (i * 7) % 200
            #expect(c["token"] as? String == "tok\(forced)")
            #expect(c["bytes"] as? [Int] == Array("tok\(forced)".utf8).map(Int.init))
            let sample = SyntheticResponder.sampleIndex(promptKey: "user\u{0}hello \(i % 3)\u{0}")
            let truth = model.logprob(sample: sample, token: forced)
            #expect(abs((c["logprob"] as! Double) - truth) < 1e-12)
            // top_logprobs: the model's own top 5, unbiased, descending
            let top = try #require(c["top_logprobs"] as? [[String: Any]])
            #expect(top.count == 5)
            let row = model.logprobs(sample: sample)
            let best = row.enumerated().sorted { $0.element > $1.element }.prefix(5)
            #expect(top.map { $0["token"] as! String } == best.map { "tok\($0.offset)" })
            #expect(abs((top[0]["logprob"] as! Double) - best.first!.element) < 1e-12)
        }
    }

    @Test func biasedServerReturnsShiftedLogprobsWhoseDifferencesAreExact() throws {
        let ids = [5, 17, 42, 99]
        let lines = [request("b", prompt: "x", bias: Dictionary(uniqueKeysWithValues: ids.map { ($0, 100) }), top: 4)]
        let (_, out) = try run(lines, options: .init(semantics: .biasedLogprobs, shuffle: false))
        let c = try content(out[0])
        let top = try #require(c["top_logprobs"] as? [[String: Any]])
        let returned = Dictionary(uniqueKeysWithValues: top.map { (Int(($0["token"] as! String).dropFirst(3))!, $0["logprob"] as! Double) })
        #expect(Set(returned.keys) == Set(ids))
        let row = model.logprobs(sample: SyntheticResponder.sampleIndex(promptKey: "user\u{0}x\u{0}"))
        for id in ids { #expect(abs((returned[id]! - returned[5]!) - (row[id] - row[5])) < 1e-9) }
        // and they form (almost) a full distribution: the biased tokens hold all the mass
        let mass = returned.values.reduce(0) { $0 + exp($1) }
        #expect(abs(mass - 1) < 1e-9)
    }

    @Test func failuresNoiseAndShuffle() throws {
        let lines = (0..<400).map { request("r\($0)", prompt: "p\($0 % 10)", bias: [$0 % 200: 100], top: 0) }
        let (summary, out) = try run(lines, options: .init(noise: 0.01, failureRate: 0.1, seed: 7))
        #expect(out.count == 400)
        #expect(summary.failed > 20 && summary.failed < 65)   // Binomial(400, 0.1): mean 40, sd 6
        let failed = out.filter { ($0["response"] as? [String: Any])?["status_code"] as? Int == 500 }
        #expect(failed.count == summary.failed)
        let ids = out.map { $0["custom_id"] as! String }
        #expect(Set(ids) == Set((0..<400).map { "r\($0)" }))
        #expect(ids != (0..<400).map { "r\($0)" })
        var deviations: [Double] = []
        for line in out where (line["response"] as? [String: Any])?["status_code"] as? Int == 200 {
            let i = Int((line["custom_id"] as! String).dropFirst())!
            let truth = model.logprob(sample: SyntheticResponder.sampleIndex(promptKey: "user\u{0}p\(i % 10)\u{0}"), token: i % 200)
            deviations.append(try content(line)["logprob"] as! Double - truth)
        }
        let rms = (deviations.reduce(0) { $0 + $1 * $1 } / Double(deviations.count)).squareRoot()
        #expect(rms > 0.008 && rms < 0.012)
    }

    @Test func malformedInputNamesFileAndLine() throws {
        do {
            _ = try run([request("a", prompt: "x", bias: [1: 100]), "{\"custom_id\":\"b\"}"], options: .init())
            Issue.record("expected an error")
        } catch let e as SyntheticModelError {
            #expect(e.description.contains("in.jsonl:2: missing \"body\""))
        }
    }
}
