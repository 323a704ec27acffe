"""Reports → jieba tokens and vectors, each report on its own: one that breaks the tokenizer or the encoder
costs only itself, and a passage whose indexed text an old row already had keeps that row's vector."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Mapping, Sequence

import numpy as np

from assistant.index.plan import Plan
from assistant.index.tokens import tokenize
from assistant.ingest.report import index_text
from assistant.records import Report
from embeddings.encoder import Encoder


@dataclass(frozen=True)
class Embedded:
    """A report's passages as the index holds them: one token list per chunk, and one vector per chunk
    (None when they were not encoded: embedding fills them in later)."""

    vectors: np.ndarray | None
    tokens: list[list[str]]


def failure(stage: str, exc: Exception) -> str:
    """The reason a file is skipped when ``stage`` raised ``exc`` (shown to users, so in Chinese)."""
    return f"{stage}失败（{type(exc).__name__}: {str(exc)[:120]}）"


def _encode(encoder: Encoder, texts: list[str]) -> np.ndarray:
    vectors = np.asarray(encoder.encode_passages(texts), dtype=np.float32)
    if vectors.shape != (len(texts), encoder.dim) or not np.isfinite(vectors).all():
        raise ValueError(f"encoder returned {vectors.shape} or non-finite values for {len(texts)} passages")
    return vectors


def embed_reports(reports: Sequence[Report], encoder: Encoder | None, reuse: Mapping[str, np.ndarray],
                  batch_size: int = 64, progress: Callable[[str, int, int, str], None] = lambda *a: None,
                  encode: bool = True, tokens: bool = True) -> tuple[list[Embedded | str], int]:
    """Tokens and vectors for each report, or the reason it could not have them; and how many passages
    were encoded (the rest came from ``reuse``, indexed text → vector).

    Passages are encoded in batches of ``batch_size`` across reports; a batch that fails is encoded again
    report by report, so only the report that breaks the encoder is lost.

    Args:
        encode: False to leave passages unencoded (vectors come only from ``reuse``; a report that has
            any other passage gets None, to be embedded later).
        tokens: False when only vectors are wanted (the words were indexed already).
    """
    texts = [[index_text(r.meta, c) for c in r.chunks] for r in reports]
    words: list[list[list[str]]] = []
    broken: dict[int, str] = {}
    for n, rows in enumerate(texts):
        try:
            words.append([tokenize(t) for t in rows] if tokens else [])
        except Exception as exc:
            words.append([])
            broken[n] = failure("分词", exc)
    if not encode:
        out = []
        for n, rows in enumerate(texts):
            known = [reuse.get(t) for t in rows]
            vectors = np.stack(known).astype(np.float32) if known and all(v is not None for v in known) else None
            out.append(broken.get(n) or Embedded(vectors, words[n]))
        return out, 0
    vectors = [np.zeros((len(t), encoder.dim), dtype=np.float32) for t in texts]
    todo = []
    for n, rows in enumerate(texts):
        for row, text in enumerate(rows):
            if n in broken:
                continue
            if text in reuse:
                vectors[n][row] = reuse[text]
            else:
                todo.append((n, row))
    # The first report says how much text is to be encoded, for an estimate of the time it takes.
    chars = sum(len(texts[n][row]) for n, row in todo)
    for start in range(0, len(todo), batch_size):
        progress("embed", start, len(todo), f"共 {chars:,} 字" if start == 0 else "")
        batch = todo[start:start + batch_size]
        try:
            for (n, row), vector in zip(batch, _encode(encoder, [texts[n][row] for n, row in batch])):
                vectors[n][row] = vector
        except Exception:
            for n in sorted({n for n, _ in batch} - set(broken)):
                mine = [row for m, row in batch if m == n]
                try:
                    vectors[n][mine] = _encode(encoder, [texts[n][row] for row in mine])
                except Exception as exc:
                    broken[n] = failure("向量编码", exc)
    progress("embed", len(todo), len(todo), "")
    return [broken.get(n) or Embedded(vectors[n], words[n]) for n in range(len(reports))], len(todo)


def reusable_vectors(old, plan: Plan | None = None, keep: Collection[str] = ()) -> dict[str, np.ndarray]:
    """Indexed text → vector for the rows of ``old`` (a Store, a LegacyStore or None) of files that ``plan``
    does not keep and that are not in ``keep``; files whose vectors are not written yet give none."""
    if old is None:
        return {}
    kept = set(plan.keep if plan is not None else ()) | set(keep)
    out = {}
    for name, entry in old.files.items():
        if name in kept:
            continue
        vectors = old.file_vectors(name)
        if vectors is None:
            continue
        for row, vector in zip(range(entry.first, entry.first + entry.count), vectors):
            out[index_text(entry.meta, old.chunks[row])] = vector
    return out
