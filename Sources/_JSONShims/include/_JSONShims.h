// rankprobe's JSON shim: simdjson (Debian's 3.0.1) behind a small C API made for API-log extraction.
//
// Why a purpose-built extractor and not a general DOM in Swift: measured on this machine simdjson parses
// 640–970 MB/s against ~49 MB/s for Foundation's JSONDecoder, but most of that advantage is lost if every
// value is re-materialised as a Swift object. The C++ side therefore reads the few log shapes rankprobe knows
// and hands back one flat `rp_doc` per record: scalars, plus strings as pointer+length into memory owned by the
// parser. Everything a callback receives is valid only until the callback returns. Which shape a record has is
// not decided here: the shim reports each object's key set (RP_KEY_*) to classifiers written in Swift, given
// to `rp_json_parser_create`, and runs the reader they choose.
//
// Errors travel as return codes (simdjson's error-code API, no exceptions cross this boundary) with a message
// and, when it can be located, the byte offset of the problem.
#ifndef RANKPROBE_JSON_SHIMS_H
#define RANKPROBE_JSON_SHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes that must be readable after the end of a buffer passed with `capacity >= len + RP_JSON_PADDING`
/// (simdjson reads in 64-byte blocks). Smaller capacities are accepted; the shim then copies the input.
#define RP_JSON_PADDING 64

/// A string slice. `ptr == NULL` means absent or JSON null. Not NUL-terminated.
typedef struct {
    const char *ptr;
    int64_t len;
} rp_str;

/// Sentinel for "no token id".
#define RP_NO_ID INT64_MIN

/// `rp_entry.flags`
enum {
    /// The API gave a probability (llama.cpp `prob`); `logprob` is its natural log.
    RP_ENTRY_FROM_PROB = 1,
    /// `logprob` was JSON null, missing, not a number, or a NaN/Infinity literal: `logprob` is NaN.
    RP_ENTRY_NO_VALUE = 2,
};

/// One token with its log-probability.
typedef struct {
    /// Token id (`id`, Gemini `tokenId`, SGLang tuples, vLLM `token_id:N` strings, prompt_logprobs keys), or RP_NO_ID.
    int64_t id;
    /// Token text (`token`, `tok_str`, `decoded_token`, legacy dict key).
    rp_str token;
    /// Raw token bytes decoded from an integer `bytes` array (OpenAI, llama.cpp); ptr NULL if absent.
    rp_str bytes;
    double logprob;
    int32_t flags;
} rp_entry;

/// What a document is, judged from its keys.
typedef enum {
    RP_KIND_UNKNOWN = 0,
    /// A bare response body (`shape` says which).
    RP_KIND_RESPONSE = 1,
    /// OpenAI Batch API input line: {custom_id, method, url, body}.
    RP_KIND_BATCH_INPUT = 2,
    /// OpenAI Batch API output line: {id, custom_id, response: {status_code, request_id, body}, error}.
    RP_KIND_BATCH_OUTPUT = 3,
    /// {request: body, response: body}.
    RP_KIND_PAIR = 4,
    /// LiteLLM's StandardLoggingPayload: {messages, model_parameters, response, status, error_str, …}.
    RP_KIND_LITELLM = 5,
} rp_kind;

/// The shape of the response body inside a document.
typedef enum {
    RP_SHAPE_NONE = 0,
    RP_SHAPE_CHAT = 1,        // choices[].logprobs.content[]
    RP_SHAPE_COMPLETIONS = 2, // choices[].logprobs.{tokens, token_logprobs, top_logprobs}
    RP_SHAPE_LLAMACPP = 3,    // completion_probabilities[] {id, token, logprob|prob, bytes, top_logprobs|top_probs}
    RP_SHAPE_LLAMACPP_OLD = 4,// completion_probabilities[] {content, probs: [{tok_str, prob}]}
    RP_SHAPE_ERROR = 5,       // a body that only carries `error`
    RP_SHAPE_RESPONSES = 6,   // OpenAI Responses API: output[].content[] output_text with logprobs[]
    RP_SHAPE_GEMINI = 7,      // Gemini generateContent: candidates[].logprobsResult
    RP_SHAPE_OLLAMA = 8,      // Ollama /api/generate, /api/chat: top-level logprobs[]
    RP_SHAPE_SGLANG = 9,      // SGLang /generate: meta_info.output_*_logprobs tuples [logprob, id, text]
} rp_shape;

/// The keys of a JSON object that decide what a record is and which reader its response body needs: one
/// bit per key name (set when the object has the key, whatever its value), plus `RP_FACT_*` bits for the few
/// value facts the decisions use. The shim walks an object's keys once to build the set (for a repeated key
/// only the first occurrence counts, as in a lookup) and hands it to the Swift classifiers
/// (`RecordShape.classify(rootKeys:)`, `BodyShape.classify(keys:)` in RankProbeLogRecords); the decision
/// rules live there.
enum {
    // Envelope keys (the root object).
    RP_KEY_CUSTOM_ID = 1 << 0,
    RP_KEY_BODY = 1 << 1,
    RP_KEY_METHOD = 1 << 2,
    RP_KEY_URL = 1 << 3,
    RP_KEY_RESPONSE = 1 << 4,   // also an Ollama /api/generate body key
    RP_KEY_ERROR = 1 << 5,
    RP_KEY_REQUEST = 1 << 6,
    RP_KEY_MESSAGES = 1 << 7,
    // Response-body keys.
    RP_KEY_CHOICES = 1 << 8,
    RP_KEY_META_INFO = 1 << 9,
    RP_KEY_CANDIDATES = 1 << 10,
    RP_KEY_PROMPT_FEEDBACK = 1 << 11,
    RP_KEY_OBJECT = 1 << 12,
    RP_KEY_OUTPUT = 1 << 13,
    RP_KEY_CREATED_AT = 1 << 14,
    RP_KEY_DONE = 1 << 15,
    RP_KEY_MESSAGE = 1 << 16,
    RP_KEY_COMPLETION_PROBABILITIES = 1 << 17,
    RP_KEY_GENERATION_SETTINGS = 1 << 18,
    RP_KEY_TOKENS_PREDICTED = 1 << 19,
    // Value facts (each implies its key's bit).
    RP_FACT_MESSAGES_IS_ARRAY = 1 << 24,
    RP_FACT_META_INFO_IS_OBJECT = 1 << 25,
    RP_FACT_OBJECT_IS_RESPONSE = 1 << 26,   // `object` is the string "response"
    RP_FACT_OUTPUT_IS_ARRAY = 1 << 27,
    RP_FACT_CREATED_AT_IS_STRING = 1 << 28,
};

/// Which reader a response body goes to (`BodyShape` in Swift). The reader then settles the finer
/// `rp_shape` (chat or completions, old or new llama.cpp entries, error-only) from the values it reads.
typedef enum {
    RP_READER_OPENAI = 0,   // choices[] (OpenAI, vLLM, most servers), and bodies no other reader claims
    RP_READER_LLAMACPP = 1,
    RP_READER_SGLANG = 2,
    RP_READER_GEMINI = 3,
    RP_READER_RESPONSES = 4,
    RP_READER_OLLAMA = 5,
} rp_reader;

/// A classifier: a key set (RP_KEY_* | RP_FACT_*) in, a decision out (an rp_kind for the root object, an
/// rp_reader for a response body). Called synchronously, on the thread that runs `rp_json_extract`.
typedef int32_t (*rp_classify_fn)(uint64_t keys);

/// How a document gives its prompt (`rp_doc.prompt_form`), counted from 0 (none): chat `messages` or an OpenAI
/// Responses `instructions`/`input` (`prompt_parts`); Gemini `systemInstruction` and `contents`
/// (`prompt_parts`, with Gemini's role names); a prompt string or a list of one string (`prompt_text`); a list
/// of token ids (`prompt_tokens`); any other prompt value (`prompt_text` is its minified JSON).
typedef enum {
    RP_PROMPT_NONE, RP_PROMPT_MESSAGES, RP_PROMPT_GEMINI, RP_PROMPT_TEXT, RP_PROMPT_TOKENS, RP_PROMPT_JSON,
} rp_prompt_form;

/// `rp_prompt_part.kind`
enum {
    /// Starts a message: `role` (NULL when absent or not a string) and `text` its content (NULL: none;
    /// structured content comes as minified JSON).
    RP_PART_MESSAGE = 1,
    /// More content of the message before (a Gemini turn's parts, one piece each).
    RP_PART_CONTINUED = 2,
    /// Responses `instructions` (its `text`), or Gemini's `systemInstruction` (its parts follow).
    RP_PART_INSTRUCTIONS = 3,
    /// Responses `input` given as a string.
    RP_PART_INPUT_TEXT = 4,
    /// Responses `input` that is neither a string nor a list: its minified JSON.
    RP_PART_INPUT_JSON = 5,
};

/// One piece of a prompt; slices point into the document or the parser's memory.
typedef struct {
    int32_t kind;
    rp_str role;
    rp_str text;
} rp_prompt_part;

/// One extracted record. Pointers are valid until the callback returns.
typedef struct {
    int32_t kind;   // rp_kind
    int32_t shape;  // rp_shape of the response body (none for batch input lines)
    /// 1 when the response carries vLLM-only fields (prompt_logprobs, stop_reason, prompt_token_ids,
    /// `token_id:N` tokens).
    int32_t vllm;
    /// 0-based index when the document is a top-level array of records, else -1.
    int32_t element_index;

    rp_str custom_id;
    /// `model` of the response, and of the request body.
    rp_str model;
    rp_str request_model;
    /// Batch output `response.status_code` (-1 when absent).
    int32_t status_code;
    /// Failure text when the record reports a failed request (`error` object/string, non-200 status).
    rp_str error;
    /// Why the record could not be read although the JSON was valid (wrong types in fields we need).
    rp_str problem;

    /// The prompt, in pieces (see rp_prompt_form); Swift's `PromptKey` composes the canonical bytes the row
    /// key digests. prompt_form is RP_PROMPT_NONE when the document holds no prompt.
    int32_t prompt_form;
    /// RP_PROMPT_TEXT: the string; RP_PROMPT_JSON: the value as minified JSON.
    rp_str prompt_text;
    /// RP_PROMPT_MESSAGES, RP_PROMPT_GEMINI: the messages' pieces in order.
    const rp_prompt_part *prompt_parts;
    int32_t prompt_part_count;
    /// RP_PROMPT_TOKENS: the token ids.
    const int64_t *prompt_tokens;
    int32_t prompt_token_count;
    /// 1 when the document has a request body (batch input `body`, pair `request`).
    int32_t has_request;
    /// max_tokens / max_completion_tokens / n_predict, or -1.
    int64_t max_tokens;
    const int64_t *bias_ids;
    const double *bias_values;
    int32_t bias_count;

    /// 1 when the response has log-probabilities for its first generated position.
    int32_t has_logprobs;
    int32_t has_sampled;
    rp_entry sampled;
    const rp_entry *top;
    int32_t top_count;

    /// vLLM prompt_logprobs: `prompt_positions` positions; position i holds entries
    /// prompt_entries[prompt_starts[i] ..< prompt_starts[i+1]]; prompt_is_null[i] marks JSON null.
    /// prompt_positions is -1 when the field is absent.
    int32_t prompt_positions;
    const int32_t *prompt_starts;
    const uint8_t *prompt_is_null;
    const rp_entry *prompt_entries;

    /// Count of NaN / Infinity / -Infinity literals (not valid JSON, but Python's json module writes them)
    /// that were read as null so the rest of the record survives.
    int32_t nonfinite_literals;

    /// 1 when the bias of the request is known: the document holds the request body, or a llama.cpp
    /// response echoes its `generation_settings` (whose `logit_bias` is then the request's bias).
    int32_t bias_known;
    /// 1 when `logit_bias` names tokens by text (llama.cpp tokenises `[["text", b]]` / `{"text": b}` on the
    /// server): the biased ids are unknown, so the protocol cannot be established.
    int32_t bias_by_text;
    /// Tokens banned by `logit_bias` (`false`, or an echoed bias of null / -inf); not in bias_ids.
    int32_t bias_banned;
    /// 1 when the probabilities are llama.cpp's `post_sampling_probs` (`prob`/`top_probs`, or the echoed
    /// setting): taken after the sampler chain and renormalised over the tokens it kept.
    int32_t post_sampling;
    /// Whether log-probabilities were asked for: 1 yes (`logprobs` true/N, `top_logprobs`, `n_probs` > 0 in
    /// the request or llama.cpp's echoed settings), 0 asked not to, -1 unknown.
    int32_t probs_requested;
    /// Token ids whose log-probabilities the request asked for by id (vLLM `logprob_token_ids`, SGLang
    /// `token_ids_logprob`): the tracked-token protocol. tracked_count is 0 when there are none.
    const int64_t *tracked_ids;
    int32_t tracked_count;
} rp_doc;

typedef struct {
    /// simdjson error code, or 1000+ for shim errors.
    int32_t code;
    /// Byte offset of the problem within the buffer, or -1 when simdjson cannot say.
    int64_t offset;
    char message[240];
} rp_json_error;

typedef struct rp_json_parser rp_json_parser;

/// `record_kind` decides the kind of each document from its root keys (RP_KIND_RESPONSE: the root is itself
/// a response body, or nothing known); `body_reader` decides the reader of each response body from its keys.
/// Returns NULL when out of memory or when a classifier is NULL.
rp_json_parser *rp_json_parser_create(rp_classify_fn record_kind, rp_classify_fn body_reader);
void rp_json_parser_destroy(rp_json_parser *parser);

/// Return nonzero to stop after this record.
typedef int32_t (*rp_json_record_fn)(const rp_doc *doc, void *context);

/// Parses one JSON text (a line, or a whole file) and calls `fn` for each record in it: once for an
/// object, once per element for a top-level array. Returns 0, or an error code with `error` filled; on a
/// syntax error no record is delivered. `capacity` is the readable size of `data` (see RP_JSON_PADDING).
int32_t rp_json_extract(rp_json_parser *parser, const char *data, size_t len, size_t capacity,
                        rp_json_record_fn fn, void *context, rp_json_error *error);

/// Cheap validity check (full parse, no extraction). Returns 0 when `data` is one valid JSON text.
int32_t rp_json_validate(rp_json_parser *parser, const char *data, size_t len, size_t capacity,
                         rp_json_error *error);

/// 64×64 → 128-bit multiply, high and low halves folded together (the mixing step of `rp_hash128`).
static inline uint64_t rp_fold_multiply(uint64_t a, uint64_t b) {
    __uint128_t p = (__uint128_t)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/// Two 64-bit hashes of `len` bytes under the keys `k0` and `k1` (rankprobe's in-process fingerprint of a
/// custom_id or canonical prompt; see `RequestID`). Each lane folds 8 bytes at a time into its state with
/// a full 64×64-bit multiply, then avalanches; the lanes differ in key and constants. Not a checksum and
/// not for data that outlives the process (the keys are random per process).
static inline void rp_hash128(const void *data, size_t len, uint64_t k0, uint64_t k1, uint64_t *high, uint64_t *low) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t a = k0 ^ ((uint64_t)len * 0x9E3779B97F4A7C15ull);
    uint64_t b = k1 ^ ((uint64_t)len * 0xC2B2AE3D27D4EB4Full);
    size_t n = len;
    while (n >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        a = rp_fold_multiply(a ^ w, 0xA0761D6478BD642Full);
        b = rp_fold_multiply(b ^ w, 0xE7037ED1A0B428DBull);
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t w = 0;
        __builtin_memcpy(&w, p, n);
        a = rp_fold_multiply(a ^ w ^ 0x8EBC6AF09C88C6E3ull, 0xA0761D6478BD642Full);
        b = rp_fold_multiply(b ^ w ^ 0x589965CC75374CC3ull, 0xE7037ED1A0B428DBull);
    }
    *high = rp_fold_multiply(a ^ (a >> 29) ^ k1, 0x1D8E4E27C47D124Full);
    *low = rp_fold_multiply(b ^ (b >> 31) ^ k0, 0xD6E8FEB86659FD93ull);
}


#ifdef __cplusplus
}
#endif
#endif
