import Foundation
import RankProbeLogs
import Testing

/// Bad input: every case gives a message with file and line, is counted, and never costs the good lines.
@Suite struct ParseBadInputTests {
    /// A chat response line whose first token is `token` with `logprob`, and one alternative.
    static func chatLine(_ token: String, _ logprob: String, alt: String = "-3.0") -> String {
        #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"length","#
            + #""message":{"role":"assistant","content":"\#(token)"},"logprobs":{"content":[{"token":"\#(token)","#
            + #""logprob":\#(logprob),"bytes":null,"top_logprobs":[{"token":"\#(token)","logprob":\#(logprob),"bytes":null},"#
            + #"{"token":"zz","logprob":\#(alt),"bytes":null}]}],"refusal":null}}]}"#
    }

    static func tempFile(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-parse-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func read(_ paths: [String]) throws -> ([LogRecord], ReadStats) {
        try LogParser.readAll(paths: paths, options: LogReadOptions(progress: false))
    }

    @Test func truncatedLastLine() throws {
        let full = Self.chatLine("a", "-1.0")
        let path = try Self.tempFile("trunc.jsonl", full + "\n" + Self.chatLine("b", "-2.0") + "\n" + full.prefix(90))
        let (records, stats) = try Self.read([path])
        #expect(records.compactMap(\.sampled?.logprob) == [-1.0, -2.0])
        #expect(stats.skipped == [ReadStats.Reason.truncatedLastLine: 1])
        let p = try #require(stats.problems.first)
        #expect(p.file == path && p.line == 3 && p.message.contains("no newline"))
    }

    @Test func validLastLineWithoutNewlineIsFine() throws {
        let path = try Self.tempFile("nonl.jsonl", Self.chatLine("a", "-1.0") + "\n" + Self.chatLine("b", "-2.0"))
        let (records, stats) = try Self.read([path])
        #expect(records.count == 2)
        #expect(stats.skipped.isEmpty)
    }

    @Test func invalidJSONLineNamesFileLineAndByte() throws {
        let path = try Self.tempFile("invalid.jsonl", Self.chatLine("a", "-1.0") + "\n\n{\"id\": \"c\", \"choices\": [}\n" + Self.chatLine("b", "-2.0") + "\n")
        let (records, stats) = try Self.read([path])
        #expect(records.map(\.line) == [1, 4])  // blank line 2 is skipped but numbered
        #expect(stats.skipped == [ReadStats.Reason.invalidJSON: 1])
        let p = try #require(stats.problems.first)
        #expect(p.line == 3)
        #expect(p.description.hasPrefix("\(path):3: invalid JSON"))
    }

    @Test func lineOver64MBIsSkippedWithoutLoading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rankprobe-parse-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("long.jsonl").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.write(Data((Self.chatLine("a", "-1.0") + "\n{\"pad\":\"").utf8))
        let block = Data(repeating: 0x61, count: 1 << 20)
        for _ in 0..<65 { h.write(block) }
        h.write(Data(("\"}\n" + Self.chatLine("b", "-2.0") + "\n").utf8))
        try h.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (records, stats) = try Self.read([path])
        #expect(records.map(\.line) == [1, 3])
        #expect(stats.skipped == [ReadStats.Reason.lineTooLong: 1])
        let p = try #require(stats.problems.first)
        #expect(p.line == 2 && p.message.hasPrefix("line longer than 64 MB"))
    }

    @Test func placeholderAndNonFiniteEntriesAreDroppedAndCounted() throws {
        // Python's json.dumps writes NaN / -Infinity; the sampled entry here is the placeholder itself.
        let path = try Self.tempFile("nonfinite.jsonl",
            Self.chatLine("a", "-1.0", alt: "NaN") + "\n" + Self.chatLine("b", "-2.0", alt: "-Infinity") + "\n"
            + Self.chatLine("c", "-9999.0") + "\n" + Self.chatLine("d", "null") + "\n")
        let (records, stats) = try Self.read([path])
        #expect(records.count == 4)
        #expect(records[0].top.map(\.logprob) == [-1.0])
        #expect(records[1].top.map(\.logprob) == [-2.0])
        #expect(records[2].sampled == nil)  // -9999 sampled entry dropped too
        #expect(records[2].top.map(\.logprob) == [-3.0])
        #expect(records[3].sampled == nil && records[3].droppedEntries == 2)
        #expect(stats.droppedEntries == [ReadStats.Reason.nonFinite: 4, ReadStats.Reason.placeholder: 2])
    }

    @Test func mixedFormatsAreRefusedNamingBoth() throws {
        let chat = try ParseFixtures.path("parse-chat.jsonl")
        let completions = try ParseFixtures.path("parse-completions.jsonl")
        #expect {
            try Self.read([chat, completions])
        } throws: { error in
            guard let e = error as? LogReadError, case .mixedFormats = e else { return false }
            let text = e.description
            return text.contains("openai-chat") && text.contains("openai-completions")
                && text.contains("parse-chat.jsonl") && text.contains("parse-completions.jsonl")
        }
    }

    @Test func emptyFileIsAnErrorNamingIt() throws {
        let empty = try Self.tempFile("empty.jsonl", "")
        #expect(throws: LogReadError.emptyFile(file: empty)) { try Self.read([empty]) }
        let blank = try Self.tempFile("blank.jsonl", "\n  \n\n")
        #expect(throws: LogReadError.emptyFile(file: blank)) { try Self.read([blank]) }
    }

    @Test func batchOutputWithoutInputIsRefused() throws {
        let out = try ParseFixtures.path("parse-batch-output.jsonl.gz")
        #expect(throws: LogReadError.batchOutputWithoutInput(outputs: [out])) { try Self.read([out]) }
    }

    @Test func unknownShapeIsRefused() throws {
        let path = try Self.tempFile("other.jsonl", "{\"hello\": 1}\n{\"world\": 2}\n")
        #expect {
            try Self.read([path])
        } throws: { error in
            guard let e = error as? LogReadError, case .unrecognised(let file, _) = e else { return false }
            return file == path
        }
    }

    @Test func onePercentCorruptedLogKeepsEveryGoodLine() throws {
        // 1,000 lines, logprob of line i is -i/1000; every 100th line is damaged in one of the ways logs get
        // damaged (cut short, bytes overwritten, two lines fused, closing brace lost).
        var text = ""
        var bad = Set<Int>()
        for i in 1...1000 {
            var line = Self.chatLine("t\(i)", String(-Double(i) / 1000))
            if i % 100 == 37 {
                bad.insert(i)
                switch (i / 100) % 4 {
                case 0: line = String(line.prefix(line.count / 2))
                case 1: line = line.replacingOccurrences(of: "\"choices\":[", with: "\"choices\":[[")
                case 2: line += Self.chatLine("x", "-5.0")
                default: line.removeLast()
                }
            }
            text += line + "\n"
        }
        let path = try Self.tempFile("corrupt.jsonl", text)
        let (records, stats) = try Self.read([path])
        #expect(records.count == 990)
        #expect(stats.skipped == [ReadStats.Reason.invalidJSON: 10])
        #expect(Set(stats.problems.map(\.line)) == bad)
        #expect(records.allSatisfy { $0.sampled?.logprob == -Double($0.line) / 1000 && $0.sampled?.token == "t\($0.line)" })
        // Tiny blocks: lines straddle block boundaries and the buffer has to grow; nothing may change.
        for threads in [1, 2] {
            let (small, smallStats) = try LogParser.readAll(
                paths: [path], options: LogReadOptions(threads: threads, blockBytes: 1024, progress: false))
            #expect(small == records)
            #expect(smallStats == stats)
        }
    }
}
