// simdjson-backed extraction of API-log records; see include/_JSONShims.h for the contract.
//
// Design notes (why it looks like this):
// - simdjson's DOM API is used for extraction: it validates the whole text (a corrupted value anywhere in a
//   line makes the line invalid, so a damaged log line is never half-read) and lets us look keys up in any
//   order, which the SDKs' key orders need. The On-Demand API is used only on the error path, because it can
//   say *where* parsing stopped (DOM cannot), so messages carry a byte offset.
// - No exceptions: only the error-code forms (`.get(x)`, `.error()`) are used, and every entry point also
//   catches anything (std::bad_alloc) so nothing unwinds into C/Swift.
// - Strings handed out point into the DOM's string buffer or into `arena`, which is reserved up front to a
//   size the extracted data provably cannot exceed (decoded `bytes` arrays and the canonical prompt are never
//   longer than the JSON text they came from, plus a constant), so pointers stay valid for the callback.
// - Python's json module writes NaN/Infinity/-Infinity, which are not JSON. When a text fails to parse and
//   contains such literals outside strings, they are rewritten to null and the text is parsed again; the
//   affected log-probabilities then come back flagged RP_ENTRY_NO_VALUE and the count is reported.
#include "_JSONShims.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

struct rp_json_parser {
    dom::parser dom;
    ondemand::parser ondemand;
    std::string copy;      // padded copy of the input when the caller's buffer is not padded
    std::string sanitised; // padded copy with NaN/Infinity rewritten to null (never the buffer `copy` holds:
                           // `data` may point into `copy` while the sanitised text is built and parsed)
    std::string arena;     // decoded bytes and canonical prompt of the current record
    std::string problem;   // shape problem text of the current record
    std::string failure;   // failure text of the current record
    std::vector<rp_entry> top;
    std::vector<rp_entry> prompt_entries;
    std::vector<int32_t> prompt_starts;
    std::vector<uint8_t> prompt_null;
    std::vector<int64_t> bias_ids;
    std::vector<double> bias_values;
    std::vector<int64_t> tracked;
};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

rp_str no_str() { return rp_str{nullptr, 0}; }
rp_str str_of(std::string_view s) { return rp_str{s.data(), (int64_t)s.size()}; }

// Appends to the arena without ever reallocating it (capacity is reserved per document).
bool arena_put(rp_json_parser &p, std::string_view s) {
    if (p.arena.size() + s.size() > p.arena.capacity()) return false;
    p.arena.append(s);
    return true;
}

void set_problem(rp_json_parser &p, const char *what) {
    if (p.problem.empty()) p.problem = what;
}

bool get_str(dom::element e, std::string_view &out) { return e.get_string().get(out) == SUCCESS; }

bool parse_int(std::string_view s, int64_t &out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// vLLM's `return_tokens_as_token_ids` writes tokens as "token_id:1234".
bool vllm_token_id(std::string_view s, int64_t &out) {
    static constexpr std::string_view prefix = "token_id:";
    if (s.size() <= prefix.size() || s.compare(0, prefix.size(), prefix) != 0) return false;
    return parse_int(s.substr(prefix.size()), out);
}

// A number as double; JSON null / other types → NaN (reported as "no value").
double number_or_nan(dom::element e, bool &ok) {
    double d;
    if (e.get_double().get(d) == SUCCESS) { ok = true; return d; }
    ok = false;
    return kNaN;
}

rp_entry blank_entry() {
    rp_entry e;
    e.id = RP_NO_ID;
    e.token = no_str();
    e.bytes = no_str();
    e.logprob = kNaN;
    e.flags = RP_ENTRY_NO_VALUE;
    return e;
}

// Reads one token object of any of the shapes: OpenAI {token, logprob, bytes, top_logprobs},
// llama.cpp {id, token, logprob|prob, bytes, top_logprobs|top_probs}, llama.cpp old {tok_str, prob},
// vLLM prompt_logprobs value {logprob, rank, decoded_token}. `top` receives a nested alternatives array.
rp_entry read_entry(rp_json_parser &p, dom::object o, int32_t &vllm, dom::array *top, bool *has_top) {
    rp_entry e = blank_entry();
    bool have_value = false;
    for (auto field : o) {
        std::string_view k = field.key;
        dom::element v = field.value;
        if (k == "logprob" || k == "logProbability") {
            bool ok;
            double d = number_or_nan(v, ok);
            if (ok) { e.logprob = d; have_value = true; e.flags &= ~RP_ENTRY_NO_VALUE; }
        } else if (k == "prob") {
            bool ok;
            double d = number_or_nan(v, ok);
            if (ok && !have_value) {
                e.logprob = std::log(d);  // prob 0 → -inf, reported downstream as non-finite
                e.flags = RP_ENTRY_FROM_PROB;
                have_value = true;
            }
        } else if (k == "token" || k == "tok_str" || k == "decoded_token") {
            std::string_view s;
            if (get_str(v, s)) {
                e.token = str_of(s);
                int64_t id;
                if (e.id == RP_NO_ID && vllm_token_id(s, id)) { e.id = id; vllm = 1; }
            }
        } else if (k == "id" || k == "tokenId") {
            int64_t id;
            if (v.get_int64().get(id) == SUCCESS) e.id = id;
        } else if (k == "bytes") {
            dom::array a;
            if (v.get_array().get(a) == SUCCESS) {
                size_t start = p.arena.size();
                // Room is checked for the whole array first (each element is at least one byte of JSON
                // text, so the arena reserved per document always has it), then bytes are pushed directly.
                bool good = p.arena.size() + a.size() <= p.arena.capacity();
                if (good) {
                    for (dom::element b : a) {
                        int64_t byte;
                        if (b.get_int64().get(byte) != SUCCESS || byte < 0 || byte > 255) { good = false; break; }
                        if (p.arena.size() == p.arena.capacity()) { good = false; break; }  // never reallocate
                        p.arena.push_back((char)(uint8_t)byte);
                    }
                }
                if (good) e.bytes = rp_str{p.arena.data() + start, (int64_t)(p.arena.size() - start)};
                else set_problem(p, "`bytes` is not a list of integers 0...255");
            }
        } else if ((k == "top_logprobs" || k == "top_probs") && top) {
            dom::array a;
            if (v.get_array().get(a) == SUCCESS) { *top = a; *has_top = true; }
        }
    }
    return e;
}

void read_alternatives(rp_json_parser &p, dom::array a, int32_t &vllm, std::vector<rp_entry> &out) {
    for (dom::element x : a) {
        dom::object o;
        if (x.get_object().get(o) != SUCCESS) { set_problem(p, "a top_logprobs entry is not an object"); continue; }
        out.push_back(read_entry(p, o, vllm, nullptr, nullptr));
    }
}

// Legacy completions / vLLM dict form {token-string: logprob}.
void read_token_dict(rp_json_parser &p, dom::object o, int32_t &vllm, std::vector<rp_entry> &out) {
    for (auto field : o) {
        rp_entry e = blank_entry();
        e.token = str_of(field.key);
        int64_t id;
        if (vllm_token_id(field.key, id)) { e.id = id; vllm = 1; }
        bool ok;
        double d = number_or_nan(field.value, ok);
        if (ok) { e.logprob = d; e.flags = 0; }
        out.push_back(e);
    }
}

// vLLM prompt_logprobs: [null | {"<token id>": {logprob, rank, decoded_token}}].
void read_prompt_logprobs(rp_json_parser &p, dom::array a, rp_doc &d) {
    p.prompt_entries.clear(); p.prompt_starts.clear(); p.prompt_null.clear();
    int32_t vllm = 1;
    for (dom::element pos : a) {
        p.prompt_starts.push_back((int32_t)p.prompt_entries.size());
        dom::object o;
        if (pos.get_object().get(o) != SUCCESS) { p.prompt_null.push_back(1); continue; }
        p.prompt_null.push_back(0);
        for (auto field : o) {
            dom::object inner;
            rp_entry e = blank_entry();
            if (field.value.get_object().get(inner) == SUCCESS) {
                e = read_entry(p, inner, vllm, nullptr, nullptr);
            } else {
                bool ok;
                double v = number_or_nan(field.value, ok);
                if (ok) { e.logprob = v; e.flags = 0; }
            }
            int64_t id;
            if (parse_int(field.key, id)) e.id = id;
            p.prompt_entries.push_back(e);
        }
    }
    p.prompt_starts.push_back((int32_t)p.prompt_entries.size());
    d.prompt_positions = (int32_t)p.prompt_null.size();
    d.vllm = 1;
}

// Canonical prompt bytes. Chat: "chat\n" then role 0x1F content 0x1E per message (string content as is,
// structured content as minified JSON). Completions/llama.cpp: "prompt\n" + string, "tokens\n" + ids
// joined by ',', or "json\n" + minified JSON for other prompt forms. The tag keeps a chat prompt and a
// text prompt with equal bytes from colliding; nothing else of the request enters the key.
bool canonical_messages(rp_json_parser &p, dom::array messages) {
    bool ok = arena_put(p, "chat\n");
    for (dom::element m : messages) {
        dom::object o;
        if (m.get_object().get(o) != SUCCESS) { set_problem(p, "a message is not an object"); return false; }
        std::string_view role;
        dom::element role_e, content_e;
        if (o["role"].get(role_e) == SUCCESS) get_str(role_e, role);
        ok = ok && arena_put(p, role) && arena_put(p, "\x1f");
        if (o["content"].get(content_e) == SUCCESS) {
            std::string_view s;
            if (get_str(content_e, s)) ok = ok && arena_put(p, s);
            else if (!content_e.is_null()) ok = ok && arena_put(p, minify(content_e));
        }
        ok = ok && arena_put(p, "\x1e");
    }
    return ok;
}

bool canonical_prompt(rp_json_parser &p, dom::element prompt) {
    std::string_view s;
    if (get_str(prompt, s)) return arena_put(p, "prompt\n") && arena_put(p, s);
    dom::array a;
    if (prompt.get_array().get(a) == SUCCESS) {
        if (a.size() == 1 && get_str(a.at(0).value_unsafe(), s)) return arena_put(p, "prompt\n") && arena_put(p, s);
        bool all_ints = a.size() > 0;
        for (dom::element x : a) if (!x.is_int64()) { all_ints = false; break; }
        if (all_ints) {
            bool ok = arena_put(p, "tokens\n");
            bool first = true;
            for (dom::element x : a) {
                char buf[24];
                int64_t v = 0;
                (void)x.get_int64().get(v);
                auto r = std::to_chars(buf, buf + sizeof buf, v);
                ok = ok && (first || arena_put(p, ",")) && arena_put(p, std::string_view(buf, r.ptr - buf));
                first = false;
            }
            return ok;
        }
    }
    return arena_put(p, "json\n") && arena_put(p, minify(prompt));
}

void set_prompt(rp_json_parser &p, rp_doc &d, size_t start) {
    d.prompt = rp_str{p.arena.data() + start, (int64_t)(p.arena.size() - start)};
}

// A bias value: a number; `false` (llama.cpp: ban) and, in llama.cpp's echo, null (its JSON writer turns
// the ban's -inf into null) → banned. Returns 1 for a bias, 2 for a ban, 0 for anything else.
int bias_value(dom::element v, double &b) {
    bool flag;
    if (v.get_double().get(b) == SUCCESS) return std::isfinite(b) ? 1 : (b < 0 ? 2 : 0);
    if (v.get_bool().get(flag) == SUCCESS) return flag ? 0 : 2;
    if (v.is_null()) return 2;
    return 0;
}

void add_bias(rp_json_parser &p, rp_doc &d, int64_t id, dom::element value) {
    double b = 0;
    switch (bias_value(value, b)) {
    case 1: p.bias_ids.push_back(id); p.bias_values.push_back(b); break;
    case 2: d.bias_banned++; break;
    default: set_problem(p, "a logit_bias value is not a number or false");
    }
}

// The token of one bias entry: an id; text (llama.cpp tokenises it server-side, so the ids are unknown
// here); or a list of ids (each gets the bias).
void add_bias_token(rp_json_parser &p, rp_doc &d, dom::element token, dom::element value) {
    int64_t id;
    std::string_view text;
    dom::array ids;
    if (token.get_int64().get(id) == SUCCESS) { add_bias(p, d, id, value); return; }
    if (get_str(token, text)) {
        if (parse_int(text, id)) add_bias(p, d, id, value);
        else d.bias_by_text = 1;
        return;
    }
    if (token.get_array().get(ids) == SUCCESS) {
        for (dom::element x : ids) {
            if (x.get_int64().get(id) == SUCCESS) add_bias(p, d, id, value);
            else { set_problem(p, "a logit_bias token list holds something other than token ids"); return; }
        }
        return;
    }
    set_problem(p, "a logit_bias token is not an id, a string or a list of ids");
}

// logit_bias in every shape llama.cpp and OpenAI accept or echo: OpenAI {"id": bias} (llama.cpp also
// {"text": bias}); llama.cpp [[id | "text", bias], ...]; and llama.cpp's echo in generation_settings,
// [{"bias": b, "token": id}, ...]. A bias `false` (or echoed null) bans the token: counted, not listed.
void read_logit_bias(rp_json_parser &p, rp_doc &d, dom::element e) {
    dom::object o;
    dom::array a;
    if (e.get_object().get(o) == SUCCESS) {
        for (auto field : o) {
            int64_t id;
            if (parse_int(field.key, id)) add_bias(p, d, id, field.value);
            else d.bias_by_text = 1;
        }
    } else if (e.get_array().get(a) == SUCCESS) {
        for (dom::element item : a) {
            dom::array pa;
            dom::object po;
            if (item.get_array().get(pa) == SUCCESS && pa.size() == 2) {
                add_bias_token(p, d, pa.at(0).value_unsafe(), pa.at(1).value_unsafe());
            } else if (item.get_object().get(po) == SUCCESS) {
                dom::element token, value;
                if (po["token"].get(token) != SUCCESS || po["bias"].get(value) != SUCCESS) {
                    set_problem(p, "a logit_bias entry object lacks `token` or `bias`");
                    continue;
                }
                add_bias_token(p, d, token, value);
            } else {
                set_problem(p, "a logit_bias entry is neither [token, bias] nor {token, bias}");
            }
        }
    } else if (!e.is_null()) {
        set_problem(p, "`logit_bias` is neither an object nor a list");
    }
}

// Whether the request asked for log-probabilities (OpenAI `logprobs` true/N and `top_logprobs`, llama.cpp
// `n_probs`); and llama.cpp's `post_sampling_probs`.
void read_probs_request(dom::object o, rp_doc &d) {
    dom::element e;
    bool flag;
    int64_t n;
    for (const char *k : {"logprobs", "top_logprobs", "n_probs"}) {
        if (o[k].get(e) != SUCCESS) continue;
        if (e.get_bool().get(flag) == SUCCESS) { if (flag) d.probs_requested = 1; else if (d.probs_requested < 0) d.probs_requested = 0; }
        else if (e.get_int64().get(n) == SUCCESS) { if (n > 0) d.probs_requested = 1; else if (d.probs_requested < 0 && std::strcmp(k, "top_logprobs") != 0) d.probs_requested = 0; }
    }
    if (o["post_sampling_probs"].get(e) == SUCCESS && e.get_bool().get(flag) == SUCCESS && flag) d.post_sampling = 1;
}

void read_max_tokens(dom::object o, rp_doc &d) {
    for (const char *k : {"max_tokens", "max_completion_tokens", "n_predict"}) {
        int64_t v;
        dom::element e;
        if (o[k].get(e) == SUCCESS && e.get_int64().get(v) == SUCCESS) { d.max_tokens = v; return; }
    }
}

// One message of a chat-like prompt in the canonical form: role 0x1F content 0x1E.
bool canonical_message(rp_json_parser &p, std::string_view role, std::string_view content) {
    return arena_put(p, role) && arena_put(p, "\x1f") && arena_put(p, content) && arena_put(p, "\x1e");
}

// OpenAI Responses `input`: a string is one user message (so it keys like the same chat prompt); a list
// of messages is read as chat `messages`. `instructions` come first, as the system message they act as.
bool canonical_responses_input(rp_json_parser &p, dom::object req, dom::element input) {
    bool ok = arena_put(p, "chat\n");
    dom::element e;
    std::string_view s;
    if (req["instructions"].get(e) == SUCCESS && get_str(e, s)) ok = ok && canonical_message(p, "system", s);
    if (get_str(input, s)) return ok && canonical_message(p, "user", s);
    dom::array messages;
    if (input.get_array().get(messages) != SUCCESS) return ok && arena_put(p, minify(input));
    size_t before = p.arena.size();
    if (!canonical_messages(p, messages)) return false;
    // canonical_messages wrote its own "chat\n" tag: drop it (the tag is already in place).
    p.arena.erase(before, 5);
    return ok;
}

// Gemini `contents: [{role, parts: [{text}]}]` (+ `systemInstruction`): role and the concatenated part
// texts per turn; non-text parts enter as minified JSON. Gemini's "model" role is the assistant's.
bool canonical_gemini(rp_json_parser &p, dom::object req, dom::array contents) {
    bool ok = arena_put(p, "chat\n");
    dom::element e;
    auto turn = [&](std::string_view role, dom::element content) {
        dom::object c;
        dom::array parts;
        if (content.get_object().get(c) != SUCCESS) { set_problem(p, "a Gemini content is not an object"); return false; }
        std::string_view r = role;
        dom::element re;
        if (r.empty() && c["role"].get(re) == SUCCESS) get_str(re, r);
        if (r == "model") r = "assistant";
        bool good = arena_put(p, r.empty() ? std::string_view("user") : r) && arena_put(p, "\x1f");
        dom::element pe;
        if (c["parts"].get(pe) == SUCCESS && pe.get_array().get(parts) == SUCCESS) {
            for (dom::element part : parts) {
                dom::object po;
                dom::element te;
                std::string_view text;
                if (part.get_object().get(po) == SUCCESS && po["text"].get(te) == SUCCESS && get_str(te, text)) good = good && arena_put(p, text);
                else good = good && arena_put(p, minify(part));
            }
        }
        return good && arena_put(p, "\x1e");
    };
    if (req["systemInstruction"].get(e) == SUCCESS || req["system_instruction"].get(e) == SUCCESS) ok = ok && turn("system", e);
    for (dom::element c : contents) { ok = ok && turn("", c); if (!p.problem.empty()) return false; }
    return ok;
}

// Gemini `generationConfig {responseLogprobs, logprobs, maxOutputTokens}`; SGLang `return_logprob`,
// `top_logprobs_num`, `sampling_params.max_new_tokens`; Ollama `options.num_predict`.
void read_other_settings(dom::object req, rp_doc &d) {
    dom::element e;
    dom::object o;
    bool flag;
    int64_t n;
    if ((req["generationConfig"].get(e) == SUCCESS || req["generation_config"].get(e) == SUCCESS) && e.get_object().get(o) == SUCCESS) {
        dom::element x;
        if (o["responseLogprobs"].get(x) == SUCCESS && x.get_bool().get(flag) == SUCCESS) d.probs_requested = flag ? 1 : 0;
        if (o["maxOutputTokens"].get(x) == SUCCESS && x.get_int64().get(n) == SUCCESS) d.max_tokens = n;
    }
    if (req["return_logprob"].get(e) == SUCCESS && e.get_bool().get(flag) == SUCCESS) d.probs_requested = flag ? 1 : 0;
    if (req["sampling_params"].get(e) == SUCCESS && e.get_object().get(o) == SUCCESS) {
        dom::element x;
        if (o["max_new_tokens"].get(x) == SUCCESS && x.get_int64().get(n) == SUCCESS) d.max_tokens = n;
    }
    if (req["options"].get(e) == SUCCESS && e.get_object().get(o) == SUCCESS) {
        dom::element x;
        if (o["num_predict"].get(x) == SUCCESS && x.get_int64().get(n) == SUCCESS) d.max_tokens = n;
    }
    if (req["max_output_tokens"].get(e) == SUCCESS && e.get_int64().get(n) == SUCCESS) d.max_tokens = n;
    dom::array include;
    if (req["include"].get(e) == SUCCESS && e.get_array().get(include) == SUCCESS) {
        for (dom::element x : include) {
            std::string_view s;
            if (get_str(x, s) && s == "message.output_text.logprobs") d.probs_requested = 1;
        }
    }
}

void read_request(rp_json_parser &p, dom::object req, rp_doc &d) {
    d.has_request = 1;
    dom::element e;
    std::string_view s;
    if (req["model"].get(e) == SUCCESS && get_str(e, s)) d.request_model = str_of(s);
    size_t start = p.arena.size();
    dom::array messages;
    if (req["messages"].get(e) == SUCCESS && e.get_array().get(messages) == SUCCESS) {
        if (canonical_messages(p, messages)) set_prompt(p, d, start);
    } else if (req["prompt"].get(e) == SUCCESS && !e.is_null()) {
        if (canonical_prompt(p, e)) set_prompt(p, d, start);
    } else if (req["input"].get(e) == SUCCESS && !e.is_null()) {
        if (canonical_responses_input(p, req, e)) set_prompt(p, d, start);
    } else if (req["contents"].get(e) == SUCCESS && e.get_array().get(messages) == SUCCESS) {
        if (canonical_gemini(p, req, messages)) set_prompt(p, d, start);
    } else if (req["text"].get(e) == SUCCESS && !e.is_null()) {
        if (canonical_prompt(p, e)) set_prompt(p, d, start);           // SGLang /generate
    } else if (req["input_ids"].get(e) == SUCCESS && !e.is_null()) {
        if (canonical_prompt(p, e)) set_prompt(p, d, start);
    }
    if (req["logit_bias"].get(e) == SUCCESS) read_logit_bias(p, d, e);
    d.bias_known = 1;
    read_max_tokens(req, d);
    read_probs_request(req, d);
    // The other APIs' settings: none of them names its length `max_tokens`, so an OpenAI body (which does)
    // skips the lookups.
    if (d.max_tokens < 0) read_other_settings(req, d);
    for (const char *k : {"logprob_token_ids", "token_ids_logprob"}) {
        dom::array ids;
        if (req[k].get(e) != SUCCESS || e.get_array().get(ids) != SUCCESS) continue;
        for (dom::element x : ids) {
            int64_t id;
            if (x.get_int64().get(id) == SUCCESS) p.tracked.push_back(id);
            else { set_problem(p, "a tracked token id (logprob_token_ids / token_ids_logprob) is not an integer"); break; }
        }
    }
}

void read_error(rp_json_parser &p, dom::element e) {
    if (e.is_null()) return;
    std::string_view s;
    dom::object o;
    if (get_str(e, s)) { p.failure.assign(s); return; }
    if (e.get_object().get(o) == SUCCESS) {
        dom::element x;
        std::string code, message;
        if (o["code"].get(x) == SUCCESS && get_str(x, s)) code.assign(s);
        if (o["message"].get(x) == SUCCESS && get_str(x, s)) message.assign(s);
        p.failure = code.empty() ? message : (message.empty() ? code : code + ": " + message);
        if (p.failure.empty()) p.failure = "error";
        return;
    }
    p.failure = minify(e);
}

// The first generated position of an entry list [{token, logprob, bytes, top_logprobs}] (chat
// `logprobs.content`, Responses `output_text.logprobs`, Ollama `logprobs`): sampled entry and its alternatives.
void read_entry_list_first(rp_json_parser &p, dom::array list, rp_doc &d, const char *what) {
    if (list.size() == 0) return;
    dom::object first;
    if (list.at(0).get_object().get(first) != SUCCESS) { set_problem(p, what); return; }
    dom::array top;
    bool has_top = false;
    d.sampled = read_entry(p, first, d.vllm, &top, &has_top);
    d.has_sampled = 1;
    d.has_logprobs = 1;
    if (has_top) read_alternatives(p, top, d.vllm, p.top);
}

// First generated position of a chat response: choices[0].logprobs.content[0].
void read_chat_logprobs(rp_json_parser &p, dom::object logprobs, rp_doc &d) {
    dom::element e;
    dom::array content;
    if (logprobs["content"].get(e) != SUCCESS || e.get_array().get(content) != SUCCESS) return;
    read_entry_list_first(p, content, d, "logprobs.content[0] is not an object");
}

// First generated position of a legacy completions response: tokens[0], token_logprobs[0], top_logprobs[0].
void read_completions_logprobs(rp_json_parser &p, dom::object logprobs, rp_doc &d) {
    dom::element e;
    dom::array tokens, lps, tops;
    if (logprobs["tokens"].get(e) != SUCCESS || e.get_array().get(tokens) != SUCCESS || tokens.size() == 0) return;
    rp_entry s = blank_entry();
    std::string_view tok;
    if (get_str(tokens.at(0).value_unsafe(), tok)) {
        s.token = str_of(tok);
        int64_t id;
        if (vllm_token_id(tok, id)) { s.id = id; d.vllm = 1; }
    }
    if (logprobs["token_logprobs"].get(e) == SUCCESS && e.get_array().get(lps) == SUCCESS && lps.size() > 0) {
        bool ok;
        double v = number_or_nan(lps.at(0).value_unsafe(), ok);
        if (ok) { s.logprob = v; s.flags = 0; }
    }
    d.sampled = s;
    d.has_sampled = 1;
    d.has_logprobs = 1;
    if (logprobs["top_logprobs"].get(e) == SUCCESS && e.get_array().get(tops) == SUCCESS && tops.size() > 0) {
        dom::object dict;
        if (tops.at(0).get_object().get(dict) == SUCCESS) read_token_dict(p, dict, d.vllm, p.top);
    }
}

// llama.cpp completion_probabilities[0], either shape.
void read_llamacpp(rp_json_parser &p, dom::array probs, rp_doc &d) {
    d.shape = RP_SHAPE_LLAMACPP;
    if (probs.size() == 0) return;
    dom::object first;
    if (probs.at(0).get_object().get(first) != SUCCESS) { set_problem(p, "completion_probabilities[0] is not an object"); return; }
    dom::element e;
    if (first["probs"].get(e) == SUCCESS) {
        // Old shape: {content, probs: [{tok_str, prob}]}; probabilities, and the sampled token's value is
        // only known if it is among `probs`.
        d.shape = RP_SHAPE_LLAMACPP_OLD;
        d.has_logprobs = 1;
        dom::array a;
        if (e.get_array().get(a) == SUCCESS) read_alternatives(p, a, d.vllm, p.top);
        std::string_view content;
        dom::element c;
        if (first["content"].get(c) == SUCCESS && get_str(c, content)) {
            d.sampled = blank_entry();
            d.sampled.token = str_of(content);
            d.has_sampled = 1;
            for (const rp_entry &t : p.top) {
                if (t.token.ptr && std::string_view(t.token.ptr, (size_t)t.token.len) == content) {
                    d.sampled.logprob = t.logprob;
                    d.sampled.flags = t.flags;
                    break;
                }
            }
        }
        return;
    }
    dom::array top;
    bool has_top = false;
    d.sampled = read_entry(p, first, d.vllm, &top, &has_top);
    d.has_sampled = 1;
    d.has_logprobs = 1;
    if (has_top) read_alternatives(p, top, d.vllm, p.top);
    // `prob`/`top_probs` instead of `logprob`/`top_logprobs`: llama.cpp's post_sampling_probs.
    if ((d.sampled.flags & RP_ENTRY_FROM_PROB) || first["top_probs"].get(e) == SUCCESS) d.post_sampling = 1;
}

// OpenAI Responses API: output[] items of type "message" whose content[] holds "output_text" parts with
// `logprobs` (asked for with include: ["message.output_text.logprobs"]). The first such part's first
// entry is the first generated token (reasoning items carry no logprobs and are passed over).
void read_responses_api(rp_json_parser &p, dom::object r, rp_doc &d) {
    d.shape = RP_SHAPE_RESPONSES;
    dom::element e;
    dom::array output;
    if (r["output"].get(e) != SUCCESS || e.get_array().get(output) != SUCCESS) return;
    for (dom::element item : output) {
        dom::object io;
        dom::array content;
        std::string_view type;
        if (item.get_object().get(io) != SUCCESS) { set_problem(p, "an output item is not an object"); return; }
        if (io["type"].get(e) != SUCCESS || !get_str(e, type) || type != "message") continue;
        if (io["content"].get(e) != SUCCESS || e.get_array().get(content) != SUCCESS) continue;
        for (dom::element part : content) {
            dom::object po;
            dom::array logprobs;
            if (part.get_object().get(po) != SUCCESS) continue;
            if (po["type"].get(e) != SUCCESS || !get_str(e, type) || type != "output_text") continue;
            if (po["logprobs"].get(e) != SUCCESS || e.get_array().get(logprobs) != SUCCESS) return;
            read_entry_list_first(p, logprobs, d, "output_text.logprobs[0] is not an object");
            return;
        }
    }
}

// Gemini generateContent: candidates[0].logprobsResult {chosenCandidates[step], topCandidates[step]
// {candidates[]}}, entries {token, tokenId, logProbability}.
void read_gemini(rp_json_parser &p, dom::object r, rp_doc &d) {
    d.shape = RP_SHAPE_GEMINI;
    dom::element e;
    std::string_view s;
    if (d.model.ptr == nullptr && r["modelVersion"].get(e) == SUCCESS && get_str(e, s)) d.model = str_of(s);
    dom::array candidates;
    if (r["candidates"].get(e) != SUCCESS || e.get_array().get(candidates) != SUCCESS || candidates.size() == 0) return;
    dom::object c, result;
    if (candidates.at(0).get_object().get(c) != SUCCESS) { set_problem(p, "candidates[0] is not an object"); return; }
    if (c["logprobsResult"].get(e) != SUCCESS || e.get_object().get(result) != SUCCESS) return;
    dom::array chosen, tops;
    int32_t none = 0;
    if (result["chosenCandidates"].get(e) == SUCCESS && e.get_array().get(chosen) == SUCCESS && chosen.size() > 0) {
        dom::object first;
        if (chosen.at(0).get_object().get(first) != SUCCESS) { set_problem(p, "chosenCandidates[0] is not an object"); return; }
        d.sampled = read_entry(p, first, none, nullptr, nullptr);
        d.has_sampled = 1;
        d.has_logprobs = 1;
    }
    if (result["topCandidates"].get(e) == SUCCESS && e.get_array().get(tops) == SUCCESS && tops.size() > 0) {
        dom::object step;
        dom::array list;
        if (tops.at(0).get_object().get(step) != SUCCESS) { set_problem(p, "topCandidates[0] is not an object"); return; }
        if (step["candidates"].get(e) == SUCCESS && e.get_array().get(list) == SUCCESS) read_alternatives(p, list, none, p.top);
        d.has_logprobs = 1;
    }
}

// An SGLang logprob tuple [logprob, token_id, text-or-null].
rp_entry sglang_tuple(rp_json_parser &p, dom::element x) {
    rp_entry e = blank_entry();
    dom::array t;
    if (x.get_array().get(t) != SUCCESS || t.size() < 2) { set_problem(p, "an SGLang logprob is not [logprob, token_id, text]"); return e; }
    bool ok;
    double v = number_or_nan(t.at(0).value_unsafe(), ok);
    if (ok) { e.logprob = v; e.flags = 0; }
    int64_t id;
    if (t.at(1).value_unsafe().get_int64().get(id) == SUCCESS) e.id = id;
    else set_problem(p, "an SGLang logprob's token id is not an integer");
    std::string_view text;
    if (t.size() > 2 && get_str(t.at(2).value_unsafe(), text)) e.token = str_of(text);
    return e;
}

// Appends the tuples of one position (a list, or null) to `out`, skipping ids already there: the top list
// and the tracked ids (`token_ids_logprob`) often name the same token.
void sglang_position(rp_json_parser &p, dom::element list, std::vector<rp_entry> &out, size_t from) {
    dom::array a;
    if (list.get_array().get(a) != SUCCESS) return;
    for (dom::element x : a) {
        rp_entry e = sglang_tuple(p, x);
        bool seen = false;
        for (size_t i = from; i < out.size(); i++) if (out[i].id == e.id) { seen = true; break; }
        if (!seen) out.push_back(e);
    }
}

// SGLang /generate: meta_info.output_token_logprobs[0] is the sampled token; output_top_logprobs[0] and
// output_token_ids_logprobs[0] its alternatives. input_top_logprobs / input_token_ids_logprobs /
// input_token_logprobs give one row per prompt position (read like vLLM's prompt_logprobs).
void read_sglang(rp_json_parser &p, dom::object meta, rp_doc &d) {
    d.shape = RP_SHAPE_SGLANG;
    dom::element e;
    dom::array arr;
    if (meta["output_token_logprobs"].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS && arr.size() > 0) {
        d.sampled = sglang_tuple(p, arr.at(0).value_unsafe());
        d.has_sampled = 1;
        d.has_logprobs = 1;
    }
    for (const char *k : {"output_top_logprobs", "output_token_ids_logprobs"}) {
        if (meta[k].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS && arr.size() > 0) {
            sglang_position(p, arr.at(0).value_unsafe(), p.top, 0);
            d.has_logprobs = 1;
        }
    }
    dom::array itop, iids, itok;
    bool has_top = meta["input_top_logprobs"].get(e) == SUCCESS && e.get_array().get(itop) == SUCCESS;
    bool has_ids = meta["input_token_ids_logprobs"].get(e) == SUCCESS && e.get_array().get(iids) == SUCCESS;
    bool has_tok = meta["input_token_logprobs"].get(e) == SUCCESS && e.get_array().get(itok) == SUCCESS;
    size_t n = std::max({has_top ? itop.size() : 0, has_ids ? iids.size() : 0, has_tok ? itok.size() : 0});
    if (n == 0) return;
    p.prompt_entries.clear(); p.prompt_starts.clear(); p.prompt_null.clear();
    for (size_t i = 0; i < n; i++) {
        size_t from = p.prompt_entries.size();
        p.prompt_starts.push_back((int32_t)from);
        if (has_top && i < itop.size()) sglang_position(p, itop.at(i).value_unsafe(), p.prompt_entries, from);
        if (has_ids && i < iids.size()) sglang_position(p, iids.at(i).value_unsafe(), p.prompt_entries, from);
        if (has_tok && i < itok.size()) {
            dom::element t = itok.at(i).value_unsafe();
            dom::array ta;
            // The prompt token's own tuple; the first position has no logprob (null value).
            if (t.get_array().get(ta) == SUCCESS && ta.size() >= 2 && !ta.at(0).value_unsafe().is_null()) {
                rp_entry x = sglang_tuple(p, t);
                bool seen = false;
                for (size_t j = from; j < p.prompt_entries.size(); j++) if (p.prompt_entries[j].id == x.id) { seen = true; break; }
                if (!seen) p.prompt_entries.push_back(x);
            }
        }
        p.prompt_null.push_back(p.prompt_entries.size() == from ? 1 : 0);
    }
    p.prompt_starts.push_back((int32_t)p.prompt_entries.size());
    d.prompt_positions = (int32_t)n;
}

// Ollama /api/generate and /api/chat: {model, created_at, response | message, done, logprobs[]}.
void read_ollama(rp_json_parser &p, dom::object r, rp_doc &d) {
    d.shape = RP_SHAPE_OLLAMA;
    dom::element e;
    dom::array list;
    if (r["logprobs"].get(e) == SUCCESS && e.get_array().get(list) == SUCCESS)
        read_entry_list_first(p, list, d, "logprobs[0] is not an object");
}

// Which of the 2026 API shapes a response body has, judged from keys no other reader uses.
rp_shape api_shape(dom::object r) {
    dom::element e;
    // OpenAI-shaped bodies (OpenAI, vLLM, most servers: nearly every line of a big log) have `choices` and
    // none of the keys below: one lookup settles them.
    if (r["choices"].get(e) == SUCCESS) return RP_SHAPE_NONE;
    std::string_view object;
    dom::object meta;
    if (r["meta_info"].get(e) == SUCCESS && e.get_object().get(meta) == SUCCESS) return RP_SHAPE_SGLANG;
    if (r["candidates"].get(e) == SUCCESS || r["promptFeedback"].get(e) == SUCCESS) return RP_SHAPE_GEMINI;
    if (r["object"].get(e) == SUCCESS && get_str(e, object) && object == "response") return RP_SHAPE_RESPONSES;
    if (r["output"].get(e) == SUCCESS && e.is_array()) return RP_SHAPE_RESPONSES;
    if (r["created_at"].get(e) == SUCCESS && e.is_string() && r["done"].get(e) == SUCCESS &&
        (r["response"].get(e) == SUCCESS || r["message"].get(e) == SUCCESS)) return RP_SHAPE_OLLAMA;
    return RP_SHAPE_NONE;
}

void read_response(rp_json_parser &p, dom::object r, rp_doc &d) {
    dom::element e;
    std::string_view s;
    if (r["model"].get(e) == SUCCESS && get_str(e, s)) d.model = str_of(s);
    if (r["error"].get(e) == SUCCESS) read_error(p, e);
    dom::array arr;
    if (r["prompt_logprobs"].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS) read_prompt_logprobs(p, arr, d);
    if (r["kv_transfer_params"].get(e) == SUCCESS) d.vllm = 1;
    // An echoed prompt is used only when there is no request body (see LogParser docs).
    bool want_prompt = d.prompt.ptr == nullptr;
    switch (api_shape(r)) {
    case RP_SHAPE_SGLANG: {
        dom::object meta;
        (void)r["meta_info"].get(e);
        if (e.get_object().get(meta) == SUCCESS) read_sglang(p, meta, d);
        return;
    }
    case RP_SHAPE_GEMINI: read_gemini(p, r, d); return;
    case RP_SHAPE_RESPONSES: read_responses_api(p, r, d); return;
    case RP_SHAPE_OLLAMA: read_ollama(p, r, d); return;
    default: break;
    }
    if (r["completion_probabilities"].get(e) == SUCCESS || r["generation_settings"].get(e) == SUCCESS ||
        r["tokens_predicted"].get(e) == SUCCESS) {
        d.shape = RP_SHAPE_LLAMACPP;
        if (r["completion_probabilities"].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS) read_llamacpp(p, arr, d);
        dom::object gs;
        if (r["generation_settings"].get(e) == SUCCESS && e.get_object().get(gs) == SUCCESS && !d.has_request) {
            // The settings the server ran with: the echoed bias is the request's (ids already tokenised).
            dom::element b;
            if (gs["logit_bias"].get(b) == SUCCESS) read_logit_bias(p, d, b);
            d.bias_known = 1;
            read_max_tokens(gs, d);
            read_probs_request(gs, d);
        }
        if (want_prompt && r["prompt"].get(e) == SUCCESS && !e.is_null()) {
            size_t start = p.arena.size();
            if (canonical_prompt(p, e)) set_prompt(p, d, start);
        }
        return;
    }
    if (r["prompt_token_ids"].get(e) == SUCCESS) {
        d.vllm = 1;
        if (want_prompt && !e.is_null()) {
            size_t start = p.arena.size();
            if (canonical_prompt(p, e)) set_prompt(p, d, start);
        }
    }
    dom::array choices;
    if (r["choices"].get(e) != SUCCESS || e.get_array().get(choices) != SUCCESS) {
        if (!p.failure.empty()) d.shape = RP_SHAPE_ERROR;
        return;
    }
    std::string_view object;
    if (r["object"].get(e) == SUCCESS) get_str(e, object);
    d.shape = object == "text_completion" ? RP_SHAPE_COMPLETIONS : RP_SHAPE_CHAT;
    if (choices.size() == 0) return;
    dom::object c;
    if (choices.at(0).get_object().get(c) != SUCCESS) { set_problem(p, "choices[0] is not an object"); return; }
    if (c["message"].get(e) == SUCCESS) d.shape = RP_SHAPE_CHAT;
    else if (c["text"].get(e) == SUCCESS) d.shape = RP_SHAPE_COMPLETIONS;
    if (c["stop_reason"].get(e) == SUCCESS) d.vllm = 1;
    if (c["prompt_logprobs"].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS) read_prompt_logprobs(p, arr, d);
    if (want_prompt && c["prompt_token_ids"].get(e) == SUCCESS && !e.is_null()) {
        d.vllm = 1;
        size_t start = p.arena.size();
        if (canonical_prompt(p, e)) set_prompt(p, d, start);
    }
    dom::object logprobs;
    if (c["logprobs"].get(e) != SUCCESS || e.get_object().get(logprobs) != SUCCESS) return;
    // llama.cpp's /v1/completions answers `text_completion` with the chat-style `content` list: the shape
    // stays completions (the format of the file), the entries are read as chat entries.
    if (logprobs["content"].get(e) == SUCCESS) {
        if (d.shape != RP_SHAPE_COMPLETIONS) d.shape = RP_SHAPE_CHAT;
        read_chat_logprobs(p, logprobs, d);
        dom::array content;
        dom::object first;
        if (logprobs["content"].get(e) == SUCCESS && e.get_array().get(content) == SUCCESS && content.size() > 0 &&
            content.at(0).get_object().get(first) == SUCCESS &&
            ((d.sampled.flags & RP_ENTRY_FROM_PROB) || first["top_probs"].get(e) == SUCCESS)) d.post_sampling = 1;
    }
    else if (logprobs["tokens"].get(e) == SUCCESS) { d.shape = RP_SHAPE_COMPLETIONS; read_completions_logprobs(p, logprobs, d); }
}

void reset_record(rp_json_parser &p, rp_doc &d) {
    std::memset(&d, 0, sizeof d);
    d.element_index = -1;
    d.status_code = -1;
    d.max_tokens = -1;
    d.prompt_positions = -1;
    d.probs_requested = -1;
    d.sampled = blank_entry();
    p.arena.clear();
    p.problem.clear();
    p.failure.clear();
    p.top.clear();
    p.bias_ids.clear();
    p.bias_values.clear();
    p.tracked.clear();
}

void read_record(rp_json_parser &p, dom::element root, rp_doc &d) {
    dom::object o;
    if (root.get_object().get(o) != SUCCESS) { set_problem(p, "the JSON value is not an object"); return; }
    dom::element e, custom_id, body, response, request;
    std::string_view s;
    bool has_custom = o["custom_id"].get(custom_id) == SUCCESS;
    if (has_custom && get_str(custom_id, s)) d.custom_id = str_of(s);
    if (has_custom && o["body"].get(body) == SUCCESS && (o["method"].get(e) == SUCCESS || o["url"].get(e) == SUCCESS)) {
        d.kind = RP_KIND_BATCH_INPUT;
        dom::object req;
        if (body.get_object().get(req) == SUCCESS) read_request(p, req, d);
        else set_problem(p, "batch input `body` is not an object");
        return;
    }
    bool has_response = o["response"].get(response) == SUCCESS;
    if (has_custom && (has_response || o["error"].get(e) == SUCCESS)) {
        d.kind = RP_KIND_BATCH_OUTPUT;
        if (o["error"].get(e) == SUCCESS) read_error(p, e);
        dom::object env;
        if (has_response && response.get_object().get(env) == SUCCESS) {
            int64_t code;
            if (env["status_code"].get(e) == SUCCESS && e.get_int64().get(code) == SUCCESS) d.status_code = (int32_t)code;
            dom::object rb;
            if (env["body"].get(e) == SUCCESS && e.get_object().get(rb) == SUCCESS) read_response(p, rb, d);
        }
        return;
    }
    if (o["request"].get(request) == SUCCESS && has_response) {
        d.kind = RP_KIND_PAIR;
        dom::object req, res;
        if (request.get_object().get(req) == SUCCESS) read_request(p, req, d);
        else set_problem(p, "`request` is not an object");
        if (response.get_object().get(res) == SUCCESS) read_response(p, res, d);
        else set_problem(p, "`response` is not an object");
        return;
    }
    dom::element messages;
    if (has_response && !has_custom && o["messages"].get(messages) == SUCCESS && messages.is_array()) {
        // LiteLLM's StandardLoggingPayload (what its logging callbacks and proxy spend logs write): the
        // request's `messages` and `model_parameters` beside the `response`; `status` "failure" with
        // `error_str` for a failed call.
        d.kind = RP_KIND_LITELLM;
        read_request(p, o, d);
        dom::object params;
        if (o["model_parameters"].get(e) == SUCCESS && e.get_object().get(params) == SUCCESS) {
            dom::element b;
            if (params["logit_bias"].get(b) == SUCCESS) read_logit_bias(p, d, b);
            read_max_tokens(params, d);
            read_probs_request(params, d);
        }
        if (o["status"].get(e) == SUCCESS && get_str(e, s) && s == "failure") {
            dom::element x;
            std::string_view text;
            p.failure = (o["error_str"].get(x) == SUCCESS && get_str(x, text)) ? std::string(text) : std::string("failure");
            return;
        }
        dom::object res;
        if (response.get_object().get(res) == SUCCESS) read_response(p, res, d);
        else if (!response.is_null()) set_problem(p, "`response` is not an object");
        return;
    }
    read_response(p, o, d);
    if (d.shape != RP_SHAPE_NONE) d.kind = RP_KIND_RESPONSE;
}

int32_t deliver(rp_json_parser &p, dom::element root, int32_t index, int32_t nonfinite,
                rp_json_record_fn fn, void *ctx) {
    rp_doc d;
    reset_record(p, d);
    d.element_index = index;
    d.nonfinite_literals = nonfinite;
    read_record(p, root, d);
    if (!p.problem.empty()) d.problem = str_of(p.problem);
    if (!p.failure.empty()) d.error = str_of(p.failure);
    d.top = p.top.data();
    d.top_count = (int32_t)p.top.size();
    d.bias_ids = p.bias_ids.data();
    d.bias_values = p.bias_values.data();
    d.bias_count = (int32_t)p.bias_ids.size();
    d.tracked_ids = p.tracked.data();
    d.tracked_count = (int32_t)p.tracked.size();
    if (d.prompt_positions >= 0) {
        d.prompt_starts = p.prompt_starts.data();
        d.prompt_is_null = p.prompt_null.data();
        d.prompt_entries = p.prompt_entries.data();
    }
    return fn(&d, ctx);
}

void fill_error(rp_json_error *err, int32_t code, int64_t offset, const char *msg) {
    if (!err) return;
    err->code = code;
    err->offset = offset;
    std::snprintf(err->message, sizeof err->message, "%s", msg);
}

// Walks the whole text with On-Demand, which stops at the first problem and knows where it is.
error_code walk(ondemand::value v, int depth) {
    if (depth > 1000) return DEPTH_ERROR;
    ondemand::json_type t;
    auto err = v.type().get(t);
    if (err) return err;
    switch (t) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if ((err = v.get_object().get(o))) return err;
        for (auto field : o) {
            std::string_view k;
            if ((err = field.unescaped_key().get(k))) return err;
            ondemand::value inner;
            if ((err = field.value().get(inner))) return err;
            if ((err = walk(inner, depth + 1))) return err;
        }
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if ((err = v.get_array().get(a))) return err;
        for (auto x : a) {
            ondemand::value inner;
            if ((err = x.get(inner))) return err;
            if ((err = walk(inner, depth + 1))) return err;
        }
        return SUCCESS;
    }
    case ondemand::json_type::string: { std::string_view s; return v.get_string().get(s); }
    case ondemand::json_type::number: { double d; return v.get_double().get(d); }
    case ondemand::json_type::boolean: { bool b; return v.get_bool().get(b); }
    case ondemand::json_type::null: { bool n; err = v.is_null().get(n); return err ? err : (n ? SUCCESS : INCORRECT_TYPE); }
    }
    return SUCCESS;
}

// On-Demand walks only well-nested text: on an unclosed '[' (the two bytes "\n[", found by fuzzing the
// log-file harness) it re-enters the same array until it reads past its buffer. So brackets are balanced
// here first, outside strings; an unmatched closer is the error's position, an unclosed opener or string
// means the text ran off the end.
int64_t unbalanced_at(const char *data, size_t len) {
    std::string open;  // the openers not yet closed, innermost last
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') open.push_back(c);
        else if (c == ']' || c == '}') {
            if (open.empty() || open.back() != (c == ']' ? '[' : '{')) return (int64_t)i;
            open.pop_back();
        }
    }
    return (!open.empty() || in_string) ? (int64_t)len : -1;
}

int64_t locate_error(rp_json_parser &p, const char *data, size_t len) {
    int64_t unbalanced = unbalanced_at(data, len);
    if (unbalanced >= 0) return unbalanced;
    ondemand::document doc;
    if (p.ondemand.iterate(data, len, len + SIMDJSON_PADDING).get(doc)) return -1;
    ondemand::value root;
    auto err = doc.get_value().get(root);
    if (!err) err = walk(root, 0);
    const char *at;
    if (!err) {
        // The value itself is fine, so DOM objected to what follows it (trailing content).
        if (doc.current_location().get(at) || at < data || at > data + len) return -1;
        return (int64_t)(at - data);
    }
    if (doc.current_location().get(at)) return (int64_t)len;  // ran off the end: the text is incomplete
    if (at < data || at > data + len) return -1;
    return (int64_t)(at - data);
}

// Rewrites NaN / Infinity / -Infinity outside strings to null. Returns the number rewritten.
int32_t sanitise_nonfinite(const char *data, size_t len, std::string &out) {
    out.clear();
    out.reserve(len + SIMDJSON_PADDING);
    int32_t count = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len;) {
        char c = data[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            out.push_back(c);
            i++;
            continue;
        }
        if (c == '"') { in_string = true; out.push_back(c); i++; continue; }
        std::string_view rest(data + i, len - i);
        size_t n = 0;
        if (rest.rfind("NaN", 0) == 0) n = 3;
        else if (rest.rfind("Infinity", 0) == 0) n = 8;
        else if (rest.rfind("-Infinity", 0) == 0) n = 9;
        if (n) { out.append("null"); i += n; count++; continue; }
        out.push_back(c);
        i++;
    }
    return count;
}

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

extern "C" {

rp_json_parser *rp_json_parser_create(void) {
    try {
        return new rp_json_parser();
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
