"""Render answers, sources and the report library as safe HTML: report text and questions are always data,
never markup.

Everything is rendered from the :class:`~assistant.records.Answer` structure: notices first as a warning, the
lead line with its figure in bold, a comparison as a real ``<table>``, the points numbered under their
report with each item's heading, and how the question was read. Each citation number is a link
``#cite-<turn>-<n>`` that the page turns into "open this passage in its report" (see :mod:`ui.app`).
Chat messages are single HTML blocks without blank lines, so the chat's Markdown leaves them alone.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace

from assistant.answer.render import FIELD_NAMES, by_report, intro, not_found_text, report_label, understanding
from assistant.records import Answer, Hit, TableRow
from assistant.search.question import MAX_CHARS
from ui.export import source_name

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~<-])")
_CITE_IN_TEXT = re.compile(r"\[(\d+)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
CONFLICT = "不一致"       # the word every filter-conflict notice holds (assistant.search.filters)


def text(value: str) -> str:
    """Escape text for HTML and for Markdown, so nothing in it can format, fetch or execute."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=True))


def esc(value: str) -> str:
    """Escape text inside an HTML block (Markdown is not applied there), on one line."""
    return html.escape(value, quote=True).replace("\n", " ")


def cite(turn: int, n: int, label: str = "") -> str:
    return f"<a class='cite' href='#cite-{turn}-{n}'>[{n}]{(' ' + esc(label)) if label else ''}</a>"


def user_message(question: str) -> str:
    """The user's question as text (a Markdown image or link in it is shown, never fetched), cut where the
    search cuts it."""
    question = question.strip()
    shown = text(question[:MAX_CHARS])
    if len(question) > MAX_CHARS:
        shown += f"……（共 {len(question):,} 字，只检索前 {MAX_CHARS} 字）"
    return shown


def _inline(value: str, turn: int) -> str:
    """Escaped text with its **figure** in bold and its [n] as citation links."""
    out = esc(value)
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _CITE_IN_TEXT.sub(lambda m: cite(turn, int(m.group(1))), out)


def conflicts(answer: Answer) -> list[str]:
    """The notices saying a filter of the page contradicts the question."""
    return [n for n in answer.notices if CONFLICT in n]


def understood_html(answer: Answer) -> str:
    parts = " · ".join(f"<span><b>{esc(label)}</b>：{esc(value)}</span>" for label, value in understanding(answer))
    return f"<div class='understood'>{parts}</div>"


def row_source_html(row: TableRow, index: int, turn: int) -> str:
    """A row's 出处: its citation; a 未写明 row's related passage labelled 相关原文; else a link to its report."""
    if row.citation and row.note:
        return (f"{cite(turn, row.citation)} <span class='related'><b>{esc(row.note)}</b>："
                f"「{esc(' '.join(row.quotes))}」</span>")
    if row.citation:
        return cite(turn, row.citation)
    if row.value == "未写明":
        return f"<a class='cite report-link' href='#report-{turn}-{index}'>查看报告</a>"
    return ""


def table_html(answer: Answer, turn: int) -> str:
    rows = "".join(
        f"<tr><td>{esc(row.label)}</td><td>{_inline(row.value, turn)}</td>"
        f"<td>{row_source_html(row, i, turn)}</td></tr>" for i, row in enumerate(answer.table.rows, 1))
    return (f"<table class='cmp'><thead><tr><th>地区 · 年份</th><th>{esc(answer.table.metric)}</th><th>出处</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def written_html(answer: Answer, turn: int) -> str:
    """The LLM mode's answer: each sentence that passed the check, marked ✓ (its checks in the tooltip), its [n]
    linked like every citation."""
    spans = "".join(
        f"<span class='checked' title='{esc('已核对：' + '；'.join(c.detail for c in s.checks if c.detail))}'>"
        f"✓ {_inline(s.text, turn)}</span>" for s in answer.written.shown)
    model = f"（{esc(answer.written.model)}）" if answer.written.model else ""
    return (f"<div class='written'><div class='written-head'>模型回答{model}，每句已与所引原文核对：</div>"
            f"<p class='lead'>{spans}</p></div>")


def answer_html(answer: Answer, turn: int = 0, _numbered: bool = False) -> str:
    """The chat message for an answer: notices, then the lead, table and points (or why nothing was found),
    then how the question was read."""
    out = ["<div class='answer'>"]
    if answer.parts:
        out.append(_parts_html(answer, turn, _numbered))
        out.append(understood_html(answer))
        out.append("</div>")
        return "".join(out)
    if answer.notices:
        out.append("<div class='notices'>" + "".join(f"<div class='notice'>⚠ {esc(n)}</div>" for n in answer.notices)
                   + "</div>")
    if not answer.found:
        first, _, why = not_found_text(answer.question, answer.reason).partition("\n")
        out.append(f"<p class='not-found'>{esc(first)}</p>" + (f"<p class='reason'>{esc(why)}</p>" if why else ""))
    else:
        shown = answer.written.shown if answer.written is not None else ()
        if answer.lead and (not shown or answer.lead.startswith("报告未写明")):
            out.append(f"<p class='lead'>{_inline(answer.lead, turn)}</p>")
        if shown:
            out.append(written_html(answer, turn))
        if answer.table:
            out.append(table_html(answer, turn))
        groups = by_report(answer)
        if not answer.lead or len(groups) > 1:
            out.append(f"<p class='intro'>{esc(intro(len(groups)))}</p>")
        for head, points in groups:
            items = "".join(
                f"<li>{'<b>' + esc(p.heading) + '</b>：' if p.heading else ''}「{esc(' '.join(p.quotes))}」"
                f"{cite(turn, p.citation)}</li>" for p in points)
            out.append(f"<div class='report'><div class='report-head'>【{esc(report_label(head.region, head.years, head.uncertain))}】"
                       f"{esc(head.title or f'无标题报告（{head.source}）')}</div><ol>{items}</ol></div>")
    out.append(understood_html(answer))
    out.append("</div>")
    return "".join(out)


def _parts_html(answer: Answer, turn: int, numbered: bool = False) -> str:
    """A question of several asks: notices, then each part under its heading with its own lead and points; a
    practice comparison's places side by side. Citation numbers are the whole answer's (the sources beside)."""
    from assistant.answer.parts import parts_lead, shown_parts

    out = []
    if answer.notices:
        out.append("<div class='notices'>" + "".join(f"<div class='notice'>⚠ {esc(n)}</div>" for n in answer.notices)
                   + "</div>")
    side_by_side = answer.lead != parts_lead(answer.parts)
    if side_by_side:
        out.append(f"<p class='lead'>{_inline(answer.lead, turn)}</p>")
    cells = []
    for i, part in enumerate(shown_parts(answer, numbered), 1):
        head = part.label or part.question
        body = answer_html(replace(part, notices=tuple(n for n in part.notices if n not in answer.notices),
                                   understood={}), turn, True)
        body = re.sub(r"<div class='understood'>.*?</div>", "", body)
        title = f"◆ {esc(head)}" if side_by_side else f"第{i}问：{esc(head)}"
        cells.append(f"<div class='part'><div class='part-head'>{title}</div>{body}</div>")
    out.append(f"<div class='{'side-by-side' if side_by_side else 'parts'}'>" + "".join(cells) + "</div>")
    return "".join(out)


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


def sources_html(citations: tuple[Hit, ...] | list[Hit], turn: int = 0) -> str:
    """Source cards, named by report title and region (the file second): the section path, the passage
    with its quotes highlighted, and a link that opens the passage inside the whole report."""
    if not citations:
        return "<div class='sources-empty'>回答引用的原文会显示在这里；点击回答中的 [编号] 可在整篇报告中查看。</div>"
    cards = []
    for i, hit in enumerate(citations, 1):
        page = f" · 第{hit.page}页" if hit.page else ""
        cards.append(
            f"<details class='source' id='src-{i}' {'open' if i == 1 else ''}>"
            f"<summary><b>[{i}] {esc(source_name(hit))}</b>"
            f"<div class='path'>{esc(hit.section)}{page}</div></summary>"
            f"<div class='passage'>{_highlight(hit.text, hit.quotes)}</div>"
            f"<div class='file'>文件 {esc(hit.source)} · 原文第 {hit.start}–{hit.end} 字 · "
            f"<a class='cite' href='#cite-{turn}-{i}'>在整篇报告中查看</a></div></details>")
    return "<div class='sources'>" + "".join(cards) + "</div>"


WHERE_NAMES = {"shipped": "内置（只读）", "library": "报告库", "hidden": "已隐藏", "trash": "回收站（可恢复）"}


def library_html(rows: list[dict]) -> str:
    """The report library as a table: title, region with its level, years, issuer, chunks, file, where each
    label was read (guesses marked 推断), and where the file lives."""
    if not rows:
        return "<div class='sources-empty'>还没有索引任何报告。</div>"
    body = []
    for row in rows:
        guesses = row.get("uncertain") or []
        origin = esc(row.get("provenance_text", ""))
        if guesses:
            names = "、".join(FIELD_NAMES.get(g, g) for g in guesses)
            origin += f"<br><span class='guess'>推断（不确定）：{esc(names)}</span>"
        level = f"（{esc(row['level_name'])}）" if row.get("level_name") else ""
        body.append(
            f"<tr class='{esc(row['where'])}'><td>{esc(row.get('title') or '（无标题）')}</td>"
            f"<td>{esc(row.get('region') or '（未识别）')}{level}</td><td>{esc(row.get('years') or '—')}</td>"
            f"<td>{esc(row.get('issuer') or '—')}</td><td class='num'>{row.get('chunks', 0)}</td>"
            f"<td class='file'>{esc(row['source'])}</td><td class='origin'>{origin}</td>"
            f"<td>{esc(WHERE_NAMES.get(row['where'], row['where']))}</td></tr>")
    return ("<div class='library-wrap'><table class='library'><thead><tr><th>标题</th><th>地区（级别）</th><th>年份</th>"
            "<th>发布机关</th><th>段落</th><th>文件</th><th>标签来源</th><th>位置</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table></div>")


CSS = """
#chat .answer p { margin: 0.25em 0; }
#chat .notices .notice, .conflict-warn { background: #fff7e6; border-left: 4px solid #fa8c16; padding: 4px 8px;
  margin: 2px 0 6px; color: #873800; }
#chat .lead { font-size: 1.05em; }
#chat .written-head { color: #389e0d; font-size: 0.9em; }
#chat .written .checked { border-bottom: 1px dashed #95de64; }
#chat table.cmp { border-collapse: collapse; margin: 6px 0; }
#chat table.cmp th, #chat table.cmp td { border: 1px solid #ccc; padding: 2px 8px; }
#chat .report-head { font-weight: 600; margin-top: 6px; }
#chat .report ol { margin: 2px 0 4px 1.4em; padding: 0; }
#chat .understood { color: #666; font-size: 0.82em; border-top: 1px dashed #ddd; margin-top: 6px; padding-top: 3px; }
#chat .not-found { font-weight: 600; }
#chat .waiting { color: #888; }
#chat .parts .part, #chat .side-by-side .part { border-left: 3px solid #bfdbfe; padding-left: 8px; margin: 6px 0; }
#chat .side-by-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px; }
#chat .part-head { font-weight: 600; color: #1e3a8a; }
#chat table.cmp .related { color: #555; font-size: 0.9em; }
#chat table.cmp { width: 100%; }
#chat table.cmp th:nth-child(2), #chat table.cmp td:nth-child(2) { white-space: nowrap; }
#chat table.cmp td { vertical-align: top; }
a.cite { text-decoration: none; color: #1d4ed8; cursor: pointer; }
.sources details { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; margin-bottom: 8px; }
.sources summary { cursor: pointer; }
.sources .path, .sources .file { color: #666; font-size: 0.85em; margin-top: 2px; }
.sources .passage { margin-top: 6px; line-height: 1.7; }
.sources mark, .report-view mark.q { background: #ffe58f; }
.sources, .rv-scroll { max-height: 520px; overflow-y: auto; position: relative; }
.report-view .rv-head { padding-bottom: 4px; border-bottom: 1px solid #eee; }
.report-view .rv-file, .report-view .rv-path, .report-view .rv-note { color: #666; font-size: 0.85em; }
.report-view .rv-text { white-space: pre-wrap; line-height: 1.7; margin-top: 6px; }
.report-view mark.rv-passage { background: #dbeafe; outline: 2px solid #60a5fa; }
table.library { border-collapse: collapse; width: 100%; font-size: 0.88em; }
table.library th, table.library td { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
table.library tr.hidden td, table.library tr.trash td { color: #999; }
.lib-actions { align-items: center; }
#confirm-row { background: #fff1f0; border: 1px solid #ffa39e; border-radius: 6px; padding: 4px 8px; }
table.library .file { font-family: monospace; font-size: 0.9em; word-break: break-all; }
table.library .guess { color: #b45309; }
.library-wrap { max-height: 300px; overflow-y: auto; }
#examples { gap: 6px; }
#examples button { flex: 0 1 auto; min-width: 0; font-size: 0.82em; padding: 3px 8px; }
#header h2 { margin: 0; }
"""
