"""Each segment's indicator rows, kept in a plain file of the segment (``indicators.jsonl``), and the table of a snapshot.

The file's first line names what read it (the reader's version and a hash of the catalogue tables); each
further line is one report of the segment: its first row in the segment (``local``), its cells and its
element check. The file is written with the segment's other files (so the manifest lists its checksum and
loading verifies it), and a merge copies the lines of the reports it keeps, renumbered, without reading
a report again. A report whose segment has no such file (an index written before this existed), or one
read by another reader version, is read from its indexed chunks when the table is first asked for.

Example:
    >>> lines = segment_lines([(0, row)])                 # doctest: +SKIP
    >>> rows = snapshot_rows(store)                       # doctest: +SKIP  {source: ReportRow}
"""
from __future__ import annotations

import hashlib
import json
import threading
import weakref
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from assistant.indicators.catalogue import tables_text
from assistant.indicators.reader import READER_VERSION
from assistant.index.filetable import json_line
from assistant.indicators.records import Cell, ElementCheck, ReportRow
from assistant.records import ReportMeta

FILE = "indicators.jsonl"


def reader_key() -> dict:
    """What a stored table depends on: the reader's version and the catalogue tables."""
    return {"reader": READER_VERSION, "tables": hashlib.sha256(tables_text().encode("utf-8")).hexdigest()[:16]}


def _file(lines: Iterable[dict]) -> bytes:
    """The file's bytes: the reader's key, then one JSON line per stored report."""
    return json_line(reader_key()) + b"".join(json_line(data) for data in lines)


def segment_lines(rows: Iterable[tuple[int, ReportRow]]) -> bytes:
    """The file's bytes for (first row in the segment, ReportRow) pairs."""
    return _file({"local": local, "source": row.source, "cells": [c.to_dict() for c in row.cells],
                  "elements": [e.to_dict() for e in row.elements]} for local, row in rows)


def read_segment(folder: Path) -> dict[int, dict]:
    """local row → stored line of a segment folder's file; {} when it has none or another reader wrote it."""
    path = Path(folder) / FILE
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except FileNotFoundError:
        return {}
    if not lines or json.loads(lines[0]) != reader_key():
        return {}
    out = {}
    for line in lines[1:]:
        data = json.loads(line)
        out[int(data["local"])] = data
    return out


def merged_lines(folders: Sequence[Path], new_row: Sequence[np.ndarray]) -> bytes | None:
    """The file of a merged segment: the stored lines of the rows kept, renumbered (None when none is stored)."""
    kept = []
    for folder, mapping in zip(folders, new_row):
        for local, data in read_segment(folder).items():
            if local < len(mapping) and mapping[local] >= 0:
                kept.append((int(mapping[local]), {**data, "local": int(mapping[local])}))
    if not kept:
        return None
    kept.sort(key=lambda x: x[0])
    return _file(d for _, d in kept)


def _row(data: dict, meta: ReportMeta) -> ReportRow:
    return ReportRow(data["source"], meta, tuple(Cell.from_dict(c) for c in data["cells"]),
                     tuple(ElementCheck.from_dict(e) for e in data["elements"]))


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def snapshot_rows(store) -> dict[str, ReportRow]:
    """Every report's row of a snapshot, from its segments' files; the reports they lack are read from their
    indexed chunks (kept for the snapshot's life). Metadata always comes from the snapshot (a sidecar edit
    changes the row's region at once)."""
    from assistant.indicators import read_report

    with _LOCK:
        cached = _CACHE.get(store)
    if cached is not None:
        return cached
    stored: dict[tuple[str, int], dict] = {}
    if store.path is not None:
        root = Path(store.path).parent / "segments"
        for seg in store.segments:
            for local, data in read_segment(root / seg.name).items():
                stored[(seg.name, local)] = data
    rows = {}
    for source, entry in store.files.items():
        data = stored.get((entry.segment, entry.local))
        if data is not None and data.get("source") == source:
            rows[source] = _row(data, entry.meta)
        else:
            chunks = [store.chunks[r] for r in range(entry.first, entry.first + entry.count)]
            rows[source] = read_report(source, entry.meta, chunks)
    with _LOCK:
        _CACHE[store] = rows
    return rows
