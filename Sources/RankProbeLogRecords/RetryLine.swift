import Foundation

/// Rewrites one recorded request line into a Batch API input line for resending.
///
/// A retry must ask exactly what was asked before: any change to the body (key order, number spelling,
/// escapes) could change the canonical prompt and put the answer in a different row. So the line is never
/// decoded and re-encoded; only the byte range of one top-level value is located and everything else is
/// copied verbatim.
enum RetryLine {
    /// The suffix a retry adds to a `custom_id`: "-retry" and the round number.
    static let marker = Array("-retry".utf8)

    /// Byte range of the value of the top-level `key` in a JSON object text, or nil when the text is not an
    /// object or has no such key. Keys are compared as written (an escaped key spelling does not match).
    static func valueRange(of key: String, in b: [UInt8]) -> Range<Int>? {
        let want = Array(key.utf8)
        var i = 0
        skipSpace(b, &i)
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while true {
            skipSpace(b, &i)
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            guard skipString(b, &i) else { return nil }
            let name = b[keyStart..<(i - 1)]
            skipSpace(b, &i)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace(b, &i)
            let valueStart = i
            guard skipValue(b, &i), i > valueStart else { return nil }
            if name.elementsEqual(want) { return valueStart..<i }
            skipSpace(b, &i)
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            return nil
        }
    }

    /// The decoded text of a JSON string literal (quotes included in `literal`), or nil if it is not one.
    static func decodeString(_ literal: ArraySlice<UInt8>) -> String? {
        guard literal.count >= 2, literal.first == UInt8(ascii: "\""), literal.last == UInt8(ascii: "\"") else { return nil }
        let inner = literal.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONSerialization.jsonObject(with: Data(literal), options: [.fragmentsAllowed])) as? String
    }

    /// A JSON string literal for `s` (quotes included).
    static func encodeString(_ s: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for u in s.utf8 {
            switch u {
            case UInt8(ascii: "\""): out += [0x5C, u]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0..<0x20: out += Array(String(format: "\\u%04x", u).utf8)
            default: out.append(u)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// `id` without a trailing "-retry<digits>", and that round number (0 when there is none).
    static func splitRetry(_ id: [UInt8]) -> (base: ArraySlice<UInt8>, round: Int) {
        var j = id.count
        while j > 0, id[j - 1] >= 0x30, id[j - 1] <= 0x39 { j -= 1 }
        let digits = id.count - j
        guard digits > 0, digits <= 9, j >= marker.count, id[(j - marker.count)..<j].elementsEqual(marker) else {
            return (id[...], 0)
        }
        let round = id[j...].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return (id[..<(j - marker.count)], round)
    }

    /// A Batch input line with the `custom_id` value replaced by `base-retry<round>`; nil if the line has no
    /// string `custom_id`.
    static func batchInput(_ line: [UInt8], round: Int) -> [UInt8]? {
        guard let range = valueRange(of: "custom_id", in: line), let id = decodeString(line[range]) else { return nil }
        let base = splitRetry(Array(id.utf8)).base
        let fresh = String(decoding: base, as: UTF8.self) + "-retry\(round)"
        return Array(line[..<range.lowerBound]) + encodeString(fresh) + Array(line[range.upperBound...])
    }

    /// A Batch input line carrying the `request` of a `{request, response}` pair line verbatim; nil if the
    /// line has no object `request`. Chat bodies (with `messages`) go to /v1/chat/completions, others to
    /// /v1/completions.
    static func batchInput(pair line: [UInt8], customID: String) -> [UInt8]? {
        guard let range = valueRange(of: "request", in: line), line[range.lowerBound] == UInt8(ascii: "{") else { return nil }
        let body = Array(line[range])
        let url = valueRange(of: "messages", in: body) != nil ? "/v1/chat/completions" : "/v1/completions"
        return Array("{\"custom_id\":".utf8) + encodeString(customID)
            + Array(",\"method\":\"POST\",\"url\":\"\(url)\",\"body\":".utf8) + body + [UInt8(ascii: "}")]
    }

    /// A llama.cpp `/completion` request rebuilt from a bare response's echo: the `prompt` value copied byte
    /// for byte (so the answer lands in the same row), and from `generation_settings` the settings that shape
    /// the first token's probabilities (`n_predict`, `n_probs`, `temperature`, `top_k`, `top_p`, `min_p`,
    /// `post_sampling_probs`), with the echoed bias `[{bias, token}]` turned into the request form
    /// `[[token, bias]]` (an echoed null, a ban, becomes `false`). The `seed` is changed (`seed + round`, or
    /// `round` when the echo has none): the same seed would sample the same incomplete token again.
    static func batchInput(llamaEcho line: [UInt8], customID: String, round: Int) -> [UInt8]? {
        guard let p = valueRange(of: "prompt", in: line), let g = valueRange(of: "generation_settings", in: line),
              let settings = (try? JSONSerialization.jsonObject(with: Data(line[g]))) as? [String: Any] else { return nil }
        var body: [String: Any] = [:]
        for key in ["n_predict", "n_probs", "temperature", "top_k", "top_p", "min_p", "post_sampling_probs"] {
            if let v = settings[key] { body[key] = v }
        }
        if let list = settings["logit_bias"] as? [[String: Any]] {
            body["logit_bias"] = list.compactMap { e -> [Any]? in
                guard let token = e["token"] else { return nil }
                return [token, (e["bias"] as? NSNumber).map { $0 as Any } ?? false]
            }
        }
        let seed = (settings["seed"] as? NSNumber)?.uint32Value ?? 0
        body["seed"] = UInt32(truncatingIfNeeded: UInt64(seed) &+ UInt64(round))
        guard let encoded = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
              encoded.count >= 2 else { return nil }
        // {"prompt": <verbatim>, <the settings>}
        let rest = Array(encoded.dropFirst())  // `"key":…}` after the opening brace
        return Array("{\"custom_id\":".utf8) + encodeString(customID)
            + Array(",\"method\":\"POST\",\"url\":\"/completion\",\"body\":{\"prompt\":".utf8) + Array(line[p])
            + (rest.count > 1 ? [UInt8(ascii: ",")] : []) + rest + [UInt8(ascii: "}")]
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    /// At an opening quote: moves past the closing one.
    private static func skipString(_ b: [UInt8], _ i: inout Int) -> Bool {
        i += 1
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { i += 1; return true }
            i += 1
        }
        return false
    }

    private static func skipValue(_ b: [UInt8], _ i: inout Int) -> Bool {
        guard i < b.count else { return false }
        switch b[i] {
        case UInt8(ascii: "\""): return skipString(b, &i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""): guard skipString(b, &i) else { return false }; continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                default: break
                }
                i += 1
            }
            return false
        default:
            while i < b.count, !",}] \t\r\n".utf8.contains(b[i]) { i += 1 }
            return true
        }
    }
}
