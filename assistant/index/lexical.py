"""BM25 (Lucene variant, as bm25s computes it) over the live rows of one or more segments' postings.

The collection statistics (live rows, average length, each word's document frequency) are those of
every live row together, taken at query time, so an index in several segments, with rows of replaced
files still on disk, scores exactly as one built from its live rows at once.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.index.postings import Postings

K1, B = 1.5, 0.75   # bm25s's defaults, used since the first index
CHECK_FROM = 2048   # postings shorter than this are scored whole: cheaper than checking whether they may be skipped


@dataclass(frozen=True)
class _Term:
    """A distinct query word: how often the query has it, its live df and IDF, the upper bound of what it adds
    to any row, and (postings, row offset, start, end, (largest count, shortest row)) in each part."""

    token: str
    times: int
    df: int
    idf: np.float32
    ceiling: float
    spans: list


def _saturation(tf: int, length: int, avgdl: float) -> float:
    """tf / (k1·(1 − b + b·len/avgdl) + tf): BM25's term-frequency part, growing with tf, falling with len."""
    norm = K1 * ((1 - B) + B * length / avgdl)
    return tf / (norm + tf) * (1 + 1e-6)       # a hair above, so float32 rounding never beats the bound


def _best(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of ``rows`` with score > 0: by score, then by row."""
    keep = scores > 0
    rows, scores = rows[keep], scores[keep]
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        tied = scores >= kth                       # every row tied with the k-th best, then ranked
        rows, scores = rows[tied], scores[tied]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]


def exhaustive_top(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference for :meth:`LexicalIndex.top`: the ``k`` best of a full score vector, by score then row."""
    if k <= 0 or not len(scores):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    rows = np.flatnonzero(scores > 0)
    return _best(rows, scores[rows], k)


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
        self._avgdl = avgdl
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

    # -- top-k with pruning ------------------------------------------------------------------------

    def _terms(self, query_tokens: list[str]) -> list[_Term] | None:
        """Each distinct query word with its multiplicity, live document frequency, IDF and postings per
        part (None when a part has rows that are not live: then df needs a scan, and scoring stays exhaustive)."""
        if any(offset is None for _, _, offset in self._parts):
            return None
        n = self.size
        terms: list[_Term] = []
        for token, times in Counter(query_tokens).items():
            spans = []
            for postings, _, offset in self._parts:
                i = postings.vocab.find(token)
                if i >= 0:
                    a, b = int(postings.indptr[i]), int(postings.indptr[i + 1])
                    spans.append((postings, offset, a, b, postings.bound(i)))
            df = sum(b - a for _, _, a, b, _ in spans)
            if not df:
                continue
            idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
            # An upper bound of the word's contribution to any row: IDF × the largest tf/(norm + tf) its
            # postings could reach (its largest count at its shortest row), × how often the query repeats it.
            ceiling = max(_saturation(tf, length, self._avgdl) for *_, (tf, length) in spans)
            terms.append(_Term(token, times, df, idf, float(idf) * ceiling * times, spans))
        return terms

    def _part_scores(self, term: _Term, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(live rows, this word's score there) over all its postings, or only at ``rows`` (ascending, distinct)."""
        found, tfs = [], []
        for postings, offset, a, b, _ in term.spans:
            local = postings.rows[a:b]
            counts = postings.counts[a:b]
            if rows is None:
                found.append(np.asarray(local, dtype=np.int64) + offset)
                tfs.append(np.asarray(counts))
                continue
            lo, hi = np.searchsorted(rows, [offset, offset + postings.size])
            want = rows[lo:hi] - offset
            if not len(want) or not len(local):
                continue
            if 16 * len(want) < len(local):         # few rows: binary search in the posting list
                at = np.minimum(np.searchsorted(local, want), len(local) - 1)
                hit = np.asarray(local[at]) == want
                found.append(want[hit] + offset)
                tfs.append(np.asarray(counts[at[hit]]))
            else:                                   # many: one pass over it against a mask
                mask = np.zeros(postings.size, dtype=bool)
                mask[want] = True
                local = np.asarray(local)
                hit = mask[local]
                found.append(local[hit].astype(np.int64) + offset)
                tfs.append(np.asarray(counts)[hit])
        got = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        tf = np.concatenate(tfs).astype(np.float32) if tfs else np.zeros(0, dtype=np.float32)
        return got, term.idf * (tf / (self._norm[got] + tf))

    def _exact(self, query_tokens: list[str], terms: list[_Term], rows: np.ndarray,
               scored: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Scores at ``rows`` (ascending, distinct), adding each word's part in query order as :meth:`scores`
        does, so every float32 sum is the same; ``scored`` holds words already scored at all their rows."""
        out = np.zeros(len(rows), dtype=np.float32)
        by_token = {t.token: t for t in terms}
        done: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for token in query_tokens:
            term = by_token.get(token)
            if term is None:
                continue
            if token not in done:
                if token in scored:                   # its rows ascending: find the candidates among them
                    got, part = scored[token]
                    at = np.minimum(np.searchsorted(got, rows), max(len(got) - 1, 0))
                    hit = got[at] == rows if len(got) else np.zeros(len(rows), dtype=bool)
                    done[token] = np.flatnonzero(hit), part[at[hit]]
                else:
                    got, part = self._part_scores(term, rows)
                    done[token] = np.searchsorted(rows, got), part
            at, part = done[token]
            out[at] += part
        return out

    def scores_at(self, query_tokens: list[str], rows: np.ndarray) -> np.ndarray:
        """``scores(query_tokens)[rows]``, bit for bit, reading only the postings at ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) > 1 and not bool(np.all(rows[1:] > rows[:-1])):
            unique, back = np.unique(rows, return_inverse=True)
            return self.scores_at(query_tokens, unique)[back]
        terms = self._terms(query_tokens)
        if terms is None:
            return self.scores(query_tokens)[rows]
        return self._exact(query_tokens, terms, rows, {})

    def top(self, query_tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows by BM25 and their scores (only scores > 0; ties: the lower row first), exactly as
        ranking :meth:`scores` would give them, without scoring every posting (MaxScore, as Lucene prunes).

        Words are taken rarest first, each scoring all its rows. Once the score the k-th best row has reached
        so far beats what the words left could add to any row (their IDF × their largest possible tf part),
        no row outside those seen can enter the top k: the common words left are looked up only at the rows
        seen (a binary search in their postings, not a pass over them), and the candidates are scored exactly.
        """
        terms = self._terms(query_tokens)
        if terms is None or k <= 0:
            return exhaustive_top(self.scores(query_tokens), k)
        terms.sort(key=lambda t: t.df)
        remaining = sum(t.ceiling for t in terms)
        partial = np.zeros(self.size, dtype=np.float32)
        scored: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        seen, floor, rest = 0, 0.0, []
        for i, term in enumerate(terms):
            # Checking costs a pass over the rows: worth it only before a long posting list.
            if seen >= k and term.df > CHECK_FROM:
                touched = partial[partial > 0]
                theta = float(np.partition(touched, len(touched) - k)[len(touched) - k])
                if remaining < theta * (1 - 1e-5):           # the margin covers float32 rounding of sums
                    # A row whose score so far plus all the words left could add stays below the k-th best
                    # cannot enter the top k either: only the others are scored exactly.
                    floor = (theta - remaining) * (1 - 1e-5) - 1e-6
                    rest = terms[i:]
                    break
            got, part = self._part_scores(term)
            scored[term.token] = got, part
            partial[got] += part * term.times
            seen += len(got)
            remaining -= term.ceiling
        candidates = np.flatnonzero(partial > max(floor, 0.0))
        if rest:
            # The words left, rarest first, looked up only at the candidates: after each, a candidate whose
            # score so far plus what the words still left could add stays below the k-th best is dropped.
            bound = partial[candidates]
            for j, term in enumerate(rest):
                got, part = self._part_scores(term, candidates)
                scored[term.token] = got, part
                bound[np.searchsorted(candidates, got)] += part * term.times
                remaining -= term.ceiling
                if len(candidates) > k and j + 1 < len(rest):
                    theta = float(np.partition(bound, len(bound) - k)[len(bound) - k])
                    keep = bound >= (theta - remaining) * (1 - 1e-5) - 1e-6
                    candidates, bound = candidates[keep], bound[keep]
        return _best(candidates, self._exact(query_tokens, terms, candidates, scored), k)

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
