#!/usr/bin/env python3
"""Reference reader for Scripts/bench-ingest: the same Batch API join and dense matrix assembly as
`rankprobe estimate` on forced-token Batch API logs, written the fast way in Python (orjson + numpy).

  bench_ingest_reference.py generate DIR PROMPTS TOKENS TOP   write DIR/input.jsonl and DIR/output.jsonl
  bench_ingest_reference.py read INPUT OUTPUT                 join + assemble, print one JSON line of stats

Reading: the input file is indexed by custom_id → (row of the prompt, forced token id); the prompt's row is
keyed by SHA-256 of its messages' role+content, like rankprobe. Each output line with status 200 gives the
forced token's logprob (cell row × id) and its top_logprobs are read too (the Swift reader extracts them all).
Rows × columns are then assembled into a dense float64 matrix (NaN = missing) and centred per row.
"""
import hashlib
import json
import os
import random
import sys
import time

import numpy as np
import orjson


def generate(out_dir, prompts, tokens, top):
    """Synthetic forced-token Batch API files: PROMPTS × TOKENS requests, outputs shuffled."""
    rng = random.Random(7)
    os.makedirs(out_dir, exist_ok=True)
    vocab = [f"tok{i}" for i in range(tokens)]
    ids = [1000 + 7 * i for i in range(tokens)]
    order = [(p, t) for p in range(prompts) for t in range(tokens)]
    with open(os.path.join(out_dir, "input.jsonl"), "w") as f:
        for p, t in order:
            body = {"model": "gpt-4o-mini", "messages": [
                {"role": "system", "content": "You are a helpful assistant. Answer with a single word."},
                {"role": "user", "content": f"Prompt {p}: continue the story about item {p * 31 % 997}."}],
                "max_tokens": 1, "logprobs": True, "top_logprobs": top, "logit_bias": {str(ids[t]): 100}}
            f.write(json.dumps({"custom_id": f"request-{p}-{t}", "method": "POST", "url": "/v1/chat/completions",
                                "body": body}, separators=(",", ":")) + "\n")
    rng.shuffle(order)
    with open(os.path.join(out_dir, "output.jsonl"), "w") as f:
        for n, (p, t) in enumerate(order):
            lp = -round(0.5 + ((p * 7919 + t * 104729) % 10000) / 1000.0, 6)
            tok = vocab[t]
            alts = [{"token": tok, "logprob": lp, "bytes": list(tok.encode())}]
            for k in range(1, top):
                a = vocab[(t + k) % tokens]
                alts.append({"token": a, "logprob": round(lp - 0.1 * k, 6), "bytes": list(a.encode())})
            body = {"id": f"chatcmpl-{n}", "object": "chat.completion", "created": 1710000000,
                    "model": "gpt-4o-mini-2024-07-18",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": tok, "refusal": None},
                                 "logprobs": {"content": [{"token": tok, "logprob": lp, "bytes": list(tok.encode()),
                                                           "top_logprobs": alts}], "refusal": None},
                                 "finish_reason": "length"}],
                    "usage": {"prompt_tokens": 30, "completion_tokens": 1, "total_tokens": 31},
                    "system_fingerprint": "fp_0123456789", "service_tier": None}
            f.write(json.dumps({"id": f"batch_req_{n}", "custom_id": f"request-{p}-{t}",
                                "response": {"status_code": 200, "request_id": f"req_{n}", "body": body},
                                "error": None}, separators=(",", ":")) + "\n")


def prompt_key(body):
    parts = [b"chat\n"]
    for m in body.get("messages") or []:
        content = m.get("content")
        parts.append((m.get("role") or "").encode() + b"\x1f" +
                     (content.encode() if isinstance(content, str) else orjson.dumps(content)) + b"\x1e")
    return hashlib.sha256(b"".join(parts)).hexdigest()


def read(input_path, output_path):
    t0 = time.perf_counter()
    rows, requests = {}, {}
    with open(input_path, "rb") as f:
        for line in f:
            try:
                d = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            body = d["body"]
            key = prompt_key(body)
            row = rows.setdefault(key, len(rows))
            bias = body.get("logit_bias") or {}
            forced = int(next(iter(bias))) if len(bias) == 1 else None
            requests[d["custom_id"]] = (row, forced)
    cols, cells, failed, skipped, entries = {}, [], 0, 0, 0
    with open(output_path, "rb") as f:
        for line in f:
            try:
                d = orjson.loads(line)
            except orjson.JSONDecodeError:
                skipped += 1
                continue
            resp = d.get("response")
            if d.get("error") is not None or not resp or resp.get("status_code") != 200:
                failed += 1
                continue
            req = requests.get(d["custom_id"])
            if req is None:
                skipped += 1
                continue
            lp = resp["body"]["choices"][0]["logprobs"]
            if not lp or not lp.get("content"):
                skipped += 1
                continue
            first = lp["content"][0]
            entries += len(first.get("top_logprobs") or [])
            row, forced = req
            if forced is None or first["logprob"] == -9999.0:
                skipped += 1
                continue
            col = cols.setdefault(forced, len(cols))
            cells.append((row, col, first["logprob"]))
    m = np.full((len(rows), len(cols)), np.nan)
    if cells:
        a = np.array(cells)
        m[a[:, 0].astype(np.int64), a[:, 1].astype(np.int64)] = a[:, 2]
    m -= np.nanmean(m, axis=1, keepdims=True)
    elapsed = time.perf_counter() - t0
    size = os.path.getsize(input_path) + os.path.getsize(output_path)
    print(json.dumps({"rows": len(rows), "columns": len(cols), "cells": len(cells), "failed": failed,
                      "skipped": skipped, "top_entries": entries, "seconds": elapsed, "bytes": size,
                      "mb_per_s": size / 1e6 / elapsed}))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 4 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
