import Foundation
import Testing
import RankProbeAnalysis

@Suite struct PlanBatchTests {
    func tempDir(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "rankprobe-plan-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [QueryPlan.CollectionProtocol.biased, .forced])
    func emittedFilesRespectLimitsAndParse(protocol proto: QueryPlan.CollectionProtocol) throws {
        let plan = try QueryPlan.make(.init(vocab: 300, hiddenGuess: 8, topLogprobs: 5, protocol: proto))
        let dir = try tempDir(proto.rawValue)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prompts = (0..<(plan.prompts + 3)).map { "Prompt number \($0): \"quoted\" \\ and\ttab" }
        let columns = try TokenColumns.choose(count: plan.columns, vocab: 300)
        let limits = BatchLimits(requestsPerFile: 500, bytesPerFile: 120_000)
        let out = try BatchEmitter(plan: plan, model: "gpt-test", columns: columns, limits: limits).write(prompts: prompts, directory: dir)
        #expect(out.requests == plan.requests)
        #expect(out.files.count >= 2)
        var total = 0
        var promptsSeen = Set<String>()
        var biasedIDs = Set<Int>()
        for (i, file) in out.files.enumerated() {
            let data = try #require(FileManager.default.contents(atPath: file))
            #expect(data.count <= limits.bytesPerFile)
            #expect(data.count == out.bytesPerFile[i])
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            #expect(lines.count <= limits.requestsPerFile)
            for line in lines {
                let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(obj["method"] as? String == "POST")
                #expect(obj["url"] as? String == "/v1/chat/completions")
                let body = try #require(obj["body"] as? [String: Any])
                #expect(body["max_tokens"] as? Int == 1)
                #expect(body["logprobs"] as? Bool == true)
                #expect(body["top_logprobs"] as? Int == 5)
                let bias = try #require(body["logit_bias"] as? [String: Int])
                #expect(bias.values.allSatisfy { $0 == 100 })
                #expect(bias.count == (proto == .forced ? 1 : 5))
                for key in bias.keys { biasedIDs.insert(Int(key)!) }
                let messages = try #require(body["messages"] as? [[String: String]])
                promptsSeen.insert(messages[0]["content"]!)
                total += 1
            }
        }
        #expect(total == plan.requests)
        #expect(promptsSeen.count == plan.prompts)
        #expect(promptsSeen.contains("Prompt number 0: \"quoted\" \\ and\ttab"))
        #expect(biasedIDs == Set(columns.ids))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.manifest))) as? [String: Any])
        #expect(manifest["requests"] as? Int == plan.requests)
    }

    @Test func byteLimitSplitsFilesBeforeTheRequestLimit() throws {
        let plan = try QueryPlan.make(.init(vocab: 300, hiddenGuess: 8, topLogprobs: 5, protocol: .forced))
        let dir = try tempDir("bytes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prompts = (0..<plan.prompts).map { "p\($0) " + String(repeating: "x", count: 200) }
        let columns = try TokenColumns.choose(count: plan.columns, vocab: 300)
        let limits = BatchLimits(requestsPerFile: 50_000, bytesPerFile: 30_000)
        let out = try BatchEmitter(plan: plan, model: "m", columns: columns, limits: limits).write(prompts: prompts, directory: dir)
        #expect(out.requestsPerFile.reduce(0, +) == plan.requests)
        #expect(out.bytesPerFile.allSatisfy { $0 <= 30_000 })
        // every file but the last is full: adding one more line would have crossed the byte limit
        let lineBytes = out.bytesPerFile[0] / out.requestsPerFile[0]
        #expect(out.bytesPerFile.dropLast().allSatisfy { $0 > 30_000 - 2 * lineBytes })
        #expect(out.files.count == (plan.requests * lineBytes + 29_999) / 30_000 || out.files.count == (plan.requests * lineBytes + 29_999) / 30_000 + 1)
    }

    @Test func tooFewPromptsIsAnErrorNamingTheFile() throws {
        let plan = try QueryPlan.make(.init(vocab: 300, hiddenGuess: 8, topLogprobs: 5))
        let dir = try tempDir("few")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let columns = try TokenColumns.choose(count: plan.columns, vocab: 300)
        #expect(throws: AnalysisError.self) {
            try BatchEmitter(plan: plan, model: "m", columns: columns).write(prompts: ["a", "b"], directory: dir, promptsSource: "p.txt")
        }
    }

    @Test func duplicatePromptsAreRejectedWithLineNumbers() throws {
        let dir = try tempDir("dup")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/prompts.txt"
        try "one\ntwo\n\nthree\ntwo\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try BatchEmitter.readPrompts(path: path)
            Issue.record("expected an error")
        } catch let e as AnalysisError {
            #expect(e.line == 5)
            #expect(e.description.contains("same as line 2"))
        }
        try "a\\nb\nc\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try BatchEmitter.readPrompts(path: path) == ["a\nb", "c"])
    }

    @Test func vocabularyHeuristicSkipsSpecialTokens() throws {
        let dir = try tempDir("vocab")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tokens = ["<|endoftext|>", "<s>", "</s>", "<unk>", "[PAD]", "[unused3]", "\u{1}", "<0x0A>", "", "<|reserved_special_token_5|>"]
        let special = tokens.count
        tokens += (0..<40).map { "word\($0)" }
        tokens += ["\t", "<b>x", " the"]
        let path = dir + "/vocab.txt"
        try tokens.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let vocab = try TokenColumns.readVocabulary(path: path)
        let chosen = try TokenColumns.choose(count: 43, vocab: tokens.count, vocabulary: vocab)
        #expect(chosen.skipped == special)
        #expect(chosen.ids.allSatisfy { $0 >= special })
        #expect(Set(chosen.tokens!).isSuperset(of: ["\t", "<b>x", " the"]))
        #expect(throws: AnalysisError.self) { try TokenColumns.choose(count: 44, vocab: tokens.count, vocabulary: vocab) }

        // JSON {token: id} and tokenizer.json added_tokens
        let json = dir + "/tokenizer.json"
        try #"{"model":{"vocab":{"a":0,"b":1,"c":2,"d":3}},"added_tokens":[{"id":4,"content":"<eot>","special":true},{"id":5,"content":"ok","special":true}]}"#
            .write(toFile: json, atomically: true, encoding: .utf8)
        let v2 = try TokenColumns.readVocabulary(path: json)
        let c2 = try TokenColumns.choose(count: 4, vocab: 6, vocabulary: v2)
        #expect(c2.ids == [0, 1, 2, 3])
    }

    @Test func withoutVocabularyColumnsAvoidTheEnds() throws {
        let c = try TokenColumns.choose(count: 10, vocab: 1000)
        #expect(c.ids == [50, 150, 250, 350, 450, 550, 650, 750, 850, 950])
    }
}
