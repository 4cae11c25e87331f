// llama.cpp server responses (/completion, both token-object shapes).
#include "shim_internal.h"

namespace rp_shim {

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
    read_first_entry(p, first, d);
    // `prob`/`top_probs` instead of `logprob`/`top_logprobs`: llama.cpp's post_sampling_probs.
    if ((d.sampled.flags & RP_ENTRY_FROM_PROB) || first["top_probs"].get(e) == SUCCESS) d.post_sampling = 1;
}

// A llama.cpp /completion body: completion_probabilities, the echoed generation_settings and prompt.
void read_llamacpp_body(rp_json_parser &p, dom::object r, rp_doc &d, bool want_prompt) {
    dom::element e;
    dom::array arr;
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
        value_prompt(p, d, e);
    }
}

}  // namespace rp_shim
