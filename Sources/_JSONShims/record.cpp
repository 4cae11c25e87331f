// Envelopes: what a document is (bare response, Batch input/output line, request/response pair, LiteLLM payload), and the dispatch of a response body to its reader.
#include "shim_internal.h"

#include <cstring>

namespace rp_shim {

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

// A response body, read by the reader the Swift classifier (`BodyShape`) chooses from its keys.
void read_response(rp_json_parser &p, dom::object r, uint64_t keys, rp_doc &d) {
    dom::element e;
    std::string_view s;
    if (r["model"].get(e) == SUCCESS && get_str(e, s)) d.model = str_of(s);
    if ((keys & RP_KEY_ERROR) && r["error"].get(e) == SUCCESS) read_error(p, e);
    dom::array arr;
    if (r["prompt_logprobs"].get(e) == SUCCESS && e.get_array().get(arr) == SUCCESS) read_prompt_logprobs(p, arr, d);
    if (r["kv_transfer_params"].get(e) == SUCCESS) d.vllm = 1;
    // An echoed prompt is used only when there is no request body (see LogParser docs).
    bool want_prompt = d.prompt_form == RP_PROMPT_NONE;
    switch (p.body_reader(keys)) {
    case RP_READER_SGLANG: {
        dom::object meta;
        if (r["meta_info"].get(e) == SUCCESS && e.get_object().get(meta) == SUCCESS) read_sglang(p, meta, d);
        return;
    }
    case RP_READER_GEMINI: read_gemini(p, r, d); return;
    case RP_READER_RESPONSES: read_responses_api(p, r, d); return;
    case RP_READER_OLLAMA: read_ollama(p, r, d); return;
    case RP_READER_LLAMACPP: read_llamacpp_body(p, r, d, want_prompt); return;
    default: read_openai(p, r, d, want_prompt); return;
    }
}

// A response body inside an envelope: its own keys decide its reader.
void read_inner_response(rp_json_parser &p, dom::object r, rp_doc &d) { read_response(p, r, object_keys(r), d); }

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
    p.parts.clear();
    p.prompt_tokens.clear();
}

// The envelope the Swift classifier (`RecordShape`) chooses from the root's keys, then the reader(s) it
// holds; a root that is no envelope is read as a response body (with the same key set).
void read_record(rp_json_parser &p, dom::element root, rp_doc &d) {
    dom::object o;
    if (root.get_object().get(o) != SUCCESS) { set_problem(p, "the JSON value is not an object"); return; }
    uint64_t keys = object_keys(o);
    dom::element e, response;
    std::string_view s;
    if ((keys & RP_KEY_CUSTOM_ID) && o["custom_id"].get(e) == SUCCESS && get_str(e, s)) d.custom_id = str_of(s);
    // The classifier's choice is trusted for the reader, not for memory: every value is still looked up.
    bool has_response = (keys & RP_KEY_RESPONSE) && o["response"].get(response) == SUCCESS;
    switch (p.record_kind(keys)) {
    case RP_KIND_BATCH_INPUT: {
        d.kind = RP_KIND_BATCH_INPUT;
        dom::object req;
        if (o["body"].get(e) == SUCCESS && e.get_object().get(req) == SUCCESS) read_request(p, req, d);
        else set_problem(p, "batch input `body` is not an object");
        return;
    }
    case RP_KIND_BATCH_OUTPUT: {
        d.kind = RP_KIND_BATCH_OUTPUT;
        if (o["error"].get(e) == SUCCESS) read_error(p, e);
        dom::object env;
        if (has_response && response.get_object().get(env) == SUCCESS) {
            int64_t code;
            if (env["status_code"].get(e) == SUCCESS && e.get_int64().get(code) == SUCCESS) d.status_code = (int32_t)code;
            dom::object rb;
            if (env["body"].get(e) == SUCCESS && e.get_object().get(rb) == SUCCESS) read_inner_response(p, rb, d);
        }
        return;
    }
    case RP_KIND_PAIR: {
        d.kind = RP_KIND_PAIR;
        dom::object req, res;
        if (o["request"].get(e) == SUCCESS && e.get_object().get(req) == SUCCESS) read_request(p, req, d);
        else set_problem(p, "`request` is not an object");
        if (has_response && response.get_object().get(res) == SUCCESS) read_inner_response(p, res, d);
        else set_problem(p, "`response` is not an object");
        return;
    }
    case RP_KIND_LITELLM: {
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
        if (has_response && response.get_object().get(res) == SUCCESS) read_inner_response(p, res, d);
        else if (!has_response || !response.is_null()) set_problem(p, "`response` is not an object");
        return;
    }
    default:
        read_response(p, o, keys, d);
        if (d.shape != RP_SHAPE_NONE) d.kind = RP_KIND_RESPONSE;
    }
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
    if (d.prompt_form == RP_PROMPT_MESSAGES || d.prompt_form == RP_PROMPT_GEMINI) {
        d.prompt_parts = p.parts.data();
        d.prompt_part_count = (int32_t)p.parts.size();
    } else if (d.prompt_form == RP_PROMPT_TOKENS) {
        d.prompt_tokens = p.prompt_tokens.data();
        d.prompt_token_count = (int32_t)p.prompt_tokens.size();
    }
    if (d.prompt_positions >= 0) {
        d.prompt_starts = p.prompt_starts.data();
        d.prompt_is_null = p.prompt_null.data();
        d.prompt_entries = p.prompt_entries.data();
    }
    return fn(&d, ctx);
}

}  // namespace rp_shim
