// OpenAI Chat Completions and legacy Completions bodies, with vLLM's extras.
#include "shim_internal.h"

namespace rp_shim {

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

// OpenAI-shaped bodies (OpenAI, vLLM and most servers): choices[0] of a chat or legacy completions answer,
// with vLLM's extras (prompt_token_ids, stop_reason, prompt_logprobs in the choice).
void read_openai(rp_json_parser &p, dom::object r, rp_doc &d, bool want_prompt) {
    dom::element e;
    dom::array arr;
    if (r["prompt_token_ids"].get(e) == SUCCESS) {
        d.vllm = 1;
        if (want_prompt && !e.is_null()) {
            value_prompt(p, d, e);
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
        value_prompt(p, d, e);
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

}  // namespace rp_shim
