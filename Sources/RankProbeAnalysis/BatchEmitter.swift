import Foundation
import RankProbeLogs

/// Writes a plan as OpenAI Batch API input files (JSONL, one `/v1/chat/completions` request per line).
///
/// Request order is prompt-major (all of a prompt's requests together), so a partially completed batch still
/// yields complete rows. Files roll over before either per-file limit would be exceeded. `custom_id` encodes
/// prompt, column group and repeat (`p12-c345-r0` forced, `p12-g7-r0` biased) for humans; the log reader does
/// not rely on it (it identifies prompts by their content and columns by `logit_bias`).
public struct BatchEmitter {
    public struct Output: Codable, Sendable, Equatable {
        public var files: [String]
        public var requestsPerFile: [Int]
        public var bytesPerFile: [Int]
        public var requests: Int
        public var columns: [Int]
        public var anchor: Int?
        public var promptsUsed: Int
        public var manifest: String
    }

    public var plan: QueryPlan
    public var model: String
    public var columns: TokenColumns
    public var limits: BatchLimits
    /// Bias that forces a token; OpenAI caps `logit_bias` at ±100.
    public var bias: Int

    public init(plan: QueryPlan, model: String, columns: TokenColumns, limits: BatchLimits = .openAI, bias: Int = 100) {
        self.plan = plan; self.model = model; self.columns = columns; self.limits = limits; self.bias = bias
    }

    /// Prompts from a text file: one per line, blank lines ignored, `\n` and `\\` unescaped (so multi-line prompts
    /// fit on one line). Duplicates are an error: identical prompts give identical rows and lose rank.
    public static func readPrompts(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnalysisError(source: path, "cannot read the prompts file (--emit-batch needs a text file with one prompt per line, as many lines as the plan's prompts)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AnalysisError(source: path, "not UTF-8 text")
        }
        var prompts: [String] = []
        var firstLine: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let prompt = unescape(line)
            if let earlier = firstLine[prompt] {
                throw AnalysisError(source: path, line: i + 1, "duplicate prompt (same as line \(earlier)); identical prompts give identical rows")
            }
            firstLine[prompt] = i + 1
            prompts.append(prompt)
        }
        return prompts
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\\": out.append("\\")
                default: out.append("\\"); out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    /// JSON string literal (quotes included) for arbitrary text.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The request lines for one prompt, in order.
    func lines(prompt: String, index p: Int) -> [String] {
        let p0 = plan.parameters
        let head = "{\"custom_id\":"
        let mid = ",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\(Self.jsonString(model)),\"messages\":[{\"role\":\"user\",\"content\":\(Self.jsonString(prompt))}],\"max_tokens\":\(p0.outputTokens),\"logprobs\":true,\"top_logprobs\":\(p0.topLogprobs),\"logit_bias\":{"
        var out: [String] = []
        switch p0.protocol {
        case .forced:
            for id in columns.ids {
                for r in 0..<p0.repeats {
                    out.append(head + Self.jsonString("p\(p)-c\(id)-r\(r)") + mid + "\"\(id)\":\(bias)}}}")
                }
            }
        case .biased:
            let anchor = columns.ids[0]
            let rest = Array(columns.ids.dropFirst())
            let group = p0.topLogprobs - 1
            var g = 0
            var start = 0
            while start < rest.count {
                let ids = [anchor] + rest[start..<min(start + group, rest.count)]
                let biasText = ids.map { "\"\($0)\":\(bias)" }.joined(separator: ",")
                for r in 0..<p0.repeats {
                    out.append(head + Self.jsonString("p\(p)-g\(g)-r\(r)") + mid + biasText + "}}}")
                }
                start += group
                g += 1
            }
        case .tracked:
            var start = 0
            var t = 0
            while start < columns.ids.count {
                let ids = columns.ids[start..<min(start + p0.idsPerRequest, columns.ids.count)]
                let body = trackedBody(prompt: prompt, ids: Array(ids))
                let url = p0.server == .sglang ? "/generate" : "/v1/completions"
                for r in 0..<p0.repeats {
                    out.append(head + Self.jsonString("p\(p)-t\(t)-r\(r)") + ",\"method\":\"POST\",\"url\":\"\(url)\",\"body\":" + body + "}")
                }
                start += p0.idsPerRequest
                t += 1
            }
        }
        return out
    }

    /// A tracked-token request body. vLLM: a completions request (the prompt as text, no chat template, so
    /// the row is exactly this context) with `logprob_token_ids`, `logprobs` 0 (only the sampled token
    /// besides them) and token ids instead of text in the answer. SGLang: a `/generate` request with
    /// `token_ids_logprob`. Greedy, one token: only the first position is read.
    func trackedBody(prompt: String, ids: [Int]) -> String {
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        if plan.parameters.server == .sglang {
            return "{\"text\":\(Self.jsonString(prompt)),\"sampling_params\":{\"max_new_tokens\":\(plan.parameters.outputTokens),"
                + "\"temperature\":0},\"return_logprob\":true,\"top_logprobs_num\":0,\"token_ids_logprob\":\(list)}"
        }
        return "{\"model\":\(Self.jsonString(model)),\"prompt\":\(Self.jsonString(prompt)),\"max_tokens\":\(plan.parameters.outputTokens),"
            + "\"temperature\":0,\"logprobs\":0,\"return_tokens_as_token_ids\":true,\"logprob_token_ids\":\(list)}"
    }

    /// Writes `batch-0001.jsonl`, … and `manifest.json` into `directory` (created if missing).
    public func write(prompts: [String], directory: String, promptsSource: String = "prompts") throws -> Output {
        guard prompts.count >= plan.prompts else {
            throw AnalysisError(source: promptsSource, "has \(prompts.count) distinct non-blank prompts; the plan needs \(plan.prompts) "
                + "(one prompt per line, each a different text: add \(plan.prompts - prompts.count) more lines)")
        }
        guard columns.ids.count == plan.columns else {
            throw AnalysisError("\(columns.ids.count) columns chosen for a plan of \(plan.columns)")
        }
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw AnalysisError(source: directory, "cannot create the output directory: \(error.localizedDescription)")
        }
        var files: [String] = [], counts: [Int] = [], sizes: [Int] = []
        var handle: FileHandle?
        var buffer = Data()
        var inFile = 0, bytesInFile = 0, total = 0

        func flush() throws {
            guard let h = handle, !buffer.isEmpty else { return }
            do { try h.write(contentsOf: buffer) } catch {
                throw AnalysisError(source: files.last, "write failed: \(error.localizedDescription)")
            }
            buffer.removeAll(keepingCapacity: true)
        }
        func close() throws {
            try flush()
            if let h = handle {
                try? h.close()
                counts.append(inFile); sizes.append(bytesInFile)
            }
            handle = nil
        }
        func open() throws {
            try close()
            let path = (directory as NSString).appendingPathComponent(String(format: "batch-%04d.jsonl", files.count + 1))
            guard fm.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw AnalysisError(source: path, "cannot create the file")
            }
            files.append(path)
            handle = h
            inFile = 0; bytesInFile = 0
        }

        for (p, prompt) in prompts.prefix(plan.prompts).enumerated() {
            for line in lines(prompt: prompt, index: p) {
                var bytes = Data(line.utf8)
                bytes.append(0x0A)
                if bytes.count > limits.bytesPerFile {
                    throw AnalysisError(source: promptsSource, "prompt \(p + 1) makes a request of \(bytes.count) bytes, over the \(limits.bytesPerFile)-byte file limit")
                }
                if handle == nil || inFile + 1 > limits.requestsPerFile || bytesInFile + bytes.count > limits.bytesPerFile {
                    try open()
                }
                buffer.append(bytes)
                inFile += 1; bytesInFile += bytes.count; total += 1
                if buffer.count >= 1 << 20 { try flush() }
            }
        }
        try close()

        let manifestPath = (directory as NSString).appendingPathComponent("manifest.json")
        var manifest: [String: Any] = [
            "model": model, "files": files.map { ($0 as NSString).lastPathComponent },
            "requests": total, "requests_per_file": counts, "bytes_per_file": sizes,
            "columns": columns.ids, "prompts": plan.prompts, "protocol": plan.parameters.protocol.rawValue,
            "top_logprobs": plan.parameters.topLogprobs, "repeats": plan.parameters.repeats, "hidden_guess": plan.parameters.hiddenGuess,
        ]
        if let tokens = columns.tokens { manifest["column_tokens"] = tokens }
        if plan.parameters.protocol == .biased { manifest["anchor"] = columns.ids[0] }
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        guard fm.createFile(atPath: manifestPath, contents: data) else {
            throw AnalysisError(source: manifestPath, "cannot write the manifest")
        }
        return Output(files: files, requestsPerFile: counts, bytesPerFile: sizes, requests: total, columns: columns.ids,
                      anchor: plan.parameters.protocol == .biased ? columns.ids[0] : nil, promptsUsed: plan.prompts,
                      manifest: manifestPath)
    }
}
