#!/usr/bin/python3
"""Independent reference forward passes for savoir's model architectures, in PyTorch.

Reads GGUF files with its own small parser (no llama.cpp code), dequantizes F32, F16, BF16 and
Q8_0 tensors, and runs the llama / qwen2 decoder (logits of every position) or the BERT encoder
(pooled, L2-normalised embedding; plus the relevance score when the file has a classification
head) on given token ids. Prints one JSON object:

  {"results": [{"path": ..., "arch": ..., "logits": [[...], ...]}                      # decoders
               {"path": ..., "arch": "bert", "embedding": [...], "score": x or null}]}  # encoders

Usage: reference.py --model FILE --tokens 1,2,3 [--model FILE --tokens ... ] [--exact-attention]

Everything is computed in float64. Like llama.cpp (and savoir), the decoder rounds the keys and
values it caches, the queries and the attention probabilities to float16; this script mirrors
that rounding unless --exact-attention is given. The encoder does no such rounding. GELU is the
tanh approximation, as in llama.cpp.
"""

import argparse
import json
import math
import struct
import sys

import numpy as np
import torch

# ---- GGUF ----

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_F32, _F16, _Q8_0, _BF16 = 0, 1, 8, 30


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def scalar(self, fmt):
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def string(self):
        n = self.scalar("<Q")
        s = bytes(self.data[self.pos:self.pos + n]).decode("utf-8", errors="replace")
        self.pos += n
        return s

    def value(self, vtype):
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype = self.scalar("<I")
            count = self.scalar("<Q")
            if etype in _SCALARS and etype != 7:
                fmt = _SCALARS[etype]
                size = struct.calcsize(fmt)
                out = np.frombuffer(self.data, dtype=np.dtype(fmt), count=count, offset=self.pos)
                self.pos += size * count
                return out
            return [self.value(etype) for _ in range(count)]
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        raise ValueError(f"unknown GGUF value type {vtype}")


class Gguf:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = memoryview(f.read())
        r = Reader(self.data)
        if r.scalar("<I") != 0x46554747:
            raise ValueError(f"{path}: not a GGUF file")
        version = r.scalar("<I")
        if version not in (2, 3):
            raise ValueError(f"{path}: GGUF version {version}")
        n_tensors = r.scalar("<Q")
        n_kv = r.scalar("<Q")
        self.meta = {}
        for _ in range(n_kv):
            key = r.string()
            self.meta[key] = r.value(r.scalar("<I"))
        self.infos = {}
        for _ in range(n_tensors):
            name = r.string()
            n_dims = r.scalar("<I")
            dims = [r.scalar("<Q") for _ in range(n_dims)]
            ttype = r.scalar("<I")
            offset = r.scalar("<Q")
            self.infos[name] = (dims, ttype, offset)
        align = int(self.meta.get("general.alignment", 32))
        self.data_start = (r.pos + align - 1) // align * align

    def has(self, name):
        return name in self.infos

    def tensor(self, name):
        """The tensor as a float64 torch tensor in row-major order (dims reversed)."""
        dims, ttype, offset = self.infos[name]
        count = int(np.prod(dims))
        start = self.data_start + offset
        if ttype == _F32:
            a = np.frombuffer(self.data, dtype="<f4", count=count, offset=start)
        elif ttype == _F16:
            a = np.frombuffer(self.data, dtype="<f2", count=count, offset=start)
        elif ttype == _BF16:
            raw = np.frombuffer(self.data, dtype="<u2", count=count, offset=start)
            a = (raw.astype(np.uint32) << 16).view(np.float32)
        elif ttype == _Q8_0:
            blocks = np.frombuffer(self.data, dtype=np.uint8, count=count // 32 * 34,
                                   offset=start).reshape(-1, 34)
            scale = blocks[:, :2].copy().view("<f2").astype(np.float64)
            quants = blocks[:, 2:].copy().view(np.int8).astype(np.float64)
            a = (quants * scale).reshape(-1)
        else:
            raise ValueError(f"tensor {name}: type {ttype} is not supported by the reference")
        return torch.from_numpy(np.asarray(a, dtype=np.float64).copy()).reshape(list(reversed(dims)))


# ---- building blocks ----

def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(dim=-1, keepdim=True) + eps) * w


def layer_norm(x, w, b, eps):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def to_f16(x):
    return x.to(torch.float16).to(torch.float64)


def rope(x, positions, n_rot, base, neox, factors):
    """Rotates the first n_rot dims of x [n, heads, head_dim]; pair i turns by
    pos * base^(-2i/n_rot) / factors[i]."""
    half = n_rot // 2
    inv = base ** (-2.0 * torch.arange(half, dtype=torch.float64) / n_rot)
    if factors is not None:
        inv = inv / factors
    angle = positions[:, None].to(torch.float64) * inv[None, :]  # [n, half]
    cos = torch.cos(angle)[:, None, :]
    sin = torch.sin(angle)[:, None, :]
    out = x.clone()
    if neox:
        a, b = x[..., :half], x[..., half:n_rot]
        out[..., :half] = a * cos - b * sin
        out[..., half:n_rot] = a * sin + b * cos
    else:
        a, b = x[..., 0:n_rot:2], x[..., 1:n_rot:2]
        out[..., 0:n_rot:2] = a * cos - b * sin
        out[..., 1:n_rot:2] = a * sin + b * cos
    return out


def hparam(g, key, default=None):
    value = g.meta.get(f"{g.meta['general.architecture']}.{key}", default)
    if value is None:
        raise ValueError(f"missing {key}")
    return value


# ---- decoder (llama, qwen2) ----

def decoder_logits(g, tokens, exact_attention):
    arch = g.meta["general.architecture"]
    n_embd = int(hparam(g, "embedding_length"))
    n_head = int(hparam(g, "attention.head_count"))
    n_head_kv = int(hparam(g, "attention.head_count_kv", n_head))
    head_dim = n_embd // n_head
    n_rot = int(hparam(g, "rope.dimension_count", head_dim))
    base = float(hparam(g, "rope.freq_base", 10000.0))
    eps = float(hparam(g, "attention.layer_norm_rms_epsilon", 1e-5))
    n_layer = int(hparam(g, "block_count"))
    factors = g.tensor("rope_freqs.weight") if g.has("rope_freqs.weight") else None
    neox = arch == "qwen2"
    rounding = (lambda t: t) if exact_attention else to_f16

    n = len(tokens)
    positions = torch.arange(n)
    x = g.tensor("token_embd.weight")[torch.tensor(tokens)]
    causal = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    group = n_head // n_head_kv
    for i in range(n_layer):
        t = lambda what: g.tensor(f"blk.{i}.{what}")
        h = rms_norm(x, t("attn_norm.weight"), eps)
        q = h @ t("attn_q.weight").T
        k = h @ t("attn_k.weight").T
        v = h @ t("attn_v.weight").T
        if g.has(f"blk.{i}.attn_q.bias"):
            q = q + t("attn_q.bias")
            k = k + t("attn_k.bias")
            v = v + t("attn_v.bias")
        q = rope(q.reshape(n, n_head, head_dim), positions, n_rot, base, neox, factors)
        k = rope(k.reshape(n, n_head_kv, head_dim), positions, n_rot, base, neox, factors)
        v = v.reshape(n, n_head_kv, head_dim)
        q, k, v = rounding(q), rounding(k), rounding(v)
        k = k.repeat_interleave(group, dim=1)  # query head j uses kv head j // group
        v = v.repeat_interleave(group, dim=1)
        scores = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(head_dim)
        scores = scores.masked_fill(causal[None], float("-inf"))
        probs = rounding(torch.softmax(scores, dim=-1))
        attn = torch.einsum("hqk,khd->qhd", probs, v).reshape(n, n_head * head_dim)
        x = x + attn @ t("attn_output.weight").T
        h = rms_norm(x, t("ffn_norm.weight"), eps)
        gate = h @ t("ffn_gate.weight").T
        up = h @ t("ffn_up.weight").T
        x = x + (torch.nn.functional.silu(gate) * up) @ t("ffn_down.weight").T
    h = rms_norm(x, g.tensor("output_norm.weight"), eps)
    out = g.tensor("output.weight") if g.has("output.weight") else g.tensor("token_embd.weight")
    return (h @ out.T).tolist()


# ---- encoder (bert) ----

def encoder_outputs(g, tokens):
    n_embd = int(hparam(g, "embedding_length"))
    n_head = int(hparam(g, "attention.head_count"))
    head_dim = n_embd // n_head
    eps = float(hparam(g, "attention.layer_norm_epsilon", 1e-12))
    n_layer = int(hparam(g, "block_count"))
    pooling = int(hparam(g, "pooling_type", 1))

    n = len(tokens)
    x = g.tensor("token_embd.weight")[torch.tensor(tokens)] + g.tensor("position_embd.weight")[:n]
    if g.has("token_types.weight"):
        x = x + g.tensor("token_types.weight")[0]
    x = layer_norm(x, g.tensor("token_embd_norm.weight"), g.tensor("token_embd_norm.bias"), eps)
    for i in range(n_layer):
        t = lambda what: g.tensor(f"blk.{i}.{what}")
        heads = lambda m: (x @ t(f"{m}.weight").T + t(f"{m}.bias")).reshape(n, n_head, head_dim)
        q, k, v = heads("attn_q"), heads("attn_k"), heads("attn_v")
        probs = torch.softmax(torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(head_dim), dim=-1)
        attn = torch.einsum("hqk,khd->qhd", probs, v).reshape(n, n_embd)
        o = attn @ t("attn_output.weight").T + t("attn_output.bias")
        x = layer_norm(x + o, t("attn_output_norm.weight"), t("attn_output_norm.bias"), eps)
        up = gelu_tanh(x @ t("ffn_up.weight").T + t("ffn_up.bias"))
        down = up @ t("ffn_down.weight").T + t("ffn_down.bias")
        x = layer_norm(x + down, t("layer_output_norm.weight"), t("layer_output_norm.bias"), eps)
    if pooling in (2, 4):  # CLS (rank pooling embeds with the CLS state too)
        pooled = x[0]
    elif pooling == 3:  # last
        pooled = x[-1]
    else:  # mean
        pooled = x.mean(dim=0)
    embedding = pooled / torch.linalg.vector_norm(pooled)
    score = None
    if g.has("cls.output.weight"):
        cls = x[0]
        if g.has("cls.weight"):
            cls = torch.tanh(cls @ g.tensor("cls.weight").T + g.tensor("cls.bias"))
        score = float((cls @ g.tensor("cls.output.weight").T + g.tensor("cls.output.bias"))[0])
    return embedding.tolist(), score


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="GGUF file")
    parser.add_argument("--tokens", action="append", required=True, help="comma-separated ids")
    parser.add_argument("--exact-attention", action="store_true",
                        help="do not mirror llama.cpp's f16 rounding in decoder attention")
    args = parser.parse_args()
    if len(args.model) != len(args.tokens):
        parser.error("give one --tokens per --model")
    results = []
    for path, ids in zip(args.model, args.tokens):
        tokens = [int(t) for t in ids.split(",") if t]
        g = Gguf(path)
        arch = g.meta.get("general.architecture")
        entry = {"path": path, "arch": arch}
        if arch in ("llama", "qwen2"):
            entry["logits"] = decoder_logits(g, tokens, args.exact_attention)
        elif arch == "bert":
            entry["embedding"], entry["score"] = encoder_outputs(g, tokens)
        else:
            print(f"{path}: architecture {arch!r} is not supported", file=sys.stderr)
            return 1
        results.append(entry)
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
