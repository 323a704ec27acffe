"""The files an index holds, written where they change: each segment carries the table of the files whose rows it
holds, and each version only what it changes in those tables.

Layout::

    segments/s-…/files.jsonl      # one line per file of the segment, written once with it (checksummed with its
                                  # other files): {"source", "sha256", "size", "encoding", "meta", "local",
                                  # "count", "aliases"}
    v-…/changes.jsonl             # what this version changes in its segments' tables, one line each:
                                  #   {"drop": source, "segment": name}  the file's rows there are no longer live
                                  #   {"set": source, "entry": {…}}     its entry, instead of its segment's line
                                  # (and the stat cache's changes: see assistant.index.statcache)

A report added, changed or relabelled goes into the new segment's table, and its old rows get one ``drop``
line; a file whose other names (aliases) changed gets a ``set`` line. So an update writes its own files' lines
and a line per file it removed, not the whole list: at 1M files the version stays a few KB (``python -m
eval.bench --only update``). A merge writes the merged segment's table from the live entries, which folds
away every ``drop`` and ``set`` line of the segments it merged. A segment written before tables existed (format
3) has none: its files are carried as ``set`` lines until a merge rewrites it.

Example:
    >>> entry = FileEntry("a.txt", "ab12", 10, "utf-8", ReportMeta(), 0, 3)
    >>> [e.source for e in read_table_bytes(table_bytes([entry]), "s-1")]
    ['a.txt']
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from assistant.records import ReportMeta

log = logging.getLogger(__name__)

TABLE = "files.jsonl"
CHANGES = "changes.jsonl"


@dataclass(frozen=True)
class FileEntry:
    """What the index knows of one source file. ``first``/``count`` are its live rows in the snapshot;
    ``segment``/``local`` where those rows are stored."""

    source: str
    sha256: str
    size: int
    encoding: str
    meta: ReportMeta
    first: int            # live row of its first chunk
    count: int            # how many chunks
    aliases: tuple[str, ...] = ()  # other file names with the same content
    segment: str = ""
    local: int = 0        # row of its first chunk in its segment

    def to_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "encoding": self.encoding,
                "meta": self.meta.to_dict(), "segment": self.segment, "local": self.local, "count": self.count,
                "aliases": list(self.aliases)}

    @classmethod
    def from_dict(cls, source: str, data: dict) -> "FileEntry":
        return cls(source, data["sha256"], data["size"], data.get("encoding", ""),
                   ReportMeta.from_dict(data["meta"]), 0, data["count"], tuple(data.get("aliases", ())),
                   data.get("segment", ""), data.get("local", 0))

    def same_as(self, other: "FileEntry") -> bool:
        """The same record (where its rows live, its content and names), whatever its live row ``first``."""
        return self is other or (
            self.local == other.local and self.count == other.count and self.segment == other.segment
            and self.source == other.source and self.sha256 == other.sha256 and self.aliases == other.aliases
            and self.size == other.size and self.encoding == other.encoding
            and (self.meta is other.meta or self.meta == other.meta))


def json_line(value) -> bytes:
    """``value`` as one line of UTF-8 JSON; text that cannot be encoded (a file name in another encoding) is
    written as the app shows it rather than failing the update."""
    try:
        return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        from assistant.index.store import text_safe

        return (json.dumps(text_safe(value), ensure_ascii=False) + "\n").encode("utf-8")


def table_bytes(entries: Iterable[FileEntry]) -> bytes:
    """A segment's ``files.jsonl``: its files in row order, each without the segment's name (the folder says it)."""
    lines = []
    for entry in sorted(entries, key=lambda e: e.local):
        data = entry.to_dict()
        del data["segment"]
        lines.append(json_line({"source": entry.source, **data}))
    return b"".join(lines)


def read_table_bytes(raw: bytes, segment: str) -> list[FileEntry]:
    out = []
    for line in raw.decode("utf-8").splitlines():
        data = json.loads(line)
        out.append(FileEntry.from_dict(data["source"], {**data, "segment": segment}))
    return out


def read_table(folder: Path) -> list[FileEntry] | None:
    """The entries of a segment folder's table; None when it has none (a segment written before tables)."""
    try:
        raw = (Path(folder) / TABLE).read_bytes()
    except FileNotFoundError:
        return None
    return read_table_bytes(raw, Path(folder).name)


def changes(tables: Mapping[str, Sequence[FileEntry] | None], files: Mapping[str, FileEntry]) -> list[dict]:
    """The lines a version writes so that its segments' ``tables`` (segment name → entries, None: no table)
    give ``files``: a ``drop`` for every table line no longer live, a ``set`` for every entry its table lacks
    or records otherwise."""
    live: dict[str, dict[str, FileEntry]] = {name: {} for name in tables}
    for entry in files.values():
        if entry.segment not in live:
            raise ValueError(f"file {entry.source} names segment {entry.segment!r}, which the version does not hold")
        live[entry.segment][entry.source] = entry
    out = []
    for name, table in tables.items():
        mine = live[name]
        written = {e.source: e for e in table or ()}
        out.extend({"drop": source, "segment": name} for source in written if source not in mine)
        for source, entry in mine.items():
            old = written.get(source)
            if old is None or not old.same_as(entry):
                out.append({"set": source, "entry": entry.to_dict()})
    return out


def apply(tables: Mapping[str, Sequence[FileEntry] | None], lines: Iterable[dict]) -> list[FileEntry]:
    """The files of a version: its segments' table entries, less the ``drop`` lines, plus the ``set`` ones.

    Raises:
        ValueError: when the lines name a segment the version does not hold, or leave a file in two places.
    """
    held: dict[tuple[str, str], FileEntry] = {}
    for name, table in tables.items():
        for entry in table or ():
            held[(name, entry.source)] = entry
    sets = []
    for line in lines:
        if "drop" in line:
            if held.pop((line["segment"], line["drop"]), None) is None:
                raise ValueError(f"a drop line names {line['drop']!r} in {line['segment']!r}, which holds no such file")
        elif "set" in line:
            sets.append(FileEntry.from_dict(line["set"], line["entry"]))
    for entry in sets:
        if entry.segment not in tables:
            raise ValueError(f"file {entry.source} names segment {entry.segment!r}, which this version does not hold")
        held[(entry.segment, entry.source)] = entry
    out, seen = [], set()
    for entry in held.values():
        if entry.source in seen:
            raise ValueError(f"file {entry.source} is live in two segments")
        seen.add(entry.source)
        out.append(entry)
    return out
