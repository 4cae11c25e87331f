// simdjson-backed extraction of API-log records: the entry points; see include/_JSONShims.h for the contract.
//
// Design notes (why it looks like this):
// - simdjson's DOM API is used for extraction: it validates the whole text (a corrupted value anywhere in a
//   line makes the line invalid, so a damaged log line is never half-read) and lets us look keys up in any
//   order, which the SDKs' key orders need. The On-Demand API is used only on the error path, because it can
//   say *where* parsing stopped (DOM cannot), so messages carry a byte offset.
// - No exceptions: only the error-code forms (`.get(x)`, `.error()`) are used, and every entry point also
//   catches anything (std::bad_alloc) so nothing unwinds into C/Swift.
// - Strings handed out point into the DOM's string buffer or into `arena`, which is reserved up front to a
//   size the extracted data provably cannot exceed (decoded `bytes` arrays and minified prompt pieces are
//   never longer than the JSON text they came from, plus a constant), so pointers stay valid for the callback.
// - Python's json module writes NaN/Infinity/-Infinity, which are not JSON. When a text fails to parse and
//   contains such literals outside strings, they are rewritten to null and the text is parsed again; the
//   affected log-probabilities then come back flagged RP_ENTRY_NO_VALUE and the count is reported.
// - Format decisions are Swift's: each object's keys are walked once into a key set (keys.cpp), the Swift
//   classifiers handed to rp_json_parser_create choose the envelope and the body's reader (record.cpp), and
//   the readers (one file per API family) only extract fields.
#include "shim_internal.h"

namespace rp_shim {
namespace {

int32_t extract(rp_json_parser *p, const char *data, size_t len, size_t capacity, rp_json_record_fn fn,
                void *ctx, rp_json_error *err) {
    if (capacity < len + SIMDJSON_PADDING) {
        p->copy.assign(data, len);
        p->copy.append(SIMDJSON_PADDING, ' ');
        data = p->copy.data();
    }
    dom::element root;
    auto code = p->dom.parse(data, len, false).get(root);
    int32_t nonfinite = 0;
    if (code) {
        // Keep the original error: the sanitised retry only helps texts whose sole defect is NaN/Infinity.
        // The retry goes into its own buffer. (It used to be swapped into `copy`, which freed the padded
        // copy `data` pointed to when the caller's buffer was unpadded; a text that still failed after
        // sanitising was then located in freed memory. Found by fuzzing.)
        int32_t n = sanitise_nonfinite(data, len, p->sanitised);
        if (n > 0) {
            size_t slen = p->sanitised.size();
            p->sanitised.append(SIMDJSON_PADDING, ' ');
            if (!p->dom.parse(p->sanitised.data(), slen, false).get(root)) {
                nonfinite = n;
                data = p->sanitised.data();
                len = slen;
                code = SUCCESS;
            }
        }
    }
    if (code) {
        int64_t at = locate_error(*p, data, len);
        fill_error(err, (int32_t)code, at, error_message(code));
        return (int32_t)code;
    }
    p->arena.reserve(2 * len + 4096);
    if (p->arena.capacity() < 2 * len + 4096) { fill_error(err, 1001, -1, "out of memory"); return 1001; }
    dom::array arr;
    if (root.get_array().get(arr) == SUCCESS) {
        // Offsets of elements are not kept by DOM; we report each element's index instead and the caller
        // turns it into a position.
        int32_t i = 0;
        for (dom::element x : arr) {
            if (fn && deliver(*p, x, i, nonfinite, fn, ctx)) break;
            i++;
        }
        return 0;
    }
    if (fn) deliver(*p, root, -1, nonfinite, fn, ctx);
    return 0;
}

}  // namespace
}  // namespace rp_shim

using namespace rp_shim;

extern "C" {

rp_json_parser *rp_json_parser_create(rp_classify_fn record_kind, rp_classify_fn body_reader) {
    if (!record_kind || !body_reader) return nullptr;
    try {
        rp_json_parser *p = new rp_json_parser();
        p->record_kind = record_kind;
        p->body_reader = body_reader;
        return p;
    } catch (...) {
        return nullptr;
    }
}

void rp_json_parser_destroy(rp_json_parser *parser) { delete parser; }

int32_t rp_json_extract(rp_json_parser *parser, const char *data, size_t len, size_t capacity,
                        rp_json_record_fn fn, void *context, rp_json_error *error) {
    try {
        return extract(parser, data, len, capacity, fn, context, error);
    } catch (...) {
        fill_error(error, 1000, -1, "internal error (allocation failed)");
        return 1000;
    }
}

int32_t rp_json_validate(rp_json_parser *parser, const char *data, size_t len, size_t capacity,
                         rp_json_error *error) {
    return rp_json_extract(parser, data, len, capacity, nullptr, nullptr, error);
}

}  // extern "C"
