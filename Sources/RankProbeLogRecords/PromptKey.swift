import _JSONShims

/// The canonical bytes of a prompt, whose SHA-256 is the row key (`LogRecord.promptKey`, the retry files,
/// the JSON report): composed here from the pieces the shim hands over (`rp_doc.prompt_form`).
///
/// - Chat-like prompts: `chat\n`, then per message its role, 0x1F, its content, 0x1E. String content as is,
///   structured content as minified JSON. OpenAI Responses `instructions` act as a system message and an
///   `input` string as one user message, so they key like the same chat prompt; an `input` that is neither a
///   string nor a list enters as minified JSON with no separators. Gemini: `systemInstruction` is the system
///   message, a turn's content is its parts' texts joined (non-text parts as minified JSON), and Gemini's
///   role names are mapped: "model" is the assistant's, a missing or empty role is the user's.
/// - `prompt\n` + a prompt string (or a list of one string); `tokens\n` + token ids joined by ','; `json\n`
///   + the minified JSON of any other prompt value.
///
/// The tag keeps a chat prompt and a text prompt with equal bytes from colliding; nothing else of the
/// request enters the key. These bytes must not change: keys written by an earlier version (retry files,
/// reports) are compared with new ones.
enum PromptKey {
    /// Writes the canonical bytes of `d`'s prompt to `out` (emptied first); false when `d` has no prompt.
    static func canonical(_ d: rp_doc, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        switch rp_prompt_form(rawValue: UInt32(bitPattern: d.prompt_form)) {
        case RP_PROMPT_MESSAGES: messages(d, gemini: false, into: &out)
        case RP_PROMPT_GEMINI: messages(d, gemini: true, into: &out)
        case RP_PROMPT_TEXT: append("prompt\n", &out); append(d.prompt_text, &out)
        case RP_PROMPT_JSON: append("json\n", &out); append(d.prompt_text, &out)
        case RP_PROMPT_TOKENS: tokens(d, into: &out)
        default: return false
        }
        return true
    }

    private static let endOfRole: UInt8 = 0x1F
    private static let endOfMessage: UInt8 = 0x1E

    private static func messages(_ d: rp_doc, gemini: Bool, into out: inout [UInt8]) {
        append("chat\n", &out)
        var open = false
        for i in 0..<Int(d.prompt_part_count) {
            let part = d.prompt_parts[i]
            switch Int(part.kind) {
            case Int(RP_PART_CONTINUED):
                append(part.text, &out)
                continue
            case Int(RP_PART_MESSAGE):
                if open { out.append(endOfMessage) }
                if gemini, let mapped = geminiRole(part.role) { append(mapped, &out) } else { append(part.role, &out) }
            case Int(RP_PART_INSTRUCTIONS):
                if open { out.append(endOfMessage) }
                append("system", &out)
            case Int(RP_PART_INPUT_TEXT):
                if open { out.append(endOfMessage) }
                append("user", &out)
            default:  // RP_PART_INPUT_JSON: outside any message
                if open { out.append(endOfMessage) }
                append(part.text, &out)
                open = false
                continue
            }
            out.append(endOfRole)
            append(part.text, &out)
            open = true
        }
        if open { out.append(endOfMessage) }
    }

    /// The chat role of a Gemini role, or nil when it is the same name.
    private static func geminiRole(_ role: rp_str) -> StaticString? {
        guard let raw = role.rawBuffer, !raw.isEmpty else { return "user" }
        return raw.elementsEqual("model".utf8) ? "assistant" : nil
    }

    private static func tokens(_ d: rp_doc, into out: inout [UInt8]) {
        append("tokens\n", &out)
        for i in 0..<Int(d.prompt_token_count) {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            decimal(d.prompt_tokens[i], &out)
        }
    }

    /// `v` in decimal, as C++'s `std::to_chars` writes it.
    static func decimal(_ v: Int64, _ out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        out[start...].reverse()
    }

    private static func append(_ s: StaticString, _ out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func append(_ s: rp_str, _ out: inout [UInt8]) {
        if let raw = s.rawBuffer { out.append(contentsOf: raw) }
    }
}
