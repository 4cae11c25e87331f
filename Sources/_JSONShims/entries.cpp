// Token objects of every API shape, and the lists that hold them.
#include "shim_internal.h"

namespace rp_shim {

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

// The first generated position from its token object: the sampled entry and its alternatives.
void read_first_entry(rp_json_parser &p, dom::object first, rp_doc &d) {
    dom::array top;
    bool has_top = false;
    d.sampled = read_entry(p, first, d.vllm, &top, &has_top);
    d.has_sampled = 1;
    d.has_logprobs = 1;
    if (has_top) read_alternatives(p, top, d.vllm, p.top);
}

// The first generated position of an entry list [{token, logprob, bytes, top_logprobs}] (chat
// `logprobs.content`, Responses `output_text.logprobs`, Ollama `logprobs`): sampled entry and its alternatives.
void read_entry_list_first(rp_json_parser &p, dom::array list, rp_doc &d, const char *what) {
    if (list.size() == 0) return;
    dom::object first;
    if (list.at(0).get_object().get(first) != SUCCESS) { set_problem(p, what); return; }
    read_first_entry(p, first, d);
}

}  // namespace rp_shim
