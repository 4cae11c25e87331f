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

    public init(models: [Model], source: String) { self.models = models; self.source = source }

    private struct File: Decodable {
        struct Entry: Decodable {
            var name: String
            var inputs: [String]
            var hiddenSize: Int?
            var notes: String?
            enum CodingKeys: String, CodingKey { case name, inputs, hiddenSize = "hidden_size", notes }
        }
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
        let lower = path.lowercased()
        let file: File
        do {
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
                guard let text = String(data: data, encoding: .utf8) else { throw ReportError("\(path): not UTF-8 text") }
                file = try YAMLDecoder().decode(File.self, from: text)
            } else {
                file = try JSONDecoder().decode(File.self, from: data)
            }
        } catch let e as ReportError {
            throw e
        } catch let e as DecodingError {
            throw ReportError("\(path): \(describe(e))")
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
            if let h = e.hiddenSize, h <= 0 { throw ReportError("\(path): models[\(i)].hidden_size must be positive, found \(h)") }
            let inputs = e.inputs.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
            models.append(Model(name: e.name, inputs: inputs, hiddenSize: e.hiddenSize, notes: e.notes))
        }
        return BatchManifest(models: models, source: path)
    }

    /// One model per non-hidden regular file (named after the file without its data extensions) or per
    /// sub-folder (named after the folder; its non-hidden files, not recursing further), in name order.
    static func scan(directory path: String) throws -> BatchManifest {
        let fm = FileManager.default
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted() } catch {
            throw ReportError("\(path): cannot list directory: \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: path)
        var models: [Model] = []
        for name in entries {
            let url = base.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                let files = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                    .map { url.appendingPathComponent($0).path }
                    .filter { var d: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
                models.append(Model(name: name, inputs: files))
            } else {
                models.append(Model(name: modelName(fromFile: name), inputs: [url.path]))
            }
        }
        guard !models.isEmpty else { throw ReportError("\(path): the directory has no model files or folders") }
        return BatchManifest(models: models, source: path)
    }

    static func modelName(fromFile name: String) -> String {
        var n = name
        for ext in [".gz", ".zst", ".npy", ".jsonl", ".ndjson", ".json", ".log", ".txt"] where n.lowercased().hasSuffix(ext) && n.count > ext.count {
            n = String(n.dropLast(ext.count))
        }
        return n
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
