"""Build or refresh the index of a folder (and a library, see :mod:`assistant.index.roots`): scan, plan,
read what changed, embed, write a new version.

Each file is read, decoded, given its metadata, chunked, tokenised and embedded on its own: a failure at
any of these stages skips that file with its reason and costs nothing else. The slow part (reading and
embedding what changed) runs outside the write lock, so one huge file being embedded never holds up
another update: that update leaves the file to the one already reading it and commits its own. Under the
lock the plan is checked against the live version and written; when another update committed meanwhile,
the plan is made again on top of it, reusing everything already read and embedded. When nothing changed,
nothing is written, so an index on a read-only or full disk still answers.

What changed is written as a new segment beside the old ones (see :mod:`assistant.index.store`), so an
update costs what it adds, not the size of the index. With ``embed=False`` the new segment is written
with its words only, searchable by BM25 at once, and :func:`fill_vectors` embeds it afterwards (the
Assistant does that in a background thread).
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock, Timeout

from assistant import lexicon
from assistant.index.embedding import embed_reports, failure, reusable_vectors
from assistant.index.legacy import load_legacy
from assistant.index.plan import Plan, plan_update
from assistant.index.roots import Roots
from assistant.index.scan import Candidate, Scanner, fingerprint, read_file, read_sidecar
from assistant.index.statcache import StatCache
from assistant.index.store import (IndexOutdated, IndexUnusable, IndexWriteError, Store, current_version,
                                   remove_parts, remove_unfinished, write_failure)
from assistant.index.tokens import tokenizer_version
from assistant.index.writer import Draft, NewReport, add_reports, compact, new_report, publish
from assistant.ingest.chunking import CHUNKER_VERSION
from assistant.ingest.reading import ReadError
from assistant.ingest.report import parse_report
from assistant.records import Report
from assistant.settings import Settings
from assistant.text import folding_version
from embeddings.encoder import Encoder

log = logging.getLogger(__name__)

# progress(stage, done, total, detail): stage is "read" or "embed".
Progress = Callable[[str, int, int, str], None]

ROUNDS = 3                      # plans made outside the lock before one is made under it
# Reports written before they are embedded go into segments of at most this many rows (whole reports): the
# embedding then commits every ~2 minutes on 2 cores, so an interrupted run keeps most of its work.
SEGMENT_ROWS = 2048

# Files some update of this process is reading right now, so that a concurrent update leaves them to it:
# (index folder, file, content hash) → the id of the update reading it.
_CLAIMS: dict[tuple[str, str, str], int] = {}
_CLAIMS_LOCK = threading.Lock()


def no_progress(stage: str, done: int, total: int, detail: str) -> None:
    """A Progress that reports nothing."""


def known_dim(encoder: Encoder) -> int | None:
    """The encoder's dimension if it is known without loading a model (a lazy encoder not yet loaded: None)."""
    return encoder.dim if getattr(encoder, "loaded", True) else None


def load_existing(index_dir: Path, encoder: Encoder, settings: Settings) -> Store | None:
    """The index to refresh, or None when there is none yet.

    Raises:
        IndexOutdated: an index an earlier version wrote; the update reads it again, keeping its vectors.
        IndexMismatch / IndexCorrupt: an index that cannot be refreshed; rebuild it instead.
    """
    try:
        return Store.load(index_dir, encoder.name, known_dim(encoder), CHUNKER_VERSION, settings.index_key())
    except FileNotFoundError:
        return None


def _vectors_only(index_dir: Path, encoder: Encoder):
    """For a rebuild: the old index, whatever its chunker, settings or format, so passages whose indexed text
    is unchanged keep their vectors (None when there is none, or it is unreadable, damaged or of another encoder)."""
    try:
        return Store.load(index_dir, encoder.name, known_dim(encoder))
    except IndexOutdated:
        return load_legacy(index_dir, encoder.name, known_dim(encoder))
    except (FileNotFoundError, IndexUnusable):
        return None


def analysis_key() -> dict:
    """What tokens, metadata and chunks depend on besides the code: the lexicon and the segmenter."""
    return {"lexicon": lexicon.fingerprint(), "tokenizer": f"{tokenizer_version()}; {folding_version()}"}


@contextlib.contextmanager
def write_lock(index_dir: Path, timeout: float = -1):
    """Hold the index folder's write lock; IndexWriteError when the folder cannot hold a lock file."""
    lock = FileLock(str(Path(index_dir) / ".lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise
    except OSError as exc:                 # the folder cannot hold a lock file: a read-only or full disk
        raise IndexWriteError(write_failure(index_dir, exc)) from exc
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class _Outcome:
    """One round's result: the plan, the reports it adds, what was skipped, and whether anything changed."""

    plan: Plan
    reports: list[NewReport]
    skipped: list[tuple[str, str]]
    notes: list[str]
    changed: bool          # the files indexed would differ: a new version must be written


class _Update:
    """One call of :func:`update_index`: what it has hashed, read and embedded, kept across rounds."""

    def __init__(self, folder: Path | Roots, index_dir: Path, encoder: Encoder, settings: Settings,
                 progress: Progress, batch_size: int, embed: bool = True):
        self.roots = Roots.of(folder)
        self.folder, self.index_dir, self.encoder = Path(self.roots.folder), Path(index_dir), encoder
        self.settings, self.progress, self.batch_size, self.embed_now = settings, progress, batch_size, embed
        self.where = str(self.index_dir.resolve())
        self.ready: dict[tuple[str, str], NewReport] = {}           # (file, hash) → read (and embedded)
        self.failed: dict[tuple[str, str], str] = {}                # (file, hash) → why it cannot be indexed
        self.claimed: set[tuple[str, str, str]] = set()
        self.vectors_from = None     # on a rebuild, the old index, for its vectors only
        self.reembedded = 0
        self.notes: list[str] = []
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
        """Tokens (and, unless embedding is left for later, vectors) for the reports read this round."""
        results, encoded = embed_reports([report for _, report, _ in items], self.encoder, reuse,
                                         self.batch_size, self.progress, encode=self.embed_now)
        self.reembedded += encoded
        for (key, report, size), result in zip(items, results):
            ready = result if isinstance(result, str) else \
                new_report(report, key[1], size, result.tokens, result.vectors)
            if isinstance(ready, str):
                self.failed[key] = ready
            else:
                self.ready[key] = ready

    # -- one round -----------------------------------------------------------------------------

    def run(self, base: Store | None, rebuild: bool) -> _Outcome:
        """Scan, plan against ``base``, then read and embed what the plan adds and no earlier round did."""
        key = analysis_key()
        notes = list(self.notes)
        reread = base is not None and any(base.manifest.get(k) != v for k, v in key.items())
        if reread:
            notes.append(f"词表或分词器已更新（{base.manifest.get('lexicon')} → {key['lexicon']}）："
                         "全部报告重新分词、重新读取元数据和章节")
            log.warning(notes[-1])
        if base is not None and not self.scanner.scanned:
            self.scanner.remember(base.stats.entries())   # unchanged files are not read again
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
        return _Outcome(plan, reports, skipped, notes, changed)

    # -- writing -------------------------------------------------------------------------------

    def commit(self, base: Store | None, outcome: _Outcome) -> Store:
        """Write the new version (holding the lock): the kept files' segments as they are, the new reports in
        a segment of their own, merged as the policy says; its manifest carries this update's skipped files."""
        remove_unfinished(self.index_dir)   # left by a crash or a full disk: they only fill the disk
        extra = {**analysis_key(), **self.roots.to_dict(),
                 "skipped": [list(s) for s in outcome.skipped], "reembedded": self.reembedded,
                 "notes": outcome.notes,
                 "generation": max(time.time_ns(), (base.generation + 1) if base is not None else 0)}
        dim = known_dim(self.encoder) or (base.manifest.get("dim") if base is not None else None)
        written: list[str] = []
        try:
            draft = add_reports(self.index_dir, base, list(outcome.plan.keep), outcome.plan.aliases,
                                outcome.reports, self.settings, written,
                                max_rows=None if self.embed_now else SEGMENT_ROWS)
            draft = compact(self.index_dir, draft, self.settings, written)
            stats = (base.stats if base is not None else StatCache(self.index_dir)).updated(self.scanner.known())
            return publish(self.index_dir, draft, self.encoder.name, dim, self.settings, extra, written, stats)
        except OSError as exc:
            remove_parts(self.index_dir, written)
            raise IndexWriteError(write_failure(self.index_dir, exc)) from exc

    def tidy(self) -> None:
        """Remove unfinished versions when nothing is to be written, if the lock is free and the disk writable."""
        folders = [self.index_dir, self.index_dir / "segments"]
        if not any(p.name.endswith(".tmp") for f in folders if f.is_dir() for p in f.iterdir()):
            return
        with contextlib.suppress(Timeout, IndexWriteError, OSError), write_lock(self.index_dir, timeout=0):
            remove_unfinished(self.index_dir)


def _changed(base: Store | None, plan: Plan, reports: list[NewReport], reread: bool) -> bool:
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
                 current: Store | None = None, embed: bool = True) -> Store:
    """Bring the index in ``index_dir`` up to date with the report files in ``folder`` (a folder, or the
    :class:`~assistant.index.roots.Roots` of a folder and a library).

    Unchanged files keep their rows; added or changed files are read, embedded (a passage whose indexed
    text is unchanged keeps its vector) and written as a new segment; removed files are dropped. A file
    that cannot be read is skipped with its reason and never costs what was already indexed. After a
    lexicon change every file is read again; an index an earlier version wrote is read again keeping its
    vectors. The new version replaces the old one atomically; when nothing changed nothing is written.

    Args:
        current: the snapshot the caller holds, used instead of loading the live version when it still is.
        embed: False writes new reports with their words only (BM25 answers at once); :func:`fill_vectors`
            embeds them afterwards.

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
    job = _Update(folder, index_dir, encoder, settings, progress, batch_size, embed)
    try:
        base = None if rebuild else _live(index_dir, encoder, settings, current)
    except IndexOutdated:
        rebuild, base = True, None
        job.notes.append("索引由旧版本写成：全部报告重新读取，已有的向量保留")
    job.vectors_from = _vectors_only(index_dir, encoder) if rebuild else None
    try:
        for _ in range(ROUNDS):
            outcome = job.run(base, rebuild)               # outside the lock: other updates go on meanwhile
            if not outcome.changed:
                job.tidy()
                return base.with_skipped(outcome.skipped, outcome.notes)
            with write_lock(index_dir):
                if rebuild or current_version(index_dir) == (base.version if base else None):
                    return job.commit(base, outcome)
            base = _live(index_dir, encoder, settings, None)   # another update committed: plan on top of it
        with write_lock(index_dir):                         # still contended: plan under the lock this time
            base = None if rebuild else _live(index_dir, encoder, settings, base)
            outcome = job.run(base, rebuild)
            if not outcome.changed:
                return base.with_skipped(outcome.skipped, outcome.notes)
            return job.commit(base, outcome)
    finally:
        job.release()


def compact_index(index_dir: Path, encoder: Encoder, settings: Settings = Settings(),
                  current: Store | None = None) -> Store | None:
    """Merge every segment of the live version into one, dropping the rows of replaced or removed reports
    (no report is read and nothing embedded again). Nothing is written when the index is one segment
    already or vectors are still being embedded.

    Raises:
        IndexWriteError: when the merged segment cannot be written; the live index is unchanged.
    """
    index_dir = Path(index_dir)
    with write_lock(index_dir):
        live = _live(index_dir, encoder, settings, current)
        if live is None:
            return None
        remove_unfinished(index_dir)
        written: list[str] = []
        try:
            draft = compact(index_dir, Draft(list(live.segments), dict(live.files)), settings, written,
                            everything=True)
            if [s.name for s in draft.segments] == [s.name for s in live.segments]:
                return live
            extra = {k: v for k, v in live.manifest.items()
                     if k not in ("format", "encoder", "dim", "chunker", "settings", "updated", "chunks",
                                  "segments", "files", "generation", "changes", "stat_base", "files_count",
                                  "stat_cache")}
            extra["generation"] = max(time.time_ns(), live.generation + 1)
            return publish(index_dir, draft, live.manifest["encoder"], live.manifest.get("dim"), settings, extra,
                           written, live.stats)
        except OSError as exc:
            remove_parts(index_dir, written)
            raise IndexWriteError(write_failure(index_dir, exc)) from exc
