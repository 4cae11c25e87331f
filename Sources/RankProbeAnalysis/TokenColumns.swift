import Foundation

/// Which token ids a plan asks about.
///
/// A column is useful only if the API returns a finite, informative log-probability for it in every prompt.
/// Special and reserved tokens are often masked (−inf, or refused in `logit_bias`), control-character and
/// byte-fallback tokens are almost never sampled, and untrained ("unused") rows of W can be degenerate. With a
/// vocabulary file those are skipped by their spelling:
/// - `<|…|>` (tiktoken/ChatML specials), `<…>` made of letters, digits, `_`, `/`, `|` or `-` (`<s>`, `</s>`,
///   `<unk>`, `<pad>`, `<mask>`, `<start_of_turn>`), `[…]` in capitals and digits (`[PAD]`, `[CLS]`, `[unused12]`
///   case-insensitively), anything naming "reserved" or "unused";
/// - byte-fallback tokens `<0x0A>`;
/// - tokens containing control characters other than tab, newline and carriage return (which are common);
/// - empty tokens, and ids listed as `special` in a `tokenizer.json`'s `added_tokens`.
/// The remaining ids are taken evenly spaced (not the first n): ids are loosely ordered by merge rank or
/// frequency, so spreading the columns samples common and rare tokens alike.
///
/// Without a vocabulary file nothing is known about the tokens; columns are spread over the id range at
/// positions ⌊(i + ½)·V/n⌋, which keeps clear of id 0 and of the end of the range, where tokenizers usually put
/// their special and added tokens.
public struct TokenColumns: Sendable, Equatable {
    /// Chosen ids, ascending.
    public var ids: [Int]
    /// Token text per chosen id, when a vocabulary file gave it.
    public var tokens: [String]?
    /// Ids skipped by the heuristic (with a vocabulary file).
    public var skipped: Int
    public var eligible: Int

    /// Reads a vocabulary: one token per line (line k = id k), a JSON object {token: id}, or a Hugging Face
    /// `tokenizer.json` (`model.vocab` plus `added_tokens`). Returns id → token and the ids marked special.
    public static func readVocabulary(path: String) throws -> (tokens: [Int: String], special: Set<Int>) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnalysisError(source: path, "cannot read the vocabulary file")
        }
        let firstByte = data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
        if firstByte == UInt8(ascii: "{") {
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: data) } catch {
                throw AnalysisError(source: path, "not valid JSON: \(error.localizedDescription)")
            }
            guard let top = object as? [String: Any] else { throw AnalysisError(source: path, "expected a JSON object") }
            var tokens: [Int: String] = [:]
            var special = Set<Int>()
            let vocab = ((top["model"] as? [String: Any])?["vocab"] as? [String: Any]) ?? top
            for (token, value) in vocab {
                guard let id = (value as? NSNumber)?.intValue, id >= 0 else {
                    throw AnalysisError(source: path, "token \(token.debugDescription) has no non-negative integer id")
                }
                tokens[id] = token
            }
            if let added = top["added_tokens"] as? [[String: Any]] {
                for entry in added {
                    guard let id = (entry["id"] as? NSNumber)?.intValue, let content = entry["content"] as? String else { continue }
                    tokens[id] = content
                    if (entry["special"] as? Bool) == true { special.insert(id) }
                }
            }
            if tokens.isEmpty { throw AnalysisError(source: path, "the vocabulary is empty") }
            return (tokens, special)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AnalysisError(source: path, "not UTF-8 text (expected one token per line or JSON)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var tokens: [Int: String] = [:]
        for (i, line) in lines.enumerated() {
            tokens[i] = line.hasSuffix("\r") ? String(line.dropLast()) : line
        }
        return (tokens, [])
    }

    /// True when the spelling marks a token the API will not sample (see the type's documentation).
    public static func looksSpecial(_ token: String) -> Bool {
        if token.isEmpty { return true }
        for scalar in token.unicodeScalars where scalar.properties.generalCategory == .control {
            if scalar != "\t" && scalar != "\n" && scalar != "\r" { return true }
        }
        let lower = token.lowercased()
        if lower.contains("reserved") || lower.contains("unused") { return true }
        if token.hasPrefix("<|") && token.hasSuffix("|>") && token.count >= 4 { return true }
        if token.count >= 3 && token.hasPrefix("<") && token.hasSuffix(">") {
            let inner = token.dropFirst().dropLast()
            if inner.allSatisfy({ $0.isLetter || $0.isNumber || "_/|-".contains($0) }) { return true }
        }
        if token.count >= 3 && token.hasPrefix("[") && token.hasSuffix("]") {
            let inner = token.dropFirst().dropLast()
            if inner.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "_" }) { return true }
        }
        return false
    }

    /// Chooses `count` columns from a vocabulary of `vocab` ids.
    public static func choose(count: Int, vocab: Int, vocabulary: (tokens: [Int: String], special: Set<Int>)? = nil,
                              source: String? = nil) throws -> TokenColumns {
        guard count <= vocab else { throw AnalysisError("\(count) columns requested from a vocabulary of \(vocab)") }
        guard let vocabulary else {
            let ids = (0..<count).map { Int((Double($0) + 0.5) * Double(vocab) / Double(count)) }
            return TokenColumns(ids: ids, tokens: nil, skipped: 0, eligible: vocab)
        }
        var eligible: [Int] = []
        var skipped = 0
        for id in 0..<vocab {
            guard let token = vocabulary.tokens[id], !vocabulary.special.contains(id), !looksSpecial(token) else {
                skipped += 1
                continue
            }
            eligible.append(id)
        }
        guard eligible.count >= count else {
            throw AnalysisError(source: source,
                "only \(eligible.count) of \(vocab) ids are usable columns after skipping special, control and reserved tokens (and ids the file does not list); the plan needs \(count)")
        }
        let picks = (0..<count).map { eligible[Int((Double($0) + 0.5) * Double(eligible.count) / Double(count))] }
        return TokenColumns(ids: picks, tokens: picks.map { vocabulary.tokens[$0]! }, skipped: skipped, eligible: eligible.count)
    }
}
