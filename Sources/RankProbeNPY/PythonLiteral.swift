/// The few Python literal forms an `.npy` header can contain.
///
/// The header is the `repr` of a dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (4400, 32000), }`.
/// NumPy reads it with `ast.literal_eval`; rankprobe does not embed Python, so this is a hand-written parser
/// for that small grammar: strings, integers, floats, `True`/`False`/`None`, tuples, lists and dicts.
/// Integers are kept as text so that an absurd dimension (`10**30`) can be reported as such instead of
/// overflowing while parsing.
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
        case .string(let s): "the string '\(s)'"
        case .integer(let s): "the integer \(s)"
        case .float(let d): "the number \(d)"
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let items): "a tuple of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .list(let items): "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .dict: "a dict"
        }
    }
}

/// A syntax error at `index` (relative to the start of the parsed bytes).
struct PythonLiteralError: Error {
    var index: Int
    var message: String
}

/// Recursive-descent parser over raw header bytes. `utf8` selects how string contents are decoded
/// (format 3.0 headers are UTF-8, 1.0 and 2.0 are Latin-1).
struct PythonLiteralParser {
    let bytes: [UInt8]
    let utf8: Bool
    private(set) var index = 0
    /// Nesting limit: a hostile header of a million `(` must produce an error, not a stack overflow.
    static let maxDepth = 32

    init(bytes: [UInt8], utf8: Bool) {
        self.bytes = bytes
        self.utf8 = utf8
    }

    /// Parses one literal that must fill the input apart from surrounding whitespace.
    static func parse(_ bytes: [UInt8], utf8: Bool) throws(PythonLiteralError) -> PythonLiteral {
        var parser = PythonLiteralParser(bytes: bytes, utf8: utf8)
        parser.skipWhitespace()
        if parser.atEnd { throw PythonLiteralError(index: 0, message: "header is empty") }
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if !parser.atEnd {
            throw PythonLiteralError(index: parser.index, message: "unexpected text after the header literal: \(parser.preview())")
        }
        return value
    }

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    /// Up to 20 characters from the current position, for error messages.
    private func preview() -> String {
        let end = min(bytes.count, index + 20)
        let scalars = bytes[index..<end].map { b -> String in
            (0x20..<0x7F).contains(b) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
        }
        return "'" + scalars.joined() + "'"
    }

    private mutating func value(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        if depth > Self.maxDepth {
            throw PythonLiteralError(index: index, message: "header nests deeper than \(Self.maxDepth) levels")
        }
        skipWhitespace()
        guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends in the middle of a value") }
        let c = current
        switch c {
        case UInt8(ascii: "{"): return try dict(depth: depth)
        case UInt8(ascii: "("): return try sequence(close: UInt8(ascii: ")"), depth: depth)
        case UInt8(ascii: "["): return try sequence(close: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return try number()
        default:
            if isIdentifierStart(c) { return try name() }
            throw PythonLiteralError(index: index, message: "unexpected character \(preview()) in the header")
        }
    }

    private func isIdentifierStart(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || c == UInt8(ascii: "_")
    }

    private mutating func dict(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        index += 1  // '{'
        var entries: [(key: String, value: PythonLiteral)] = []
        while true {
            skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the dict's closing '}'") }
            if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
            let keyStart = index
            guard case .string(let key) = try value(depth: depth + 1) else {
                throw PythonLiteralError(index: keyStart, message: "a header dict key is not a string")
            }
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: ":") else {
                throw PythonLiteralError(index: index, message: "expected ':' after the key '\(key)'")
            }
            index += 1
            let item = try value(depth: depth + 1)
            // Python keeps the last value of a repeated key.
            entries.removeAll { $0.key == key }
            entries.append((key, item))
            skipWhitespace()
            guard !atEnd else { throw PythonLiteralError(index: index, message: "header ends before the dict's closing '}'") }
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "}") { index += 1; return .dict(entries) }
            throw PythonLiteralError(index: index, message: "expected ',' or '}' in the header dict, found \(preview())")
        }
    }

    /// Tuples and lists. `(x)` without a comma is just `x`, as in Python.
    private mutating func sequence(close: UInt8, depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        let isTuple = close == UInt8(ascii: ")")
        index += 1
        var items: [PythonLiteral] = []
        var sawComma = false
        while true {
            skipWhitespace()
            guard !atEnd else {
                throw PythonLiteralError(index: index, message: "header ends before the closing '\(Character(UnicodeScalar(close)))'")
            }
            if current == close { index += 1; break }
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard !atEnd else {
                throw PythonLiteralError(index: index, message: "header ends before the closing '\(Character(UnicodeScalar(close)))'")
            }
            if current == UInt8(ascii: ",") { index += 1; sawComma = true; continue }
            if current == close { index += 1; break }
            throw PythonLiteralError(index: index, message: "expected ',' or '\(Character(UnicodeScalar(close)))', found \(preview())")
        }
        if isTuple {
            if items.count == 1 && !sawComma { return items[0] }
            return .tuple(items)
        }
        return .list(items)
    }

    private mutating func string() throws(PythonLiteralError) -> String {
        let quote = current
        let start = index
        index += 1
        var content: [UInt8] = []
        while true {
            guard !atEnd else { throw PythonLiteralError(index: start, message: "unterminated string in the header") }
            let c = current
            index += 1
            if c == quote { break }
            if c == UInt8(ascii: "\\") {
                guard !atEnd else { throw PythonLiteralError(index: start, message: "unterminated string in the header") }
                let e = current
                index += 1
                switch e {
                case UInt8(ascii: "n"): content.append(0x0A)
                case UInt8(ascii: "t"): content.append(0x09)
                default: content.append(e)
                }
                continue
            }
            content.append(c)
        }
        if utf8 { return String(decoding: content, as: UTF8.self) }
        return String(String.UnicodeScalarView(content.map { UnicodeScalar($0) }))
    }

    private mutating func number() throws(PythonLiteralError) -> PythonLiteral {
        let start = index
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { index += 1 }
        var isFloat = false
        while !atEnd {
            let c = current
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_") {
                index += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                isFloat = true
                index += 1
                if !atEnd, c != UInt8(ascii: "."), current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { index += 1 }
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<index].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let d = Double(text) else { throw PythonLiteralError(index: start, message: "malformed number '\(text)' in the header") }
            return .float(d)
        }
        // Python 2 era files spell long integers with an 'L' suffix: (3L, 4L).
        if !atEnd, current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { index += 1 }
        let digits = text.drop { $0 == "+" || $0 == "-" }
        guard !digits.isEmpty else { throw PythonLiteralError(index: start, message: "malformed number '\(text)' in the header") }
        return .integer(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    private mutating func name() throws(PythonLiteralError) -> PythonLiteral {
        let start = index
        while !atEnd, isIdentifierStart(current) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(current) { index += 1 }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        case "u", "U", "b", "B", "r", "R":
            // Python 2 style u'<f4' prefixes.
            if !atEnd, current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") { return .string(try string()) }
            fallthrough
        default:
            throw PythonLiteralError(index: start, message: "unexpected name '\(word)' in the header (only literals are allowed)")
        }
    }
}
