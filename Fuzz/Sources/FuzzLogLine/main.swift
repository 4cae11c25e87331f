import FuzzSupport
@testable import RankProbeLogRecords
import _JSONShims

// One log line (or one whole-file JSON text) through the simdjson shim, twice: from an unpadded buffer
// (capacity = length, so the shim copies it: the path where NaN/Infinity handling once read freed memory)
// and from a padded one. Every string slice of every record is copied out, so ASan sees each byte the
// shim points at. Both runs must agree on success or failure.
nonisolated(unsafe) let extractor = JSONExtractor()

@inline(never)
func touch(_ s: rp_str, _ sink: inout Int) {
    if let text = s.string { sink &+= text.utf8.count }
}

func run(_ input: [UInt8], padded: Bool) -> (ok: Bool, records: Int) {
    let capacity = padded ? input.count + Int(RP_JSON_PADDING) : max(input.count, 1)
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0x20, count: capacity)
    input.withUnsafeBytes { if let b = $0.baseAddress { buffer.copyMemory(from: b, byteCount: input.count) } }
    var records = 0, sink = 0
    let error = extractor.extract(UnsafeRawPointer(buffer), count: input.count, capacity: capacity) { doc in
        let d = doc.pointee
        records += 1
        for s in [d.custom_id, d.model, d.request_model, d.error, d.problem] { touch(s, &sink) }
        var prompt: [UInt8] = []
        if PromptKey.canonical(d, into: &prompt) { sink &+= prompt.count &+ Int(prompt.last ?? 0) }
        if d.has_sampled != 0 { touch(d.sampled.token, &sink); touch(d.sampled.bytes, &sink) }
        for i in 0..<Int(max(0, d.top_count)) { touch(d.top[i].token, &sink); touch(d.top[i].bytes, &sink) }
        for i in 0..<Int(max(0, d.bias_count)) { sink &+= Int(d.bias_ids[i]) &+ Int(d.bias_values[i].bitPattern & 1) }
        if d.prompt_positions > 0 {
            let n = Int(d.prompt_starts[Int(d.prompt_positions)])
            for i in 0..<n { touch(d.prompt_entries[i].token, &sink) }
            for i in 0..<Int(d.prompt_positions) { sink &+= Int(d.prompt_is_null[i]) }
        }
    }
    if let error, let offset = error.offset {
        precondition(offset >= 0 && offset <= input.count, "error offset \(offset) outside the \(input.count)-byte text")
    }
    return (error == nil, records &+ (sink & 0))
}

@_cdecl("FuzzLogLine_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        let a = run(input, padded: false)
        let b = run(input, padded: true)
        precondition(a == b, "padded and unpadded parses differ: \(a) vs \(b)")
        return 0
    }
}
