// The key set of an object: one walk over its keys instead of a lookup per key the classifiers ask about
// (each DOM lookup is itself a walk over the keys).
#include "shim_internal.h"

namespace rp_shim {
namespace {

// The bit of a key name, or 0 for a key no classifier asks about. Sorted by length so that most keys are
// settled by one comparison of sizes.
uint64_t key_bit(std::string_view k) {
    switch (k.size()) {
    case 3: return k == "url" ? RP_KEY_URL : 0;
    case 4: return k == "body" ? RP_KEY_BODY : k == "done" ? RP_KEY_DONE : 0;
    case 5: return k == "error" ? RP_KEY_ERROR : 0;
    case 6: return k == "method" ? RP_KEY_METHOD : k == "object" ? RP_KEY_OBJECT : k == "output" ? RP_KEY_OUTPUT : 0;
    case 7: return k == "choices" ? RP_KEY_CHOICES : k == "request" ? RP_KEY_REQUEST : k == "message" ? RP_KEY_MESSAGE : 0;
    case 8: return k == "response" ? RP_KEY_RESPONSE : k == "messages" ? RP_KEY_MESSAGES : 0;
    case 9: return k == "custom_id" ? RP_KEY_CUSTOM_ID : k == "meta_info" ? RP_KEY_META_INFO : 0;
    case 10: return k == "candidates" ? RP_KEY_CANDIDATES : k == "created_at" ? RP_KEY_CREATED_AT : 0;
    case 14: return k == "promptFeedback" ? RP_KEY_PROMPT_FEEDBACK : 0;
    case 16: return k == "tokens_predicted" ? RP_KEY_TOKENS_PREDICTED : 0;
    case 19: return k == "generation_settings" ? RP_KEY_GENERATION_SETTINGS : 0;
    case 24: return k == "completion_probabilities" ? RP_KEY_COMPLETION_PROBABILITIES : 0;
    default: return 0;
    }
}

// The value fact that goes with a key's first occurrence, if any.
uint64_t value_fact(uint64_t bit, dom::element v) {
    switch (bit) {
    case RP_KEY_MESSAGES: return v.is_array() ? RP_FACT_MESSAGES_IS_ARRAY : 0;
    case RP_KEY_META_INFO: return v.is_object() ? RP_FACT_META_INFO_IS_OBJECT : 0;
    case RP_KEY_OUTPUT: return v.is_array() ? RP_FACT_OUTPUT_IS_ARRAY : 0;
    case RP_KEY_CREATED_AT: return v.is_string() ? RP_FACT_CREATED_AT_IS_STRING : 0;
    case RP_KEY_OBJECT: {
        std::string_view s;
        return get_str(v, s) && s == "response" ? RP_FACT_OBJECT_IS_RESPONSE : 0;
    }
    default: return 0;
    }
}

}  // namespace

uint64_t object_keys(dom::object o) {
    uint64_t keys = 0;
    for (auto field : o) {
        uint64_t bit = key_bit(field.key);
        // A repeated key counts once, with its first value: what a lookup (`o["key"]`) would find.
        if (bit == 0 || (keys & bit)) continue;
        keys |= bit | value_fact(bit, field.value);
    }
    return keys;
}

}  // namespace rp_shim
