"""Vectors filled in behind BM25: embed the segments written without vectors, one at a time, each
committed as soon as it is done, in the caller's thread or a background one.

Each segment is embedded outside the write lock and attached under it to whatever version is live then
(other updates may have committed meanwhile: a segment's rows only ever stop being live, so vectors for
all of its rows still fit). A report that breaks the encoder is dropped from the index with its reason,
as when it is embedded before writing. Interrupted, nothing is lost but the segment being embedded: the
next start finds the segments still without vectors and embeds them.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from assistant.index.embedding import embed_reports, reusable_vectors
from assistant.index.store import IndexWriteError, Store, remove_parts, write_failure
from assistant.index.writer import attach_vectors, compact, publish
from assistant.records import Report
from assistant.settings import Settings
from embeddings.encoder import Encoder

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int, str], None]


def _reports_of(store: Store, segment: str) -> list[Report]:
    """The live reports whose rows are in ``segment``, with their chunks, in row order."""
    out = []
    for source in store.sources:
        entry = store.files[source]
        if entry.segment == segment:
            chunks = tuple(store.chunks[r] for r in range(entry.first, entry.first + entry.count))
            out.append(Report(source, entry.meta, chunks, entry.encoding, entry.sha256))
    return out


def _reuse(old: Iterable[Store], live: Store) -> dict[str, np.ndarray]:
    """Indexed text → vector from older snapshots' files that are no longer live as they were (replaced or
    removed), so a changed report keeps the vectors of its unchanged passages."""
    out: dict[str, np.ndarray] = {}
    for store in old:
        same = [name for name, entry in store.files.items()
                if name in live.files and live.files[name].sha256 == entry.sha256]
        out.update(reusable_vectors(store, keep=same))
    return out


def pending_rows(store: Store | None) -> int:
    """Live rows whose vectors are still to be embedded."""
    return 0 if store is None else len(store) - store.vectors.done


def fill_vectors(index_dir: Path, encoder: Encoder, settings: Settings, current: Store | None,
                 progress: Progress = lambda *a: None, on_store: Callable[[Store], None] = lambda s: None,
                 reuse_from: Iterable[Store] = (), batch_size: int = 64,
                 stop: threading.Event | None = None) -> Store | None:
    """Embed every segment of the live version that has no vectors yet; returns the last snapshot.

    Args:
        current: the snapshot the caller holds (used while it is still the live version).
        progress: called as progress("embed", done, total, "") in passages.
        on_store: called with each snapshot committed, so a caller can search it at once.
        reuse_from: older snapshots whose vectors a changed report's unchanged passages may keep.
        stop: set it to stop after the segment being embedded.

    Raises:
        IndexWriteError: when vectors cannot be written (full or read-only disk); what was done stays.
    """
    from assistant.index.indexer import _live, write_lock

    reuse_from = list(reuse_from)
    store = _live(index_dir, encoder, settings, current)
    total, done = pending_rows(store), 0
    if total:
        progress("embed", 0, total, "")
    while store is not None and store.pending and not (stop and stop.is_set()):
        segment = store.pending[0]
        reports = _reports_of(store, segment.name)
        offset = done

        def step(stage, n, of, detail, offset=offset):
            progress("embed", min(total, offset + n), total, detail)

        results, _ = embed_reports(reports, encoder, _reuse(reuse_from, store), batch_size, step,
                                   tokens=False)
        vectors = np.zeros((segment.rows, encoder.dim), dtype=np.float32)
        failed = {}
        for report, result in zip(reports, results):
            entry = store.files[report.source]
            if isinstance(result, str):
                failed[report.source] = result
            else:
                vectors[entry.local:entry.local + entry.count] = result.vectors
        done += sum(len(r.chunks) for r in reports)
        with write_lock(index_dir):
            live = _live(index_dir, encoder, settings, store)
            if live is None or segment.name not in {s.name for s in live.pending}:
                store = live       # dropped meanwhile (its reports removed): nothing to attach
                continue
            store = _attach(index_dir, live, segment.name, vectors, failed, encoder, settings)
        on_store(store)
        progress("embed", done, total, "")
    return store


def _attach(index_dir: Path, live: Store, segment: str, vectors: np.ndarray, failed: dict[str, str],
            encoder: Encoder, settings: Settings) -> Store:
    written: list[str] = []
    try:
        draft = attach_vectors(index_dir, live, segment, vectors, settings, written)
        for source in failed:
            entry = draft.files.get(source)
            if entry is not None and entry.segment == segment:
                del draft.files[source]
        draft = compact(index_dir, draft, settings, written)
        keep = ("lexicon", "tokenizer", "folder", "library", "notes", "reembedded")
        extra = {k: live.manifest[k] for k in keep if k in live.manifest}
        extra["skipped"] = [list(s) for s in live.skipped] + [[name, why] for name, why in failed.items()]
        extra["generation"] = max(time.time_ns(), live.generation + 1)
        return publish(index_dir, draft, encoder.name, encoder.dim, settings, extra, written, live.stats)
    except OSError as exc:
        remove_parts(index_dir, written)
        raise IndexWriteError(write_failure(index_dir, exc)) from exc


@dataclass
class EmbeddingState:
    """What the background embedding is doing, for a status line."""

    done: int = 0            # passages embedded in this run
    total: int = 0           # passages to embed in this run
    running: bool = False
    error: str = ""
    finished_at: float | None = None
    history: list = field(default_factory=list)   # (time, done) samples, for a rate


class BackgroundEmbedding:
    """Runs :func:`fill_vectors` in a daemon thread whenever there are segments to embed.

    Example:
        >>> job = BackgroundEmbedding(index_dir, encoder, settings, on_store=swap)   # doctest: +SKIP
        >>> job.start(store); job.wait()                                              # doctest: +SKIP
    """

    def __init__(self, index_dir: Path, encoder: Encoder, settings: Settings, on_store: Callable[[Store], None],
                 progress: Progress = lambda *a: None):
        self.index_dir, self.encoder, self.settings = Path(index_dir), encoder, settings
        self.on_store, self.progress = on_store, progress
        self.state = EmbeddingState()
        self._lock = threading.Lock()
        self._again = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: Store | None = None
        self._older: list[Store] = []

    def start(self, current: Store, older: Iterable[Store] = ()) -> None:
        """Embed what ``current`` (the snapshot the caller now holds) lacks; ``older`` snapshots lend vectors."""
        with self._lock:
            self._current = current
            self._older = [s for s in older if s is not None and s is not current][-2:]
            self._again.set()
            if not self.state.running:
                self.state.running, self.state.error = True, ""
                self._thread = threading.Thread(target=self._run, name="embedding", daemon=True)
                self._thread.start()

    def _report(self, stage: str, done: int, total: int, detail: str) -> None:
        self.state.done, self.state.total = done, total
        self.state.history = (self.state.history + [(time.time(), done)])[-50:]
        self.progress(stage, done, total, detail)

    def _run(self) -> None:
        while True:
            try:
                while self._again.is_set() and not self._stop.is_set():
                    self._again.clear()
                    with self._lock:
                        current, older = self._current, list(self._older)
                    fill_vectors(self.index_dir, self.encoder, self.settings, current, self._report,
                                 self._publish, older, stop=self._stop)
            except Exception as exc:   # said in the status line; the BM25 index stays live and answers
                log.warning("background embedding stopped: %s", exc)
                self.state.error = f"{type(exc).__name__}: {exc}"
            with self._lock:           # a start() while finishing must not be lost
                if self._again.is_set() and not self._stop.is_set() and not self.state.error:
                    continue
                self.state.running = False
                self.state.finished_at = time.time()
                return

    def _publish(self, store: Store) -> None:
        with self._lock:
            self._current = store
        self.on_store(store)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no embedding runs (True) or ``timeout`` seconds pass (False)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def stop(self) -> None:
        """Stop after the segment being embedded (its work is lost, the rest kept)."""
        self._stop.set()
