import _JSONShims

/// How one file is laid out and what it holds, as detected from its content.
struct LogFileInfo: Sendable {
    enum Layout: Sendable { case lines, document }
    enum Role: Sendable { case records, batchInput, batchOutput }
    var path: String
    var layout: Layout
    var format: LogRecord.Format
    var role: Role
}

/// Content-based format detection.
///
/// A file is JSONL unless its first non-blank line is not valid JSON *and* neither is the next one (or there
/// is no next one): then it is tried as one whole-file document (a pretty-printed or unterminated
/// `model_dump_json()` object, or an array of responses). Requiring two bad lines keeps a JSONL log whose
/// first line happens to be corrupt from being loaded whole. The format is that of the first record whose
/// shape is recognisable; up to `scanLimit` lines are looked at.
enum LogFormat {
    static let scanLimit = 1000

    /// Format and role of one record (see `FormatDetection.classify`).
    static func classify(_ d: rp_doc) -> (LogRecord.Format, LogFileInfo.Role)? {
        FormatDetection.classify(FormatMarkers(d))
    }

    static func compatible(_ line: LogRecord.Format, _ file: LogRecord.Format) -> Bool {
        FormatDetection.compatible(line, file)
    }

    static func detect(path: String, options: LogReadOptions, extractor: JSONExtractor) throws(LogReadError) -> LogFileInfo {
        let reader = try LineReader(path: path, chunkBytes: 1 << 20, maxLineBytes: options.maxLineBytes)
        var lines: [LineSpan] = []
        var oversized: [(line: Int, bytes: Int)] = []
        var seen = 0
        var invalid = 0
        var sawValid = false
        var firstError: String?
        while seen < scanLimit, reader.nextBlock(lines: &lines, oversized: &oversized) {
            seen += oversized.count
            for span in lines {
                seen += 1
                var found: (LogRecord.Format, LogFileInfo.Role)?
                let error = extractor.extract(reader.base + span.start, count: span.count,
                                              capacity: reader.readable(from: span.start)) { doc in
                    if found == nil { found = classify(doc.pointee) }
                }
                if let error {
                    invalid += 1
                    if firstError == nil { firstError = "line \(span.line): invalid JSON (\(error.message))" }
                    // Two bad lines up front (or a single-line file): maybe one multi-line document.
                    if !sawValid && (invalid == 2 || (invalid == 1 && span.line == 1 && !span.terminated)) {
                        if let info = try detectDocument(path: path, options: options, extractor: extractor) {
                            return info
                        }
                    }
                    continue
                }
                sawValid = true
                if let (format, role) = found {
                    return LogFileInfo(path: path, layout: .lines, format: format, role: role)
                }
                if seen >= scanLimit { break }
            }
        }
        if seen == 0 { throw .emptyFile(file: path) }
        if !sawValid && invalid == 1, let info = try detectDocument(path: path, options: options, extractor: extractor) {
            return info
        }
        let detail = sawValid
            ? "no line among the first \(min(seen, scanLimit)) is \(FormatDetection.known)"
            : (firstError ?? "no valid JSON")
        throw .unrecognised(file: path, detail: detail)
    }

    private static func detectDocument(path: String, options: LogReadOptions, extractor: JSONExtractor) throws(LogReadError) -> LogFileInfo? {
        guard let (buffer, count) = try LineReader.readWhole(path: path, limit: options.maxDocumentBytes) else { return nil }
        defer { buffer.deallocate() }
        var found: (LogRecord.Format, LogFileInfo.Role)?
        let error = extractor.extract(buffer.baseAddress!, count: count, capacity: buffer.count) { doc in
            if found == nil { found = classify(doc.pointee) }
        }
        guard error == nil, let (format, role) = found else { return nil }
        return LogFileInfo(path: path, layout: .document, format: format, role: role)
    }
}
