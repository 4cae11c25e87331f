#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why retry files could not be written; names the file and the problem.
public struct RetryWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension RetryLedger {
    /// What `write(to:)` produced.
    public struct Written: Sendable, Equatable {
        public var files: [String]
        public var requestsPerFile: [Int]
        public var requests: Int
        /// Requests that could not be copied (whole-file JSON inputs).
        public var notCopied: Int
    }

    /// The file names for `path`: `<prefix>-0001.jsonl`, `<prefix>-0002.jsonl`, … with `prefix` = `path`
    /// without a trailing ".jsonl" — always numbered, so a script can glob them whether there is one or many.
    public static func retryFileName(_ path: String, number: Int) -> String {
        var prefix = path
        if prefix.hasSuffix(".jsonl") { prefix.removeLast(6) }
        var digits = String(number)
        if digits.count < 4 { digits = String(repeating: "0", count: 4 - digits.count) + digits }
        return prefix + "-" + digits + ".jsonl"
    }

    /// Writes every request of the ledger as a Batch API input line, re-reading the files that hold them
    /// (one streaming pass each, so nothing but the line numbers was kept in memory).
    ///
    /// Batch requests keep their line byte for byte except the `custom_id`, which becomes
    /// `<original>-retry<k>`; failed pairs become `{"custom_id":"<file>:<line>-retry1","method":"POST",
    /// "url":…,"body":<request as recorded>}`. Files roll over before either OpenAI Batch limit would be
    /// exceeded (50,000 requests, 200 MB). Nothing is written when the ledger is empty.
    public func write(to path: String, requestsPerFile: Int = BatchLimits.openAI.requestsPerFile,
                      bytesPerFile: Int = BatchLimits.openAI.bytesPerFile) throws(RetryWriteError) -> Written {
        let out = RetryFileSet(path: path, requestsPerFile: requestsPerFile, bytesPerFile: bytesPerFile)
        var notCopied = 0
        var start = 0
        do {
            while start < entries.count {
                let file = entries[start].file
                var end = start
                while end < entries.count && entries[end].file == file { end += 1 }
                let source = sources[Int(file)]
                if source.lines {
                    try copy(entries[start..<end], from: source, fileNumber: Int(file), into: out)
                } else {
                    notCopied += end - start
                }
                start = end
            }
            try out.close()
        } catch {
            out.abandon()
            throw error
        }
        return Written(files: out.files, requestsPerFile: out.counts, requests: out.counts.reduce(0, +), notCopied: notCopied)
    }

    private func copy(_ wanted: ArraySlice<Entry>, from source: Source, fileNumber: Int, into out: RetryFileSet) throws(RetryWriteError) {
        let reader: LineReader
        do { reader = try LineReader(path: source.path) } catch {
            throw RetryWriteError("\(source.path): cannot reopen to copy the requests to retry: \(error)")
        }
        var next = wanted.startIndex
        var lines: [LineSpan] = []
        var oversized: [(line: Int, bytes: Int)] = []
        let name = source.path.split(separator: "/").last.map(String.init) ?? source.path
        while next < wanted.endIndex, reader.nextBlock(lines: &lines, oversized: &oversized) {
            for span in lines {
                guard next < wanted.endIndex else { break }
                let want = Int(wanted[next].line)
                if span.line < want { continue }
                guard span.line == want else {
                    throw RetryWriteError("\(source.path):\(want): the line is gone; the file changed after it was read")
                }
                let bytes = Array(UnsafeRawBufferPointer(start: reader.base + span.start, count: span.count))
                let line: [UInt8]?
                switch source.kind {
                case .batchInput: line = RetryLine.batchInput(bytes, round: Int(wanted[next].round))
                case .pair: line = RetryLine.batchInput(pair: bytes, customID: "\(name):\(want)-retry\(wanted[next].round)")
                case .llamaEcho:
                    line = RetryLine.batchInput(llamaEcho: bytes, customID: "\(name):\(want)-retry\(wanted[next].round)",
                                                round: Int(wanted[next].round))
                }
                guard let line else {
                    let what = source.kind == .batchInput ? "a string custom_id"
                        : source.kind == .pair ? "a request object" : "an echoed `prompt` and `generation_settings`"
                    throw RetryWriteError("\(source.path):\(want): the line has no \(what) any more; the file changed after it was read")
                }
                try out.append(line)
                next += 1
            }
        }
        if next < wanted.endIndex {
            throw RetryWriteError("\(source.path):\(wanted[next].line): the file ends before this line; it changed after it was read")
        }
    }
}

/// Numbered output files that roll over at the Batch API limits.
final class RetryFileSet {
    let path: String
    let requestsPerFile: Int
    let bytesPerFile: Int
    private(set) var files: [String] = []
    private(set) var counts: [Int] = []
    private var handle: UnsafeMutablePointer<FILE>?
    private var bytes = 0

    init(path: String, requestsPerFile: Int, bytesPerFile: Int) {
        self.path = path; self.requestsPerFile = requestsPerFile; self.bytesPerFile = bytesPerFile
    }

    func append(_ line: [UInt8]) throws(RetryWriteError) {
        let size = line.count + 1
        if handle == nil || counts[counts.count - 1] + 1 > requestsPerFile || bytes + size > bytesPerFile {
            try open()
        }
        var ok = line.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle!) == $0.count }
        ok = ok && fputc(0x0A, handle!) != EOF
        guard ok else { throw RetryWriteError("\(files.last!): write failed: \(String(cString: strerror(errno)))") }
        counts[counts.count - 1] += 1
        bytes += size
    }

    private func open() throws(RetryWriteError) {
        try close()
        let name = RetryLedger.retryFileName(path, number: files.count + 1)
        guard let h = fopen(name, "w") else {
            throw RetryWriteError("\(name): cannot create the retry file: \(String(cString: strerror(errno)))")
        }
        handle = h
        files.append(name)
        counts.append(0)
        bytes = 0
    }

    func close() throws(RetryWriteError) {
        guard let h = handle else { return }
        handle = nil
        if fclose(h) != 0 { throw RetryWriteError("\(files.last!): cannot finish writing: \(String(cString: strerror(errno)))") }
    }

    /// After a failure: close without reporting, and remove the files, so no partial set is mistaken for
    /// the whole.
    func abandon() {
        if let h = handle { fclose(h); handle = nil }
        for f in files { unlink(f) }
    }
}

extension RetryLedger {
    /// Resolves `--emit-retry PATH` to a file-name prefix and proves it writable before hours of reading:
    /// an existing directory gets `retry-0001.jsonl`, … inside it; anything else is a prefix
    /// (`PATH-0001.jsonl`, …). The probe creates the first file name and removes it again unless it existed.
    public static func destination(_ path: String) throws(RetryWriteError) -> String {
        guard !path.isEmpty else { throw RetryWriteError("--emit-retry needs a path") }
        var st = stat()
        let prefix = stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            ? (path.hasSuffix("/") ? path : path + "/") + "retry"
            : path
        let first = retryFileName(prefix, number: 1)
        let existed = access(first, F_OK) == 0
        let fd = open(first, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw RetryWriteError("\(first): cannot create the retry file: \(String(cString: strerror(errno)))")
        }
        _ = closeFile(fd)
        if !existed { unlink(first) }
        return prefix
    }
}

/// `close(2)`, named so it does not clash with the methods called `close` here.
private func closeFile(_ fd: Int32) -> Int32 { close(fd) }
