import _JSONShims

/// One simdjson parser (not thread-safe: one per worker thread) that extracts log records from JSON texts.
///
/// The C side hands back flat `rp_doc` views whose pointers die when the callback returns, so the callback
/// must copy what it keeps; `extract` runs it synchronously on the calling thread.
final class JSONExtractor {
    private let parser: OpaquePointer

    /// A syntax error: simdjson's message and, when known, the byte offset within the text.
    struct SyntaxError: Error, Sendable {
        var code: Int32
        var offset: Int?
        var message: String
    }

    /// The format decisions are Swift's (`RecordShape`, `BodyShape`): the shim hands them each object's key
    /// set and runs the reader they choose.
    init() {
        guard let p = rp_json_parser_create(RecordShape.cClassifier, BodyShape.cClassifier) else { fatalError("rankprobe: out of memory creating a JSON parser") }
        parser = p
    }

    deinit { rp_json_parser_destroy(parser) }

    /// Parses `len` bytes at `base` (`capacity` readable bytes) and calls `body` once per record.
    func extract(
        _ base: UnsafeRawPointer, count len: Int, capacity: Int, _ body: (UnsafePointer<rp_doc>) -> Void
    ) -> SyntaxError? {
        var error = rp_json_error()
        let code: Int32 = withoutActuallyEscaping(body) { body in
            var box = CallbackBox(body: body)
            return withUnsafeMutablePointer(to: &box) { boxPointer in
                rp_json_extract(
                    parser, base.assumingMemoryBound(to: CChar.self), len, capacity,
                    { doc, context in
                        guard let doc, let context else { return 0 }
                        context.assumingMemoryBound(to: CallbackBox.self).pointee.body(doc)
                        return 0
                    },
                    UnsafeMutableRawPointer(boxPointer), &error)
            }
        }
        if code == 0 { return nil }
        let message = withUnsafeBytes(of: &error.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return SyntaxError(code: code, offset: error.offset >= 0 ? Int(error.offset) : nil, message: message)
    }

    private struct CallbackBox {
        var body: (UnsafePointer<rp_doc>) -> Void
    }
}

extension rp_str {
    /// The slice as a Swift string (invalid UTF-8 is repaired, which only affects messages and token text).
    var string: String? {
        guard let ptr else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: ptr, count: Int(len)), as: UTF8.self)
    }

    var bytes: [UInt8]? {
        guard let ptr else { return nil }
        return Array(UnsafeRawBufferPointer(start: ptr, count: Int(len)))
    }

    var rawBuffer: UnsafeRawBufferPointer? {
        guard let ptr else { return nil }
        return UnsafeRawBufferPointer(start: ptr, count: Int(len))
    }
}
