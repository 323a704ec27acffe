"""Merging segments: which to merge (a pure policy) and merging them into one, without re-reading a report,
re-tokenising or re-embedding: chunk lines are copied, postings and year mentions renumbered, vectors
concatenated. Rows of replaced or removed reports are dropped on the way.

The policy keeps at most ``MAX_SEGMENTS`` segments by merging the smallest ones (each row is merged
about log(n) times over an index's life, as in Lucene's tiered merging), and rewrites a segment once
most of its rows are dead. Only embedded segments take part: one still being embedded is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.index.filetable import TABLE
from assistant.index.postings import Postings
from assistant.indicators.stored import FILE, merged_lines
from assistant.index.segment import SEGMENTS, Segment, write_vectors, write_words
from assistant.index.years import YearIndex
from embeddings.vector_index import VectorIndex

MAX_SEGMENTS = 8


@dataclass(frozen=True)
class Shape:
    """What the policy knows of a segment: its rows, how many are live, and whether it has vectors."""

    rows: int
    live: int
    embedded: bool


def choose_merge(shapes: Sequence[Shape], max_segments: int = MAX_SEGMENTS) -> list[int]:
    """Positions of the segments to merge into one (empty: merge nothing).

    Example:
        >>> choose_merge([Shape(100, 100, True)] + [Shape(5, 5, True)] * 8, max_segments=8)
        [1, 2]
        >>> choose_merge([Shape(100, 30, True), Shape(5, 5, False)])
        [0]
    """
    embedded = [i for i, s in enumerate(shapes) if s.embedded and s.live]
    chosen = [i for i in embedded if shapes[i].rows - shapes[i].live > shapes[i].live]   # mostly dead rows
    excess = len([s for s in shapes if s.live]) - max_segments
    if excess > 0:
        for i in sorted((i for i in embedded if i not in chosen), key=lambda i: (shapes[i].live, i)):
            if len(chosen) >= excess + 1:
                break
            chosen.append(i)
        if len(chosen) < 2 and not any(shapes[i].rows > shapes[i].live for i in chosen):
            return []
    return sorted(chosen)


def renumbering(live_of: Sequence[np.ndarray]) -> list[np.ndarray]:
    """For each segment to merge, the merged row of each of its rows (-1: dropped), given which are live (>= 0).

    Example:
        >>> [m.tolist() for m in renumbering([np.array([0, -1, 3]), np.array([-1, 5])])]
        [[0, -1, 1], [-1, 2]]
    """
    new_row, start = [], 0
    for live in live_of:
        keep = np.asarray(live) >= 0
        mapping = np.full(len(keep), -1, dtype=np.int64)
        mapping[keep] = np.arange(start, start + int(keep.sum()))
        start += int(keep.sum())
        new_row.append(mapping)
    return new_row


def merge_segments(index_dir: Path, segments: Sequence[Segment], live_of: Sequence[np.ndarray],
                   codec: str = "flat", centroids: np.ndarray | None = None, written: list[str] | None = None,
                   table: bytes | None = None) -> tuple[Segment, list[np.ndarray]]:
    """Write one segment holding the live rows of ``segments`` in order; returns it and, for each merged
    segment, the new row of each of its rows (-1: dropped). Every segment must have its vectors.

    Args:
        live_of: per segment, which of its rows are live (>= 0).
        written: names of the folders written are appended here, so a failed update can remove them.
        table: the merged segment's file table (``files.jsonl``, see :mod:`assistant.index.filetable`).
    """
    new_row = renumbering(live_of)
    lines = [seg.chunks.line(int(r)) for seg, mapping in zip(segments, new_row) for r in np.flatnonzero(mapping >= 0)]
    postings = Postings.merge([(seg.postings, mapping) for seg, mapping in zip(segments, new_row)])
    years = YearIndex.merge([seg.years.remap(mapping) for seg, mapping in zip(segments, new_row)])
    indicators = merged_lines([Path(index_dir) / SEGMENTS / seg.name for seg in segments], new_row)
    extra = {FILE: indicators} if indicators is not None else {}
    if table is not None:
        extra[TABLE] = table
    info = write_words(index_dir, [], lines=lines, postings=postings, years=years, extra=extra)
    if written is not None:
        written.append(info.name)
    vectors = np.concatenate([np.asarray(seg.vectors.vectors[np.flatnonzero(mapping >= 0)])
                              for seg, mapping in zip(segments, new_row)])
    index = VectorIndex.build(vectors, centroids=centroids, codec=codec)
    part = write_vectors(index_dir, info, index)
    if written is not None:
        written.append(part.name)
    return Segment.open(index_dir, replace(info, vectors=part)), new_row
