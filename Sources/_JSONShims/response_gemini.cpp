// Gemini generateContent bodies.
#include "shim_internal.h"

namespace rp_shim {

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

}  // namespace rp_shim
