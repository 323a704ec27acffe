"""Render answers and sources as safe HTML: report text is always data, never markup."""
from __future__ import annotations

import html
import re

from assistant.answer.render import by_report, intro, render_text, report_heading
from assistant.records import Answer, Hit

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def text(value: str) -> str:
    """Escape report text for HTML and for markdown, so nothing in it can format or execute."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=True))


def answer_markdown(answer: Answer) -> str:
    """The chat message for an answer, rendered from its structure: escaped quotes, each citation a link
    to its source card."""
    if not answer.found:
        body = "\n".join(text(line) for line in render_text(answer).split("\n"))
    else:
        lines = [text(answer.lead)] if answer.lead else []
        groups = by_report(answer)
        lines.append(text(intro(len(groups))))
        for head, points in groups:
            lines.append("")
            lines.append(text(report_heading(head)))
            for point in points:
                n = point.citation
                heading = f"**{text(point.heading)}**：" if point.heading else ""
                lines.append(f"- {heading}「{text(' '.join(point.quotes))}」<a href=\"#src-{n}\">[{n}]</a>")
        body = "\n".join(lines).strip()
        cites = " ".join(f"<a href=\"#src-{i}\">[{i}] {html.escape(h.source)}</a>"
                         for i, h in enumerate(answer.citations, 1))
        body += f"\n\n<small>来源：{cites}</small>"
    if answer.query and answer.query != answer.question:
        body += f"\n\n<small>检索语句：{text(answer.query)}</small>"
    return body


def _highlight(passage: str, quotes: tuple[str, ...]) -> str:
    """Escape a passage and wrap each quoted sentence in <mark>."""
    spans = []
    flat = passage.replace("**", "")
    for quote in quotes:
        start = flat.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
    spans.sort()
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(html.escape(flat[pos:start]))
        out.append(f"<mark>{html.escape(flat[start:end])}</mark>")
        pos = end
    out.append(html.escape(flat[pos:]))
    return "".join(out).replace("\n", "<br>")


def sources_html(citations: list[Hit]) -> str:
    """Source cards: file, region and year, section path; expanding one shows the passage, quotes highlighted."""
    if not citations:
        return "<div class='sources-empty'>回答引用的原文会显示在这里。</div>"
    cards = []
    for i, hit in enumerate(citations, 1):
        where = " · ".join(x for x in (hit.region, f"{hit.years}年" if hit.years else "") if x)
        page = f" · 第{hit.page}页" if hit.page else ""
        cards.append(
            f"<details class='source' id='src-{i}' {'open' if i == 1 else ''}>"
            f"<summary><b>[{i}] {html.escape(hit.source)}</b> <span class='where'>{html.escape(where)}{page}</span>"
            f"<div class='path'>{html.escape(hit.section)}</div></summary>"
            f"<div class='passage'>{_highlight(hit.text, hit.quotes)}</div>"
            f"<div class='span'>原文第 {hit.start}–{hit.end} 字</div></details>")
    return "<div class='sources'>" + "".join(cards) + "</div>"


CSS = """
.sources details { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; margin-bottom: 8px; }
.sources summary { cursor: pointer; }
.sources .where { color: #555; margin-left: 6px; }
.sources .path { color: #666; font-size: 0.85em; margin-top: 2px; }
.sources .passage { margin-top: 6px; line-height: 1.7; }
.sources .span { color: #888; font-size: 0.8em; margin-top: 4px; }
.sources mark { background: #ffe58f; }
"""
