"""Vector search over unit vectors: exact for small collections, FAISS IVF above a size rule; memory-mapped.

``vectors.npy`` is the one copy of the vectors. It is memory-mapped at load, so an exact search reads it
from the page cache instead of from a private copy, and a filtered search reads only the rows it may
return. An IVF index (``faiss.index``) is read with ``IO_FLAG_MMAP``: its lists are mapped too. For
collections of millions the IVF lists can hold 8-bit (``sq8``) or product-quantised (``pq``) codes, a
quarter or a sixteenth of the floats, with the best candidates re-scored exactly from ``vectors.npy``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Below this many rows an exact search is both fast and perfect.
EXACT_LIMIT = 50_000
CODECS = ("flat", "sq8", "pq")   # what the IVF lists hold: floats, 8-bit scalars, or product-quantised codes
AUTO = "auto"                    # chosen by size: see codec_for
SQ8_FROM = EXACT_LIMIT           # "auto": exact up to EXACT_LIMIT rows, IVF-SQ8 above
REFINE = 4                       # a lossy codec returns k·REFINE candidates, re-scored exactly


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ImportError("The vector index needs faiss: pip install faiss-cpu") from exc
    return faiss


@dataclass(frozen=True)
class VectorHits:
    """Row ids and cosine scores of a search, best first."""

    ids: np.ndarray
    scores: np.ndarray


def codec_for(rows: int, codec: str = AUTO, exact_limit: int = EXACT_LIMIT) -> str:
    """The IVF list codec for ``rows`` vectors: an explicit codec as it is; "auto" is exact search up to
    ``exact_limit`` rows (nothing to encode) and IVF-SQ8 above: a quarter of the floats' memory, recall@10
    0.968 at 300k and 0.980 at 1M stand-in vectors with exact re-scoring (README, Benchmarks).

    Example:
        >>> codec_for(10_000), codec_for(2_000_000), codec_for(2_000_000, "flat")
        ('flat', 'sq8', 'flat')
    """
    if codec != AUTO:
        return codec
    return "sq8" if rows > max(exact_limit, SQ8_FROM) else "flat"


def _pq_parts(dim: int) -> int:
    """Sub-quantisers for PQ: the largest divisor of ``dim`` up to dim/8 (48 for 384: 48 bytes a vector)."""
    return max(m for m in range(1, dim // 8 + 1) if dim % m == 0)


class VectorIndex:
    """Inner-product search over L2-normalised float32 vectors, keyed by row number.

    The index kind follows a rule, as txtai does: exact search up to ``exact_limit`` rows (a matrix-vector
    product over the memory-mapped vectors), IVF with about 4·√n cells above it (``nprobe`` cells searched
    per query, about 8·√nlist). A filtered search over a small subset is exact.

    Example:
        >>> index = VectorIndex.build(np.eye(3, dtype=np.float32))
        >>> index.search(np.eye(3, dtype=np.float32)[0], k=1).ids.tolist()
        [0]
    """

    def __init__(self, vectors: np.ndarray, faiss_index, kind: str, nprobe: int, codec: str = "flat"):
        self.vectors = vectors
        self._index = faiss_index
        self.kind = kind            # "flat" (exact) or "ivf"
        self.nprobe = nprobe
        self.codec = codec

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @classmethod
    def build(cls, vectors: np.ndarray, exact_limit: int = EXACT_LIMIT, nprobe: int | None = None,
              centroids: np.ndarray | None = None, codec: str = "flat") -> "VectorIndex":
        """Index ``vectors`` (n × d). ``centroids`` from an earlier IVF build are reused, skipping k-means.

        Args:
            codec: what IVF lists hold above ``exact_limit``: "flat" floats, "sq8" or "pq" codes.
        """
        if codec not in CODECS + (AUTO,):
            raise ValueError(f"codec must be one of {CODECS + (AUTO,)}, got {codec!r}")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array, got shape {vectors.shape}")
        n, dim = vectors.shape
        if n <= exact_limit:
            return cls(vectors, None, "flat", 0)
        faiss = _faiss()
        codec = codec_for(n, codec, exact_limit)
        nlist = int(round(4 * math.sqrt(n)))
        if centroids is not None and centroids.shape[1:] == (dim,) and nlist / 2 <= len(centroids) <= 2 * nlist:
            # Centroids trained for the whole collection (or a neighbouring segment) are shared as they are:
            # the same order of cells, and segments whose lists agree.
            nlist = len(centroids)
        quantizer = faiss.IndexFlatIP(dim)
        if codec == "sq8":
            index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                                  faiss.METRIC_INNER_PRODUCT)
        elif codec == "pq":
            index = faiss.IndexIVFPQ(quantizer, dim, nlist, _pq_parts(dim), 8, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(n, size=min(n, 64 * nlist), replace=False))]
        if centroids is not None and centroids.shape == (nlist, dim):
            quantizer.add(np.ascontiguousarray(centroids, dtype=np.float32))   # then train() skips k-means
        if codec == "flat" and quantizer.ntotal == nlist:
            index.is_trained = True
        else:
            index.train(sample)
        index.add(vectors)
        # About 8·√nlist cells: measured recall@10 ≈ 0.97 against exact at both 100k (nlist 1265) and
        # 1M (nlist 4000) vectors on embedding-like data (python -m eval.bench); nlist/16 gave 0.85–0.90.
        index.nprobe = nprobe or min(nlist, max(32, round(8 * math.sqrt(nlist))))
        return cls(vectors, index, "ivf", int(index.nprobe), codec)

    @property
    def nlist(self) -> int:
        """How many IVF cells (0 for an exact index)."""
        return int(_faiss().extract_index_ivf(self._index).nlist) if self.kind == "ivf" else 0

    def search_batch(self, queries: np.ndarray, k: int, nprobe: int | None = None, refine: int | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the ``k`` nearest rows for each query row, unfiltered; ``nprobe`` overrides the
        cells searched and ``refine`` the candidates re-scored per result (IVF only), for measuring trade-offs."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        if self.kind == "flat":
            scores = queries @ self.vectors.T
            ids = np.stack([_top_k(row, k) for row in scores]) if len(scores) else np.zeros((0, k), dtype=np.int64)
            return np.take_along_axis(scores, ids, axis=1), ids
        faiss = _faiss()
        factor = (REFINE if self.codec != "flat" else 1) if refine is None else max(1, refine)
        params = faiss.SearchParametersIVF(nprobe=nprobe) if nprobe else None
        scores, ids = self._index.search(queries, k * factor, params=params)
        if factor == 1:
            return scores, ids
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_ids = np.full((len(queries), k), -1, dtype=np.int64)
        for i, (q, found) in enumerate(zip(queries, ids)):
            found = found[found >= 0]
            exact = self.vectors[np.sort(found)] @ q
            order = _top_k(exact, k)
            out_scores[i, :len(order)], out_ids[i, :len(order)] = exact[order], np.sort(found)[order]
        return out_scores, out_ids

    def centroids(self) -> np.ndarray | None:
        """The IVF cell centroids, or None for an exact index."""
        if self.kind != "ivf":
            return None
        quantizer = _faiss().downcast_index(_faiss().extract_index_ivf(self._index).quantizer)
        return quantizer.reconstruct_n(0, quantizer.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> VectorHits:
        """Return the ``k`` rows most similar to ``query``; ``allowed`` restricts to those row ids."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, index has {self.dim}")
        n = len(self)
        if n == 0 or k <= 0:
            return VectorHits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if len(allowed) == 0:
                return VectorHits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
            if len(allowed) <= EXACT_LIMIT or self.kind == "flat":
                # A filtered subset small enough to score exactly: no approximation at all.
                scores = self.vectors[allowed] @ query[0]
                top = _top_k(scores, k)
                return VectorHits(allowed[top], scores[top])
        if self.kind == "flat":
            scores = self.vectors @ query[0]
            top = _top_k(scores, k)
            return VectorHits(top.astype(np.int64), scores[top])
        faiss = _faiss()
        params = None
        if allowed is not None:
            params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBatch(allowed), nprobe=self.nprobe)
        factor = REFINE if self.codec != "flat" else 1
        scores, ids = self._index.search(query, min(k * factor, n), params=params)
        found = ids[0][ids[0] >= 0].astype(np.int64)
        if factor == 1:
            return VectorHits(found, scores[0][ids[0] >= 0])
        found = np.sort(found)
        exact = self.vectors[found] @ query[0]
        top = _top_k(exact, k)
        return VectorHits(found[top], exact[top])

    def save(self, folder: Path) -> None:
        """Write ``vectors.npy``, ``vectors.json`` and, for IVF, ``faiss.index`` into ``folder``."""
        folder = Path(folder)
        np.save(folder / "vectors.npy", np.asarray(self.vectors, dtype=np.float32))
        if self._index is not None:
            _faiss().write_index(self._index, str(folder / "faiss.index"))
        (folder / "vectors.json").write_text(json.dumps(
            {"kind": self.kind, "nprobe": self.nprobe, "rows": len(self), "dim": self.dim, "codec": self.codec}))

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> "VectorIndex":
        """Read an index written by :meth:`save`, memory-mapped unless ``mmap`` is False; ValueError when
        its parts disagree."""
        folder = Path(folder)
        info = json.loads((folder / "vectors.json").read_text())
        vectors = np.load(folder / "vectors.npy", mmap_mode="r" if mmap else None)
        if vectors.shape != (info["rows"], info["dim"]) or vectors.dtype != np.float32:
            raise ValueError(f"vector files in {folder} disagree: vectors {vectors.shape} {vectors.dtype}, "
                             f"expected {info['rows']}×{info['dim']} float32")
        index = None
        if info["kind"] != "flat":
            faiss = _faiss()
            index = faiss.read_index(str(folder / "faiss.index"), faiss.IO_FLAG_MMAP if mmap else 0)
            if index.ntotal != info["rows"]:
                raise ValueError(f"vector files in {folder} disagree: faiss rows {index.ntotal}, "
                                 f"expected {info['rows']}")
            faiss.extract_index_ivf(index).nprobe = info["nprobe"]
        return cls(vectors, index, info["kind"], info["nprobe"], info.get("codec", "flat"))


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
