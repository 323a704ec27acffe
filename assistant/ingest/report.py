"""Turn one report file into a Report: decode, clean, read metadata, chunk."""
from __future__ import annotations

import bisect
from dataclasses import replace
from pathlib import Path

from assistant.ingest.chunking import chunk_report
from assistant.ingest.cleaning import clean
from assistant.records import Chunk, Report, ReportMeta
from assistant.ingest.formats import SUPPORTED, load
from assistant.ingest.metadata import apply_sidecar, extract_metadata
from assistant.ingest.reading import ReadError
from assistant.settings import Settings
from assistant.text import normalize

__all__ = ["SUPPORTED", "index_text", "parse_report"]


def parse_report(source: str, data: bytes, path: Path | None = None,
                 settings: Settings = Settings()) -> Report:
    """Build a Report from the bytes of file ``source``.

    Raises:
        ReadError: naming the file and the reason it cannot be indexed.
    """
    loaded = load(source, data)
    blocks, _ = clean(loaded.text, loaded.headings, loaded.wrap_width)
    if not blocks:
        raise ReadError(source, "no text left after removing web-page boilerplate")
    meta = extract_metadata(loaded.text, blocks)
    if path is not None:
        try:
            meta = apply_sidecar(meta, path)
        except ValueError as exc:
            raise ReadError(source, f"bad metadata sidecar: {exc}") from exc
    chunks = chunk_report(source, blocks, settings.chunk_chars, settings.overlap_chars)
    if not chunks:
        raise ReadError(source, "no text to index")
    if loaded.pages:
        chunks = [replace(c, page=bisect.bisect_right(loaded.pages, c.start)) for c in chunks]
    return Report(source, meta, tuple(chunks), loaded.encoding)


def index_text(meta: ReportMeta, chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: where and when, its heading path, then its text.

    The heading path takes part in retrieval, so "有哪些不足" finds the 存在的不足 section.
    """
    years = f"{meta.years}年" if meta.years else ""
    return normalize(f"{meta.region} {years}\n{chunk.section}\n{chunk.text}")
