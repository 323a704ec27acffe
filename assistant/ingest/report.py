"""Turn one report file into a Report: decode, clean, read metadata, chunk."""
from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Callable, Mapping, TypeVar

from assistant.ingest.chunking import chunk_report
from assistant.ingest.cleaning import clean
from assistant.records import Chunk, Report, ReportMeta
from assistant.ingest.formats import SUPPORTED, load, too_long
from assistant.ingest.metadata import extract_metadata
from assistant.ingest.reading import ReadError
from assistant.ingest.sidecar import apply_sidecar
from assistant.settings import Settings
from assistant.text import normalize

__all__ = ["SUPPORTED", "index_text", "parse_report"]

T = TypeVar("T")


def _stage(source: str, stage: str, step: Callable[..., T], *args) -> T:
    """Run one step of reading a file; any failure becomes a ReadError naming the file and the stage, so
    one odd file can never stop the others (a bug in metadata or chunking costs only that file)."""
    try:
        return step(*args)
    except ReadError:
        raise
    except RecursionError as exc:
        raise ReadError(source, f"{stage}失败（结构嵌套过深）") from exc
    except MemoryError as exc:
        raise ReadError(source, f"{stage}失败（内存不足）") from exc
    except Exception as exc:
        raise ReadError(source, f"{stage}失败（{type(exc).__name__}: {str(exc)[:120]}）") from exc


def parse_report(source: str, data: bytes, settings: Settings = Settings(),
                 overrides: Mapping | None = None) -> Report:
    """Build a Report from the bytes of file ``source``.

    Args:
        source: the file's name, kept on the report and every chunk.
        data: its bytes.
        settings: chunk size and the bounds on what one file may unpack to and be cut into.
        overrides: validated sidecar fields (see :func:`assistant.ingest.sidecar.parse_sidecar`).

    Raises:
        ReadError: naming the file and the reason it cannot be indexed.
    """
    loaded = _stage(source, "解析文件", load, source, data, settings)
    if len(loaded.text) > settings.max_text_chars:      # refused before cleaning and chunking it for minutes
        raise too_long(source, settings)
    blocks, _ = _stage(source, "清理文本", clean, loaded.text, loaded.headings, loaded.wrap_width)
    if not blocks:
        raise ReadError(source, "去掉网页导航等内容后没有剩下正文")
    meta = _stage(source, "读取元数据", extract_metadata, loaded.text, blocks)
    if overrides:
        meta = _stage(source, "应用元数据文件", apply_sidecar, meta, overrides)
    chunks = _stage(source, "切分段落", chunk_report, source, blocks, settings.chunk_chars, settings.overlap_chars)
    if not chunks:
        raise ReadError(source, "没有可索引的文字")
    if len(chunks) > settings.max_chunks_per_file:
        raise ReadError(source, f"切分出 {len(chunks)} 个段落，超过每个文件 {settings.max_chunks_per_file} 个的上限"
                                "（确需索引请调高 Settings.max_chunks_per_file）")
    if loaded.pages:
        chunks = [replace(c, page=bisect.bisect_right(loaded.pages, c.start)) for c in chunks]
    return Report(source, meta, tuple(chunks), loaded.encoding)


def index_text(meta: ReportMeta, chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: where and when, its heading path, then its text.

    The heading path takes part in retrieval, so "有哪些不足" finds the 存在的不足 section.
    """
    years = f"{meta.years}年" if meta.years else ""
    return normalize(f"{meta.region} {years}\n{chunk.section}\n{chunk.text}")
