#!/usr/bin/env python3
"""Writes Tests/RankProbeLogsTests/Fixtures/openai-sdk/: OpenAI Responses API and Chat Completions traffic
built with the `openai` package's own types (`Response`, `ChatCompletion`) and dumped with
`model_dump_json()`, so the fixtures have exactly the fields and nulls the SDK writes.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install openai
    /tmp/venv/bin/python Scripts/make-openai-sdk-fixtures.py

The values are made up but fixed (the tests pin them): prompt i's first token is token `T{i}` with
logprob -0.25 * (i + 1), and its alternatives are `T{i}`, `A`, `B`, `C` at the logprobs in TOP[i].
"""
import json
import os
import sys

import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "RankProbeLogsTests", "Fixtures", "openai-sdk")
MODEL = "gpt-4.1-mini-2025-04-14"
PROMPTS = ["Hello", "The capital of France is", "Once upon a"]
TOP = [[-0.25, -1.5, -2.75, -4.0], [-0.5, -1.25, -3.0, -3.5], [-0.75, -1.0, -2.0, -5.0]]


def entries(i):
    names = [f"T{i}", "A", "B", "C"]
    return [{"token": n, "bytes": list(n.encode()), "logprob": lp} for n, lp in zip(names, TOP[i])]


def response(i):
    top = entries(i)
    first = dict(top[0], top_logprobs=top)
    return Response.model_validate({
        "id": f"resp_{i:04d}", "object": "response", "created_at": 1767225600.0 + i, "model": MODEL,
        "status": "completed", "error": None, "incomplete_details": None, "instructions": None, "metadata": {},
        "parallel_tool_calls": True, "temperature": 1.0, "tool_choice": "auto", "tools": [], "top_p": 1.0,
        "max_output_tokens": 16, "top_logprobs": 4,
        "output": [{
            "type": "message", "id": f"msg_{i:04d}", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": f"T{i}", "annotations": [], "logprobs": [first]}],
        }],
        "usage": {"input_tokens": 5 + i, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 1,
                  "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 6 + i},
    })


def responses_request(i):
    return {"model": MODEL, "input": PROMPTS[i], "include": ["message.output_text.logprobs"], "top_logprobs": 4,
            "max_output_tokens": 16}


def chat_completion(i):
    top = entries(i)
    return ChatCompletion.model_validate({
        "id": f"chatcmpl-{i:04d}", "object": "chat.completion", "created": 1767225600 + i, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "length",
                     "message": {"role": "assistant", "content": f"T{i}"},
                     "logprobs": {"content": [dict(top[0], top_logprobs=top)], "refusal": None}}],
        "usage": {"prompt_tokens": 5 + i, "completion_tokens": 1, "total_tokens": 6 + i},
    })


def chat_request(i):
    return {"model": MODEL, "messages": [{"role": "user", "content": PROMPTS[i]}], "max_tokens": 1, "logprobs": True,
            "top_logprobs": 4}


def write(name, lines):
    with open(os.path.join(OUT, name), "w") as f:
        for line in lines:
            f.write(line + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    n = range(len(PROMPTS))
    write("responses-bare.jsonl", [response(i).model_dump_json() for i in n])
    with open(os.path.join(OUT, "responses-pretty.json"), "w") as f:
        f.write(response(0).model_dump_json(indent=2) + "\n")
    write("responses-pairs.jsonl",
          ['{"request":%s,"response":%s}' % (json.dumps(responses_request(i)), response(i).model_dump_json()) for i in n])
    write("responses-batch.input.jsonl",
          [json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/responses", "body": responses_request(i)}) for i in n])
    write("responses-batch.output.jsonl",
          ['{"id":"batch_req_%d","custom_id":"r%d","response":{"status_code":200,"request_id":"req_%d","body":%s},"error":null}'
           % (i, i, i, response(i).model_dump_json()) for i in reversed(n)])
    write("chat-bare.jsonl", [chat_completion(i).model_dump_json() for i in n])
    write("chat-pairs.jsonl",
          ['{"request":%s,"response":%s}' % (json.dumps(chat_request(i)), chat_completion(i).model_dump_json()) for i in n])
    print(f"openai {openai.__version__}: wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
