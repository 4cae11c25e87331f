#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// One `LogParser.read` call: detection, the Batch join, and the parse/deliver loop.
///
/// Concurrency: the calling thread reads a block of lines (decompressing if needed), the block is cut into
/// `threads` contiguous slices parsed concurrently (one simdjson parser per thread), and the outcomes are
/// then delivered on the calling thread in line order. Line numbers come from the reader, so they are exact
/// whatever the thread count.
struct ReadRun {
    private(set) var stats = ReadStats()
    private let options: LogReadOptions
    private let infos: [LogFileInfo]
    private let extractors: [JSONExtractor]
    private var index = BatchIndex()
    private var progress: ProgressLine?

    init(paths: [String], options: LogReadOptions) throws(LogReadError) {
        guard !paths.isEmpty else { throw .noFiles }
        self.options = options
        extractors = (0..<options.threads).map { _ in JSONExtractor() }
        var infos: [LogFileInfo] = []
        for path in paths { infos.append(try LogFormat.detect(path: path, options: options, extractor: extractors[0])) }
        var byFormat: [String: [String]] = [:]
        for info in infos { byFormat[info.format.rawValue, default: []].append(info.path) }
        if byFormat.count > 1 { throw .mixedFormats(byFormat) }
        let inputs = infos.filter { $0.role == .batchInput }.map(\.path)
        let outputs = infos.filter { $0.role == .batchOutput }.map(\.path)
        if !outputs.isEmpty && inputs.isEmpty { throw .batchOutputWithoutInput(outputs: outputs) }
        if !inputs.isEmpty && outputs.isEmpty { throw .batchInputWithoutOutput(inputs: inputs) }
        self.infos = infos
        stats.files = paths
        stats.formats = [infos[0].format]
        let wantProgress = options.progress ?? (isatty(2) != 0)
        progress = wantProgress ? ProgressLine() : nil
    }

    mutating func execute(_ deliver: (LogRecord) throws -> Void) throws {
        // Batch inputs first: the outputs are joined against them.
        for info in infos where info.role == .batchInput {
            try process(info, context: RecordContext(file: info, batch: nil), deliver)
        }
        let context = index.count > 0 ? index : nil
        for info in infos where info.role != .batchInput {
            try process(info, context: RecordContext(file: info, batch: context), deliver)
        }
        progress?.finish(stats)
    }

    private mutating func process(_ info: LogFileInfo, context: RecordContext, _ deliver: (LogRecord) throws -> Void) throws {
        switch info.layout {
        case .document: try processDocument(info, context: context, deliver)
        case .lines: try processLines(info, context: context, deliver)
        }
    }

    private mutating func processLines(_ info: LogFileInfo, context: RecordContext, _ deliver: (LogRecord) throws -> Void) throws {
        let reader = try LineReader(path: info.path, chunkBytes: options.blockBytes, maxLineBytes: options.maxLineBytes)
        var lines: [LineSpan] = []
        var oversized: [(line: Int, bytes: Int)] = []
        var counted = 0
        while reader.nextBlock(lines: &lines, oversized: &oversized) {
            for (line, bytes) in oversized {
                let limit = options.maxLineBytes >= 1 << 20 ? "\(options.maxLineBytes >> 20) MB" : "\(options.maxLineBytes) bytes"
                try account(Outcome(line: line, kind: .skipped(
                    reason: ReadStats.Reason.lineTooLong,
                    message: "line longer than \(limit) (\(bytes) bytes); skipped without loading")), info)
            }
            for batch in parse(lines, reader: reader, context: context) {
                for outcome in batch { try account(outcome, info, deliver) }
            }
            stats.bytesRead += reader.bytesRead - counted
            counted = reader.bytesRead
            progress?.update(stats)
        }
        stats.bytesRead += reader.bytesRead - counted
        if let error = reader.streamError {
            try account(Outcome(line: 0, kind: .skipped(
                reason: ReadStats.Reason.gzipStream,
                message: "the stream cannot be read past byte \(reader.bytesRead): \(error)")), info)
        }
    }

    /// Parses the block's lines on up to `threads` threads; returns outcomes per slice, in line order.
    private func parse(_ lines: [LineSpan], reader: LineReader, context: RecordContext) -> [[Outcome]] {
        let workers = lines.count < 64 ? 1 : min(extractors.count, lines.count)
        if workers == 1 { return [Self.parseSlice(lines[...], reader: reader, extractor: extractors[0], context: context)] }
        let job = SliceJob(results: .allocate(capacity: workers), lines: lines, reader: reader,
                           extractors: extractors, context: context)
        job.results.initialize(repeating: [])
        defer { job.results.deinitialize(); job.results.deallocate() }
        let per = (lines.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let slice = job.lines[min(job.lines.count, w * per)..<min(job.lines.count, (w + 1) * per)]
            job.results[w] = Self.parseSlice(slice, reader: job.reader, extractor: job.extractors[w], context: job.context)
        }
        return Array(job.results)
    }

    /// What the parser threads share. Unchecked because: worker w writes only `results[w]` and uses only
    /// `extractors[w]`; the reader's buffer is only read while the workers run.
    private struct SliceJob: @unchecked Sendable {
        let results: UnsafeMutableBufferPointer<[Outcome]>
        let lines: [LineSpan]
        let reader: LineReader
        let extractors: [JSONExtractor]
        let context: RecordContext
    }

    private static func parseSlice(
        _ lines: ArraySlice<LineSpan>, reader: LineReader, extractor: JSONExtractor, context: RecordContext
    ) -> [Outcome] {
        var out: [Outcome] = []
        out.reserveCapacity(lines.count)
        for span in lines {
            let error = extractor.extract(reader.base + span.start, count: span.count,
                                          capacity: reader.readable(from: span.start)) { doc in
                out.append(Outcome(line: span.line, kind: RecordConverter.outcome(doc.pointee, line: span.line, context: context)))
            }
            if let error { out.append(Outcome(line: span.line, kind: Self.syntaxOutcome(error, terminated: span.terminated))) }
        }
        return out
    }

    static func syntaxOutcome(_ error: JSONExtractor.SyntaxError, terminated: Bool) -> LineOutcome {
        let at = error.offset.map { " at byte \($0 + 1)" } ?? ""
        if !terminated {
            return .skipped(reason: ReadStats.Reason.truncatedLastLine,
                            message: "last line has no newline and is not valid JSON\(at) (\(error.message)); truncated write?")
        }
        return .skipped(reason: ReadStats.Reason.invalidJSON, message: "invalid JSON\(at): \(error.message)")
    }

    private mutating func processDocument(_ info: LogFileInfo, context: RecordContext, _ deliver: (LogRecord) throws -> Void) throws {
        guard let (buffer, count) = try LineReader.readWhole(path: info.path, limit: options.maxDocumentBytes) else {
            throw LogReadError.io(file: info.path, message: "whole-file JSON larger than \(options.maxDocumentBytes >> 20) MB; write it as JSONL")
        }
        defer { buffer.deallocate() }
        stats.bytesRead += count
        var outcomes: [Outcome] = []
        let error = extractors[0].extract(buffer.baseAddress!, count: count, capacity: buffer.count) { doc in
            let line = doc.pointee.element_index >= 0 ? Int(doc.pointee.element_index) + 1 : 1
            outcomes.append(Outcome(line: line, kind: RecordConverter.outcome(doc.pointee, line: line, context: context)))
        }
        if let error {
            // Locate the byte offset as a line for the message.
            var line = 1
            if let offset = error.offset {
                let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: min(offset, count))
                line += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            }
            outcomes.append(Outcome(line: line, kind: Self.syntaxOutcome(error, terminated: true)))
        }
        for outcome in outcomes { try account(outcome, info, deliver) }
    }

    private mutating func account(_ outcome: Outcome, _ info: LogFileInfo, _ deliver: (LogRecord) throws -> Void = { _ in }) throws {
        stats.linesRead += 1
        switch outcome.kind {
        case let .record(record, placeholders, nonFinite):
            stats.records += 1
            stats.requestsRead += 1
            if placeholders > 0 { stats.droppedEntries[ReadStats.Reason.placeholder, default: 0] += placeholders }
            if nonFinite > 0 { stats.droppedEntries[ReadStats.Reason.nonFinite, default: 0] += nonFinite }
            stats.models[record.model ?? "", default: 0] += 1
            try deliver(record)
        case let .batchInput(id, customID, fields):
            if index.insert(id, fields) {
                stats.batchInputLines += 1
            } else {
                stats.skipped[ReadStats.Reason.duplicateCustomID, default: 0] += 1
                problem(info, outcome.line, "custom_id \"\(customID)\" appears more than once in the input; the first is used")
            }
        case let .failed(reason, message):
            stats.requestsRead += 1
            stats.requestsFailed += 1
            stats.failures[reason, default: 0] += 1
            problem(info, outcome.line, message)
        case let .skipped(reason, message):
            if info.role != .batchInput { stats.requestsRead += 1 }
            stats.skipped[reason, default: 0] += 1
            problem(info, outcome.line, message)
        }
    }

    private mutating func problem(_ info: LogFileInfo, _ line: Int, _ message: String) {
        stats.problemCount += 1
        if stats.problems.count < options.maxProblems {
            stats.problems.append(LogProblem(file: info.path, line: line, message: message))
        }
    }
}

/// "\r"-rewritten status line on stderr, at most 4 times a second.
struct ProgressLine {
    private let start = ProgressLine.now()
    private var last = 0.0
    private var printed = false

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    mutating func update(_ stats: ReadStats, force: Bool = false) {
        let t = Self.now()
        guard force || t - last >= 0.25 else { return }
        last = t
        printed = true
        let mb = Double(stats.bytesRead) / 1e6
        let rate = mb / max(t - start, 1e-9)
        let text = "\rreading logs: \(Int(mb)) MB, \(Int(rate)) MB/s, \(stats.records) records, \(stats.linesRead - stats.records - stats.batchInputLines) not used   "
        Self.writeStderr(text)
    }

    static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    mutating func finish(_ stats: ReadStats) {
        guard printed else { return }
        update(stats, force: true)
        Self.writeStderr("\n")
    }
}
