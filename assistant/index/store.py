"""The persisted index: segments of plain files, and one small folder per version naming them, switched atomically.

Layout::

    index_dir/
      CURRENT                 # name of the live version, replaced with os.replace
      v-<time>-<rand>/
        manifest.json         # format, encoder, dim, chunker version, settings, the segments with the SHA-256
                              # of their files, and the SHA-256 of changes.jsonl
        changes.jsonl         # what this version changes in its segments' file tables (assistant.index.filetable)
                              # and in the stat cache (assistant.index.statcache)
        manifest.sha256       # the SHA-256 of manifest.json
      segments/               # immutable folders shared by versions (see assistant.index.segment)
        s-<time>-<rand>/      # chunks.jsonl, BM25 postings, year mentions, files.jsonl (the files it holds)
        s-<time>-<rand>.vec-<rand>/   # their vectors (vectors.npy, vectors.json, faiss.index for IVF)
      stat-cache/             # the stat cache's last full copy (assistant.index.statcache)

An update writes only what is new: a segment for the files added or changed (with their table), and a version
that names the old segments plus the new one and lists only what changed in their tables (rows of replaced or
removed files are left out of the live rows until a merge rewrites their segment): its size follows the
update, not the index (format 3 listed every file in every version; it is still read). When nothing changed nothing is written. A version folder is complete
before CURRENT names it, so a reader (or a crash) only ever sees the previous index or the new one.
Loading checks every file against its checksum, so a damaged file is refused (IndexCorrupt with the
rebuild command) instead of answering wrongly or being copied into the next version. A write that fails
(full disk, read-only mount) removes what it wrote and leaves the live version as it was (IndexWriteError).
Everything big is memory-mapped: a loaded snapshot holds metadata and row maps, not chunks or vectors.
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
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from assistant.index.filetable import CHANGES, FileEntry, apply, json_line
from assistant.index.lexical import LexicalIndex
from assistant.index.live import LiveChunks, LiveMap, LiveVectors
from assistant.index.segment import SEGMENTS, Segment, SegmentInfo
from assistant.index.statcache import FOLDER as STAT_CACHE
from assistant.index.statcache import StatCache
from assistant.index.years import indexed
from assistant.records import Hit, ReportMeta
from assistant.text import normalize
from embeddings.encoder import vector_space

log = logging.getLogger(__name__)

FORMAT = 4            # 4: each segment lists its files, a version what changed; 3: every version lists every file
READABLE = (3, 4)     # 3 is read as it is (its files are in its manifest) and the next update writes 4
LEGACY = (1, 2)       # read again on the next update, keeping their vectors (assistant.index.legacy)
CURRENT = "CURRENT"
SEAL = "manifest.sha256"
GRACE_S = 120.0       # a superseded version is kept this long after its successor went live (see _collect_garbage)


class IndexUnusable(Exception):
    """Base for index problems; the message says what is wrong and what to do."""


class IndexMismatch(IndexUnusable):
    """The index was built with another encoder, dimension, chunker or format."""


class IndexOutdated(IndexMismatch):
    """The index was written by an earlier version of this program; an update reads the reports again
    and keeps its vectors."""


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


def _pointer(index_dir: Path) -> str:
    """The live version's name; FileNotFoundError when there is no index, IndexCorrupt when CURRENT is unreadable."""
    try:
        version = current_version(index_dir)
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(index_dir, f"{CURRENT} is unreadable ({exc})") from exc
    if version is None:
        raise FileNotFoundError(f"no index in {index_dir}")
    if "/" in version or version in (".", "..") or "\0" in version:
        raise _damaged(index_dir, f"{CURRENT} names {version[:60]!r}, not a version folder")
    return version


def remove_unfinished(index_dir: Path) -> None:
    """Delete every ``*.tmp`` left by a writer that crashed or hit a full disk. Only call this holding the
    write lock: then no writer is using any of them."""
    for folder in (Path(index_dir), Path(index_dir) / SEGMENTS, Path(index_dir) / STAT_CACHE):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.endswith(".tmp"):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with _quietly():
                        path.unlink(missing_ok=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """An immutable, loaded index snapshot. Replace the whole object to see an update (no torn reads).

    Rows are the live rows of all its segments, numbered 0..len-1 in segment order; a file's rows are
    contiguous. Chunks, postings and vectors stay in their memory-mapped files.

    Example:
        >>> store = Store.load(Path("seeds/.index/e5-onnx"))       # doctest: +SKIP
        >>> len(store), store.manifest["encoder"], store.vectors.complete  # doctest: +SKIP
    """

    def __init__(self, manifest: dict, segments: list[Segment], path: Path | None = None,
                 entries: Iterable[FileEntry] | None = None, changes: Sequence[dict] = (),
                 stats: StatCache | None = None):
        """Args:
            entries: the files (a writer's draft); by default read from the segments' tables and ``changes``
                (the version's lines), or from the manifest itself when it lists them (format 3).
            stats: the stat cache; by default the one ``manifest`` and ``changes`` name.
        """
        self.manifest = manifest
        self.segments = list(segments)
        self.path = path
        index_dir = Path(path).parent if path is not None else None
        self.stats = stats if stats is not None else StatCache.of_version(index_dir, manifest, list(changes))
        position = {seg.name: i for i, seg in enumerate(self.segments)}
        if entries is None and "files" in manifest:
            entries = [FileEntry.from_dict(name, data) for name, data in manifest["files"].items()]
        elif entries is None:
            entries = apply({seg.name: seg.table() for seg in self.segments}, changes)
        entries = list(entries)
        entries.sort(key=lambda e: (position.get(e.segment, -1), e.local))
        live_of = [np.full(seg.rows, -1, dtype=np.int32) for seg in self.segments]
        self.files: dict[str, FileEntry] = {}
        row = 0
        for entry in entries:
            if entry.segment not in position or entry.local + entry.count > self.segments[position[entry.segment]].rows:
                raise ValueError(f"file {entry.source} names rows {entry.local}+{entry.count} of segment "
                                 f"{entry.segment!r}, which this version does not hold")
            live_of[position[entry.segment]][entry.local:entry.local + entry.count] = np.arange(row, row + entry.count)
            # A kept entry usually keeps its row (new segments come last): then it is not copied again.
            self.files[entry.source] = entry if entry.first == row else replace(entry, first=row)
            row += entry.count
        self.where = LiveMap(live_of)
        self.sources = [e.source for e in entries]
        self.skipped: list[tuple[str, str]] = [tuple(readable(str(part)) for part in x)
                                               for x in manifest.get("skipped", [])]
        self.chunks = LiveChunks(self.segments, self.where)
        self.lexical = LexicalIndex([(seg.postings, live) for seg, live in zip(self.segments, live_of)], row)
        self.vectors = LiveVectors(self.segments, self.where, int(manifest.get("dim") or 0))

    def __len__(self) -> int:
        return self.where.size

    @property
    def version(self) -> str | None:
        """The version folder this snapshot was loaded from or written to (None before it is written)."""
        return self.path.name if self.path else None

    @property
    def generation(self) -> int:
        """Grows with every version written, so the newer of two snapshots can be told apart."""
        return int(self.manifest.get("generation", 0))

    @property
    def verified(self) -> bool:
        return True

    @property
    def pending(self) -> list[Segment]:
        """Segments with live rows whose vectors are not written yet (embedding fills them in)."""
        return [seg for seg, live in zip(self.segments, self.where.live_of) if seg.vectors is None and (live >= 0).any()]

    def with_skipped(self, skipped: list[tuple[str, str]], notes: list[str]) -> "Store":
        """The same snapshot (sharing every segment) reporting this update's skipped files and notes; written nowhere."""
        if [tuple(x) for x in skipped] == self.skipped and notes == self.manifest.get("notes", []):
            return self
        manifest = {**self.manifest, "skipped": [list(x) for x in skipped], "notes": list(notes)}
        return Store(manifest, self.segments, self.path, self.files.values(), stats=self.stats)

    def meta(self, source: str) -> ReportMeta:
        return self.files[source].meta

    def rows_of(self, sources: list[str]) -> np.ndarray:
        """Chunk rows of the given source files, ascending."""
        parts = [np.arange(self.files[s].first, self.files[s].first + self.files[s].count) for s in sources
                 if s in self.files]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def rows_mentioning(self, years: list[int], rows: np.ndarray | None = None) -> np.ndarray:
        """The rows (of ``rows``, or of all) whose heading or text holds any of ``years``, ascending: looked
        up in the year index written with each segment (years outside it are scanned for)."""
        found = []
        for seg, live in zip(self.segments, self.where.live_of):
            for year in years:
                if indexed(year):
                    mapped = live[seg.years.rows(year)]
                    found.append(mapped[mapped >= 0])
        hits = np.unique(np.concatenate(found)).astype(np.int64) if found else np.zeros(0, dtype=np.int64)
        if rows is not None and len(hits):
            rows = np.asarray(rows)          # ascending, as rows_of gives them
            at = np.minimum(np.searchsorted(rows, hits), max(len(rows) - 1, 0))
            hits = hits[rows[at] == hits] if len(rows) else hits[:0]
        others = [str(y) for y in years if not indexed(y)]
        if others:
            chunks = self.chunks
            scan = np.asarray(rows if rows is not None else np.arange(len(self)), dtype=np.int64)
            extra = [r for r in scan.tolist()
                     if any(y in normalize(chunks[r].section + chunks[r].text) for y in others)]
            hits = np.union1d(hits, np.asarray(extra, dtype=np.int64))
        return hits

    def hit(self, row: int, score: float, dense: float | None = None) -> Hit:
        chunk = self.chunks[row]
        meta = self.files[chunk.source].meta
        return Hit(source=chunk.source, section=chunk.section, text=chunk.text, score=float(score),
                   region=meta.region, year=meta.year, title=meta.title, years=meta.years,
                   chunk_id=chunk.id, start=chunk.start, end=chunk.end, page=chunk.page, dense=dense,
                   region_path=meta.region_path, uncertain=meta.uncertain, issuer=meta.issuer)

    def file_vectors(self, source: str) -> np.ndarray | None:
        """The vectors of a file's rows, or None while its segment has none."""
        entry = self.files[source]
        seg = self.segments[int(self.where.segment[entry.first])] if entry.count else None
        if seg is None or seg.vectors is None:
            return None
        return np.asarray(seg.vectors.vectors[entry.local:entry.local + entry.count])

    def part(self, name: str) -> Path:
        """The path of file ``name`` (e.g. "vectors.npy", "chunks.jsonl") in the first segment that has it."""
        index_dir = self.path.parent
        for seg in self.segments:
            for part in (seg.info.words, seg.info.vectors):
                if part is not None and name in part.files:
                    return index_dir / SEGMENTS / part.name / name
        raise FileNotFoundError(name)

    def checksums(self) -> dict[str, str]:
        """Path relative to the index folder → SHA-256, for every segment file this snapshot uses."""
        out = {}
        for seg in self.segments:
            out.update(seg.info.checksums())
        return out

    # -- persistence -------------------------------------------------------------------------

    @classmethod
    def load(cls, index_dir: Path, encoder: str | None = None, dim: int | None = None,
             chunker: str | None = None, settings_key: dict | None = None, verify: bool = True,
             mmap: bool = True) -> "Store":
        """Load the live version of ``index_dir``, refusing one built differently or damaged.

        Args:
            verify: check every file against the checksum written with it (``python -m eval.verify_cost``).
            mmap: map chunks, postings and vectors from their files (False reads them into memory).

        Raises:
            FileNotFoundError: when there is no index yet.
            IndexOutdated: when an earlier version of this program wrote it (an update reads it again).
            IndexMismatch: when encoder, dimension, chunker version or format differ.
            IndexCorrupt: when a file is missing, unreadable or changed since it was written; the message
                says how to rebuild.
        """
        index_dir = Path(index_dir)
        for attempt in (1, 2):
            version = _pointer(index_dir)
            try:
                return cls._load_version(index_dir, version, encoder, dim, chunker, settings_key, verify, mmap)
            except IndexCorrupt:
                # A writer may have switched CURRENT and removed this version while it was being read: then
                # the newer one is loaded once before calling the index damaged.
                if attempt == 2 or _pointer(index_dir) == version:
                    raise
                log.info("index version %s went away while loading; loading the live one", version)
        raise AssertionError("unreachable")

    @classmethod
    def _load_version(cls, index_dir: Path, version: str, encoder: str | None, dim: int | None,
                      chunker: str | None, settings_key: dict | None, verify: bool, mmap: bool) -> "Store":
        try:
            folder = index_dir / version
            raw = (folder / "manifest.json").read_bytes()
            manifest = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexCorrupt(f"index {index_dir} is unreadable ({exc}); {rebuild_hint(index_dir)}") from exc
        if verify and manifest.get("format") != 1:
            _verify_manifest(folder, raw, index_dir)
        changes = _read_changes(folder, manifest, index_dir, verify)
        if manifest.get("format") in LEGACY:
            raise IndexOutdated(f"index {index_dir} was written by an earlier version (format "
                                f"{manifest.get('format')}); the next update reads the reports again and "
                                f"keeps their vectors, or {rebuild_hint(index_dir)}")
        problems = []
        if manifest.get("format") not in READABLE:
            problems.append(f"format {manifest.get('format')} (this version reads {READABLE[0]}–{FORMAT})")
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
            infos = [SegmentInfo.from_dict(d) for d in manifest.get("segments", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise _damaged(index_dir, f"the manifest's segment list is unreadable ({exc})") from exc
        if verify and (infos or manifest.get("chunks") or manifest.get("files")):
            # An index of no reports names no segment and no file: valid, and there is nothing to check.
            sums = {}
            for info in infos:
                sums.update(info.checksums())
            _verify_files(index_dir, sums)
        return cls.open(index_dir, manifest, infos, folder, mmap, changes=changes)

    @classmethod
    def open(cls, index_dir: Path, manifest: dict, infos: list[SegmentInfo], folder: Path | None,
             mmap: bool = True, opened: dict[str, Segment] | None = None, changes: Sequence[dict] = ()) -> "Store":
        """A snapshot of ``manifest``'s segments, reusing ``opened`` ones (by name, with the same vectors)."""
        opened = opened or {}
        try:
            segments = []
            for info in infos:
                seg = opened.get(info.name)
                if seg is None or seg.info != info:
                    seg = Segment.open(index_dir, info, mmap)
                segments.append(seg)
            store = cls(manifest, segments, folder, changes=changes)
        except Exception as exc:  # any unreadable part means the same thing to the user
            raise IndexCorrupt(f"index {index_dir} is damaged ({type(exc).__name__}: {exc}); "
                               f"{rebuild_hint(index_dir)}") from exc
        if len(store) != manifest.get("chunks"):
            raise IndexCorrupt(f"index {index_dir} is inconsistent: {len(store)} live rows, manifest says "
                               f"{manifest.get('chunks')}; {rebuild_hint(index_dir)}")
        return store


def write_version(index_dir: Path, manifest: dict, keep: int = 2, changes: Sequence[dict] = ()) -> Path:
    """Write ``manifest`` as a new version of ``index_dir`` (its segments already written), with ``changes``
    (the lines of its ``changes.jsonl``, see :mod:`assistant.index.filetable`), and switch CURRENT to it
    atomically; then delete versions beyond ``keep`` and segments no kept version names.

    Raises:
        OSError: when writing fails; what this call wrote is removed and the live version stays live.
    """
    index_dir = Path(index_dir)
    name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    tmp, final, pointer = index_dir / (name + ".tmp"), index_dir / name, index_dir / (CURRENT + ".tmp")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        lines = b"".join(json_line(line) for line in changes)
        (tmp / CHANGES).write_bytes(lines)
        data = _manifest_bytes({**manifest, "format": FORMAT,
                                "changes": {"sha256": hashlib.sha256(lines).hexdigest(), "lines": len(changes)}})
        (tmp / "manifest.json").write_bytes(data)
        (tmp / SEAL).write_text(hashlib.sha256(data).hexdigest())
        fsync_tree(tmp)
        fsync_dir(index_dir / SEGMENTS)        # the segments' renames are durable before a version names them
        os.replace(tmp, final)
        pointer.write_text(name)
        with open(pointer, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer, index_dir / CURRENT)
    except BaseException:        # a full disk, or anything else: what this call wrote goes, the live version stays
        for path in (tmp, final):
            shutil.rmtree(path, ignore_errors=True)
        with _quietly():
            pointer.unlink(missing_ok=True)
        raise
    with _quietly():   # the new version is live; tidying up after it may fail without harm
        fsync_dir(index_dir)
        _collect_garbage(index_dir, keep)
    return final


def readable(text: str) -> str:
    """``text`` as valid Unicode: a file name read from the disk in another encoding (a GBK name is a str
    with lone surrogates) decoded as the app shows it, else with its bytes written as ``\\xNN``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def text_safe(value):
    """``value`` (JSON-like) with every string :func:`readable`."""
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, dict):
        return {readable(k) if isinstance(k, str) else k: text_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [text_safe(v) for v in value]
    return value


def _manifest_bytes(manifest: dict) -> bytes:
    """The manifest as UTF-8 JSON. Text that cannot be encoded (names in another encoding that reached a
    reason or a path) is written as the app shows it rather than failing the update."""
    try:
        return json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        log.warning("the manifest held text that is not valid Unicode; written escaped")
        return json.dumps(text_safe(manifest), ensure_ascii=False, indent=1).encode("utf-8")


def remove_parts(index_dir: Path, names: list[str]) -> None:
    """Remove segment folders this update wrote but no version names (after a failed write)."""
    for name in names:
        shutil.rmtree(Path(index_dir) / SEGMENTS / name, ignore_errors=True)


def _read_changes(folder: Path, manifest: dict, index_dir: Path, verify: bool) -> list[dict]:
    """The lines of a version's changes.jsonl, checked against the SHA-256 its manifest gives ([] for format 3)."""
    sealed = manifest.get("changes")
    if not isinstance(sealed, dict):
        return []
    try:
        raw = (folder / CHANGES).read_bytes()
    except OSError as exc:
        raise _damaged(index_dir, f"{CHANGES} is missing") from exc
    if verify and hashlib.sha256(raw).hexdigest() != sealed.get("sha256"):
        raise _damaged(index_dir, f"{CHANGES} does not match its checksum")
    try:
        return [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(index_dir, f"{CHANGES} is unreadable") from exc


def _damaged(index_dir: Path, what: str) -> IndexCorrupt:
    return IndexCorrupt(f"index {index_dir} is damaged: {what} (changed or corrupted on disk since it was "
                        f"written); {rebuild_hint(index_dir)}")


def _verify_manifest(folder: Path, raw: bytes, index_dir: Path) -> None:
    try:
        sealed = (folder / SEAL).read_bytes().decode("ascii").strip()
    except OSError as exc:
        raise _damaged(index_dir, f"{SEAL} is missing") from exc
    except UnicodeDecodeError as exc:          # a flipped or overwritten seal is damage, not a crash
        raise _damaged(index_dir, f"{SEAL} is not a checksum") from exc
    if hashlib.sha256(raw).hexdigest() != sealed:
        raise _damaged(index_dir, "manifest.json does not match its checksum")


# Segment files this process has checked: path → (stat signature, SHA-256). A file is hashed when it is first
# mapped in the process, and again whenever its stat changed (any write changes its ctime) before a version
# names it, so a segment changed on disk is refused, never served or named by the next version.
_CHECKED: dict[str, tuple[tuple, str]] = {}


def _stat_key(info: os.stat_result) -> tuple:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _verify_files(root: Path, sums: dict[str, str], index_dir: Path | None = None) -> None:
    """Check every file named in ``sums`` (relative to ``root``) against its SHA-256 (a file this process
    hashed before and whose stat is unchanged is not read again)."""
    index_dir = index_dir or root
    if not isinstance(sums, dict) or not sums:
        raise _damaged(index_dir, "the manifest lists no checksums")
    for rel, expected in sums.items():
        path = Path(root) / rel
        if ".." in Path(rel).parts or not path.is_file():
            raise _damaged(index_dir, f"{rel} is missing")
        try:
            key = _stat_key(os.stat(path))
        except OSError as exc:
            raise _damaged(index_dir, f"{rel} is unreadable") from exc
        if _CHECKED.get(str(path)) == (key, expected):
            continue
        if sha256_of(path) != expected:
            _CHECKED.pop(str(path), None)
            raise _damaged(index_dir, f"{rel} does not match its checksum")
        _CHECKED[str(path)] = (key, expected)


def verify_segments(index_dir: Path, segments: list, fresh: list[str] = ()) -> None:
    """Check the files of ``segments`` (those not named in ``fresh``, which this update just wrote) against
    the checksums they were written with: a new version never names, or merges, a segment changed on disk.

    Raises:
        IndexCorrupt: naming the changed file, with the rebuild command.
    """
    sums = {}
    for seg in segments:
        for part in (seg.info.words, seg.info.vectors):
            if part is not None and part.name not in fresh:
                sums.update({f"{SEGMENTS}/{part.name}/{rel}": digest for rel, digest in part.files.items()})
    if sums:
        _verify_files(Path(index_dir), sums)


class _quietly:
    """Log and swallow an OSError: for tidying up after the work that matters is done."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None and issubclass(kind, OSError):
            log.warning("ignored while tidying the index folder: %s", exc)
            return True
        return False


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for path in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        fsync_dir(path)


def _named_parts(manifest: dict) -> set[str]:
    """The segment folders and the stat cache's full copy a version names."""
    out = {manifest["stat_base"]["name"]} if isinstance(manifest.get("stat_base"), dict) else set()
    for seg in manifest.get("segments", []):
        for key in ("words", "vectors"):
            if seg.get(key):
                out.add(seg[key]["name"])
    return out


def _written_at(version: Path) -> float:
    try:
        return (version / "manifest.json").stat().st_mtime
    except OSError:
        return 0.0


def _collect_garbage(index_dir: Path, keep: int, grace: float | None = None) -> None:
    """Delete old versions, unfinished ``.tmp`` folders, and segment folders that no remaining version names.

    A version is deleted only when it is not among the newest ``keep`` and the version written after it has
    been live for more than ``grace`` seconds (:data:`GRACE_S`): a loader that read CURRENT before the switch
    has finished reading long before (a verified load of 10k chunks takes 0.55 s), and one that is slower
    still loads the newer version once (:meth:`Store.load`). A loaded snapshot keeps its mapped files even
    after they are deleted.
    """
    grace = GRACE_S if grace is None else grace
    live = (index_dir / CURRENT).read_text().strip()
    versions = sorted((p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("v-")
                       and not p.name.endswith(".tmp")), key=lambda p: (_written_at(p), p.name))
    now = time.time()
    stale = []
    for i, version in enumerate(versions[: max(0, len(versions) - keep)]):
        successor = versions[i + 1]
        if version.name != live and now - _written_at(successor) > grace:
            stale.append(version)
    unfinished = [p for p in index_dir.iterdir() if p.name.endswith(".tmp") and p.name != CURRENT + ".tmp"]
    for path in stale + unfinished:
        shutil.rmtree(path, ignore_errors=True)
    named = set()
    for version in (p for p in versions if p not in stale):
        try:
            named |= _named_parts(json.loads((version / "manifest.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return          # a version we cannot read may name any segment: delete none
    folder = index_dir / SEGMENTS
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in named:
                shutil.rmtree(path, ignore_errors=True)
    folder = index_dir / STAT_CACHE
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in named and not path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
