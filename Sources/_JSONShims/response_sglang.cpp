// SGLang /generate bodies: meta_info logprob tuples.
#include "shim_internal.h"
#include <algorithm>

namespace rp_shim {

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

}  // namespace rp_shim
