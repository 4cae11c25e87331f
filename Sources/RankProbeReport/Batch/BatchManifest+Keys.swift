import CYaml
import Foundation

/// The manifest's keys, checked before decoding: a misspelt key (`hidden:`, `note:`) would otherwise be
/// ignored in silence, and the run would go on without the answer the user meant to give.
extension BatchManifest {
    static let topKeys = ["models"]
    static let modelKeys = ["name", "inputs", "hidden_size", "notes"]

    /// Where each node of a YAML manifest starts, by its path as `describe(_:)` spells coding paths
    /// ("models[0].hidden_size"), and every mapping key with its position.
    struct YAMLMap {
        var lines: [String: (line: Int, column: Int)] = [:]
        var keys: [(parent: String, key: String, line: Int, column: Int)] = []
    }

    /// Walks the YAML event stream (after `checkYAMLShape` accepted it, so it parses and is small).
    static func yamlMap(_ data: Data) -> YAMLMap {
        var map = YAMLMap()
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return map }
        defer { yaml_parser_delete(&parser) }
        enum Frame { case mapping(path: String, key: String?), sequence(path: String, index: Int) }
        var stack: [Frame] = []
        // Whether each open frame is a mapping key itself (YAML allows `{ [a]: b }` and `? {a: 1}`): when it
        // closes, its parent still waits for that key's value.
        var isKey: [Bool] = []
        func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return }
            yaml_parser_set_input_string(&parser, base, bytes.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                let mark = (line: event.start_mark.line + 1, column: event.start_mark.column + 1)
                let type = event.type
                if type == YAML_STREAM_END_EVENT { return }
                if type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT {
                    guard !stack.isEmpty else { return }
                    stack.removeLast()
                    if !isKey.removeLast(), case .mapping(let p, _)? = stack.last {
                        stack[stack.count - 1] = .mapping(path: p, key: nil)
                    }
                    continue
                }
                guard type == YAML_SCALAR_EVENT || type == YAML_MAPPING_START_EVENT
                    || type == YAML_SEQUENCE_START_EVENT || type == YAML_ALIAS_EVENT else { continue }
                // A node: a mapping key, a mapping value, a sequence item or the root.
                var path = ""
                switch stack.last {
                case .mapping(let p, nil)?:
                    let text = type == YAML_SCALAR_EVENT
                        ? String(decoding: UnsafeBufferPointer(start: event.data.scalar.value, count: event.data.scalar.length), as: UTF8.self)
                        : "?"
                    map.keys.append((parent: p, key: text, line: mark.line, column: mark.column))
                    stack[stack.count - 1] = .mapping(path: p, key: text)
                    if type == YAML_MAPPING_START_EVENT { stack.append(.mapping(path: join(p, text), key: nil)); isKey.append(true) }
                    if type == YAML_SEQUENCE_START_EVENT { stack.append(.sequence(path: join(p, text), index: 0)); isKey.append(true) }
                    continue
                case .mapping(let p, let key?)?:
                    path = join(p, key)
                    stack[stack.count - 1] = .mapping(path: p, key: nil)
                case .sequence(let p, let i)?:
                    path = p + "[\(i)]"
                    stack[stack.count - 1] = .sequence(path: p, index: i + 1)
                case nil:
                    path = ""
                }
                if map.lines[path] == nil { map.lines[path] = mark }
                if type == YAML_MAPPING_START_EVENT { stack.append(.mapping(path: path, key: nil)); isKey.append(false) }
                if type == YAML_SEQUENCE_START_EVENT { stack.append(.sequence(path: path, index: 0)); isKey.append(false) }
            }
        }
        return map
    }

    /// Refuses a key that is not one of the manifest's, naming where it is and the key meant.
    static func checkKeys(_ keys: [(parent: String, key: String, line: Int?, column: Int?)], path: String) throws {
        for k in keys {
            let allowed: [String]
            if k.parent.isEmpty { allowed = topKeys }
            else if k.parent.hasPrefix("models["), !k.parent.dropFirst(7).contains(".") { allowed = modelKeys }
            else { continue }
            guard !allowed.contains(k.key) else { continue }
            let at = k.line.map { ":\($0)" + (k.column.map { ":\($0)" } ?? "") } ?? ""
            let place = k.parent.isEmpty ? "at the top level" : "in \(k.parent)"
            let hint = suggestion(for: k.key, among: allowed).map { "did you mean '\($0)'?" }
                ?? "the keys are " + allowed.map { "'\($0)'" }.joined(separator: ", ")
            throw ReportError("\(path)\(at): unknown key '\(k.key)' \(place); \(hint)")
        }
    }

    /// The allowed key a misspelling most likely meant: one the key starts (`hidden` → `hidden_size`), or
    /// within two edits of it (`note` → `notes`, `input` → `inputs`).
    static func suggestion(for key: String, among allowed: [String]) -> String? {
        let k = key.lowercased()
        if let p = allowed.first(where: { $0.hasPrefix(k) || k.hasPrefix($0) }), k.count >= 3 { return p }
        let scored = allowed.map { ($0, editDistance(k, $0)) }.min { $0.1 < $1.1 }
        return scored.flatMap { $0.1 <= 2 ? $0.0 : nil }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    /// The keys of a JSON manifest (no positions: Foundation's parser does not keep them).
    static func jsonKeys(_ data: Data) -> [(parent: String, key: String, line: Int?, column: Int?)] {
        guard let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [] }
        var keys: [(parent: String, key: String, line: Int?, column: Int?)] = top.keys.sorted().map { (parent: "", key: $0, line: nil, column: nil) }
        for (i, m) in ((top["models"] as? [Any]) ?? []).enumerated() {
            guard let entry = m as? [String: Any] else { continue }
            keys += entry.keys.sorted().map { (parent: "models[\(i)]", key: $0, line: nil, column: nil) }
        }
        return keys
    }
}
