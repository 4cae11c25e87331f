// Request bodies: model, prompt, logit_bias, whether log-probabilities were asked for, length, tracked ids.
#include "shim_internal.h"
#include <cstring>

namespace rp_shim {

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
    dom::array messages;
    if (req["messages"].get(e) == SUCCESS && e.get_array().get(messages) == SUCCESS) chat_prompt(p, d, messages);
    else if (req["prompt"].get(e) == SUCCESS && !e.is_null()) value_prompt(p, d, e);
    else if (req["input"].get(e) == SUCCESS && !e.is_null()) responses_prompt(p, d, req, e);
    else if (req["contents"].get(e) == SUCCESS && e.get_array().get(messages) == SUCCESS) gemini_prompt(p, d, req, messages);
    else if (req["text"].get(e) == SUCCESS && !e.is_null()) value_prompt(p, d, e);  // SGLang /generate
    else if (req["input_ids"].get(e) == SUCCESS && !e.is_null()) value_prompt(p, d, e);
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

}  // namespace rp_shim
