import Foundation
import RankProbeNPY
import Testing

/// Every malformed input must produce an `NPYError` that names the file and says what is wrong.
@Suite struct NPYBadInputTests {
    static let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"

    static func header(descr: String = "'<f4'", shape: String = "(3, 4)") -> String {
        "{'descr': \(descr), 'fortran_order': False, 'shape': \(shape), }"
    }

    /// (file name, bytes, phrase the error must contain)
    static let cases: [(String, [UInt8], String)] = [
        ("magic.npy", Array("hello, this is a text file".utf8), "not a .npy file"),
        ("zip.npz", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 20), "zip archive"),
        ("empty.npy", [], "empty"),
        ("short-magic.npy", [0x93, 0x4E, 0x55, 0x4D, 0x50], "truncated"),
        ("short-length.npy", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0x10], "inside the header length"),
        ("version.npy", rawNPY(major: 4, header: ok, dataBytes: 48), "unsupported .npy format version 4.0"),
        ("minor.npy", rawNPY(major: 1, minor: 1, header: ok, dataBytes: 48), "unsupported .npy format version 1.1"),
        ("header-truncated.npy", rawNPY(header: ok, declaredLength: 500), "header truncated"),
        ("huge-header.npy", rawNPY(major: 2, header: ok, declaredLength: 1 << 30), "implausibly large"),
        ("not-dict.npy", rawNPY(header: "[1, 2, 3]", dataBytes: 48), "not a dict"),
        ("garbage.npy", rawNPY(header: "{'descr': <f4}", dataBytes: 48), "malformed header"),
        ("unclosed.npy", rawNPY(header: "{'descr': '<f4', ", dataBytes: 48), "malformed header"),
        ("deep.npy", rawNPY(header: String(repeating: "(", count: 5000), dataBytes: 48), "deeper"),
        ("missing.npy", rawNPY(header: "{'descr': '<f4', 'shape': (3, 4)}", dataBytes: 48), "missing the key 'fortran_order'"),
        ("int.npy", rawNPY(header: header(descr: "'<i8'"), dataBytes: 96),
         "dtype '<i8' is an integer type, not a floating-point type; rankprobe needs float16/32/64 log-probabilities"),
        ("bool.npy", rawNPY(header: header(descr: "'|b1'"), dataBytes: 12), "boolean type, not a floating-point type"),
        ("complex.npy", rawNPY(header: header(descr: "'<c16'"), dataBytes: 192), "complex type, not a floating-point type"),
        ("object.npy", rawNPY(header: header(descr: "'|O'"), dataBytes: 96), "object (pickled Python) type"),
        ("string.npy", rawNPY(header: header(descr: "'<U5'"), dataBytes: 240), "unicode-string type"),
        ("structured.npy", rawNPY(header: header(descr: "[('a', '<f4'), ('b', '<f4')]"), dataBytes: 96), "structured"),
        ("longdouble.npy", rawNPY(header: header(descr: "'<f16'"), dataBytes: 192), "128-bit float"),
        // Fuzz finding 1: formatting "\(size * 8)-bit" overflowed and trapped (SIGILL, no message).
        ("huge-float.npy", rawNPY(header: header(descr: "'<f2305843009213693952'"), dataBytes: 48),
         "at byte 10: dtype '<f2305843009213693952' is a float of 2305843009213693952 bytes; rankprobe reads only float16/32/64"),
        ("list-shape.npy", rawNPY(header: header(shape: "[3, 4]"), dataBytes: 48), "header 'shape' is a list of 2 items, not a tuple of integers (numpy refuses list shapes)"),
        ("extra-key.npy", rawNPY(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': None}", dataBytes: 48),
         "header dict has the key 'extra'; a .npy header has exactly 'descr', 'fortran_order' and 'shape' (numpy refuses others)"),
        ("zero-d.npy", rawNPY(header: header(shape: "()"), dataBytes: 4), "0-D"),
        ("one-d.npy", rawNPY(header: header(shape: "(12,)"), dataBytes: 48), "shape (12,) is 1-D"),
        ("three-d.npy", rawNPY(header: header(shape: "(2, 3, 4)"), dataBytes: 96), "3-D"),
        ("paren-int.npy", rawNPY(header: header(shape: "(12)"), dataBytes: 48), "not a tuple of integers"),
        ("one-row.npy", rawNPY(header: header(shape: "(1, 5)"), dataBytes: 20), "fewer than 2 rows"),
        ("no-columns.npy", rawNPY(header: header(shape: "(4, 0)")), "zero columns"),
        ("negative.npy", rawNPY(header: header(shape: "(4, -2)"), dataBytes: 20), "negative"),
        ("overflow.npy", rawNPY(header: header(shape: "(4611686018427387904, 4611686018427387904)")), "overflows"),
        ("bignum.npy", rawNPY(header: header(shape: "(100000000000000000000000, 3)")), "absurdly large"),
        ("absurd.npy", rawNPY(header: header(shape: "(1000000000000, 32000)")), "absurdly large"),
        ("too-big.npy", rawNPY(header: header(shape: "(4400, 32000)"), dataBytes: 1000),
         "header says 4400×32000 float32 = 563200000 bytes but the file holds only 1000 bytes after the header"),
        ("short-data.npy", rawNPY(header: header(), dataBytes: 47), "but the file holds only 47 bytes"),
    ]

    @Test func everyBadInputIsExplained() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (name, bytes, phrase) in Self.cases {
            let path = dir.path(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try NPYFile(path: path)
                Issue.record("\(name) was accepted")
            } catch {
                let text = error.description
                #expect(text.contains(name), "\(name): \(text)")
                #expect(text.contains(phrase), "\(name): expected “\(phrase)” in: \(text)")
            }
        }
    }

    @Test func headerErrorsCarryAByteOffset() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("offset.npy")
        // The bad token '<f4' (unquoted) starts 10 bytes into the header, i.e. at byte 20 of the file.
        try Data(rawNPY(header: "{'descr': <f4}", dataBytes: 48)).write(to: URL(fileURLWithPath: path))
        #expect(throws: NPYError(path: path, offset: 20, problem: "malformed header: unexpected character '<f4}' in the header")) {
            _ = try NPYFile(path: path)
        }
    }

    @Test func directoryAndMissingFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        do {
            _ = try NPYFile(path: dir.url.path)
            Issue.record("a directory was accepted")
        } catch {
            #expect(error.description.contains(dir.url.lastPathComponent) && error.description.contains("is a directory"))
        }
        let missing = dir.path("nope.npy")
        do {
            _ = try NPYFile(path: missing)
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.description.contains("nope.npy") && error.description.contains("No such file"))
        }
    }

    /// Header variations NumPy accepts: any key order, no trailing comma, extra spaces, native and
    /// unspecified byte order, Python 2 long integers, and trailing bytes after the data. (List shapes and
    /// extra keys, once accepted here, are not: numpy refuses both. NPYHeaderGrammarTests has the rest.)
    @Test func lenientHeadersAreAccepted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let variants: [(String, Int, NPYScalar, Bool)] = [
            ("{ 'shape' : ( 3 , 4 ) , 'fortran_order':True,'descr':'=f8' }\n", 96, .float64, true),
            ("{\"descr\": \"|f4\", \"fortran_order\": False, \"shape\": (3L, 4L)}", 48, .float32, false),
            ("{'descr': 'f2', 'fortran_order': False, 'shape': (3, 4,), }" + String(repeating: " ", count: 9) + "\n", 24, .float16, false),
        ]
        for (i, (header, bytes, scalar, fortran)) in variants.enumerated() {
            let path = dir.path("lenient-\(i).npy")
            try Data(rawNPY(header: header, dataBytes: bytes + 5)).write(to: URL(fileURLWithPath: path))
            let file = try NPYFile(path: path)
            #expect(file.rows == 3 && file.columns == 4 && file.scalar == scalar && file.fortranOrder == fortran && !file.byteSwapped)
            #expect(file.trailingByteCount == 5)
        }
    }
}
