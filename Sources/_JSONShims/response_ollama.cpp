// Ollama /api/generate and /api/chat bodies.
#include "shim_internal.h"

namespace rp_shim {

// Ollama /api/generate and /api/chat: {model, created_at, response | message, done, logprobs[]}.
void read_ollama(rp_json_parser &p, dom::object r, rp_doc &d) {
    d.shape = RP_SHAPE_OLLAMA;
    dom::element e;
    dom::array list;
    if (r["logprobs"].get(e) == SUCCESS && e.get_array().get(list) == SUCCESS)
        read_entry_list_first(p, list, d, "logprobs[0] is not an object");
}

}  // namespace rp_shim
