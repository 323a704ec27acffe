"""Build or refresh the index of a folder: re-embed only added or changed files, drop removed ones."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock

from assistant.ingest.chunking import CHUNKER_VERSION
from assistant.records import Chunk, Report
from assistant.ingest.report import SUPPORTED, index_text, parse_report
from assistant.index.lexical import LexicalIndex
from assistant.ingest.metadata import SIDECAR_SUFFIX, sidecar_for
from assistant.ingest.reading import ReadError
from assistant.settings import Settings
from assistant.index.store import FORMAT, FileEntry, Store
from assistant.index.tokens import tokenize
from embeddings.encoder import Encoder
from embeddings.vector_index import VectorIndex

# progress(stage, done, total, detail): stage is "read" or "embed".
Progress = Callable[[str, int, int, str], None]


def _quiet(stage: str, done: int, total: int, detail: str) -> None:
    pass


@dataclass(frozen=True)
class Candidate:
    """A file found in the folder, named relative to it."""

    source: str
    path: Path


def discover(folder: Path, suffixes: tuple[str, ...] = SUPPORTED) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """List report files under ``folder`` (sorted), skipping hidden folders and never following directory links.

    Returns:
        The candidates, and (file, reason) pairs for entries that cannot be read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    found, skipped = [], []

    def onerror(exc: OSError) -> None:
        skipped.append((os.path.relpath(exc.filename or str(folder), folder), f"cannot list folder: {exc.strerror}"))

    for root, dirs, files in os.walk(folder, onerror=onerror, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if not name.lower().endswith(suffixes):
                continue
            if path.is_symlink() and not path.exists():
                skipped.append((rel, "broken or looping symbolic link"))
                continue
            found.append(Candidate(rel, path))
    return found, skipped


def _fingerprint(data: bytes, path: Path) -> str:
    digest = hashlib.sha256(data)
    sidecar = sidecar_for(path)
    if sidecar.exists():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def _read(candidate: Candidate, settings: Settings) -> bytes:
    try:
        size = candidate.path.stat().st_size
    except FileNotFoundError as exc:
        raise ReadError(candidate.source, "file disappeared while indexing") from exc
    except OSError as exc:
        raise ReadError(candidate.source, f"cannot read: {exc.strerror}") from exc
    limit = settings.max_file_mb * 1024 * 1024
    if size > limit:
        raise ReadError(candidate.source, f"too large ({size / 2**20:.1f} MB > {settings.max_file_mb:g} MB limit; "
                                          "raise Settings.max_file_mb to index it)")
    try:
        return candidate.path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(candidate.source, "file disappeared while indexing") from exc
    except PermissionError as exc:
        raise ReadError(candidate.source, "permission denied") from exc
    except IsADirectoryError as exc:
        raise ReadError(candidate.source, "is a folder, not a file") from exc
    except OSError as exc:
        raise ReadError(candidate.source, f"cannot read: {exc.strerror or exc}") from exc


def load_existing(index_dir: Path, encoder: Encoder, settings: Settings) -> Store | None:
    """The index to refresh, or None when there is none yet.

    Raises:
        IndexMismatch / IndexCorrupt: an index that cannot be refreshed; rebuild it instead.
    """
    try:
        return Store.load(index_dir, encoder.name, encoder.dim, CHUNKER_VERSION, settings.index_key())
    except FileNotFoundError:
        return None


def update_index(folder: Path, index_dir: Path, encoder: Encoder, settings: Settings = Settings(),
                 progress: Progress = _quiet, rebuild: bool = False, batch_size: int = 64) -> Store:
    """Bring the index in ``index_dir`` up to date with the report files in ``folder``.

    Unchanged files keep their chunks and vectors; added or changed files are read and
    embedded; removed files are dropped. A file that cannot be read is skipped with its
    reason and never costs what was already indexed. The new index replaces the old one
    atomically.

    Raises:
        IndexMismatch / IndexCorrupt: when the existing index cannot be refreshed and ``rebuild`` is False.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / ".lock")):
        old = None if rebuild else load_existing(index_dir, encoder, settings)
        candidates, skipped = discover(folder)
        kept: list[tuple[FileEntry, list[Chunk], list[list[str]], np.ndarray]] = []
        fresh: list[tuple[Report, str, int]] = []   # report, fingerprint, size
        by_hash: dict[str, str] = {}
        aliases: dict[str, list[str]] = {}
        for i, cand in enumerate(candidates):
            progress("read", i, len(candidates), cand.source)
            try:
                data = _read(cand, settings)
                fingerprint = _fingerprint(data, cand.path)
            except ReadError as exc:
                skipped.append((cand.source, exc.reason))
                continue
            if fingerprint in by_hash:  # the same report under another name: index it once
                aliases.setdefault(by_hash[fingerprint], []).append(cand.source)
                continue
            prev = old.files.get(cand.source) if old else None
            if prev and prev.sha256 == fingerprint:
                rows = slice(prev.first, prev.first + prev.count)
                kept.append((prev, old.chunks[rows], old.tokens[rows], old.vectors.vectors[rows]))
                by_hash[fingerprint] = cand.source
                continue
            try:
                report = parse_report(cand.source, data, cand.path, settings)
            except ReadError as exc:
                skipped.append((cand.source, exc.reason))
                continue
            by_hash[fingerprint] = cand.source
            fresh.append((report, fingerprint, len(data)))
        progress("read", len(candidates), len(candidates), "")

        # Embed everything new in one pass, batch by batch, so progress is smooth.
        texts = [index_text(r.meta, c) for r, _, _ in fresh for c in r.chunks]
        new_vectors = np.zeros((0, encoder.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            progress("embed", start, len(texts), "")
            parts.append(encoder.encode_passages(texts[start:start + batch_size]))
        progress("embed", len(texts), len(texts), "")
        if parts:
            new_vectors = np.concatenate(parts)
        new_tokens = [tokenize(t) for t in texts]

        files: dict[str, dict] = {}
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        vector_parts: list[np.ndarray] = []
        offset = 0
        for entry, ch, tk, vec in kept:
            files[entry.source] = replace(entry, first=len(chunks), count=len(ch),
                                          aliases=tuple(aliases.get(entry.source, ()))).to_dict()
            chunks.extend(ch)
            tokens.extend(tk)
            vector_parts.append(np.asarray(vec))
        for report, fingerprint, size in fresh:
            n = len(report.chunks)
            entry = FileEntry(report.source, fingerprint, size, report.encoding, report.meta, len(chunks), n,
                              tuple(aliases.get(report.source, ())))
            files[report.source] = entry.to_dict()
            chunks.extend(report.chunks)
            tokens.extend(new_tokens[offset:offset + n])
            vector_parts.append(new_vectors[offset:offset + n])
            offset += n
        all_vectors = (np.concatenate(vector_parts) if vector_parts
                       else np.zeros((0, encoder.dim), dtype=np.float32))
        centroids = old.vectors.centroids() if old is not None else None
        manifest = {
            "format": FORMAT, "encoder": encoder.name, "dim": encoder.dim, "chunker": CHUNKER_VERSION,
            "settings": settings.index_key(), "updated": time.time(), "folder": str(Path(folder).resolve()),
            "chunks": len(chunks), "files": files, "skipped": [list(s) for s in skipped],
            "reembedded": len(texts),
        }
        store = Store(manifest, chunks, tokens, VectorIndex.build(all_vectors, centroids=centroids),
                      LexicalIndex.build(tokens))
        store.write(index_dir)
        return store
