import CYaml
import Foundation
import Yams

/// What `rankprobe batch` runs: a list of models, each with its input files.
///
/// From a manifest (JSON, or YAML for `.yaml`/`.yml`) of the form
/// `{"models": [{"name": "...", "inputs": ["path", ...], "hidden_size": 4096, "notes": "..."}]}` with paths
/// relative to the manifest, or from a directory: one model per regular file or per sub-folder (its files).
public struct BatchManifest: Sendable, Equatable {
    public struct Model: Sendable, Equatable {
        public var name: String
        /// Resolved paths (absolute, or relative to the working directory as given).
        public var inputs: [String]
        public var hiddenSize: Int?
        public var notes: String?
        public init(name: String, inputs: [String], hiddenSize: Int? = nil, notes: String? = nil) {
            self.name = name; self.inputs = inputs; self.hiddenSize = hiddenSize; self.notes = notes
        }
    }

    public var models: [Model]
    /// Where the models came from, for the report header.
    public var source: String
    /// Files of a scanned directory that are not model inputs (see `isInput`), skipped.
    public var skippedFiles: [String]

    public init(models: [Model], source: String, skippedFiles: [String] = []) {
        self.models = models; self.source = source; self.skippedFiles = skippedFiles
    }

    private struct File: Decodable {
        struct Entry: Decodable {
            var name: String
            var inputs: [String]
            var hiddenSize: HiddenSize?
            var notes: String?
            enum CodingKeys: String, CodingKey { case name, inputs, hiddenSize = "hidden_size", notes }
        }
        /// `hidden_size`. From YAML it is read as the scalar's text and parsed here as a decimal integer:
        /// Yams' own Int conversion traps on overflow in YAML 1.1 sexagesimal (`9999999999999999:0:0:0`,
        /// found by fuzzing), and YAML 1.1's other integer spellings (`0x1000`, `1_024`, `1:8:16`) are
        /// easier to get wrong than right in a manifest. From JSON it is an ordinary number.
        struct HiddenSize: Decodable {
            var value: Int
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                guard decoder.userInfo[File.yamlKey] as? Bool == true else { value = try c.decode(Int.self); return }
                let text = try c.decode(String.self)
                let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
                guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: decoder.codingPath, debugDescription: "expected a decimal integer, found '\(text)'"))
                }
                guard let v = Int(text) else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: decoder.codingPath, debugDescription: "\(text) is too large for a hidden size"))
                }
                value = v
            }
        }
        static let yamlKey = CodingUserInfoKey(rawValue: "rankprobe.yaml")!
        var models: [Entry]
    }

    /// Loads a manifest file or scans a directory.
    public static func load(path: String) throws -> BatchManifest {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReportError("\(path): no such manifest file or directory")
        }
        return isDir.boolValue ? try scan(directory: path) : try parse(manifest: path)
    }

    static func parse(manifest path: String) throws -> BatchManifest {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReportError("\(path): cannot read: \(error.localizedDescription)")
        }
        return try parse(data: data, path: path)
    }

    /// Parses manifest bytes read from `path` (whose extension picks YAML or JSON).
    static func parse(data: Data, path: String) throws -> BatchManifest {
        let lower = path.lowercased()
        let file: File
        var yaml: YAMLMap? = nil
        do {
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
                guard let text = String(data: data, encoding: .utf8) else { throw ReportError("\(path): not UTF-8 text") }
                try checkYAMLShape(data, path: path)
                yaml = yamlMap(data)
                try checkKeys(yaml!.keys.map { (parent: $0.parent, key: $0.key, line: Optional($0.line), column: Optional($0.column)) }, path: path)
                file = try YAMLDecoder().decode(File.self, from: text, userInfo: [File.yamlKey: true])
            } else {
                try checkKeys(jsonKeys(data), path: path)
                file = try JSONDecoder().decode(File.self, from: data)
            }
        } catch let e as ReportError {
            throw e
        } catch let e as DecodingError {
            throw ReportError("\(path)\(yaml.map { location(of: e, in: $0) } ?? ""): \(describe(e))")
        } catch {
            throw ReportError("\(path): not a valid manifest: \(error)")
        }
        guard !file.models.isEmpty else { throw ReportError("\(path): \"models\" is empty") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var models: [Model] = []
        for (i, e) in file.models.enumerated() {
            guard !e.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ReportError("\(path): models[\(i)].name is empty")
            }
            if let h = e.hiddenSize?.value, h <= 0 { throw ReportError("\(path): models[\(i)].hidden_size must be positive, found \(h)") }
            let inputs = e.inputs.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
            models.append(Model(name: e.name, inputs: inputs, hiddenSize: e.hiddenSize?.value, notes: e.notes))
        }
        return BatchManifest(models: models, source: path)
    }

    /// Limits checked before a YAML manifest reaches Yams, whose composer recurses once per nesting level
    /// (a manifest nested ~3000 deep, `[[[[…`, overflowed the stack: found by fuzzing) and expands every
    /// alias where it is used. A real manifest is a few kilobytes, nested 4 deep, with no aliases.
    static let maxYAMLBytes = 1 << 20
    static let maxYAMLDepth = 64
    static let maxYAMLAliases = 100

    /// Walks the manifest's YAML event stream with libyaml (the parser inside Yams, which keeps its state on
    /// the heap, not the stack) and refuses it, naming line and column, if it is too large, nests too
    /// deeply, uses too many aliases, or is not valid YAML.
    static func checkYAMLShape(_ data: Data, path: String) throws {
        if data.count > maxYAMLBytes {
            throw ReportError("\(path): the manifest is \(data.count) bytes; rankprobe reads manifests of at most \(maxYAMLBytes) bytes")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw ReportError("\(path): out of memory reading YAML") }
        defer { yaml_parser_delete(&parser) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return }  // empty: Yams reports it
            yaml_parser_set_input_string(&parser, base, bytes.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var depth = 0
            var aliases = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    let mark = parser.problem_mark
                    throw ReportError("\(path):\(mark.line + 1):\(mark.column + 1): not valid YAML: \(problem)")
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1, column = event.start_mark.column + 1
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxYAMLDepth {
                        throw ReportError("\(path):\(line):\(column): the manifest nests deeper than \(maxYAMLDepth) levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_ALIAS_EVENT:
                    aliases += 1
                    if aliases > maxYAMLAliases {
                        throw ReportError("\(path):\(line):\(column): the manifest uses more than \(maxYAMLAliases) aliases")
                    }
                case YAML_STREAM_END_EVENT:
                    return
                default:
                    break
                }
            }
        }
    }

    /// One model per non-hidden input file (named after the file without its data extensions) or per
    /// sub-folder (named after the folder; its non-hidden input files, not recursing further), in name order.
    /// Files that are not inputs (`isInput`: NOTES.txt, README.md, a plot) are skipped and listed in
    /// `skippedFiles`, so a note next to the data does not become a failed model.
    static func scan(directory path: String) throws -> BatchManifest {
        let fm = FileManager.default
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted() } catch {
            throw ReportError("\(path): cannot list directory: \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: path)
        var models: [Model] = []
        var skipped: [String] = []
        for name in entries {
            let url = base.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                let files = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                    .map { url.appendingPathComponent($0).path }
                    .filter { var d: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
                skipped += files.filter { !isInput($0) }
                models.append(Model(name: name, inputs: files.filter(isInput)))
            } else if isInput(url.path) {
                models.append(Model(name: modelName(fromFile: name), inputs: [url.path]))
            } else {
                skipped.append(url.path)
            }
        }
        guard !models.isEmpty else {
            throw ReportError("\(path): the directory has no model files or folders"
                + (skipped.isEmpty ? "" : " (skipped \(skipped.count) file\(skipped.count == 1 ? "" : "s") that are not inputs: .npy dumps or JSON/JSONL logs)"))
        }
        return BatchManifest(models: models, source: path, skippedFiles: skipped)
    }

    /// Extensions of model inputs: `.npy` dumps and logs, optionally gzipped.
    static let inputExtensions = [".npy", ".jsonl", ".ndjson", ".json", ".log"]

    /// A model input: a known extension (also with `.gz`), or content that starts like one (the `.npy`
    /// magic, or `{` / `[` for a JSON log without a telling name). A text note is not.
    static func isInput(_ path: String) -> Bool {
        var lower = path.lowercased()
        if lower.hasSuffix(".gz") { return true }
        if lower.hasSuffix(".zst") { lower = String(lower.dropLast(4)) }
        if inputExtensions.contains(where: { lower.hasSuffix($0) }) { return true }
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 64)) ?? Data()
        if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return true }
        let first = head.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    static func modelName(fromFile name: String) -> String {
        var n = name
        for ext in [".gz", ".zst", ".npy", ".jsonl", ".ndjson", ".json", ".log", ".txt"] where n.lowercased().hasSuffix(ext) && n.count > ext.count {
            n = String(n.dropLast(ext.count))
        }
        return n
    }

    /// ":line:column" of the node a YAML decoding error is about (the deepest recorded node on its path).
    static func location(of e: DecodingError, in map: YAMLMap) -> String {
        let context: DecodingError.Context
        switch e {
        case .keyNotFound(_, let c): context = c
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return ""
        }
        var keys = context.codingPath
        while true {
            let p = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if let m = map.lines[p] { return ":\(m.line):\(m.column)" }
            if keys.isEmpty { return "" }
            keys.removeLast()
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): missing (expected {\"models\": [{\"name\", \"inputs\": [...]}]})"
        case .typeMismatch(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)): value missing"
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?).map { ": \($0.localizedDescription)" } ?? ""
            return (c.codingPath.isEmpty ? "not valid JSON/YAML" : path(c.codingPath)) + ": " + c.debugDescription + underlying
        @unknown default: return "\(e)"
        }
    }
}
