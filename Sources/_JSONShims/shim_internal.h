// Private to the shim (not in include/, so Swift does not see it): the parser's state and the helpers the
// readers share. The readers live one family to a file; `extract.cpp` holds the entry points and the design
// notes.
#ifndef RANKPROBE_JSON_SHIMS_INTERNAL_H
#define RANKPROBE_JSON_SHIMS_INTERNAL_H

#include "_JSONShims.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

struct rp_json_parser {
    simdjson::dom::parser dom;
    simdjson::ondemand::parser ondemand;
    std::string copy;      // padded copy of the input when the caller's buffer is not padded
    std::string sanitised; // padded copy with NaN/Infinity rewritten to null (never the buffer `copy` holds:
                           // `data` may point into `copy` while the sanitised text is built and parsed)
    std::string arena;     // decoded bytes and minified prompt pieces of the current record
    std::string problem;   // shape problem text of the current record
    std::string failure;   // failure text of the current record
    std::vector<rp_entry> top;
    std::vector<rp_entry> prompt_entries;
    std::vector<int32_t> prompt_starts;
    std::vector<uint8_t> prompt_null;
    std::vector<int64_t> bias_ids;
    std::vector<double> bias_values;
    std::vector<int64_t> tracked;
    std::vector<rp_prompt_part> parts;      // the prompt's pieces (prompt.cpp)
    std::vector<int64_t> prompt_tokens;     // a prompt given as token ids
    // The Swift classifiers (see rp_json_parser_create).
    rp_classify_fn record_kind = nullptr;
    rp_classify_fn body_reader = nullptr;
};

namespace rp_shim {

using namespace simdjson;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline rp_str no_str() { return rp_str{nullptr, 0}; }
inline rp_str str_of(std::string_view s) { return rp_str{s.data(), (int64_t)s.size()}; }

// Appends to the arena without ever reallocating it (capacity is reserved per document).
inline bool arena_put(rp_json_parser &p, std::string_view s) {
    if (p.arena.size() + s.size() > p.arena.capacity()) return false;
    p.arena.append(s);
    return true;
}

inline void set_problem(rp_json_parser &p, const char *what) {
    if (p.problem.empty()) p.problem = what;
}

inline bool get_str(dom::element e, std::string_view &out) { return e.get_string().get(out) == SUCCESS; }

inline bool parse_int(std::string_view s, int64_t &out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// vLLM's `return_tokens_as_token_ids` writes tokens as "token_id:1234".
inline bool vllm_token_id(std::string_view s, int64_t &out) {
    static constexpr std::string_view prefix = "token_id:";
    if (s.size() <= prefix.size() || s.compare(0, prefix.size(), prefix) != 0) return false;
    return parse_int(s.substr(prefix.size()), out);
}

// A number as double; JSON null / other types → NaN (reported as "no value").
inline double number_or_nan(dom::element e, bool &ok) {
    double d;
    if (e.get_double().get(d) == SUCCESS) { ok = true; return d; }
    ok = false;
    return kNaN;
}

inline rp_entry blank_entry() {
    rp_entry e;
    e.id = RP_NO_ID;
    e.token = no_str();
    e.bytes = no_str();
    e.logprob = kNaN;
    e.flags = RP_ENTRY_NO_VALUE;
    return e;
}

// entries.cpp: token objects and lists of them.
rp_entry read_entry(rp_json_parser &p, dom::object o, int32_t &vllm, dom::array *top, bool *has_top);
void read_alternatives(rp_json_parser &p, dom::array a, int32_t &vllm, std::vector<rp_entry> &out);
void read_token_dict(rp_json_parser &p, dom::object o, int32_t &vllm, std::vector<rp_entry> &out);
void read_prompt_logprobs(rp_json_parser &p, dom::array a, rp_doc &d);
void read_first_entry(rp_json_parser &p, dom::object first, rp_doc &d);
void read_entry_list_first(rp_json_parser &p, dom::array list, rp_doc &d, const char *what);

// prompt.cpp: the prompt's pieces (Swift composes the row key's canonical bytes from them). Each sets
// d.prompt_form on success and returns false, with no prompt, when the pieces cannot be read.
void begin_prompt(rp_json_parser &p, rp_doc &d);
bool chat_prompt(rp_json_parser &p, rp_doc &d, dom::array messages);
bool value_prompt(rp_json_parser &p, rp_doc &d, dom::element prompt);
bool responses_prompt(rp_json_parser &p, rp_doc &d, dom::object req, dom::element input);
bool gemini_prompt(rp_json_parser &p, rp_doc &d, dom::object req, dom::array contents);

// request.cpp: request bodies and the settings llama.cpp echoes.
void read_logit_bias(rp_json_parser &p, rp_doc &d, dom::element e);
void read_probs_request(dom::object o, rp_doc &d);
void read_max_tokens(dom::object o, rp_doc &d);
void read_request(rp_json_parser &p, dom::object req, rp_doc &d);

// response_*.cpp: one reader per API family.
void read_openai(rp_json_parser &p, dom::object r, rp_doc &d, bool want_prompt);
void read_llamacpp_body(rp_json_parser &p, dom::object r, rp_doc &d, bool want_prompt);
void read_sglang(rp_json_parser &p, dom::object meta, rp_doc &d);
void read_responses_api(rp_json_parser &p, dom::object r, rp_doc &d);
void read_gemini(rp_json_parser &p, dom::object r, rp_doc &d);
void read_ollama(rp_json_parser &p, dom::object r, rp_doc &d);

// keys.cpp: the key set (RP_KEY_* | RP_FACT_*) of an object, from one walk over its keys.
uint64_t object_keys(dom::object o);

// record.cpp: envelopes (Batch lines, pairs, LiteLLM payloads) and the response dispatch.
void read_error(rp_json_parser &p, dom::element e);
void read_response(rp_json_parser &p, dom::object r, uint64_t keys, rp_doc &d);
int32_t deliver(rp_json_parser &p, dom::element root, int32_t index, int32_t nonfinite, rp_json_record_fn fn, void *ctx);

// errors.cpp: where a syntax error is, and the NaN/Infinity rewrite.
void fill_error(rp_json_error *err, int32_t code, int64_t offset, const char *msg);
int64_t locate_error(rp_json_parser &p, const char *data, size_t len);
int32_t sanitise_nonfinite(const char *data, size_t len, std::string &out);

}  // namespace rp_shim

#endif
