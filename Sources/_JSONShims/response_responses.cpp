// OpenAI Responses API bodies.
#include "shim_internal.h"

namespace rp_shim {

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

}  // namespace rp_shim
