import Foundation
@testable import RankProbeNPY
import Testing

/// The header grammar against numpy's own verdicts. Each case is a header text (one byte per character:
/// `\u{E9}` is the byte 0xE9), the format version, what `numpy.load` (numpy 2.4.6 on Python 3.11, i.e.
/// `ast.literal_eval` plus numpy's key and type checks) did with it — the comment says what it returned
/// or raised — and rankprobe's exact outcome. The rule (issue 14, finding 4): rankprobe never accepts a
/// header numpy rejects. It rejects, by design and with a message, a few headers numpy accepts: 0 or 1
/// rows (no spectrum), numpy's other spellings of a float type ('float32', '<f04', '<f+4'), and `\N{…}`.
/// `NPYNumpyCrossCheckTests.headerVerdictsMatchNumpy` re-asks numpy about every case when it is present.
struct HeaderCase: Sendable {
    var header: String
    var major: UInt8
    var numpy: Bool
    var rankprobe: String = ""
    init(_ header: String, major: UInt8, numpy: Bool, _ rankprobe: String = "") {
        self.header = header; self.major = major; self.numpy = numpy; self.rankprobe = rankprobe
    }
    var bytes: [UInt8] { header.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
    /// The whole file: 256 data bytes, enough for every accepted shape.
    var file: [UInt8] { rawNPY(major: major, bytes: bytes, dataBytes: 256) }

    static let all: [HeaderCase] = [
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '\\f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: dtype '\\x0c4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '\x0c4'
        .init("{'descr': '\\f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: dtype '\\x0c4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '\x0c4'
        .init("{'descr': '<\\f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: dtype '<\\x0c4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<\x0c4'
        .init("{'descr': '<\\f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: dtype '<\\x0c4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<\x0c4'
        .init("{'descr': '<f4', 'fo\\rtran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: header dict has the key 'fo\\x0dtran_order'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fo\rt
        .init("{'descr': '<f4', 'fo\\rtran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: header dict has the key 'fo\\x0dtran_order'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fo\rt
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (02, 2), }", major: 1, numpy: false,
              "reject at 61: malformed header: integer '02' has a leading zero (Python 3 does not allow that)"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (02, 2), }", major: 3, numpy: false,
              "reject at 63: malformed header: integer '02' has a leading zero (Python 3 does not allow that)"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2_, 2), }", major: 1, numpy: false,
              "reject at 61: malformed header: malformed number '2_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2_, 2), }", major: 3, numpy: false,
              "reject at 63: malformed header: malformed number '2_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2_0, 2), }", major: 1, numpy: true,
              "accept float32 20x2"),  // numpy: <f4 (20, 2) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2_0, 2), }", major: 3, numpy: true,
              "accept float32 20x2"),  // numpy: <f4 (20, 2) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2__0, 2), }", major: 1, numpy: false,
              "reject at 61: malformed header: malformed number '2_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (2__0, 2), }", major: 3, numpy: false,
              "reject at 63: malformed header: malformed number '2_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (00, 2), }", major: 1, numpy: true,
              "reject at 10: shape (0, 2) has fewer than 2 rows; a spectrum needs at least 2 samples"),  // numpy: <f4 (0, 2) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (00, 2), }", major: 3, numpy: true,
              "reject at 12: shape (0, 2) has fewer than 2 rows; a spectrum needs at least 2 samples"),  // numpy: <f4 (0, 2) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0x3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0x3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0o3, 0b100), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0o3, 0b100), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (+3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (+3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (-(-3), 4), }", major: 1, numpy: false,
              "reject at 61: malformed header: a sign must be followed by a number literal (Python's literal_eval takes one sign)"),  // numpy: ValueError: malformed node or string on line 1: <ast.UnaryOp object at
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (-(-3), 4), }", major: 3, numpy: false,
              "reject at 63: malformed header: a sign must be followed by a number literal (Python's literal_eval takes one sign)"),  // numpy: ValueError: malformed node or string on line 1: <ast.UnaryOp object at
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (--3, 4), }", major: 1, numpy: false,
              "reject at 61: malformed header: a sign must be followed by a number literal (Python's literal_eval takes one sign)"),  // numpy: ValueError: malformed node or string on line 1: <ast.UnaryOp object at
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (--3, 4), }", major: 3, numpy: false,
              "reject at 63: malformed header: a sign must be followed by a number literal (Python's literal_eval takes one sign)"),  // numpy: ValueError: malformed node or string on line 1: <ast.UnaryOp object at
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': ((3), 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': ((3), 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4], }", major: 1, numpy: false,
              "reject at 10: header 'shape' is a list of 2 items, not a tuple of integers (numpy refuses list shapes)"),  // numpy: ValueError: shape is not valid: [3, 4]
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4], }", major: 3, numpy: false,
              "reject at 12: header 'shape' is a list of 2 items, not a tuple of integers (numpy refuses list shapes)"),  // numpy: ValueError: shape is not valid: [3, 4]
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4.0), }", major: 1, numpy: false,
              "reject at 10: header 'shape' contains the number 4.0, not an integer"),  // numpy: ValueError: shape is not valid: (3, 4.0)
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4.0), }", major: 3, numpy: false,
              "reject at 12: header 'shape' contains the number 4.0, not an integer"),  // numpy: ValueError: shape is not valid: (3, 4.0)
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }", major: 3, numpy: false,
              "reject at 63: malformed header: malformed number '3' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3l, 4), }", major: 1, numpy: false,
              "reject at 61: malformed header: malformed number '3' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3l, 4), }", major: 3, numpy: false,
              "reject at 63: malformed header: malformed number '3' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<' 'f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<' 'f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': u'<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': u'<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': r'<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': r'<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '''<f4''', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '''<f4''', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\x664', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\x664', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\1464', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\1464', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\u00664', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\u00664', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\q4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: dtype '<\\\\q4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<\\q4'
        .init("{'descr': '<\\q4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: dtype '<\\\\q4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<\\q4'
        .init("{'descr': '<f\\\n4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f\\\n4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4),'extra': None}", major: 1, numpy: false,
              "reject at 10: header dict has the key 'extra'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'extra
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4),'extra': None}", major: 3, numpy: false,
              "reject at 12: header dict has the key 'extra'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'extra
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # comment\n", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # comment\n", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', # c\n 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', # c\n 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{0C}\n", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{0C}\n", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4',\t'fortran_order': False,\r\n'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4',\t'fortran_order': False,\r\n'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: header 'fortran_order' is the integer 0, not True or False"),  // numpy: ValueError: fortran_order is not a valid bool: 0
        .init("{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: header 'fortran_order' is the integer 0, not True or False"),  // numpy: ValueError: fortran_order is not a valid bool: 0
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'descr': '<f8'}", major: 1, numpy: true,
              "accept float64 3x4"),  // numpy: <f8 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'descr': '<f8'}", major: 3, numpy: true,
              "accept float64 3x4"),  // numpy: <f8 (3, 4) False
        .init("{'de\u{00}scr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 14: malformed header: header contains a NUL byte"),  // numpy: ValueError: Cannot parse header: "{'de\x00scr': '<f4', 'fortran_order'
        .init("{'de\u{00}scr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 16: malformed header: header contains a NUL byte"),  // numpy: ValueError: Cannot parse header: "{'de\x00scr': '<f4', 'fortran_order'
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{00}", major: 1, numpy: false,
              "reject at 69: malformed header: header contains a NUL byte"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{00}", major: 3, numpy: false,
              "reject at 71: malformed header: header contains a NUL byte"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x\u{01}': 1}", major: 1, numpy: false,
              "reject at 10: header dict has the key 'x\\x01'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fortr
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x\u{01}': 1}", major: 3, numpy: false,
              "reject at 12: header dict has the key 'x\\x01'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fortr
        .init("{'descr\u{01}': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: header dict has the key 'descr\\x01'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr\x01', 'f
        .init("{'descr\u{01}': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: header dict has the key 'descr\\x01'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr\x01', 'f
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4),\u{0B}}", major: 1, numpy: false,
              "reject at 67: malformed header: unexpected character '\\x0b}' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4),\u{0B}}", major: 3, numpy: false,
              "reject at 69: malformed header: unexpected character '\\x0b}' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x': '\u{E9}'}", major: 1, numpy: false,
              "reject at 10: header dict has the key 'x'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fortr
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x': '\u{E9}'}", major: 3, numpy: false,
              "reject at 76: malformed header: header is not valid UTF-8 (format 3.0 headers must be)"),  // numpy: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 6
        .init("  {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("  {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("\n{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("\n{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } \\\n", major: 1, numpy: false,
              "reject at 72: malformed header: header ends with a backslash line continuation"),  // numpy: TokenError: ('EOF in multi-line statement', (2, 0))
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } \\\n", major: 3, numpy: false,
              "reject at 74: malformed header: header ends with a backslash line continuation"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3,\\\n 4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3,\\\n 4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4\r', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 20: malformed header: unterminated string in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4\r', 'fortran_order': 
        .init("{'descr': '<f4\r', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 22: malformed header: unterminated string in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4\r', 'fortran_order': 
        .init("{'descr': 'f4', 'fortran_order': True, 'shape': (3, 4)}", major: 1, numpy: true,
              "accept float32 3x4 fortran"),  // numpy: <f4 (3, 4) True
        .init("{'descr': 'f4', 'fortran_order': True, 'shape': (3, 4)}", major: 3, numpy: true,
              "accept float32 3x4 fortran"),  // numpy: <f4 (3, 4) True
        .init("{'descr': '|f4', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '|f4', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '=f8', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "accept float64 3x4"),  // numpy: <f8 (3, 4) False
        .init("{'descr': '=f8', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "accept float64 3x4"),  // numpy: <f8 (3, 4) False
        .init("{'descr': '<f+4', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "reject at 10: dtype '<f+4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f+4', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "reject at 12: dtype '<f+4' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f04', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "reject at 10: dtype '<f04' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f04', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "reject at 12: dtype '<f04' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': 'float32', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "reject at 10: dtype 'float32' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': 'float32', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "reject at 12: dtype 'float32' is not a dtype rankprobe understands; it needs float16/32/64 ('<f2', '<f4', '<f8')"),  // numpy: <f4 (3, 4) False
        .init("{'descr': b'<f4', 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: false,
              "reject at 20: malformed header: bytes literals (b'…') are not supported in a header (numpy writes str)"),  // numpy: ValueError: descr is not a valid dtype descriptor: b'<f4'
        .init("{'descr': b'<f4', 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: false,
              "reject at 22: malformed header: bytes literals (b'…') are not supported in a header (numpy writes str)"),  // numpy: ValueError: descr is not a valid dtype descriptor: b'<f4'
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4 )  ,}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4 )  ,}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4,,)}", major: 1, numpy: false,
              "reject at 66: malformed header: unexpected character ',)}' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4,,)}", major: 3, numpy: false,
              "reject at 68: malformed header: unexpected character ',)}' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3 4)}", major: 1, numpy: false,
              "reject at 63: malformed header: expected ',' or ')', found '4)}'"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3 4)}", major: 3, numpy: false,
              "reject at 65: malformed header: expected ',' or ')', found '4)}'"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}}", major: 1, numpy: false,
              "reject at 67: malformed header: unexpected text after the header literal: '}'"),  // numpy: TokenError: ('EOF in multi-line statement', (2, 0))
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}}", major: 3, numpy: false,
              "reject at 69: malformed header: unexpected text after the header literal: '}'"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (True, 4)}", major: 1, numpy: false,
              "reject at 10: header 'shape' contains True, not an integer"),  // numpy: TypeError: an integer is required
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (True, 4)}", major: 3, numpy: false,
              "reject at 12: header 'shape' contains True, not an integer"),  // numpy: TypeError: an integer is required
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4j)}", major: 1, numpy: false,
              "reject at 64: malformed header: complex number '4j' in the header"),  // numpy: ValueError: shape is not valid: (3, 4j)
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4j)}", major: 3, numpy: false,
              "reject at 66: malformed header: complex number '4j' in the header"),  // numpy: ValueError: shape is not valid: (3, 4j)
        .init("{'descr', 'fortran_order'}", major: 1, numpy: false,
              "reject at 10: malformed header: the header is a set literal, not a dict"),  // numpy: ValueError: Header is not a dictionary: {'fortran_order', 'descr'}
        .init("{'descr', 'fortran_order'}", major: 3, numpy: false,
              "reject at 12: malformed header: the header is a set literal, not a dict"),  // numpy: ValueError: Header is not a dictionary: {'fortran_order', 'descr'}
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0x_4)}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0x_4)}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4_)}", major: 1, numpy: false,
              "reject at 64: malformed header: malformed number '4_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4_)}", major: 3, numpy: false,
              "reject at 66: malformed header: malformed number '4_' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4a)}", major: 1, numpy: false,
              "reject at 64: malformed header: malformed number '4' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4a)}", major: 3, numpy: false,
              "reject at 66: malformed header: malformed number '4' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0x4L)}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0x4L)}", major: 3, numpy: false,
              "reject at 66: malformed header: malformed number '0x4' in the header"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, - 4)}", major: 1, numpy: false,
              "reject at 10: shape dimension -4 is negative"),  // numpy: ValueError: negative dimensions are not allowed
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, - 4)}", major: 3, numpy: false,
              "reject at 12: shape dimension -4 is negative"),  // numpy: ValueError: negative dimensions are not allowed
        .init("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 4)}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 4)}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': \"<f4\", 'fortran_order': False, 'shape': (3, 4)}", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': \"<f4\", 'fortran_order': False, 'shape': (3, 4)}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4' , 'fortran_order' : False , 'shape' : ( 3 , 4 , ) , }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4' , 'fortran_order' : False , 'shape' : ( 3 , 4 , ) , }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': None, 'shape': (3, 4)}", major: 1, numpy: false,
              "reject at 10: header 'fortran_order' is None, not True or False"),  // numpy: ValueError: fortran_order is not a valid bool: None
        .init("{'descr': '<f4', 'fortran_order': None, 'shape': (3, 4)}", major: 3, numpy: false,
              "reject at 12: header 'fortran_order' is None, not True or False"),  // numpy: ValueError: fortran_order is not a valid bool: None
        .init("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4)}", major: 1, numpy: true,
              "accept float32 3x4 fortran"),  // numpy: <f4 (3, 4) True
        .init("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4)}", major: 3, numpy: true,
              "accept float32 3x4 fortran"),  // numpy: <f4 (3, 4) True
        .init("{'descr': '<\\N{LATIN SMALL LETTER F}4', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: true,
              "reject at 22: malformed header: \\N{…} escapes are not supported in a header string"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<\\N{LATIN SMALL LETTER F}4', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: true,
              "reject at 24: malformed header: \\N{…} escapes are not supported in a header string"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'shape': (2, 6)}", major: 1, numpy: true,
              "accept float32 2x6"),  // numpy: <f4 (2, 6) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'shape': (2, 6)}", major: 3, numpy: true,
              "accept float32 2x6"),  // numpy: <f4 (2, 6) False
        .init("{'descr': '<f2305843009213693952', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 10: dtype '<f2305843009213693952' is a float of 2305843009213693952 bytes; rankprobe reads only float16/32/64"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<f2305843009213693
        .init("{'descr': '<f2305843009213693952', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 12: dtype '<f2305843009213693952' is a float of 2305843009213693952 bytes; rankprobe reads only float16/32/64"),  // numpy: ValueError: descr is not a valid dtype descriptor: '<f2305843009213693
        .init("{'descr': '<\\x6', 'fortran_order': False, 'shape': (3, 4), }", major: 1, numpy: false,
              "reject at 22: malformed header: truncated \\x escape in a header string"),  // numpy: ValueError: Cannot parse header: "{'descr': '<\\x6', 'fortran_order': 
        .init("{'descr': '<\\x6', 'fortran_order': False, 'shape': (3, 4), }", major: 3, numpy: false,
              "reject at 24: malformed header: truncated \\x escape in a header string"),  // numpy: ValueError: Cannot parse header: "{'descr': '<\\x6', 'fortran_order': 
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{A0}", major: 1, numpy: false,
              "reject at 69: malformed header: unexpected text after the header literal: '\\xa0'"),  // numpy: ValueError: Cannot parse header: "{'descr': '<f4', 'fortran_order': Fa
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u{A0}", major: 3, numpy: false,
              "reject at 71: malformed header: header is not valid UTF-8 (format 3.0 headers must be)"),  // numpy: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xa0 in position 5
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0b11, 0o_4), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (0b11, 0o_4), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, +(4)), }", major: 1, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, +(4)), }", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'x': '\u{E9}'}", major: 2, numpy: false,
              "reject at 12: header dict has the key 'x'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),  // numpy: ValueError: Header does not contain the correct keys: ['descr', 'fortr
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{C3}\u{A9}", major: 2, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{C3}\u{A9}", major: 3, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{FF}", major: 2, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{FF}", major: 3, numpy: false,
              "reject at 74: malformed header: header is not valid UTF-8 (format 3.0 headers must be)"),  // numpy: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 6
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{ED}\u{A0}\u{80}", major: 2, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{ED}\u{A0}\u{80}", major: 3, numpy: false,
              "reject at 74: malformed header: header is not valid UTF-8 (format 3.0 headers must be)"),  // numpy: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xed in position 6
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{C0}\u{AF}", major: 2, numpy: true,
              "accept float32 3x4"),  // numpy: <f4 (3, 4) False
        .init("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } # \u{C0}\u{AF}", major: 3, numpy: false,
              "reject at 74: malformed header: header is not valid UTF-8 (format 3.0 headers must be)"),  // numpy: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc0 in position 6
    ]
}

@Suite struct NPYHeaderGrammarTests {
    static func outcome(_ c: HeaderCase, in dir: TemporaryDirectory, index: Int) throws -> String {
        let path = dir.path("case-\(index).npy")
        try Data(c.file).write(to: URL(fileURLWithPath: path))
        do {
            let f = try NPYFile(path: path)
            return "accept \(f.scalar.rawValue) \(f.rows)x\(f.columns)\(f.fortranOrder ? " fortran" : "")"
        } catch {
            return "reject at \(error.offset.map(String.init) ?? "-"): \(error.problem)"
        }
    }

    @Test func headersAgainstNumpy() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var dump: [String] = []
        for (i, c) in HeaderCase.all.enumerated() {
            let got = try Self.outcome(c, in: dir, index: i)
            dump.append(got)
            if !c.numpy { #expect(got.hasPrefix("reject"), "case \(i) v\(c.major) \(c.header.debugDescription): numpy rejects it, rankprobe: \(got)") }
            #expect(got == c.rankprobe, "case \(i) v\(c.major) \(c.header.debugDescription)")
        }
        if let out = ProcessInfo.processInfo.environment["RANKPROBE_DUMP_HEADER_CASES"] {
            try dump.joined(separator: "\n").write(toFile: out, atomically: true, encoding: .utf8)
        }
    }
}
