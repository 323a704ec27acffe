"""Fusion of ranked lists as pure functions: reciprocal rank fusion and min-max weighted scores."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Ranked:
    """One searcher's result: rows and their scores, best first.

    Example:
        >>> Ranked.of([3, 1], [0.9, 0.5]).rows.tolist()
        [3, 1]
    """

    rows: np.ndarray
    scores: np.ndarray

    @classmethod
    def of(cls, rows, scores) -> "Ranked":
        return cls(np.asarray(rows, dtype=np.int64), np.asarray(scores, dtype=np.float64))

    @classmethod
    def empty(cls) -> "Ranked":
        return cls.of([], [])

    def __len__(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.rows.tolist(), self.scores.tolist()))


def rrf(lists: Sequence[Ranked], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) to a row's score (rank from 1).

    Example:
        >>> rrf([Ranked.of([1, 2], [9, 8]), Ranked.of([2], [0.5])], k=60)[2] == 1 / 62 + 1 / 61
        True
    """
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, row in enumerate(ranked.rows.tolist()):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank + 1)
    return scores


def weighted(lists: Sequence[Ranked], weights: Sequence[float]) -> dict[int, float]:
    """Sum of each list's scores scaled to [0, 1] (min-max within the list), times its weight.

    Example:
        >>> weighted([Ranked.of([1, 2], [4.0, 2.0]), Ranked.of([2], [0.7])], [0.5, 0.5])
        {1: 0.5, 2: 0.0}
    """
    if len(lists) != len(weights):
        raise ValueError(f"{len(lists)} lists but {len(weights)} weights")
    scores: dict[int, float] = {}
    for ranked, weight in zip(lists, weights):
        if len(ranked) == 0:
            continue
        lo, hi = float(ranked.scores.min()), float(ranked.scores.max())
        span = hi - lo or 1.0
        for row, value in zip(ranked.rows.tolist(), ranked.scores.tolist()):
            scores[row] = scores.get(row, 0.0) + weight * (value - lo) / span
    return scores
