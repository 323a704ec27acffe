"""New versions on top of a snapshot: new reports become a new segment, new vectors are attached to the
segment they belong to, and the merge policy compacts segments on the way. Call these holding the write
lock; each writes only new folders and a small version folder, never an existing file.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.indicators import ReportRow, read_report
from assistant.indicators import stored as indicator_file
from assistant.index.embedding import failure
from assistant.index import filetable
from assistant.index.merge import Shape, choose_merge, merge_segments, renumbering
from assistant.index.segment import SEGMENTS, Segment, write_vectors, write_words
from assistant.index.statcache import StatCache
from assistant.index.store import FileEntry, Store, remove_parts, verify_segments, write_version
from assistant.ingest.chunking import CHUNKER_VERSION
from assistant.records import Report
from assistant.settings import Settings
from embeddings.vector_index import VectorIndex


@dataclass(frozen=True)
class NewReport:
    """A report read and tokenised (and, when embedded, with one vector per chunk), ready to be written, with
    its indicator row (None: not read; the 指标总览 then reads it from the indexed chunks when first asked).
    Make one with :func:`new_report`."""

    report: Report
    digest: str
    size: int
    tokens: list[list[str]]
    vectors: np.ndarray | None
    indicators: ReportRow | None = None


def new_report(report: Report, digest: str, size: int, tokens: list[list[str]],
               vectors: np.ndarray | None) -> NewReport | str:
    """The report ready to be written, or the reason it cannot be (in Chinese). Its indicator row is read
    here, one file at a time, like its reading and tokenising: a report that breaks the indicator reader is
    skipped alone and never fails the update of the others."""
    try:
        row = read_report(report.source, report.meta, report.chunks)
    except Exception as exc:  # anything about one report is about that report only
        return failure("指标提取", exc)
    return NewReport(report, digest, size, tokens, vectors, row)


@dataclass
class Draft:
    """The segments and files of the version being made."""

    segments: list[Segment]
    files: dict[str, FileEntry]

    def used(self) -> list[Segment]:
        """The segments that still hold a live row, in order."""
        holding = {e.segment for e in self.files.values() if e.count}
        return [seg for seg in self.segments if seg.name in holding]


def add_reports(index_dir: Path, base: Store | None, keep: Sequence[str], aliases: dict[str, tuple[str, ...]],
                reports: Sequence[NewReport], settings: Settings, written: list[str],
                max_rows: int | None = None) -> Draft:
    """The base's kept files plus ``reports`` in segments of their own (one, or whole reports up to
    ``max_rows`` rows each); ``aliases`` are each file's other names."""
    files = {}
    for name in keep:              # an entry whose other names are unchanged stays the same object (cheap to diff)
        entry = base.files[name]
        files[name] = entry if entry.aliases == aliases.get(name, ()) else replace(entry, aliases=aliases.get(name, ()))
    draft = Draft(list(base.segments) if base else [], files)
    groups: list[list[NewReport]] = []
    for r in reports:
        if not groups or (max_rows is not None and groups[-1]
                          and sum(len(x.report.chunks) for x in groups[-1]) + len(r.report.chunks) > max_rows):
            groups.append([])
        groups[-1].append(r)
    centroids = base.vectors.centroids() if base else None
    for group in groups:
        draft.segments.append(_new_segment(index_dir, group, draft.files, aliases, settings, written, centroids))
    return draft


def _new_segment(index_dir: Path, reports: Sequence[NewReport], files: dict[str, FileEntry],
                 aliases: dict[str, tuple[str, ...]], settings: Settings, written: list[str],
                 centroids: np.ndarray | None) -> Segment:
    chunks = [c for r in reports for c in r.report.chunks]
    entries, local = [], 0
    for r in reports:
        rep = r.report
        entries.append(FileEntry(rep.source, r.digest, r.size, rep.encoding, rep.meta, 0, len(rep.chunks),
                                 aliases.get(rep.source, ()), "", local))
        local += len(rep.chunks)
    info = write_words(index_dir, chunks, [t for r in reports for t in r.tokens],
                       extra={indicator_file.FILE: indicator_lines(reports),
                              filetable.TABLE: filetable.table_bytes(entries)})
    written.append(info.name)
    for entry in entries:
        files[entry.source] = replace(entry, segment=info.name)
    if all(r.vectors is not None for r in reports):
        index = VectorIndex.build(np.concatenate([r.vectors for r in reports]), codec=settings.vector_codec,
                                  centroids=centroids)
        part = write_vectors(index_dir, info, index)
        written.append(part.name)
        info = replace(info, vectors=part)
    return Segment.open(index_dir, info)


def indicator_lines(reports: Sequence[NewReport]) -> bytes:
    """The segment's indicator table: each report's cells and element check, as :func:`new_report` read them."""
    rows, local = [], 0
    for r in reports:
        if r.indicators is not None:
            rows.append((local, r.indicators))
        local += len(r.report.chunks)
    return indicator_file.segment_lines(rows)


def attach_vectors(index_dir: Path, base: Store, segment: str, vectors: np.ndarray, settings: Settings,
                   written: list[str]) -> Draft:
    """The base with ``vectors`` (one per row of ``segment``) written for that segment."""
    draft = Draft(list(base.segments), dict(base.files))
    for i, seg in enumerate(draft.segments):
        if seg.name == segment:
            index = VectorIndex.build(vectors, codec=settings.vector_codec, centroids=base.vectors.centroids())
            part = write_vectors(index_dir, seg.info, index)
            written.append(part.name)
            draft.segments[i] = seg.with_vectors(part, VectorIndex.load(Path(index_dir) / SEGMENTS / part.name))
    return draft


def compact(index_dir: Path, draft: Draft, settings: Settings, written: list[str], everything: bool = False,
            centroids: Callable[[list[Segment]], np.ndarray | None] | None = None) -> Draft:
    """Merge what the policy chooses (``everything``: all segments, if all are embedded) into one segment.

    Args:
        centroids: when no segment has IVF centroids yet, trains them for the segments given (a Ray build
            trains them once on a sample of every new vector, so all merged segments share them).
    """
    segments = draft.used()
    position = {seg.name: i for i, seg in enumerate(segments)}
    live_of = [np.full(seg.rows, -1, dtype=np.int64) for seg in segments]
    for entry in draft.files.values():
        live_of[position[entry.segment]][entry.local:entry.local + entry.count] = 1
    shapes = [Shape(seg.rows, int((live >= 0).sum()), seg.vectors is not None) for seg, live in zip(segments, live_of)]
    if everything:
        chosen = list(range(len(segments))) if all(s.embedded for s in shapes) else []
        if len(chosen) == 1 and shapes[0].rows == shapes[0].live:
            chosen = []
    else:
        chosen = choose_merge(shapes)
    if not chosen:
        return Draft(segments, draft.files)
    verify_segments(index_dir, [segments[i] for i in chosen], written)   # never copy a changed segment
    ivf = [seg for seg in segments if seg.vectors is not None and seg.vectors.kind == "ivf"]
    shared = max(ivf, key=lambda s: s.rows).vectors.centroids() if ivf else None
    if shared is None and centroids is not None:
        shared = centroids(segments)
    renumber = {segments[i].name: mapping for i, mapping in zip(chosen, renumbering([live_of[i] for i in chosen]))}
    moved = {name: replace(entry, local=int(renumber[entry.segment][entry.local]))
             for name, entry in draft.files.items() if entry.segment in renumber}
    merged, _ = merge_segments(index_dir, [segments[i] for i in chosen], [live_of[i] for i in chosen],
                               settings.vector_codec, shared, written, table=filetable.table_bytes(moved.values()))
    files = {name: replace(moved[name], segment=merged.name) if name in moved else entry
             for name, entry in draft.files.items()}
    kept = [seg for i, seg in enumerate(segments) if i not in chosen]
    kept.insert(chosen[0], merged)
    return Draft(kept, files)


def publish(index_dir: Path, draft: Draft, encoder_name: str, dim: int, settings: Settings, extra: dict,
            written: list[str], stats: StatCache | None = None) -> Store:
    """Write the draft as the live version; on failure remove the folders this update wrote and re-raise.

    The version lists only what changed in its segments' file tables, and ``stats`` (the stat cache, None:
    none) as changes to its last full copy (see :mod:`assistant.index.filetable`, :mod:`.statcache`).
    """
    copies: list[Path] = []
    try:
        segments = draft.used()
        verify_segments(index_dir, segments, written)     # a new version never names a segment changed on disk
        stats = (stats or StatCache(Path(index_dir))).settled(Path(index_dir), copies)
        lines = filetable.changes({seg.name: seg.table() for seg in segments}, draft.files) + stats.change_lines()
        manifest = {"encoder": encoder_name, "dim": dim, "chunker": CHUNKER_VERSION, "settings": settings.index_key(),
                    "updated": time.time(), "chunks": sum(e.count for e in draft.files.values()),
                    "files_count": len(draft.files), "segments": [seg.info.to_dict() for seg in segments],
                    **{k: v for k, v in extra.items() if k not in ("files", "stat_cache")},
                    "stat_base": stats.base}
        path = write_version(index_dir, manifest, changes=lines)
    except BaseException:
        remove_parts(index_dir, written)
        for copy in copies:
            copy.unlink(missing_ok=True)
        raise
    return Store(manifest, segments, path, draft.files.values(), stats=stats)
