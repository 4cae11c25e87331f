// The canonical prompt bytes a row key is the digest of.
#include "shim_internal.h"

namespace rp_shim {

// Canonical prompt bytes. Chat: "chat\n" then role 0x1F content 0x1E per message (string content as is,
// structured content as minified JSON). Completions/llama.cpp: "prompt\n" + string, "tokens\n" + ids
// joined by ',', or "json\n" + minified JSON for other prompt forms. The tag keeps a chat prompt and a
// text prompt with equal bytes from colliding; nothing else of the request enters the key.
bool canonical_messages(rp_json_parser &p, dom::array messages) {
    bool ok = arena_put(p, "chat\n");
    for (dom::element m : messages) {
        dom::object o;
        if (m.get_object().get(o) != SUCCESS) { set_problem(p, "a message is not an object"); return false; }
        std::string_view role;
        dom::element role_e, content_e;
        if (o["role"].get(role_e) == SUCCESS) get_str(role_e, role);
        ok = ok && arena_put(p, role) && arena_put(p, "\x1f");
        if (o["content"].get(content_e) == SUCCESS) {
            std::string_view s;
            if (get_str(content_e, s)) ok = ok && arena_put(p, s);
            else if (!content_e.is_null()) ok = ok && arena_put(p, minify(content_e));
        }
        ok = ok && arena_put(p, "\x1e");
    }
    return ok;
}

bool canonical_prompt(rp_json_parser &p, dom::element prompt) {
    std::string_view s;
    if (get_str(prompt, s)) return arena_put(p, "prompt\n") && arena_put(p, s);
    dom::array a;
    if (prompt.get_array().get(a) == SUCCESS) {
        if (a.size() == 1 && get_str(a.at(0).value_unsafe(), s)) return arena_put(p, "prompt\n") && arena_put(p, s);
        bool all_ints = a.size() > 0;
        for (dom::element x : a) if (!x.is_int64()) { all_ints = false; break; }
        if (all_ints) {
            bool ok = arena_put(p, "tokens\n");
            bool first = true;
            for (dom::element x : a) {
                char buf[24];
                int64_t v = 0;
                (void)x.get_int64().get(v);
                auto r = std::to_chars(buf, buf + sizeof buf, v);
                ok = ok && (first || arena_put(p, ",")) && arena_put(p, std::string_view(buf, r.ptr - buf));
                first = false;
            }
            return ok;
        }
    }
    return arena_put(p, "json\n") && arena_put(p, minify(prompt));
}

void set_prompt(rp_json_parser &p, rp_doc &d, size_t start) {
    d.prompt = rp_str{p.arena.data() + start, (int64_t)(p.arena.size() - start)};
}

// One message of a chat-like prompt in the canonical form: role 0x1F content 0x1E.
bool canonical_message(rp_json_parser &p, std::string_view role, std::string_view content) {
    return arena_put(p, role) && arena_put(p, "\x1f") && arena_put(p, content) && arena_put(p, "\x1e");
}

// OpenAI Responses `input`: a string is one user message (so it keys like the same chat prompt); a list
// of messages is read as chat `messages`. `instructions` come first, as the system message they act as.
bool canonical_responses_input(rp_json_parser &p, dom::object req, dom::element input) {
    bool ok = arena_put(p, "chat\n");
    dom::element e;
    std::string_view s;
    if (req["instructions"].get(e) == SUCCESS && get_str(e, s)) ok = ok && canonical_message(p, "system", s);
    if (get_str(input, s)) return ok && canonical_message(p, "user", s);
    dom::array messages;
    if (input.get_array().get(messages) != SUCCESS) return ok && arena_put(p, minify(input));
    size_t before = p.arena.size();
    if (!canonical_messages(p, messages)) return false;
    // canonical_messages wrote its own "chat\n" tag: drop it (the tag is already in place).
    p.arena.erase(before, 5);
    return ok;
}

// Gemini `contents: [{role, parts: [{text}]}]` (+ `systemInstruction`): role and the concatenated part
// texts per turn; non-text parts enter as minified JSON. Gemini's "model" role is the assistant's.
bool canonical_gemini(rp_json_parser &p, dom::object req, dom::array contents) {
    bool ok = arena_put(p, "chat\n");
    dom::element e;
    auto turn = [&](std::string_view role, dom::element content) {
        dom::object c;
        dom::array parts;
        if (content.get_object().get(c) != SUCCESS) { set_problem(p, "a Gemini content is not an object"); return false; }
        std::string_view r = role;
        dom::element re;
        if (r.empty() && c["role"].get(re) == SUCCESS) get_str(re, r);
        if (r == "model") r = "assistant";
        bool good = arena_put(p, r.empty() ? std::string_view("user") : r) && arena_put(p, "\x1f");
        dom::element pe;
        if (c["parts"].get(pe) == SUCCESS && pe.get_array().get(parts) == SUCCESS) {
            for (dom::element part : parts) {
                dom::object po;
                dom::element te;
                std::string_view text;
                if (part.get_object().get(po) == SUCCESS && po["text"].get(te) == SUCCESS && get_str(te, text)) good = good && arena_put(p, text);
                else good = good && arena_put(p, minify(part));
            }
        }
        return good && arena_put(p, "\x1e");
    };
    if (req["systemInstruction"].get(e) == SUCCESS || req["system_instruction"].get(e) == SUCCESS) ok = ok && turn("system", e);
    for (dom::element c : contents) { ok = ok && turn("", c); if (!p.problem.empty()) return false; }
    return ok;
}

}  // namespace rp_shim
