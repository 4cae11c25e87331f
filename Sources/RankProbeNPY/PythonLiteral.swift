/// The few Python literal forms an `.npy` header can contain.
///
/// The header is the `repr` of a dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (4400, 32000), }`.
/// NumPy reads it with `ast.literal_eval`; rankprobe does not embed Python, so this is a hand-written parser
/// for the part of Python's expression grammar that `literal_eval` evaluates: strings (with Python's escape
/// rules, prefixes and implicit concatenation), integers (decimal, hex, octal, binary, `_` separators, one
/// unary sign), floats, `True`/`False`/`None`, tuples, lists, dicts, comments and whitespace.
///
/// The rule is: never accept a header that numpy rejects. Where Python accepts something no `.npy` writer
/// produces and supporting it would take a large table, the parser rejects it with a message saying so
/// (these are listed in the README's “.npy headers” section): `\N{…}` escapes, lone surrogates (`\ud800`),
/// bytes literals (`b'<f4'`), complex numbers, sets, and `set()`.
/// Integers are kept as decimal text so that an absurd dimension (`10**30`) can be reported as such instead
/// of overflowing while parsing.
enum PythonLiteral: Equatable {
    case string(String)
    case integer(String)
    case float(Double)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: String, value: PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.float(x), .float(y)): x == y
        case let (.bool(x), .bool(y)): x == y
        case (.none, .none): true
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): x == y
        case let (.dict(x), .dict(y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Short human description used in error messages ("a tuple", "the string 'abc'").
    var summary: String {
        switch self {
        case .string(let s): "the string \(PythonLiteral.quoted(s))"
        case .integer(let s): "the integer \(s)"
        case .float(let d): "the number \(d)"
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let items): "a tuple of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .list(let items): "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .dict: "a dict"
        }
    }

    /// `s` in single quotes with control and non-ASCII characters escaped, so an error message never
    /// carries raw control bytes to the terminal.
    static func quoted(_ s: String) -> String {
        var out = "'"
        for u in s.unicodeScalars {
            switch u.value {
            case 0x5C: out += "\\\\"
            case 0x27: out += "\\'"
            case 0x20..<0x7F: out.unicodeScalars.append(u)
            case 0..<0x100: out += "\\x" + hex(u.value, 2)
            case 0..<0x10000: out += "\\u" + hex(u.value, 4)
            default: out += "\\U" + hex(u.value, 8)
            }
        }
        return out + "'"
    }

    private static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

/// A syntax error at `index` (relative to the start of the parsed bytes).
struct PythonLiteralError: Error {
    var index: Int
    var message: String
}

/// Recursive-descent parser over raw header bytes. `utf8` selects how the header is decoded (format 3.0
/// headers are UTF-8 and must be valid UTF-8; 1.0 and 2.0 are Latin-1, so every byte is a character).
/// `longSuffix` accepts Python 2's `3L` integers, which numpy tolerates only in 1.0 and 2.0 files.
struct PythonLiteralParser {
    let bytes: [UInt8]
    let utf8: Bool
    let longSuffix: Bool
    private(set) var index = 0
    private var continuationSeen = false
    /// Nesting limit: a hostile header of a million `(` must produce an error, not a stack overflow.
    static let maxDepth = 32

    init(bytes: [UInt8], utf8: Bool, longSuffix: Bool) {
        self.bytes = bytes
        self.utf8 = utf8
        self.longSuffix = longSuffix
    }

    /// Parses one literal that must fill the input apart from surrounding whitespace and comments.
    static func parse(_ bytes: [UInt8], utf8: Bool, longSuffix: Bool? = nil) throws(PythonLiteralError) -> PythonLiteral {
        // Python refuses source text containing NUL before it even tokenizes.
        if let nul = bytes.firstIndex(of: 0) {
            throw PythonLiteralError(index: nul, message: "header contains a NUL byte")
        }
        if utf8, let bad = firstInvalidUTF8(bytes) {
            throw PythonLiteralError(index: bad, message: "header is not valid UTF-8 (format 3.0 headers must be)")
        }
        var parser = PythonLiteralParser(bytes: bytes, utf8: utf8, longSuffix: longSuffix ?? !utf8)
        // ast.literal_eval strips leading spaces and tabs; the rest is Python's eval-mode grammar.
        try parser.skipWhitespace()
        if parser.atEnd { throw PythonLiteralError(index: 0, message: "header is empty") }
        let value = try parser.value(depth: 0).literal
        parser.continuationSeen = false
        try parser.skipWhitespace()
        if parser.continuationSeen {
            // Python: a backslash continuation needs a next line with more of the expression.
            throw PythonLiteralError(index: parser.index, message: "header ends with a backslash line continuation")
        }
        if !parser.atEnd {
            throw PythonLiteralError(index: parser.index, message: "unexpected text after the header literal: \(parser.preview())")
        }
        return value
    }

    /// Offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong forms,
    /// surrogates and values above U+10FFFF are ill-formed, as for Python's strict decoder).
    static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let c = b[i]
            let n: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: n = 1
            case 0xE0: n = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: n = 2
            case 0xED: n = 2; hi = 0x9F
            case 0xF0: n = 3; lo = 0x90
            case 0xF1...0xF3: n = 3
            case 0xF4: n = 3; hi = 0x8F
            default: return i
            }
            if i + n >= b.count { return i }
            if !(lo...hi).contains(b[i + 1]) { return i }
            for k in 2..<(n + 1) where !(0x80...0xBF).contains(b[i + k]) { return i }
            i += n + 1
        }
        return nil
    }

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }
    private func peek(_ k: Int) -> UInt8? { index + k < bytes.count ? bytes[index + k] : nil }

    /// Skips Python's whitespace between tokens: spaces, tabs, form feeds, line breaks (the whole header is
    /// inside brackets, where Python ignores them), `#` comments and backslash line continuations.
    private mutating func skipWhitespace() throws(PythonLiteralError) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0C, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            case UInt8(ascii: "\\"):
                guard let next = peek(1), next == 0x0A || next == 0x0D else {
                    throw PythonLiteralError(index: index, message: "unexpected character '\\' in the header")
                }
                index += 2
                if next == 0x0D, index < bytes.count, bytes[index] == 0x0A { index += 1 }
                continuationSeen = true
            default: return
            }
        }
    }

    /// Up to 20 characters from the current position, for error messages.
    private func preview() -> String {
        let end = min(bytes.count, index + 20)
        let scalars = bytes[index..<end].map { b -> String in
            (0x20..<0x7F).contains(b) ? String(UnicodeScalar(b)) : "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
        }
        return "'" + scalars.joined() + "'"
    }

    /// A value, and whether it was written with a unary sign (Python's literal_eval takes one sign only:
    /// `-2` and `-(2)` are literals, `--2` and `-(-2)` are not).
    private mutating func value(depth: Int) throws(PythonLiteralError) -> (literal: PythonLiteral, signed: Bool) {
        if depth > Self.maxDepth {
            throw PythonLiteralError(index: index, message: "header nests deeper than \(Self.maxDepth) levels")
        }
        try skipWhitespace()
        guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends in the middle of a value") }
        let c = current
        switch c {
        case UInt8(ascii: "{"): return (try dict(depth: depth), false)
        case UInt8(ascii: "("): return try sequence(close: UInt8(ascii: ")"), depth: depth)
        case UInt8(ascii: "["): return try sequence(close: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return (try strings(), false)
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            let start = index
            index += 1
            let (operand, signed) = try value(depth: depth + 1)
            switch operand {
            case .integer(let t) where !signed:
                if c == UInt8(ascii: "+") || t == "0" { return (operand, true) }
                return (.integer("-" + t), true)
            case .float(let d) where !signed:
                return (.float(c == UInt8(ascii: "-") ? -d : d), true)
            default:
                throw PythonLiteralError(index: start, message: "a sign must be followed by a number literal (Python's literal_eval takes one sign)")
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
            return (try number(), false)
        default:
            if isIdentifierStart(c) { return (try name(), false) }
            throw PythonLiteralError(index: index, message: "unexpected character \(preview()) in the header")
        }
    }

    private func isIdentifierStart(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || c == UInt8(ascii: "_")
    }
    private func isIdentifierPart(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c >= 0x80
    }

    private mutating func dict(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        let open = index
        index += 1  // '{'
        var entries: [(key: String, value: PythonLiteral)] = []
        while true {
            try skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the dict's closing '}'") }
            if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
            let keyStart = index
            let key = try value(depth: depth + 1).literal
            try skipWhitespace()
            if !atEnd, entries.isEmpty, current == UInt8(ascii: ",") || current == UInt8(ascii: "}") {
                throw PythonLiteralError(index: open, message: "the header is a set literal, not a dict")
            }
            guard case .string(let keyText) = key else {
                throw PythonLiteralError(index: keyStart, message: "a header dict key is \(key.summary), not a string")
            }
            guard !atEnd, current == UInt8(ascii: ":") else {
                throw PythonLiteralError(index: index, message: "expected ':' after the key \(PythonLiteral.quoted(keyText))")
            }
            index += 1
            let item = try value(depth: depth + 1).literal
            // Python keeps the last value of a repeated key.
            entries.removeAll { $0.key == keyText }
            entries.append((keyText, item))
            try skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the dict's closing '}'") }
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
            throw PythonLiteralError(index: index, message: "expected ',' or '}' in the header dict, found \(preview())")
        }
    }

    /// Tuples and lists. `(x)` without a comma is just `x` (with its sign flag), as in Python.
    private mutating func sequence(close: UInt8, depth: Int) throws(PythonLiteralError) -> (literal: PythonLiteral, signed: Bool) {
        let isTuple = close == UInt8(ascii: ")")
        index += 1
        var items: [PythonLiteral] = []
        var single: (literal: PythonLiteral, signed: Bool)?
        var sawComma = false
        let closeText = "'\(Character(UnicodeScalar(close)))'"
        while true {
            try skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the closing \(closeText)") }
            if current == close { index += 1; break }
            let item = try value(depth: depth + 1)
            items.append(item.literal)
            single = item
            try skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the closing \(closeText)") }
            if current == UInt8(ascii: ",") { index += 1; sawComma = true; continue }
            if current == close { index += 1; break }
            throw PythonLiteralError(index: index, message: "expected ',' or \(closeText), found \(preview())")
        }
        if isTuple {
            if items.count == 1 && !sawComma, let single { return single }
            return (.tuple(items), false)
        }
        return (.list(items), false)
    }

    /// One or more adjacent string literals, concatenated as Python does (`'<' 'f4'` is `'<f4'`). Any
    /// prefix of the first literal has been consumed; `raw` says whether it was `r`.
    private mutating func strings(raw firstRaw: Bool = false) throws(PythonLiteralError) -> PythonLiteral {
        var text = String.UnicodeScalarView()
        var raw = firstRaw
        while true {
            text.append(contentsOf: try string(raw: raw))
            try skipWhitespace()
            guard !atEnd else { break }
            if current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") { raw = false; continue }
            if let prefix = stringPrefix() {
                if prefix.bytes { throw bytesLiteral(at: index) }
                index += prefix.count
                raw = prefix.raw
                continue
            }
            break
        }
        return .string(String(text))
    }

    /// A string prefix (`u`, `r`, `b`, `br`, `rb`, `f`… in any case) directly followed by a quote.
    private func stringPrefix() -> (count: Int, raw: Bool, bytes: Bool)? {
        var k = 0
        var letters = ""
        while let c = peek(k), isIdentifierStart(c), k < 3 { letters.append(Character(UnicodeScalar(c)).lowercased()); k += 1 }
        guard let q = peek(k), q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else { return nil }
        switch letters {
        case "u": return (1, false, false)
        case "r": return (1, true, false)
        case "b": return (1, false, true)
        case "br", "rb": return (2, true, true)
        default: return nil
        }
    }

    private func bytesLiteral(at i: Int) -> PythonLiteralError {
        PythonLiteralError(index: i, message: "bytes literals (b'…') are not supported in a header (numpy writes str)")
    }

    /// One quoted literal at `index` (any prefix already consumed), with Python 3's escape rules: unknown
    /// escapes such as `\q` keep their backslash, `\x` needs exactly two hex digits, `\u` four, `\U` eight.
    private mutating func string(raw: Bool) throws(PythonLiteralError) -> String.UnicodeScalarView {
        let quote = current
        let start = index
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        var out = String.UnicodeScalarView()
        func unterminated() -> PythonLiteralError {
            PythonLiteralError(index: start, message: "unterminated string in the header")
        }
        while true {
            guard !atEnd else { throw unterminated() }
            let c = current
            if c == quote {
                if !triple { index += 1; break }
                if peek(1) == quote && peek(2) == quote { index += 3; break }
            }
            if (c == 0x0A || c == 0x0D) && !triple { throw unterminated() }
            if c == UInt8(ascii: "\\") {
                guard let e = peek(1) else { throw unterminated() }
                if raw {
                    // A raw string keeps the backslash and the next character, which cannot end the string.
                    out.append("\\")
                    index += 1
                    if e == 0x0A || e == 0x0D {
                        out.append(UnicodeScalar(e)); index += 1
                        if e == 0x0D, !atEnd, current == 0x0A { out.append("\n"); index += 1 }
                    } else {
                        out.append(try character())
                    }
                    continue
                }
                let escapeStart = index
                index += 2
                switch e {
                case 0x0A: continue  // line continuation
                case 0x0D: if !atEnd, current == 0x0A { index += 1 }; continue
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(UnicodeScalar(e))
                case UInt8(ascii: "a"): out.append("\u{07}")
                case UInt8(ascii: "b"): out.append("\u{08}")
                case UInt8(ascii: "f"): out.append("\u{0C}")
                case UInt8(ascii: "n"): out.append("\n")
                case UInt8(ascii: "r"): out.append("\r")
                case UInt8(ascii: "t"): out.append("\t")
                case UInt8(ascii: "v"): out.append("\u{0B}")
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = UInt32(e - UInt8(ascii: "0"))
                    var n = 1
                    while n < 3, !atEnd, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(current) {
                        v = v * 8 + UInt32(current - UInt8(ascii: "0")); index += 1; n += 1
                    }
                    out.append(UnicodeScalar(v)!)
                case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let digits = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                    var v: UInt32 = 0
                    for _ in 0..<digits {
                        guard !atEnd, let d = hexValue(current) else {
                            throw PythonLiteralError(index: escapeStart, message: "truncated \\\(Character(UnicodeScalar(e))) escape in a header string")
                        }
                        v = v &* 16 &+ d
                        index += 1
                    }
                    guard let s = UnicodeScalar(v) else {
                        let what = (0xD800...0xDFFF).contains(v) ? "a lone surrogate (not supported)" : "beyond U+10FFFF"
                        throw PythonLiteralError(index: escapeStart, message: "escape in a header string is \(what)")
                    }
                    out.append(s)
                case UInt8(ascii: "N"):
                    throw PythonLiteralError(index: escapeStart, message: "\\N{…} escapes are not supported in a header string")
                default:
                    // Python keeps an unknown escape as written (a backslash and the character).
                    out.append("\\")
                    index -= 1
                    out.append(try character())
                }
                continue
            }
            out.append(try character())
        }
        return out
    }

    /// The character at `index` (Latin-1 byte, or a validated UTF-8 sequence), advancing past it.
    private mutating func character() throws(PythonLiteralError) -> UnicodeScalar {
        let c = current
        guard utf8, c >= 0x80 else { index += 1; return UnicodeScalar(c) }
        let n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
        var v = UInt32(c) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        for k in 1..<n { v = v << 6 | UInt32(bytes[index + k] & 0x3F) }
        index += n
        return UnicodeScalar(v)!  // validated in parse()
    }

    private func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Python 3 number literals. Integers: `0`, `00`, `[1-9][0-9]*`, `0x…`, `0o…`, `0b…`, with single `_`
    /// between digits (`2_000`; not `2_`, `2__0`, `02`). Floats and imaginary numbers are recognised only
    /// to be reported: no valid header position takes them.
    private mutating func number() throws(PythonLiteralError) -> PythonLiteral {
        let start = index
        func malformed() -> PythonLiteralError {
            let end = min(bytes.count, max(index, start + 1))
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            return PythonLiteralError(index: start, message: "malformed number \(PythonLiteral.quoted(text)) in the header")
        }
        /// Digits of `radix` with single underscores between them; at least one digit. Returns the digits.
        func digits(_ isDigit: (UInt8) -> Bool, leadingUnderscore: Bool) throws(PythonLiteralError) -> [UInt8] {
            var out: [UInt8] = []
            var lastUnderscore = false
            var first = true
            while !atEnd {
                let c = current
                if isDigit(c) { out.append(c); lastUnderscore = false; index += 1 }
                else if c == UInt8(ascii: "_") {
                    if lastUnderscore || (first && !leadingUnderscore) || (out.isEmpty && !first) { throw malformed() }
                    lastUnderscore = true; index += 1
                } else { break }
                first = false
            }
            if lastUnderscore || out.isEmpty { throw malformed() }
            return out
        }
        let isDec: (UInt8) -> Bool = { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        if current == UInt8(ascii: "0"), let p = peek(1), "xXoObB".utf8.contains(p) {
            index += 2
            let radix: UInt64 = "xX".utf8.contains(p) ? 16 : "oO".utf8.contains(p) ? 8 : 2
            let ds = try digits({ c in hexValue(c).map { UInt64($0) < radix } ?? false }, leadingUnderscore: true)
            if longSuffix, !atEnd, current == UInt8(ascii: "L"), peek(1).map({ !isIdentifierPart($0) }) ?? true { index += 1 }
            try endOfNumber(malformed)
            var v: UInt64 = 0
            for d in ds {
                let (m, o1) = v.multipliedReportingOverflow(by: radix)
                let (s, o2) = m.addingReportingOverflow(UInt64(hexValue(d)!))
                if o1 || o2 { return .integer(String(decoding: bytes[start..<index], as: UTF8.self)) }
                v = s
            }
            return .integer(String(v))
        }
        var intDigits: [UInt8] = []
        if current != UInt8(ascii: ".") { intDigits = try digits(isDec, leadingUnderscore: false) }
        var isFloat = false
        if !atEnd, current == UInt8(ascii: ".") {
            isFloat = true
            index += 1
            if !atEnd, isDec(current) { _ = try digits(isDec, leadingUnderscore: false) }
            else if intDigits.isEmpty { throw malformed() }
        }
        if !atEnd, current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isFloat = true
            index += 1
            if !atEnd, current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { index += 1 }
            _ = try digits(isDec, leadingUnderscore: false)
        }
        if !atEnd, current == UInt8(ascii: "j") || current == UInt8(ascii: "J") {
            index += 1
            throw PythonLiteralError(index: start, message: "complex number \(PythonLiteral.quoted(String(decoding: bytes[start..<index], as: UTF8.self))) in the header")
        }
        if isFloat {
            try endOfNumber(malformed)
            let text = String(decoding: bytes[start..<index].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            guard let d = Double(text) else { throw malformed() }
            return .float(d)
        }
        // Leading zeros: Python allows `0`, `00`, `0_0`, but not `02`.
        let significant = intDigits.drop { $0 == UInt8(ascii: "0") }
        if intDigits.first == UInt8(ascii: "0") && !significant.isEmpty {
            throw PythonLiteralError(index: start, message: "integer \(PythonLiteral.quoted(String(decoding: bytes[start..<index], as: UTF8.self))) has a leading zero (Python 3 does not allow that)")
        }
        // Python 2 era files spell long integers with an 'L' suffix: (3L, 4L). numpy strips it (only 'L',
        // only in format 1.0 and 2.0 files).
        if longSuffix, !atEnd, current == UInt8(ascii: "L"), peek(1).map({ !isIdentifierPart($0) }) ?? true { index += 1 }
        try endOfNumber(malformed)
        return .integer(significant.isEmpty ? "0" : String(decoding: significant, as: UTF8.self))
    }

    /// A number literal directly followed by a letter, digit or `_` is a syntax error in Python (`2a`, `0x1g`).
    private func endOfNumber(_ malformed: () -> PythonLiteralError) throws(PythonLiteralError) {
        if !atEnd, isIdentifierPart(current) || current == UInt8(ascii: ".") { throw malformed() }
    }

    private mutating func name() throws(PythonLiteralError) -> PythonLiteral {
        let start = index
        if let prefix = stringPrefix() {
            if prefix.bytes { throw bytesLiteral(at: start) }
            index += prefix.count
            return try strings(raw: prefix.raw)
        }
        while !atEnd, isIdentifierPart(current) { index += 1 }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        default:
            let shown = PythonLiteral.quoted(utf8 ? word : String(String.UnicodeScalarView(bytes[start..<index].map { UnicodeScalar($0) })))
            throw PythonLiteralError(index: start, message: "unexpected name \(shown) in the header (only literals are allowed)")
        }
    }
}
