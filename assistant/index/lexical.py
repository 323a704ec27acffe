"""BM25 (Lucene variant, as bm25s computes it) over the live rows of one or more segments' postings.

The collection statistics (live rows, average length, each word's document frequency) are those of
every live row together, taken at query time, so an index in several segments, with rows of replaced
files still on disk, scores exactly as one built from its live rows at once.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.index.postings import Postings

K1, B = 1.5, 0.75   # bm25s's defaults, used since the first index


class LexicalIndex:
    """BM25 over pre-tokenised rows held in :class:`Postings`, one per segment.

    Args:
        parts: (postings, live row of each of its rows, -1 for a row no longer live), one per segment.
        size: how many live rows there are (rows are numbered 0..size-1 across all parts).

    Example:
        >>> index = LexicalIndex.build([["行政", "复议"], ["法律", "援助"]])
        >>> int(index.scores(["复议"]).argmax())
        0
    """

    def __init__(self, parts: Sequence[tuple[Postings, np.ndarray]], size: int):
        self.size = size
        self._parts = []
        lengths = np.zeros(size, dtype=np.float32)
        for postings, live in parts:
            live = np.asarray(live, dtype=np.int64)
            kept = live >= 0
            lengths[live[kept]] = np.asarray(postings.lengths)[kept]
            whole = bool(kept.all()) and (len(live) == 0 or np.array_equal(live, np.arange(live[0], live[0] + len(live))))
            self._parts.append((postings, live, int(live[0]) if whole and len(live) else None))
        avgdl = float(lengths.mean()) if size else 1.0
        # The length part of every row's denominator, once per snapshot: k1·(1 − b + b·len/avgdl).
        self._norm = (K1 * ((1 - B) + B * lengths / np.float32(avgdl))).astype(np.float32)

    @classmethod
    def build(cls, documents: list[list[str]]) -> "LexicalIndex":
        """One segment of ``documents``, all live (for tests and small tools)."""
        postings = Postings.build(documents)
        return cls([(postings, np.arange(postings.size))], postings.size)

    def _live(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Live rows holding ``word`` (ascending within each part) and the counts there."""
        rows, counts = [], []
        for postings, live, offset in self._parts:
            found = postings.lookup(word)
            if found is None:
                continue
            local, n = found
            if offset is not None:
                rows.append(np.asarray(local, dtype=np.int64) + offset)
                counts.append(n)
            else:
                mapped = live[local]
                keep = mapped >= 0
                rows.append(mapped[keep])
                counts.append(np.asarray(n)[keep])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(rows), np.concatenate(counts).astype(np.float32)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every live row for the query (a repeated token counts again; unknown words add 0)."""
        scores = np.zeros(self.size, dtype=np.float32)
        if self.size == 0:
            return scores
        n = self.size
        done: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token in query_tokens:
            if token not in done:
                rows, tf = self._live(token)
                if len(rows):
                    df = len(rows)
                    idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
                    done[token] = rows, idf * (tf / (self._norm[rows] + tf))
                else:
                    done[token] = rows, tf
            rows, part = done[token]
            scores[rows] += part
        return scores

    def rows_with(self, tokens: list[str]) -> np.ndarray:
        """Live rows whose tokens include every one of ``tokens`` (none when a token is in no live row)."""
        if self.size == 0 or not tokens:
            return np.zeros(0, dtype=np.int64)
        rows = None
        for token in dict.fromkeys(tokens):
            found = np.sort(self._live(token)[0])
            rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
            if len(rows) == 0:
                break
        return rows

    def save(self, folder: Path) -> None:
        """Write a single-part index (as :meth:`build` makes) as its postings."""
        if len(self._parts) != 1:
            raise ValueError("only a single-part LexicalIndex is saved on its own; segments save their postings")
        self._parts[0][0].save(folder)

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> "LexicalIndex":
        postings = Postings.load(folder, mmap)
        return cls([(postings, np.arange(postings.size))], postings.size)
