"""Build or refresh the index of a folder (and a library, see :mod:`assistant.index.roots`): scan, plan,
read what changed, embed, write a new version.

Each file is read, decoded, given its metadata, chunked, tokenised and embedded on its own: a failure at
any of these stages skips that file with its reason and costs nothing else. The slow part (reading and
embedding what changed) runs outside the write lock, so one huge file being embedded never holds up
another update: that update leaves the file to the one already reading it and commits its own. Under the
lock the plan is checked against the live version and written; when another update committed meanwhile,
the plan is made again on top of it, reusing everything already read and embedded. When nothing changed,
nothing is written, so an index on a read-only or full disk still answers.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock, Timeout

from assistant import lexicon
from assistant.index.embedding import embed_reports, failure, reusable_vectors
from assistant.index.lexical import LexicalIndex
from assistant.index.plan import Plan, plan_update
from assistant.index.roots import Roots
from assistant.index.scan import Candidate, Scanner, fingerprint, read_file, read_sidecar
from assistant.index.store import (FORMAT, FileEntry, IndexUnusable, IndexWriteError, Store, current_version,
                                   remove_unfinished, write_failure)
from assistant.index.tokens import tokenizer_version
from assistant.ingest.chunking import CHUNKER_VERSION
from assistant.ingest.reading import ReadError
from assistant.ingest.report import parse_report
from assistant.records import Chunk, Report
from assistant.settings import Settings
from assistant.text import folding_version
from embeddings.encoder import Encoder
from embeddings.vector_index import VectorIndex

log = logging.getLogger(__name__)

# progress(stage, done, total, detail): stage is "read" or "embed".
Progress = Callable[[str, int, int, str], None]

ROUNDS = 3                      # plans made outside the lock before one is made under it

# Files some update of this process is reading right now, so that a concurrent update leaves them to it:
# (index folder, file, content hash) → the id of the update reading it.
_CLAIMS: dict[tuple[str, str, str], int] = {}
_CLAIMS_LOCK = threading.Lock()


def no_progress(stage: str, done: int, total: int, detail: str) -> None:
    """A Progress that reports nothing."""


def load_existing(index_dir: Path, encoder: Encoder, settings: Settings) -> Store | None:
    """The index to refresh, or None when there is none yet.

    Raises:
        IndexMismatch / IndexCorrupt: an index that cannot be refreshed; rebuild it instead.
    """
    try:
        return Store.load(index_dir, encoder.name, encoder.dim, CHUNKER_VERSION, settings.index_key())
    except FileNotFoundError:
        return None


def _vectors_only(index_dir: Path, encoder: Encoder) -> Store | None:
    """For a rebuild: the old index, whatever its chunker or settings, so passages whose indexed text is
    unchanged keep their vectors (None when there is none, or it is unreadable, damaged or of another encoder)."""
    try:
        return Store.load(index_dir, encoder.name, encoder.dim)
    except (FileNotFoundError, IndexUnusable):
        return None


def analysis_key() -> dict:
    """What tokens, metadata and chunks depend on besides the code: the lexicon and the segmenter."""
    return {"lexicon": lexicon.fingerprint(), "tokenizer": f"{tokenizer_version()}; {folding_version()}"}


@dataclass(frozen=True)
class _Ready:
    """A report read, tokenised and embedded, waiting to be committed."""

    report: Report
    digest: str
    size: int
    vectors: np.ndarray
    tokens: list[list[str]]


@dataclass(frozen=True)
class _Outcome:
    """One round's result: the plan, the reports it adds, what was skipped, and whether anything changed."""

    plan: Plan
    reports: list[_Ready]
    skipped: list[tuple[str, str]]
    notes: list[str]
    changed: bool          # the files indexed would differ: a new version must be written
    upgrade_only: bool     # nothing differs but the old version lacks checksums: worth rewriting, not required


class _Update:
    """One call of :func:`update_index`: what it has hashed, read and embedded, kept across rounds."""

    def __init__(self, folder: Path | Roots, index_dir: Path, encoder: Encoder, settings: Settings,
                 progress: Progress, batch_size: int):
        self.roots = Roots.of(folder)
        self.folder, self.index_dir, self.encoder = Path(self.roots.folder), Path(index_dir), encoder
        self.settings, self.progress, self.batch_size = settings, progress, batch_size
        self.where = str(self.index_dir.resolve())
        self.ready: dict[tuple[str, str], _Ready] = {}              # (file, hash) → read and embedded
        self.failed: dict[tuple[str, str], str] = {}                # (file, hash) → why it cannot be indexed
        self.claimed: set[tuple[str, str, str]] = set()
        self.vectors_from: Store | None = None     # on a rebuild, the old index, for its vectors only
        self.reembedded = 0
        self.scanner = Scanner(self.roots, settings, progress)

    # -- claims --------------------------------------------------------------------------------

    def claim(self, source: str, digest: str) -> bool:
        """Whether this update may read the file (no other update of this process is reading it)."""
        key = (self.where, source, digest)
        with _CLAIMS_LOCK:
            owner = _CLAIMS.setdefault(key, id(self))
        if owner == id(self):
            self.claimed.add(key)
            return True
        return False

    def release(self) -> None:
        with _CLAIMS_LOCK:
            for key in self.claimed:
                if _CLAIMS.get(key) == id(self):
                    del _CLAIMS[key]
        self.claimed.clear()

    # -- reading and embedding -----------------------------------------------------------------

    def read(self, source: str, cand: Candidate, expected: str) -> tuple[tuple[str, str], Report | None, int]:
        """Read and parse one file again (it may have changed since the scan); its key, Report and size."""
        key = (source, expected)
        try:
            data = read_file(cand, self.settings)
            sidecar = read_sidecar(cand, self.settings)
            key = (source, fingerprint(data, sidecar))
            if key in self.ready or key in self.failed:
                return key, None, len(data)
            overrides, _ = self.scanner.sidecar(sidecar)
            return key, parse_report(source, data, self.settings, overrides), len(data)
        except ReadError as exc:
            self.failed[key] = exc.reason
        except Exception as exc:
            self.failed[key] = failure("读取", exc)
        return key, None, 0

    def embed(self, items: list[tuple[tuple[str, str], Report, int]], reuse: dict[str, np.ndarray]) -> None:
        """Tokens and vectors for the reports read this round, each report on its own."""
        results, encoded = embed_reports([report for _, report, _ in items], self.encoder, reuse,
                                         self.batch_size, self.progress)
        self.reembedded += encoded
        for (key, report, size), result in zip(items, results):
            if isinstance(result, str):
                self.failed[key] = result
            else:
                self.ready[key] = _Ready(report, key[1], size, result.vectors, result.tokens)

    # -- one round -----------------------------------------------------------------------------

    def run(self, base: Store | None, rebuild: bool) -> _Outcome:
        """Scan, plan against ``base``, then read and embed what the plan adds and no earlier round did."""
        key = analysis_key()
        notes = []
        reread = base is not None and any(base.manifest.get(k) != v for k, v in key.items())
        if reread:
            notes.append(f"词表或分词器已更新（{base.manifest.get('lexicon')} → {key['lexicon']}）："
                         "全部报告重新分词、重新读取元数据和章节")
            log.warning(notes[-1])
        found, paths, skipped = self.scanner.scan()
        hashes = dict(found)
        old = {name: entry.sha256 for name, entry in base.files.items()} if base else {}
        plan = plan_update(found, old, reread)
        pending = {s for s in plan.add if not self.claim(s, hashes[s])}
        if pending:
            plan = plan_update(found, old, reread, pending)
        items, keys = [], {}
        for source in plan.add:
            item_key, report, size = self.read(source, paths[source], hashes[source])
            keys[source] = item_key
            if report is not None:
                items.append((item_key, report, size))
        self.progress("read", self.scanner.scanned, self.scanner.scanned, "")
        if items:
            self.embed(items, reusable_vectors(base if base is not None else self.vectors_from, plan))
        reports = []
        for source in plan.add:
            item_key = keys[source]
            if item_key in self.ready:
                reports.append(self.ready[item_key])
            else:
                reason = self.failed.get(item_key, "读取失败")
                skipped.extend((name, reason) for name in (source,) + plan.aliases.get(source, ()))
        changed = rebuild or _changed(base, plan, reports, reread)
        upgrade = not changed and not base.verified
        return _Outcome(plan, reports, skipped, notes, changed or upgrade, upgrade)

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout: float = -1):
        """Hold the index folder's write lock; IndexWriteError when the folder cannot hold a lock file."""
        lock = FileLock(str(self.index_dir / ".lock"))
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise
        except OSError as exc:                 # the folder cannot hold a lock file: a read-only or full disk
            raise IndexWriteError(write_failure(self.index_dir, exc)) from exc
        try:
            yield
        finally:
            lock.release()

    def commit(self, base: Store | None, outcome: _Outcome) -> Store:
        """Write the new version (holding the lock); its manifest carries this update's skipped files and notes."""
        try:
            remove_unfinished(self.index_dir)   # left by a crash or a full disk: they only fill the disk
            extra = {**analysis_key(), **self.roots.to_dict(),
                     "skipped": [list(s) for s in outcome.skipped], "reembedded": self.reembedded,
                     "notes": outcome.notes,
                     "generation": max(time.time_ns(), (base.generation + 1) if base is not None else 0)}
            store = _assemble(base, outcome.plan, outcome.reports, self.encoder, self.settings, extra)
            store.write(self.index_dir)
            return store
        except IndexWriteError:
            if outcome.upgrade_only:
                log.warning("could not rewrite the index %s with checksums; using it unverified", self.index_dir)
                return base.with_skipped(outcome.skipped, outcome.notes)
            raise

    def tidy(self) -> None:
        """Remove unfinished versions when nothing is to be written, if the lock is free and the disk writable."""
        if not any(p.name.endswith(".tmp") for p in self.index_dir.iterdir()):
            return
        with contextlib.suppress(Timeout, IndexWriteError, OSError), self.locked(timeout=0):
            remove_unfinished(self.index_dir)


def _changed(base: Store | None, plan: Plan, reports: list[_Ready], reread: bool) -> bool:
    """Whether the files this round would index (names, contents, other names) differ from ``base``'s."""
    if base is None or reread:
        return True
    new = {name: (base.files[name].sha256, plan.aliases.get(name, ())) for name in plan.keep}
    new.update({r.report.source: (r.digest, plan.aliases.get(r.report.source, ())) for r in reports})
    return new != {name: (e.sha256, e.aliases) for name, e in base.files.items()}


def _live(index_dir: Path, encoder: Encoder, settings: Settings, current: Store | None) -> Store | None:
    """The live version: ``current`` when it still is, else loaded (and verified) from disk."""
    if current is not None and current.version is not None and current.version == current_version(index_dir):
        return current
    return load_existing(index_dir, encoder, settings)


def update_index(folder: Path | Roots, index_dir: Path, encoder: Encoder, settings: Settings = Settings(),
                 progress: Progress = no_progress, rebuild: bool = False, batch_size: int = 64,
                 current: Store | None = None) -> Store:
    """Bring the index in ``index_dir`` up to date with the report files in ``folder`` (a folder, or the
    :class:`~assistant.index.roots.Roots` of a folder and a library).

    Unchanged files keep their chunks and vectors; added or changed files are read and
    embedded (a passage whose indexed text is unchanged keeps its vector); removed files are
    dropped. A file that cannot be read is skipped with its reason and never costs what was
    already indexed. After a lexicon change every file is read again. The new index replaces
    the old one atomically; when nothing changed nothing is written.

    Args:
        current: the snapshot the caller holds, used instead of loading the live version when it still is.

    Raises:
        IndexMismatch / IndexCorrupt: when the existing index cannot be refreshed and ``rebuild`` is False.
        IndexWriteError: when a change cannot be written (full or read-only disk); the live index is unchanged.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexWriteError(write_failure(index_dir, exc)) from exc
    job = _Update(folder, index_dir, encoder, settings, progress, batch_size)
    job.vectors_from = _vectors_only(index_dir, encoder) if rebuild else None
    try:
        base = None if rebuild else _live(index_dir, encoder, settings, current)
        for _ in range(ROUNDS):
            outcome = job.run(base, rebuild)               # outside the lock: other updates go on meanwhile
            if not outcome.changed:
                job.tidy()
                return base.with_skipped(outcome.skipped, outcome.notes)
            with job.locked():
                if rebuild or current_version(index_dir) == (base.version if base else None):
                    return job.commit(base, outcome)
            base = _live(index_dir, encoder, settings, None)   # another update committed: plan on top of it
        with job.locked():                                  # still contended: plan under the lock this time
            base = None if rebuild else _live(index_dir, encoder, settings, base)
            outcome = job.run(base, rebuild)
            if not outcome.changed:
                return base.with_skipped(outcome.skipped, outcome.notes)
            return job.commit(base, outcome)
    finally:
        job.release()


def _assemble(old: Store | None, plan: Plan, reports: list[_Ready], encoder: Encoder, settings: Settings,
              extra: dict) -> Store:
    """The new snapshot: the kept files' rows as they were, then the new reports' rows; ``extra`` goes
    into the manifest."""
    files: dict[str, dict] = {}
    chunks: list[Chunk] = []
    tokens: list[list[str]] = []
    vector_parts: list[np.ndarray] = []
    for name in plan.keep:
        entry = old.files[name]
        rows = slice(entry.first, entry.first + entry.count)
        files[name] = replace(entry, first=len(chunks), aliases=plan.aliases.get(name, ())).to_dict()
        chunks.extend(old.chunks[rows])
        tokens.extend(old.tokens[rows])
        vector_parts.append(np.asarray(old.vectors.vectors[rows]))
    for ready in reports:
        report = ready.report
        entry = FileEntry(report.source, ready.digest, ready.size, report.encoding, report.meta, len(chunks),
                          len(report.chunks), plan.aliases.get(report.source, ()))
        files[report.source] = entry.to_dict()
        chunks.extend(report.chunks)
        tokens.extend(ready.tokens)
        vector_parts.append(ready.vectors)
    all_vectors = np.concatenate(vector_parts) if vector_parts else np.zeros((0, encoder.dim), dtype=np.float32)
    centroids = old.vectors.centroids() if old is not None else None
    manifest = {"format": FORMAT, "encoder": encoder.name, "dim": encoder.dim, "chunker": CHUNKER_VERSION,
                "settings": settings.index_key(), "updated": time.time(), "chunks": len(chunks), "files": files,
                **extra}
    return Store(manifest, chunks, tokens, VectorIndex.build(all_vectors, centroids=centroids),
                 LexicalIndex.build(tokens))
