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
    /// One thread per extractor for the parse slices (see `WorkerThreads` for why not libdispatch).
    private let workers: WorkerThreads
    private let caches: [PromptKeyCache]
    private var lastModel: String?
    private var lastModelCount = 0
    private var index = BatchIndex()
    private var retry = RetryTracker()
    private var progress: ProgressLine?

    init(paths: [String], options: LogReadOptions) throws(LogReadError) {
        guard !paths.isEmpty else { throw .noFiles }
        self.options = options
        extractors = (0..<options.threads).map { _ in JSONExtractor() }
        workers = WorkerThreads(count: options.threads > 1 ? options.threads : 0)
        caches = (0..<options.threads).map { _ in PromptKeyCache() }
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
            try process(info, context: RecordContext(file: info, batch: nil, forcedMinBias: options.forcedMinBias), deliver)
        }
        let context = index.count > 0 ? SharedBatchIndex(index) : nil
        for info in infos where info.role != .batchInput {
            try process(info, context: RecordContext(file: info, batch: context, forcedMinBias: options.forcedMinBias), deliver)
        }
        flushModelCount()
        stats.retry = retry.finish(index: index)
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
        var pending: [[Outcome]] = []
        var first = true
        // Pipeline: while the parser threads work on block k, this thread delivers block k-1's outcomes
        // (outcomes own their data, so the reader's buffer is free to be refilled once a parse is done).
        while reader.nextBlock(lines: &lines, oversized: &oversized) {
            let job = SliceJob(lines: lines, reader: reader, extractors: extractors, caches: caches, context: context)
            let group = DispatchGroup()
            if lines.count >= 64 && extractors.count > 1 {
                job.start(on: workers, group: group)
            } else {
                job.run()
            }
            // Sized while the first block is being parsed (input lines do not read the index): a large
            // table's memory takes a while to map and clear.
            if first && info.role == .batchInput && !reader.isCompressed && !lines.isEmpty {
                reserveIndex(for: info.path, sampleBytes: reader.bytesRead, sampleLines: lines.count)
            }
            first = false
            var failure: Error?
            do {
                try drain(&pending, info, deliver)
            } catch {
                failure = error
            }
            group.wait()
            job.gather()
            if let failure { job.discard(); throw failure }
            pending = job.results
            if !oversized.isEmpty {
                var merged = job.collect()
                let limit = options.maxLineBytes >= 1 << 20 ? "\(options.maxLineBytes >> 20) MB" : "\(options.maxLineBytes) bytes"
                for (line, bytes) in oversized {
                    merged.append(Outcome(line: line, kind: .skipped(
                        reason: ReadStats.Reason.lineTooLong,
                        message: "line longer than \(limit) (\(bytes) bytes); skipped without loading")))
                }
                merged.sort { $0.line < $1.line }
                pending = [merged]
            }
            stats.bytesRead += reader.bytesRead - counted
            counted = reader.bytesRead
            progress?.update(stats)
        }
        try drain(&pending, info, deliver)
        stats.bytesRead += reader.bytesRead - counted
        if let error = reader.streamError {
            try account(Outcome(line: 0, kind: .skipped(
                reason: ReadStats.Reason.gzipStream,
                message: "the stream cannot be read past byte \(reader.bytesRead): \(error)")), info)
        }
    }

    /// Sizes the custom_id index once from the first block's mean line length, so it is not rehashed
    /// ~20 times while millions of requests go in.
    private mutating func reserveIndex(for path: String, sampleBytes: Int, sampleLines: Int) {
        var st = stat()
        guard stat(path, &st) == 0, sampleLines > 0, sampleBytes > 0 else { return }
        let estimate = Double(st.st_size) / (Double(sampleBytes) / Double(sampleLines)) * 1.05
        index.reserve(index.count + Int(min(estimate, 1e9)))
    }


    /// One block's parse: the lines cut into contiguous slices, one per extractor. Unchecked Sendable
    /// because worker w writes only `results[w]` and uses only `extractors[w]`/`caches[w]`, and the
    /// reader's buffer is only read while the workers run (the owner waits before refilling it).
    private final class SliceJob: @unchecked Sendable {
        let lines: [LineSpan]
        let reader: LineReader
        let extractors: [JSONExtractor]
        let caches: [PromptKeyCache]
        let context: RecordContext
        var results: [[Outcome]]

        init(lines: [LineSpan], reader: LineReader, extractors: [JSONExtractor], caches: [PromptKeyCache], context: RecordContext) {
            self.lines = lines; self.reader = reader; self.extractors = extractors; self.caches = caches
            self.context = context
            let workers = lines.count < 64 ? 1 : min(extractors.count, lines.count)
            results = Array(repeating: [], count: workers)
        }

        /// Parses every line on the calling thread: a block too small to split, or a single parser.
        func run() {
            precondition(results.count == 1, "run() parses one slice; several go through start(on:group:)")
            results[0] = ReadRun.parseSlice(lines[...], reader: reader, extractor: extractors[0], keys: caches[0], context: context)
        }

        /// Parses the slices concurrently, slice w on worker w; `group` is left when all are done.
        func start(on pool: WorkerThreads, group: DispatchGroup) {
            let workers = results.count
            let per = (lines.count + workers - 1) / workers
            let boxes = (0..<workers).map { _ in SlotBox() }
            self.boxes = boxes
            for w in 0..<workers {
                pool.submit(w, group: group) {
                    let slice = self.lines[min(self.lines.count, w * per)..<min(self.lines.count, (w + 1) * per)]
                    boxes[w].outcomes = ReadRun.parseSlice(slice, reader: self.reader, extractor: self.extractors[w],
                                                           keys: self.caches[w], context: self.context)
                }
            }
        }

        /// After the group is done: the slices' outcomes into `results`.
        func gather() {
            if !boxes.isEmpty { results = boxes.map(\.outcomes); boxes = [] }
        }

        private var boxes: [SlotBox] = []

        /// One slice's outcomes; each box is written by one work item only.
        private final class SlotBox: @unchecked Sendable { var outcomes: [Outcome] = [] }

        func collect() -> [Outcome] {
            if results.count == 1 { return results[0] }
            var all: [Outcome] = []
            all.reserveCapacity(results.reduce(0) { $0 + $1.count })
            for r in results { all.append(contentsOf: r) }
            return all
        }

        func discard() { results = [] }
    }

    private struct UncheckedBox<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    static func parseSlice(
        _ lines: ArraySlice<LineSpan>, reader: LineReader, extractor: JSONExtractor, keys: PromptKeyCache,
        context: RecordContext
    ) -> [Outcome] {
        var out: [Outcome] = []
        out.reserveCapacity(lines.count)
        for span in lines {
            let error = extractor.extract(reader.base + span.start, count: span.count,
                                          capacity: reader.readable(from: span.start)) { doc in
                out.append(Outcome(line: span.line, kind: RecordConverter.outcome(
                    doc.pointee, line: span.line, context: context, keys: keys)))
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
            outcomes.append(Outcome(line: line, kind: RecordConverter.outcome(doc.pointee, line: line, context: context, keys: caches[0])))
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

    /// Delivers outcomes in order, moving each out of its array instead of copying it (a copied record
    /// costs a retain and a release per string/array it holds, on the delivering thread).
    private mutating func drain(_ batches: inout [[Outcome]], _ info: LogFileInfo, _ deliver: (LogRecord) throws -> Void) throws {
        var all = batches
        batches = []
        for i in all.indices {
            var slice = all[i]
            all[i] = []
            try slice.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for j in 0..<buffer.count {
                    // The slot keeps a valid value that owns nothing (empty strings are not allocated),
                    // so the array's own cleanup stays correct even if `account` throws half-way.
                    let outcome = (base + j).move()
                    (base + j).initialize(to: Self.spent)
                    try account(outcome, info, deliver)
                }
            }
        }
    }

    private static let spent = Outcome(line: 0, kind: .skipped(reason: "", message: ""))

    /// Counts one outcome and delivers its record. The outcome is consumed: binding the record out of a
    /// borrowed enum would copy it (a retain and a release for every string and array it holds).
    private mutating func account(_ outcome: consuming Outcome, _ info: LogFileInfo, _ deliver: (LogRecord) throws -> Void = { _ in }) throws {
        stats.linesRead += 1
        let line = outcome.line
        let kind = outcome.kind
        switch consume kind {
        case let .record(record, placeholders, nonFinite):
            stats.records += 1
            stats.requestsRead += 1
            if placeholders > 0 { stats.droppedEntries[ReadStats.Reason.placeholder, default: 0] += placeholders }
            if nonFinite > 0 { stats.droppedEntries[ReadStats.Reason.nonFinite, default: 0] += nonFinite }
            // Run-length counted: consecutive records nearly always share the model.
            if record.model == lastModel && lastModelCount > 0 {
                lastModelCount += 1
            } else {
                flushModelCount()
                lastModel = record.model
                lastModelCount = 1
            }
            if record.batchSlot >= 0 { retry.answered(slot: record.batchSlot) }
            try deliver(record)
        case let .batchInput(id, customID, fields):
            if index.insert(id, fields) {
                stats.batchInputLines += 1
                retry.indexed(customID: customID, file: info, line: outcome.line)
            } else {
                stats.skipped[ReadStats.Reason.duplicateCustomID, default: 0] += 1
                problem(info, line, "custom_id \"\(customID)\" appears more than once in the input; the first is used")
            }
        case let .failed(reason, message):
            stats.requestsRead += 1
            stats.requestsFailed += 1
            stats.failures[reason, default: 0] += 1
            if info.format == .pairs { retry.failedPair(file: info, line: line) }
            problem(info, line, message)
        case let .answerless(reason, message, forcedToken):
            stats.requestsRead += 1
            stats.skipped[reason, default: 0] += 1
            if let forcedToken {
                stats.unretryableTokens[forcedToken, default: 0] += 1
            } else if info.format == .pairs {
                retry.failedPair(file: info, line: line)
            } else if info.format == .llamacpp {
                retry.echoedRequest(file: info, line: line)
            }
            problem(info, line, message)
        case let .skipped(reason, message):
            if info.role != .batchInput { stats.requestsRead += 1 }
            stats.skipped[reason, default: 0] += 1
            problem(info, line, message)
        }
    }

    private mutating func flushModelCount() {
        if lastModelCount > 0 { stats.models[lastModel ?? "", default: 0] += lastModelCount }
        lastModelCount = 0
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
