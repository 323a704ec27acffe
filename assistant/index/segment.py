"""A segment: the chunks of some reports, their BM25 postings and year mentions, written once into a folder
of plain files and never changed; their vectors, once embedded, go into a folder of their own.

Layout, under ``index_dir/segments/``::

    s-<time>-<rand>/                 # the words, written as soon as the reports are read
      chunks.jsonl, chunk_offsets.npy  # one Chunk per line (no tokens), and where each line starts
      bm25/                           # Postings: words.bin, word_offsets, indptr, rows, counts, lengths
      years.npy, year_offsets.npy, year_rows.npy
      indicators.jsonl                # each report's indicator cells and element check (assistant.indicators.stored)
      files.jsonl                     # the files whose rows it holds (assistant.index.filetable)
    s-<time>-<rand>.vec-<rand>/      # its vectors: vectors.npy, vectors.json, faiss.index (IVF only)

Everything is memory-mapped at load: a snapshot holds no chunk text, token or vector of its own.
Each folder is written under a ``.tmp`` name, fsync'd and renamed, so a crash leaves nothing half-written
under a real name.
"""
from __future__ import annotations

import json
import mmap
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from assistant.index.filetable import TABLE, read_table
from assistant.index.postings import Postings
from assistant.index.years import YearIndex
from assistant.records import Chunk
from assistant.text import normalize
from embeddings.vector_index import VectorIndex

SEGMENTS = "segments"


def new_name(prefix: str = "s") -> str:
    return f"{prefix}-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Part:
    """A folder of a segment as the manifest records it: its name and the SHA-256 of each file in it."""

    name: str
    files: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"name": self.name, "files": dict(self.files)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Part | None":
        return cls(data["name"], dict(data.get("files", {}))) if data else None


@dataclass(frozen=True)
class SegmentInfo:
    """What a version's manifest records of one of its segments."""

    words: Part                 # chunks, BM25 postings, years
    rows: int
    vectors: Part | None = None

    @property
    def name(self) -> str:
        return self.words.name

    def to_dict(self) -> dict:
        return {"rows": self.rows, "words": self.words.to_dict(),
                "vectors": self.vectors.to_dict() if self.vectors else None}

    @classmethod
    def from_dict(cls, data: dict) -> "SegmentInfo":
        return cls(Part.from_dict(data["words"]), int(data["rows"]), Part.from_dict(data.get("vectors")))

    def checksums(self) -> dict[str, str]:
        """Path relative to the index folder → SHA-256, for every file of this segment."""
        out = {}
        for part in (self.words, self.vectors):
            if part is not None:
                out.update({f"{SEGMENTS}/{part.name}/{rel}": digest for rel, digest in part.files.items()})
        return out


class ChunkFile(Sequence[Chunk]):
    """The chunks of one segment, read from the memory-mapped ``chunks.jsonl`` one line at a time."""

    def __init__(self, data, offsets: np.ndarray):
        self._data = data
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def line(self, row: int) -> bytes:
        return self._data[int(self.offsets[row]):int(self.offsets[row + 1])]

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        return Chunk.from_dict(json.loads(self.line(row)))

    def __iter__(self) -> Iterator[Chunk]:
        for row in range(len(self)):
            yield self[row]

    @classmethod
    def open(cls, folder: Path) -> "ChunkFile":
        offsets = np.load(folder / "chunk_offsets.npy")
        path = folder / "chunks.jsonl"
        if int(offsets[-1]) != path.stat().st_size:
            raise ValueError(f"{path} is {path.stat().st_size} bytes, its offsets say {int(offsets[-1])}")
        if offsets[-1] == 0:
            return cls(b"", offsets)
        with open(path, "rb") as fh:
            return cls(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), offsets)


class Segment:
    """One segment opened for searching: chunks, postings, years and (when embedded) vectors, all mapped."""

    def __init__(self, info: SegmentInfo, chunks: ChunkFile, postings: Postings, years: YearIndex,
                 vectors: VectorIndex | None, folder: Path | None = None):
        self.info, self.chunks, self.postings, self.years, self.vectors = info, chunks, postings, years, vectors
        self.folder = folder
        self._table: list | None = None

    def table(self) -> list | None:
        """The FileEntry of each file whose rows it holds, as written with it (None: a segment written before
        tables, see :mod:`assistant.index.filetable`); read once."""
        if self._table is None and self.folder is not None and TABLE in self.info.words.files:
            self._table = read_table(self.folder)
        return self._table

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def rows(self) -> int:
        return self.info.rows

    @classmethod
    def open(cls, index_dir: Path, info: SegmentInfo, mmap_files: bool = True) -> "Segment":
        """Open a segment's folders; ValueError when its parts disagree with each other or the manifest."""
        folder = Path(index_dir) / SEGMENTS / info.name
        chunks = ChunkFile.open(folder)
        postings = Postings.load(folder / "bm25", mmap_files)
        years = YearIndex.load(folder, mmap_files)
        vectors = None
        if info.vectors is not None:
            vectors = VectorIndex.load(Path(index_dir) / SEGMENTS / info.vectors.name, mmap_files)
        if not (len(chunks) == postings.size == info.rows) or (vectors is not None and len(vectors) != info.rows):
            raise ValueError(f"segment {info.name} is inconsistent: {len(chunks)} chunks, {postings.size} BM25 rows, "
                             f"{len(vectors) if vectors is not None else '-'} vectors, manifest says {info.rows}")
        return cls(info, chunks, postings, years, vectors, folder)

    def with_vectors(self, part: Part, vectors: VectorIndex) -> "Segment":
        seg = Segment(SegmentInfo(self.info.words, self.info.rows, part), self.chunks, self.postings, self.years,
                      vectors, self.folder)
        seg._table = self._table
        return seg


# -- writing ---------------------------------------------------------------------------------------

def _publish(tmp: Path, final: Path) -> dict[str, str]:
    """fsync a finished ``.tmp`` folder, hash its files, and rename it to its real name."""
    from assistant.index.store import fsync_tree, sha256_of

    files = {p.relative_to(tmp).as_posix(): sha256_of(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    fsync_tree(tmp)
    os.replace(tmp, final)
    return files


def _prepare(index_dir: Path, name: str) -> tuple[Path, Path]:
    root = Path(index_dir) / SEGMENTS
    root.mkdir(parents=True, exist_ok=True)
    tmp, final = root / (name + ".tmp"), root / name
    tmp.mkdir()
    return tmp, final


def write_words(index_dir: Path, chunks: Sequence[Chunk], tokens: Sequence[Sequence[str]] | None = None,
                lines: Sequence[bytes] | None = None, postings: Postings | None = None,
                years: YearIndex | None = None, extra: dict[str, bytes] | None = None) -> SegmentInfo:
    """Write a segment's words: from chunks and their tokens, or (merging) from chunk lines, postings and years
    already made. Returns its manifest record; the caller removes the folder if anything after fails.
    ``extra``: more plain files of the segment by name (its indicator table), hashed with the others."""
    name = new_name()
    tmp, final = _prepare(index_dir, name)
    try:
        offsets = [0]
        with open(tmp / "chunks.jsonl", "wb") as fh:
            for line in (lines if lines is not None else
                         ((json.dumps(c.to_dict(), ensure_ascii=False) + "\n").encode("utf-8") for c in chunks)):
                fh.write(line)
                offsets.append(offsets[-1] + len(line))
        np.save(tmp / "chunk_offsets.npy", np.array(offsets, dtype=np.int64))
        (postings if postings is not None else Postings.build(tokens)).save(tmp / "bm25")
        if years is None:
            years = YearIndex.build(normalize(c.section + c.text) for c in chunks)
        years.save(tmp)
        for file_name, data in (extra or {}).items():
            (tmp / file_name).write_bytes(data)
        files = _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SegmentInfo(Part(name, files), len(offsets) - 1)


def write_vectors(index_dir: Path, info: SegmentInfo, index: VectorIndex) -> Part:
    """Write the vectors of segment ``info`` (one row per row of it) into their own folder."""
    if len(index) != info.rows:
        raise ValueError(f"{len(index)} vectors for the {info.rows} rows of segment {info.name}")
    name = f"{info.name}.vec-{secrets.token_hex(3)}"
    tmp, final = _prepare(index_dir, name)
    try:
        index.save(tmp)
        files = _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Part(name, files)
