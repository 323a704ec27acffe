"""Build or refresh the index of a folder: scan, plan, read what changed, embed, write a new version."""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock

from assistant import lexicon
from assistant.index.lexical import LexicalIndex
from assistant.index.plan import Plan, plan_update
from assistant.index.scan import Candidate, discover, fingerprint, read_file
from assistant.index.store import FORMAT, FileEntry, IndexUnusable, Store
from assistant.index.tokens import tokenize, tokenizer_version
from assistant.ingest.chunking import CHUNKER_VERSION
from assistant.ingest.reading import ReadError
from assistant.ingest.report import index_text, parse_report
from assistant.records import Chunk, Report
from assistant.settings import Settings
from assistant.text import folding_version
from embeddings.encoder import Encoder
from embeddings.vector_index import VectorIndex

log = logging.getLogger(__name__)

# progress(stage, done, total, detail): stage is "read" or "embed".
Progress = Callable[[str, int, int, str], None]


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
    unchanged keep their vectors (None when there is none, or it is unreadable or of another encoder)."""
    try:
        return Store.load(index_dir, encoder.name, encoder.dim)
    except (FileNotFoundError, IndexUnusable):
        return None


def analysis_key() -> dict:
    """What tokens, metadata and chunks depend on besides the code: the lexicon and the segmenter."""
    return {"lexicon": lexicon.fingerprint(), "tokenizer": f"{tokenizer_version()}; {folding_version()}"}


def update_index(folder: Path, index_dir: Path, encoder: Encoder, settings: Settings = Settings(),
                 progress: Progress = no_progress, rebuild: bool = False, batch_size: int = 64) -> Store:
    """Bring the index in ``index_dir`` up to date with the report files in ``folder``.

    Unchanged files keep their chunks and vectors; added or changed files are read and
    embedded (a passage whose indexed text is unchanged keeps its vector); removed files are
    dropped. A file that cannot be read is skipped with its reason and never costs what was
    already indexed. After a lexicon change every file is read again. The new index replaces
    the old one atomically.

    Raises:
        IndexMismatch / IndexCorrupt: when the existing index cannot be refreshed and ``rebuild`` is False.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(index_dir / ".lock")):
        old = _vectors_only(index_dir, encoder) if rebuild else load_existing(index_dir, encoder, settings)
        key = analysis_key()
        notes = []
        reread = rebuild or (old is not None and any(old.manifest.get(k) != v for k, v in key.items()))
        if reread and not rebuild:
            notes.append(f"词表或分词器已更新（{old.manifest.get('lexicon')} → {key['lexicon']}）："
                         "全部报告重新分词、重新读取元数据和章节")
            log.warning(notes[-1])
        candidates, skipped = discover(folder)
        found: list[tuple[str, str]] = []
        paths: dict[str, Candidate] = {}
        for i, cand in enumerate(candidates):
            progress("read", i, len(candidates), cand.source)
            try:
                found.append((cand.source, fingerprint(read_file(cand, settings), cand.path)))
                paths[cand.source] = cand
            except ReadError as exc:
                skipped.append((cand.source, exc.reason))
        old_hashes = {name: entry.sha256 for name, entry in old.files.items()} if old else {}
        plan = plan_update(found, old_hashes, reread)
        reports = _read_reports(plan, paths, settings, skipped)
        progress("read", len(candidates), len(candidates), "")
        new_vectors, new_tokens, reembedded = _embed(reports, old, plan, encoder, progress, batch_size)
        key.update({"folder": str(Path(folder).resolve()), "skipped": [list(s) for s in skipped],
                    "reembedded": reembedded, "notes": notes})
        store = _assemble(old, plan, reports, new_vectors, new_tokens, encoder, settings, key)
        store.write(index_dir)
        return store


def _read_reports(plan: Plan, paths: dict[str, Candidate], settings: Settings,
                  skipped: list[tuple[str, str]]) -> list[tuple[Report, str, int]]:
    """Parse the files the plan adds: (report, content hash, size). A file that fails is skipped,
    with the other names of its content."""
    out = []
    for source in plan.add:
        cand = paths[source]
        try:
            data = read_file(cand, settings)   # read again: it may have changed since the scan
            out.append((parse_report(source, data, cand.path, settings), fingerprint(data, cand.path), len(data)))
        except ReadError as exc:
            skipped.extend((name, exc.reason) for name in (source,) + plan.aliases.get(source, ()))
    return out


def _embed(reports: list[tuple[Report, str, int]], old: Store | None, plan: Plan, encoder: Encoder,
           progress: Progress, batch_size: int) -> tuple[np.ndarray, list[list[str]], int]:
    """Vectors and tokens for the new reports' chunks. A chunk whose indexed text an old row of a
    changed or removed file already had keeps that row's vector."""
    texts = [index_text(r.meta, c) for r, _, _ in reports for c in r.chunks]
    reuse = _old_vectors(old, plan) if texts else {}
    todo = [i for i, t in enumerate(texts) if t not in reuse]
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    for i, t in enumerate(texts):
        if t in reuse:
            vectors[i] = reuse[t]
    for start in range(0, len(todo), batch_size):
        progress("embed", start, len(todo), "")
        batch = todo[start:start + batch_size]
        vectors[batch] = encoder.encode_passages([texts[i] for i in batch])
    progress("embed", len(todo), len(todo), "")
    return vectors, [tokenize(t) for t in texts], len(todo)


def _old_vectors(old: Store | None, plan: Plan) -> dict[str, np.ndarray]:
    """Indexed text → vector for the old rows an update does not keep."""
    if old is None:
        return {}
    kept = set(plan.keep)
    out = {}
    for name, entry in old.files.items():
        if name in kept:
            continue
        for row in range(entry.first, entry.first + entry.count):
            out[index_text(entry.meta, old.chunks[row])] = old.vectors.vectors[row]
    return out


def _assemble(old: Store | None, plan: Plan, reports: list[tuple[Report, str, int]], new_vectors: np.ndarray,
              new_tokens: list[list[str]], encoder: Encoder, settings: Settings, extra: dict) -> Store:
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
    offset = 0
    for report, digest, size in reports:
        n = len(report.chunks)
        entry = FileEntry(report.source, digest, size, report.encoding, report.meta, len(chunks), n,
                          plan.aliases.get(report.source, ()))
        files[report.source] = entry.to_dict()
        chunks.extend(report.chunks)
        tokens.extend(new_tokens[offset:offset + n])
        vector_parts.append(new_vectors[offset:offset + n])
        offset += n
    all_vectors = np.concatenate(vector_parts) if vector_parts else np.zeros((0, encoder.dim), dtype=np.float32)
    centroids = old.vectors.centroids() if old is not None else None
    manifest = {"format": FORMAT, "encoder": encoder.name, "dim": encoder.dim, "chunker": CHUNKER_VERSION,
                "settings": settings.index_key(), "updated": time.time(), "chunks": len(chunks), "files": files,
                **extra}
    return Store(manifest, chunks, tokens, VectorIndex.build(all_vectors, centroids=centroids),
                 LexicalIndex.build(tokens))
