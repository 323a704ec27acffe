"""The live rows of a snapshot across its segments: chunks and vectors numbered 0..n-1 as one index.

A segment keeps the rows of a report that was replaced or removed until a merge drops them; those rows
are not live. Every caller above the store sees only live rows, numbered in segment order, so a file's
rows stay contiguous and nothing above the store knows segments exist.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from assistant.records import Chunk
from embeddings.vector_index import VectorHits, _top_k

OVERFETCH = 1024   # a segment with at most this many dead rows is searched for k + dead, then filtered


class LiveMap:
    """Where each live row is (segment, row in it), and each segment row's live number (-1: not live)."""

    def __init__(self, live_of: list[np.ndarray]):
        self.live_of = live_of
        self.size = int(sum(int((x >= 0).sum()) for x in live_of))
        self.segment = np.zeros(self.size, dtype=np.int32)
        self.local = np.zeros(self.size, dtype=np.int32)
        for i, live in enumerate(live_of):
            kept = np.flatnonzero(live >= 0)
            self.segment[live[kept]] = i
            self.local[live[kept]] = kept
        self.dead = [int((x < 0).sum()) for x in live_of]


class LiveChunks(Sequence[Chunk]):
    """The live chunks, by live row; each is read from its segment's mapped file when asked for."""

    def __init__(self, segments, where: LiveMap):
        self._segments, self._where = segments, where

    def __len__(self) -> int:
        return self._where.size

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return self._segments[self._where.segment[row]].chunks[int(self._where.local[row])]

    def __iter__(self) -> Iterator[Chunk]:
        for row in range(len(self)):
            yield self[row]


class LiveVectors:
    """Dense search over the live rows of the segments that have vectors.

    ``complete`` is True when every segment holding a live row has its vectors; until then the rows of
    the others are simply not found by dense search.
    """

    def __init__(self, segments, where: LiveMap, dim: int):
        self._segments, self._where, self.dim = segments, where, dim

    def __len__(self) -> int:
        return self._where.size

    @property
    def done(self) -> int:
        """Live rows that have their vector."""
        return sum(int((live >= 0).sum()) for seg, live in zip(self._segments, self._where.live_of)
                   if seg.vectors is not None)

    @property
    def complete(self) -> bool:
        return self.done == len(self)

    @property
    def kind(self) -> str:
        """"ivf" when any segment searches approximately, else "flat" ("none" before any vector)."""
        kinds = {seg.vectors.kind for seg in self._segments if seg.vectors is not None}
        return "ivf" if "ivf" in kinds else ("flat" if kinds else "none")

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of live ``rows`` (zeros for rows not embedded yet)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        segs = self._where.segment[rows]
        for i in np.unique(segs):
            vectors = self._segments[i].vectors
            if vectors is not None:
                pick = np.flatnonzero(segs == i)
                out[pick] = vectors.vectors[self._where.local[rows[pick]]]
        return out

    @property
    def vectors(self) -> np.ndarray:
        """Every live row's vector, copied into one array (for tests and small indexes)."""
        return self.rows(np.arange(len(self)))

    def centroids(self) -> np.ndarray | None:
        """The IVF centroids of the largest segment that has them, for an IVF build to reuse."""
        ivf = [seg for seg in self._segments if seg.vectors is not None and seg.vectors.kind == "ivf"]
        return max(ivf, key=lambda s: s.rows).vectors.centroids() if ivf else None

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> VectorHits:
        """The ``k`` live rows most similar to ``query``; ``allowed`` restricts to those live rows."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"query has dimension {query.shape[0]}, index has {self.dim}")
        ids, scores = [], []
        if allowed is None:
            for i, (seg, live) in enumerate(zip(self._segments, self._where.live_of)):
                if seg.vectors is None or self._where.dead[i] == len(live):
                    continue
                dead = self._where.dead[i]
                if dead == 0 or dead <= OVERFETCH:
                    found = seg.vectors.search(query, k + dead)
                else:
                    found = seg.vectors.search(query, k, np.flatnonzero(live >= 0))
                mapped = live[found.ids]
                keep = mapped >= 0
                ids.append(mapped[keep][:k])
                scores.append(found.scores[keep][:k])
        else:
            allowed = np.asarray(allowed, dtype=np.int64)
            segs = self._where.segment[allowed]
            for i in np.unique(segs):
                seg = self._segments[i]
                if seg.vectors is None:
                    continue
                rows = allowed[segs == i]
                found = seg.vectors.search(query, k, self._where.local[rows].astype(np.int64))
                ids.append(self._where.live_of[i][found.ids])
                scores.append(found.scores)
        if not ids:
            return VectorHits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        all_ids, all_scores = np.concatenate(ids).astype(np.int64), np.concatenate(scores)
        if len(ids) == 1:
            return VectorHits(all_ids, all_scores)
        top = _top_k(all_scores, k)
        return VectorHits(all_ids[top], all_scores[top])

