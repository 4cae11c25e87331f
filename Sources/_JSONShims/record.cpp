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
        read_llamacpp_body(p, r, d, want_prompt);
        return;
    }
    read_openai(p, r, d, want_prompt);
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

}  // namespace rp_shim
