// Syntax errors: where they are (On-Demand knows, DOM does not), and the NaN/Infinity rewrite.
#include "shim_internal.h"
#include <cstdio>

namespace rp_shim {

void fill_error(rp_json_error *err, int32_t code, int64_t offset, const char *msg) {
    if (!err) return;
    err->code = code;
    err->offset = offset;
    std::snprintf(err->message, sizeof err->message, "%s", msg);
}

// Walks the whole text with On-Demand, which stops at the first problem and knows where it is.
error_code walk(ondemand::value v, int depth) {
    if (depth > 1000) return DEPTH_ERROR;
    ondemand::json_type t;
    auto err = v.type().get(t);
    if (err) return err;
    switch (t) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if ((err = v.get_object().get(o))) return err;
        for (auto field : o) {
            std::string_view k;
            if ((err = field.unescaped_key().get(k))) return err;
            ondemand::value inner;
            if ((err = field.value().get(inner))) return err;
            if ((err = walk(inner, depth + 1))) return err;
        }
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if ((err = v.get_array().get(a))) return err;
        for (auto x : a) {
            ondemand::value inner;
            if ((err = x.get(inner))) return err;
            if ((err = walk(inner, depth + 1))) return err;
        }
        return SUCCESS;
    }
    case ondemand::json_type::string: { std::string_view s; return v.get_string().get(s); }
    case ondemand::json_type::number: { double d; return v.get_double().get(d); }
    case ondemand::json_type::boolean: { bool b; return v.get_bool().get(b); }
    case ondemand::json_type::null: { bool n; err = v.is_null().get(n); return err ? err : (n ? SUCCESS : INCORRECT_TYPE); }
    }
    return SUCCESS;
}

// On-Demand walks only well-nested text: on an unclosed '[' (the two bytes "\n[", found by fuzzing the
// log-file harness) it re-enters the same array until it reads past its buffer. So brackets are balanced
// here first, outside strings; an unmatched closer is the error's position, an unclosed opener or string
// means the text ran off the end.
int64_t unbalanced_at(const char *data, size_t len) {
    std::string open;  // the openers not yet closed, innermost last
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') open.push_back(c);
        else if (c == ']' || c == '}') {
            if (open.empty() || open.back() != (c == ']' ? '[' : '{')) return (int64_t)i;
            open.pop_back();
        }
    }
    return (!open.empty() || in_string) ? (int64_t)len : -1;
}

int64_t locate_error(rp_json_parser &p, const char *data, size_t len) {
    int64_t unbalanced = unbalanced_at(data, len);
    if (unbalanced >= 0) return unbalanced;
    ondemand::document doc;
    if (p.ondemand.iterate(data, len, len + SIMDJSON_PADDING).get(doc)) return -1;
    ondemand::value root;
    auto err = doc.get_value().get(root);
    if (!err) err = walk(root, 0);
    const char *at;
    if (!err) {
        // The value itself is fine, so DOM objected to what follows it (trailing content).
        if (doc.current_location().get(at) || at < data || at > data + len) return -1;
        return (int64_t)(at - data);
    }
    if (doc.current_location().get(at)) return (int64_t)len;  // ran off the end: the text is incomplete
    if (at < data || at > data + len) return -1;
    return (int64_t)(at - data);
}

// Rewrites NaN / Infinity / -Infinity outside strings to null. Returns the number rewritten.
int32_t sanitise_nonfinite(const char *data, size_t len, std::string &out) {
    out.clear();
    out.reserve(len + SIMDJSON_PADDING);
    int32_t count = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len;) {
        char c = data[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            out.push_back(c);
            i++;
            continue;
        }
        if (c == '"') { in_string = true; out.push_back(c); i++; continue; }
        std::string_view rest(data + i, len - i);
        size_t n = 0;
        if (rest.rfind("NaN", 0) == 0) n = 3;
        else if (rest.rfind("Infinity", 0) == 0) n = 8;
        else if (rest.rfind("-Infinity", 0) == 0) n = 9;
        if (n) { out.append("null"); i += n; count++; continue; }
        out.push_back(c);
        i++;
    }
    return count;
}

}  // namespace rp_shim
