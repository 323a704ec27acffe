"""Turn one report file into a Report: decode, clean, read metadata, chunk."""
from __future__ import annotations

from pathlib import Path

from assistant.chunking import chunk_report
from assistant.cleaning import clean
from assistant.documents import Chunk, Report, ReportMeta
from assistant.metadata import apply_sidecar, extract_metadata
from assistant.reading import ReadError, decode
from assistant.settings import Settings
from assistant.text import normalize

SUPPORTED = (".txt",)


def parse_report(source: str, data: bytes, path: Path | None = None,
                 settings: Settings = Settings()) -> Report:
    """Build a Report from the bytes of file ``source``.

    Raises:
        ReadError: naming the file and the reason it cannot be indexed.
    """
    decoded = decode(data, source)
    blocks, _ = clean(decoded.text)
    if not blocks:
        raise ReadError(source, "no text left after removing web-page boilerplate")
    meta = extract_metadata(decoded.text, blocks)
    if path is not None:
        try:
            meta = apply_sidecar(meta, path)
        except ValueError as exc:
            raise ReadError(source, f"bad metadata sidecar: {exc}") from exc
    chunks = chunk_report(source, blocks, settings.chunk_chars, settings.overlap_chars)
    if not chunks:
        raise ReadError(source, "no text to index")
    return Report(source, meta, tuple(chunks), decoded.encoding)


def index_text(meta: ReportMeta, chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: where and when, its heading path, then its text.

    The heading path takes part in retrieval, so "有哪些不足" finds the 存在的不足 section.
    """
    years = f"{meta.years}年" if meta.years else ""
    return normalize(f"{meta.region} {years}\n{chunk.section}\n{chunk.text}")
