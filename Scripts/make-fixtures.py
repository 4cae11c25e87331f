#!/usr/bin/env python3
"""Writes the small log fixtures of Tests/RankProbeLogsTests/Fixtures/parse-*.

OpenAI shapes are built as real SDK objects (`pip install openai`) and serialised with model_dump_json(), so
they carry the SDK's null fields (refusal, audio, function_call, service_tier, ...). vLLM and llama.cpp
responses are written by hand after those servers' documented output. Values are simple so the Swift tests
can check them by hand; see Tests/RankProbeLogsTests/Parse*Tests.swift.

Run from the repository root: python3 Scripts/make-fixtures.py
"""
import gzip
import json
import os

from openai.types import Completion
from openai.types.chat import ChatCompletion

OUT = "Tests/RankProbeLogsTests/Fixtures"


def chat(cid, token, logprob, top, model="gpt-4o-mini-2024-07-18", logprobs=True):
    """A ChatCompletion whose first (only) token is `token`; `top` is [(token, logprob)]."""
    def entry(t, lp):
        return {"token": t, "logprob": lp, "bytes": list(t.encode("utf-8"))}
    content = None
    if logprobs:
        first = entry(token, logprob)
        first["top_logprobs"] = [entry(t, lp) for t, lp in top]
        content = {"content": [first], "refusal": None}
    return ChatCompletion.model_validate({
        "id": cid, "object": "chat.completion", "created": 1710000000, "model": model,
        "choices": [{"index": 0, "finish_reason": "length", "logprobs": content,
                     "message": {"role": "assistant", "content": token}}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
        "system_fingerprint": "fp_0123456789",
    })


def completion(cid, token, logprob, top):
    return Completion.model_validate({
        "id": cid, "object": "text_completion", "created": 1710000000, "model": "gpt-3.5-turbo-instruct",
        "choices": [{"index": 0, "finish_reason": "length", "text": token,
                     "logprobs": {"tokens": [token], "token_logprobs": [logprob],
                                  "top_logprobs": [dict(top)], "text_offset": [12]}}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5},
    })


def messages(text):
    return [{"role": "system", "content": "Answer with one word."}, {"role": "user", "content": text}]


def write(name, text, gz=False):
    path = os.path.join(OUT, name)
    data = text.encode("utf-8")
    if gz:
        # mtime=0 keeps the committed file byte-stable across regenerations.
        with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def main():
    # 1. Chat Completions, JSONL: a normal line, a line with a -9999 placeholder among top_logprobs, a line
    #    without logprobs (skipped), a non-ASCII token.
    lines = [
        chat("chatcmpl-1", "Paris", -0.25, [("Paris", -0.25), (" Paris", -1.5), ("Lyon", -3.0)]),
        chat("chatcmpl-2", "Yes", -0.5, [("Yes", -0.5), ("No", -1.0), ("Maybe", -9999.0)]),
        chat("chatcmpl-3", "Hi", -0.1, [], logprobs=False),
        chat("chatcmpl-4", "é", -2.0, [("é", -2.0), ("e", -0.75)]),
    ]
    write("parse-chat.jsonl", "".join(c.model_dump_json() + "\n" for c in lines))
    # 2. The same kind of object as a whole pretty-printed file, and a JSON array of responses.
    write("parse-chat-single.json", chat("chatcmpl-5", "Blue", -0.5, [("Blue", -0.5), ("Red", -2.5)]).model_dump_json(indent=2))
    array = [json.loads(chat(f"chatcmpl-a{i}", t, lp, [(t, lp)]).model_dump_json()) for i, (t, lp) in
             enumerate([("A", -1.0), ("B", -2.0)])]
    write("parse-chat-array.json", json.dumps(array, indent=1))

    # 3. Legacy Completions.
    write("parse-completions.jsonl", "".join(c.model_dump_json() + "\n" for c in [
        completion("cmpl-1", " the", -0.5, [(" the", -0.5), (" a", -1.75)]),
        completion("cmpl-2", " cat", -1.0, [(" cat", -1.0), (" dog", -1.25)]),
    ]))

    # 4. Batch API: 2 prompts × 2 forced tokens (logit_bias {id: 100}, max_tokens 1). The output is in a
    #    different order, one request failed (429), one has an error object, one custom_id is unknown.
    prompts = ["Name a colour.", "Name a city."]
    forced = [(1234, "Red"), (5678, "Rome")]
    inputs, outputs = [], []
    for p, prompt in enumerate(prompts):
        for tid, tok in forced:
            cid = f"req-{p}-{tid}"
            inputs.append({"custom_id": cid, "method": "POST", "url": "/v1/chat/completions",
                           "body": {"model": "gpt-4o-mini", "messages": messages(prompt), "max_tokens": 1,
                                    "logprobs": True, "top_logprobs": 2, "logit_bias": {str(tid): 100},
                                    "temperature": 0, "seed": p}})
    lp = {("req-0-1234"): -1.5, ("req-0-5678"): -4.0, ("req-1-1234"): -3.5, ("req-1-5678"): -0.5}
    for cid in ["req-1-5678", "req-0-1234", "req-1-1234", "req-0-5678"]:
        tok = "Rome" if cid.endswith("5678") else "Red"
        body = json.loads(chat("chatcmpl-" + cid, tok, lp[cid], [(tok, lp[cid]), ("Blue", -0.25)], model="gpt-4o-mini-2024-07-18").model_dump_json())
        status = 429 if cid == "req-1-1234" else 200
        if status != 200:
            body = {"error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}}
        outputs.append({"id": "batch_req_" + cid, "custom_id": cid,
                        "response": {"status_code": status, "request_id": "r" + cid, "body": body}, "error": None})
    outputs.append({"id": "batch_req_x", "custom_id": "req-9-9999", "response": {"status_code": 200, "request_id": "rx",
                    "body": json.loads(chat("chatcmpl-x", "Red", -1.0, []).model_dump_json())}, "error": None})
    outputs.append({"id": "batch_req_y", "custom_id": "req-0-5678", "response": None,
                    "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}})
    write("parse-batch-input.jsonl", "".join(json.dumps(x) + "\n" for x in inputs))
    write("parse-batch-output.jsonl.gz", "".join(json.dumps(x) + "\n" for x in outputs), gz=True)

    # 5. Request/response pairs, as a proxy logs them (chat and the same prompt twice).
    pairs = []
    for prompt, tok, val in [("Name a colour.", "Red", -1.5), ("Name a colour.", "Red", -1.25), ("Name a city.", "Rome", -0.5)]:
        req = {"model": "gpt-4o-mini", "messages": messages(prompt), "max_tokens": 1, "logprobs": True,
               "top_logprobs": 1, "logit_bias": {"1234": 100}}
        pairs.append({"request": req, "response": json.loads(chat("chatcmpl-p", tok, val, [(tok, val)]).model_dump_json())})
    write("parse-pairs.jsonl", "".join(json.dumps(x) + "\n" for x in pairs))

    # 6. vLLM OpenAI-compatible server (hand-written): completions with prompt_logprobs and
    #    return_tokens_as_token_ids, and chat with stop_reason.
    vllm_completion = {
        "id": "cmpl-9f1", "object": "text_completion", "created": 1720000000, "model": "meta-llama/Llama-3.1-8B",
        "choices": [{"index": 0, "text": " Paris", "finish_reason": "length", "stop_reason": None,
                     "logprobs": {"text_offset": [26], "token_logprobs": [-0.125], "tokens": ["token_id:12366"],
                                  "top_logprobs": [{"token_id:12366": -0.125, "token_id:279": -2.5}]},
                     "prompt_logprobs": [None,
                                         {"791": {"logprob": -7.5, "rank": 112, "decoded_token": "The"},
                                          "16": {"logprob": -1.0, "rank": 1, "decoded_token": ","}},
                                         {"6864": {"logprob": -3.25, "rank": 4, "decoded_token": " capital"}}]}],
        "usage": {"prompt_tokens": 3, "total_tokens": 4, "completion_tokens": 1, "prompt_tokens_details": None},
        "kv_transfer_params": None,
    }
    write("parse-vllm.jsonl", json.dumps(vllm_completion) + "\n")

    # 7. llama.cpp /completion: the current shape (ids, logprob, bytes, top_logprobs) with the echoed prompt
    #    and generation_settings, and the older {content, probs: [{tok_str, prob}]} shape.
    llama_new = {
        "content": " Paris", "id_slot": 0, "stop": True, "model": "llama-3.1-8b-q4_k_m.gguf", "tokens_predicted": 1,
        "tokens_evaluated": 7, "prompt": "The capital of France is",
        "generation_settings": {"n_predict": 1, "temperature": 0.0, "logit_bias": [[12366, 100.0]], "n_probs": 2},
        "completion_probabilities": [{"id": 12366, "token": " Paris", "logprob": -0.0625, "bytes": [32, 80, 97, 114, 105, 115],
                                      "top_logprobs": [{"id": 12366, "token": " Paris", "logprob": -0.0625, "bytes": [32, 80, 97, 114, 105, 115]},
                                                       {"id": 279, "token": " the", "logprob": -3.0, "bytes": [32, 116, 104, 101]}]}],
    }
    llama_old = {
        "content": " Paris", "model": "llama-2-7b.Q4_0.gguf", "prompt": "The capital of France is", "tokens_predicted": 1,
        "generation_settings": {"n_predict": 1, "logit_bias": [], "n_probs": 3},
        "completion_probabilities": [{"content": " Paris", "probs": [{"tok_str": " Paris", "prob": 0.5},
                                                                     {"tok_str": " the", "prob": 0.25},
                                                                     {"tok_str": " a", "prob": 0.0}]}],
    }
    write("parse-llamacpp.jsonl", json.dumps(llama_new) + "\n")
    write("parse-llamacpp-old.json", json.dumps(llama_old, indent=2) + "\n")


if __name__ == "__main__":
    main()
