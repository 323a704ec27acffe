"""A cited passage inside its whole report (for a PDF, inside its page), highlighted, as safe HTML.

The report is read again from its file through the same format loaders as indexing, so a chunk's
``start``/``end`` offsets point into the same text. When the file changed since it was indexed, the
passage is looked for by its text; failing that, it is shown alone with a note.

Example:
    >>> html = report_view(bot, answer.citations[0])      # doctest: +SKIP
"""
from __future__ import annotations

import html
import os
import re
from functools import lru_cache
from pathlib import Path

from assistant.api import Assistant
from assistant.index.scan import Candidate, read_file
from assistant.ingest.formats import Loaded, load
from assistant.ingest.reading import ReadError
from assistant.records import Hit
from assistant.settings import Settings
from ui.export import source_name

FOCUS = "rv-focus"       # the element the page scrolls to


@lru_cache(maxsize=16)
def _loaded(path: str, source: str, root: str, stamp: tuple, settings: Settings) -> Loaded:
    """The report's text as indexing reads it, cached by the file's identity and modification time."""
    data = read_file(Candidate(source, Path(path), Path(root)), settings)
    return load(source, data, settings)


def report_text(bot: Assistant, source: str) -> Loaded:
    """The decoded text of an indexed report (``Loaded.pages`` holds where each PDF page starts).

    Raises:
        ReadError: the file is gone or cannot be read any more.
    """
    path = bot.roots.path_of(source)        # a GBK-named file is found under its shown name
    root = (bot.library if bot.roots.in_library(source) else bot.folder).resolve()
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ReadError(source, "文件已不存在（可能已被删除或移走）") from exc
    return _loaded(str(path), source, str(root), (info.st_ino, info.st_size, info.st_mtime_ns), bot.settings)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("**", ""))


def locate(text: str, hit: Hit) -> tuple[int, int] | None:
    """Where the passage lies in ``text``: its recorded offsets when they still hold it, else where its
    text occurs (line breaks aside), else where its opening words occur, else None."""
    probe = _squeezed(hit.text)[:24]
    if 0 <= hit.start < hit.end <= len(text) and _squeezed(text[hit.start:hit.end]).startswith(probe[:12]):
        return hit.start, hit.end
    if not probe:
        return None
    found = _loose(hit.text).search(text)
    if found:
        return found.span()
    found = _loose(probe).search(text)
    return (found.start(), min(len(text), found.start() + len(hit.text))) if found else None


def _loose(quote: str) -> re.Pattern:
    """A pattern for ``quote`` that allows line breaks and spaces between its characters (PDF lines)."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in _squeezed(quote)))


def _marked(passage: str, quotes: tuple[str, ...]) -> str:
    """The escaped passage with each quoted sentence inside <mark class='q'>."""
    spans = []
    for quote in quotes:
        if _squeezed(quote):
            found = _loose(quote).search(passage)
            if found:
                spans.append(found.span())
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [html.escape(passage[pos:start]), f"<mark class='q'>{html.escape(passage[start:end])}</mark>"]
        pos = end
    out.append(html.escape(passage[pos:]))
    return "".join(out)


def _page_bounds(loaded: Loaded, page: int | None, span: tuple[int, int]) -> tuple[int, int]:
    """The text of the cited PDF page (stretched to the passage's end when it runs onto the next page)."""
    if not loaded.pages or not page or page > len(loaded.pages):
        return 0, len(loaded.text)
    start = loaded.pages[page - 1]
    end = loaded.pages[page] if page < len(loaded.pages) else len(loaded.text)
    return min(start, span[0]), max(end, span[1])


def report_view(bot: Assistant, hit: Hit, number: int | None = None) -> str:
    """HTML: the report's title, region and file, the section path (and page), then the report's text
    (a PDF: the cited page's) with the passage highlighted as ``#rv-focus`` and its quotes marked."""
    label = f"[{number}] " if number else ""
    page = f" · 第{hit.page}页" if hit.page else ""
    head = (f"<div class='rv-head'><b>{label}{html.escape(source_name(hit))}</b>"
            f"<div class='rv-file'>文件 {html.escape(hit.source)}{page}</div>"
            f"<div class='rv-path'>章节：{html.escape(hit.section)}</div></div>")
    try:
        loaded = report_text(bot, hit.source)
    except ReadError as exc:
        return (f"<div class='report-view'>{head}<div class='rv-note'>无法打开原文：{html.escape(exc.reason)}；"
                f"以下是索引中的段落。</div><div class='rv-text'><mark id='{FOCUS}' class='rv-passage'>"
                f"{_marked(hit.text, hit.quotes)}</mark></div></div>")
    text = loaded.text
    span = locate(text, hit)
    if span is None:
        return (f"<div class='report-view'>{head}<div class='rv-note'>原文件在建立索引后改动过，找不到这段文字；"
                f"以下是索引中的段落。</div><div class='rv-text'><mark id='{FOCUS}' class='rv-passage'>"
                f"{_marked(hit.text, hit.quotes)}</mark></div></div>")
    first, last = _page_bounds(loaded, hit.page, span)
    where = f"<div class='rv-note'>PDF 第{hit.page}页的文字</div>" if loaded.pages and hit.page else ""
    body = (html.escape(text[first:span[0]])
            + f"<mark id='{FOCUS}' class='rv-passage'>{_marked(text[span[0]:span[1]], hit.quotes)}</mark>"
            + html.escape(text[span[1]:last]))
    return f"<div class='report-view'>{head}{where}<div class='rv-scroll'><div class='rv-text'>{body}</div></div></div>"
