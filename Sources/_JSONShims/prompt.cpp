// The prompt's pieces, which Swift (`PromptKey`) composes into the canonical bytes a row key digests: the
// messages of a chat / Responses / Gemini request (role and content, structured content as minified JSON),
// or a prompt string, a token-id list, or any other prompt value as minified JSON. Which request field is
// the prompt is decided in request.cpp; how the pieces become bytes, in Swift.
#include "shim_internal.h"

namespace rp_shim {
namespace {

void add_part(rp_json_parser &p, int32_t kind, rp_str role, rp_str text) { p.parts.push_back(rp_prompt_part{kind, role, text}); }

// Text kept in the arena (never reallocated, so the slice stays valid for the callback).
bool arena_text(rp_json_parser &p, std::string_view s, rp_str &out) {
    size_t start = p.arena.size();
    if (!arena_put(p, s)) return false;
    out = rp_str{p.arena.data() + start, (int64_t)s.size()};
    return true;
}

// A message's content: a string as is, null as none, anything else as minified JSON.
bool content_text(rp_json_parser &p, dom::element c, rp_str &out) {
    std::string_view s;
    if (get_str(c, s)) { out = str_of(s); return true; }
    if (c.is_null()) { out = no_str(); return true; }
    return arena_text(p, minify(c), out);
}

bool message_parts(rp_json_parser &p, dom::array messages) {
    for (dom::element m : messages) {
        dom::object o;
        if (m.get_object().get(o) != SUCCESS) { set_problem(p, "a message is not an object"); return false; }
        std::string_view s;
        dom::element e;
        rp_str role = (o["role"].get(e) == SUCCESS && get_str(e, s)) ? str_of(s) : no_str();
        rp_str content = no_str();
        if (o["content"].get(e) == SUCCESS && !content_text(p, e, content)) return false;
        add_part(p, RP_PART_MESSAGE, role, content);
    }
    return true;
}

// One Gemini turn {role, parts: [{text} | other part]}: the turn, then each part's text (a non-text part as
// minified JSON).
bool gemini_turn(rp_json_parser &p, int32_t kind, dom::element content) {
    dom::object c;
    if (content.get_object().get(c) != SUCCESS) { set_problem(p, "a Gemini content is not an object"); return false; }
    std::string_view s;
    dom::element e;
    rp_str role = (kind == RP_PART_MESSAGE && c["role"].get(e) == SUCCESS && get_str(e, s)) ? str_of(s) : no_str();
    add_part(p, kind, role, no_str());
    dom::array parts;
    if (c["parts"].get(e) != SUCCESS || e.get_array().get(parts) != SUCCESS) return true;
    for (dom::element part : parts) {
        dom::object po;
        rp_str text;
        if (part.get_object().get(po) == SUCCESS && po["text"].get(e) == SUCCESS && get_str(e, s)) text = str_of(s);
        else if (!arena_text(p, minify(part), text)) return false;
        add_part(p, RP_PART_CONTINUED, no_str(), text);
    }
    return true;
}

}  // namespace

void begin_prompt(rp_json_parser &p, rp_doc &d) {
    p.parts.clear();
    p.prompt_tokens.clear();
    d.prompt_form = RP_PROMPT_NONE;
    d.prompt_text = no_str();
}

bool chat_prompt(rp_json_parser &p, rp_doc &d, dom::array messages) {
    begin_prompt(p, d);
    if (!message_parts(p, messages)) return false;
    d.prompt_form = RP_PROMPT_MESSAGES;
    return true;
}

bool value_prompt(rp_json_parser &p, rp_doc &d, dom::element prompt) {
    begin_prompt(p, d);
    std::string_view s;
    dom::array a;
    bool is_array = prompt.get_array().get(a) == SUCCESS;
    if (get_str(prompt, s) || (is_array && a.size() == 1 && get_str(a.at(0).value_unsafe(), s))) {
        d.prompt_text = str_of(s);
        d.prompt_form = RP_PROMPT_TEXT;
        return true;
    }
    if (is_array && a.size() > 0) {
        bool all_ints = true;
        for (dom::element x : a) if (!x.is_int64()) { all_ints = false; break; }
        if (all_ints) {
            for (dom::element x : a) {
                int64_t v = 0;
                (void)x.get_int64().get(v);
                p.prompt_tokens.push_back(v);
            }
            d.prompt_form = RP_PROMPT_TOKENS;
            return true;
        }
    }
    if (!arena_text(p, minify(prompt), d.prompt_text)) return false;
    d.prompt_form = RP_PROMPT_JSON;
    return true;
}

// OpenAI Responses: `instructions` (a string), then `input`: a string, a list of messages, or anything else.
bool responses_prompt(rp_json_parser &p, rp_doc &d, dom::object req, dom::element input) {
    begin_prompt(p, d);
    dom::element e;
    std::string_view s;
    if (req["instructions"].get(e) == SUCCESS && get_str(e, s)) add_part(p, RP_PART_INSTRUCTIONS, no_str(), str_of(s));
    dom::array messages;
    rp_str text;
    if (get_str(input, s)) add_part(p, RP_PART_INPUT_TEXT, no_str(), str_of(s));
    else if (input.get_array().get(messages) == SUCCESS) { if (!message_parts(p, messages)) return false; }
    else if (arena_text(p, minify(input), text)) add_part(p, RP_PART_INPUT_JSON, no_str(), text);
    else return false;
    d.prompt_form = RP_PROMPT_MESSAGES;
    return true;
}

// Gemini `systemInstruction` / `system_instruction` (a content object), then `contents`.
bool gemini_prompt(rp_json_parser &p, rp_doc &d, dom::object req, dom::array contents) {
    begin_prompt(p, d);
    dom::element e;
    if ((req["systemInstruction"].get(e) == SUCCESS || req["system_instruction"].get(e) == SUCCESS) &&
        !gemini_turn(p, RP_PART_INSTRUCTIONS, e)) return false;
    for (dom::element c : contents) if (!gemini_turn(p, RP_PART_MESSAGE, c)) return false;
    d.prompt_form = RP_PROMPT_GEMINI;
    return true;
}

}  // namespace rp_shim
