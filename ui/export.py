"""Answers out of the app: Markdown and Word (DOCX) for an answer or a whole conversation, and comparison tables
as CSV or Excel (XLSX). Every form carries its citations: report title, region and year, file, section and
the quoted span. Rendered from the Answer structure only; kept apart from Gradio.

Example:
    >>> path = export([bot.ask("西秀区2022年行政复议纠错率是多少？")], "docx", Path("/tmp"))   # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
import re
import secrets
import time
from pathlib import Path
from typing import Sequence

from assistant.answer.render import by_report, not_found_text, report_label, row_source, understanding
from assistant.records import RELATED, Answer, Hit

FORMATS = {"md": "Markdown", "docx": "Word", "csv": "CSV", "xlsx": "Excel"}
TITLE = "法治政府建设年度报告问答"
TABLE_HEAD = ("问题", "地区 · 年份", "指标", "数值", "引用", "报告", "文件", "章节", "原文")


class ExportError(ValueError):
    """Nothing to export in that form (no answer yet, no comparison table); the message says so in Chinese."""


def source_name(hit: Hit) -> str:
    """A cited report by its title and region, the file name second: "《title》（肇庆市 · 2022年）". A report
    without a title is not named by its (often hashed) file name: "无标题报告（肇庆市 · 2022年）"."""
    title = f"《{hit.title}》" if hit.title else "无标题报告"
    return f"{title}（{report_label(hit.region, hit.years, hit.uncertain)}）"


def where(hit: Hit) -> str:
    """"文件 a.txt · 第2页 · 章节 一、… › （一）…"."""
    page = f" · 第{hit.page}页" if hit.page else ""
    return f"文件 {hit.source}{page} · 章节 {hit.section}"


def quoted_span(hit: Hit, limit: int = 300) -> str:
    """What the answer quoted from a passage, or the passage's opening when it quoted nothing from it."""
    text = " ".join(hit.quotes) if hit.quotes else hit.text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def quote_label(answer: Answer, number: int) -> str:
    """"相关原文" for a passage only quoted as related to a figure its report does not state, else "引文"."""
    headings = {p.heading for p in answer.points if p.citation == number}
    return RELATED if headings == {RELATED} else "引文"


# -- Markdown -------------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def answer_markdown(answer: Answer, number: int | None = None) -> str:
    """One question and its answer as Markdown: how it was read, notices, lead, table, points, citations."""
    head = f"## 问题{f' {number}' if number else ''}：{answer.question}"
    lines = [head, ""]
    lines += [f"> {label}：{value}  " for label, value in understanding(answer)]
    lines.append("")
    lines += [f"> **注意**：{notice}" for notice in answer.notices]
    if answer.notices:
        lines.append("")
    if not answer.found:
        lines.append(not_found_text(answer.question, answer.reason).replace("\n", "  \n"))
        return "\n".join(lines).rstrip() + "\n"
    if answer.lead:
        lines += [answer.lead, ""]
    if answer.table:
        lines.append(f"| 地区 · 年份 | {_md_cell(answer.table.metric)} | 出处 |")
        lines.append("|---|---|---|")
        for row in answer.table.rows:
            lines.append(f"| {_md_cell(row.label)} | {_md_cell(row.value)} | {_md_cell(row_source(row))} |")
        lines.append("")
    for head_hit, points in by_report(answer):
        lines.append(f"**{source_name(head_hit)}**")
        lines.append("")
        for i, point in enumerate(points, 1):
            heading = f"{point.heading}：" if point.heading else ""
            lines.append(f"{i}. {heading}「{' '.join(point.quotes)}」[{point.citation}]")
        lines.append("")
    lines.append("**来源**")
    lines.append("")
    for i, hit in enumerate(answer.citations, 1):
        lines.append(f"[{i}] {source_name(hit)}，{where(hit)}  ")
        lines.append(f"{quote_label(answer, i)}：「{quoted_span(hit)}」")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def markdown(answers: Sequence[Answer]) -> str:
    """A whole export as Markdown: a title, then each answer."""
    _require(answers)
    out = [f"# {TITLE}", "", f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}", ""]
    for n, answer in enumerate(answers, 1):
        out.append(answer_markdown(answer, n if len(answers) > 1 else None))
    return "\n".join(out)


# -- DOCX -----------------------------------------------------------------------------------------

def _cjk_font(document, name: str = "宋体") -> None:
    """East Asian text in Word takes its own font setting; without one, some viewers fall back badly."""
    from docx.oxml.ns import qn

    style = document.styles["Normal"]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _runs(paragraph, text: str) -> None:
    """``text`` into ``paragraph``, with its **bold** parts bold."""
    for i, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if part:
            paragraph.add_run(part).bold = bool(i % 2)


def docx_bytes(answers: Sequence[Answer]) -> bytes:
    """A Word document of the answers, with tables as Word tables and a list of sources after each answer."""
    _require(answers)
    from docx import Document
    from docx.shared import Pt, RGBColor

    document = Document()
    _cjk_font(document)
    document.add_heading(TITLE, level=1)
    document.add_paragraph(f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}")
    for n, answer in enumerate(answers, 1):
        document.add_heading(f"问题{f' {n}' if len(answers) > 1 else ''}：{answer.question}", level=2)
        for label, value in understanding(answer):
            run = document.add_paragraph().add_run(f"{label}：{value}")
            run.font.size, run.font.color.rgb = Pt(9), RGBColor(0x66, 0x66, 0x66)
        for notice in answer.notices:
            run = document.add_paragraph().add_run(f"注意：{notice}")
            run.bold, run.font.color.rgb = True, RGBColor(0xB4, 0x53, 0x09)
        if not answer.found:
            document.add_paragraph(not_found_text(answer.question, answer.reason))
            continue
        if answer.lead:
            _runs(document.add_paragraph(), answer.lead)
        if answer.table:
            table = document.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("地区 · 年份", answer.table.metric, "出处")):
                cell.paragraphs[0].add_run(text).bold = True
            for row in answer.table.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = row.label, row.value
                cells[2].text = row_source(row)
        for head_hit, points in by_report(answer):
            document.add_paragraph().add_run(source_name(head_hit)).bold = True
            for point in points:
                heading = f"{point.heading}：" if point.heading else ""
                document.add_paragraph(f"{heading}「{' '.join(point.quotes)}」[{point.citation}]",
                                       style="List Number")
        document.add_paragraph().add_run("来源").bold = True
        for i, hit in enumerate(answer.citations, 1):
            para = document.add_paragraph()
            para.add_run(f"[{i}] {source_name(hit)}，{where(hit)}").font.size = Pt(9)
            para.add_run(f"\n{quote_label(answer, i)}：「{quoted_span(hit)}」").font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- tables ---------------------------------------------------------------------------------------

def table_rows(answers: Sequence[Answer]) -> list[tuple]:
    """Every comparison row of the answers, with its question and the report its figure is cited from."""
    out = []
    for answer in answers:
        if not answer.table:
            continue
        for row in answer.table.rows:
            hit = answer.citations[row.citation - 1] if row.citation else None
            quote = quoted_span(hit) if hit else ""
            out.append((answer.question, row.label, answer.table.metric, row.value, row_source(row),
                        source_name(hit) if hit else "", hit.source if hit else row.source,
                        hit.section if hit else "", f"{row.note}：{quote}" if (quote and row.note) else quote))
    if not out:
        raise ExportError("没有对比表可导出：CSV 和 Excel 只导出对比各地的表格（例如“各地行政复议案件分别是多少？”）")
    return out


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # OWASP CSV injection: what a spreadsheet may run


def as_text(value) -> str:
    """A cell's value that a spreadsheet shows as text and never runs: one starting with =, +, -, @, a tab or a
    carriage return gets a leading apostrophe (the OWASP rule). A question, a report sentence or a relabelled
    region is never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def tables_csv(answers: Sequence[Answer]) -> bytes:
    """The comparison tables as CSV, UTF-8 with a byte-order mark so Excel reads the Chinese; every cell text."""
    rows = table_rows(answers)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TABLE_HEAD)
    writer.writerows([as_text(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def tables_xlsx(answers: Sequence[Answer]) -> bytes:
    """The comparison tables as an Excel workbook, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = table_rows(answers)
    book = Workbook()
    book.remove(book.active)
    by_question: dict[str, list[tuple]] = {}
    for row in rows:
        by_question.setdefault(row[0], []).append(row)
    for n, (question, group) in enumerate(by_question.items(), 1):
        sheet = book.create_sheet(f"对比表{n}")
        sheet.append(TABLE_HEAD)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in group:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                # Stored as a string cell, which Excel never evaluates (openpyxl would store "=…" as a formula),
                # and marked quote-prefixed so that editing the cell keeps it text.
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
        for column, width in zip("ABCDEFGHI", (30, 18, 14, 14, 6, 36, 26, 30, 60)):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- files ----------------------------------------------------------------------------------------

def _require(answers: Sequence[Answer]) -> None:
    if not answers:
        raise ExportError("还没有可导出的回答：请先提问")


def render(answers: Sequence[Answer], fmt: str) -> bytes:
    """The export of ``answers`` in format ``fmt`` (md, docx, csv, xlsx) as bytes."""
    if fmt == "md":
        return markdown(answers).encode("utf-8")
    if fmt == "docx":
        return docx_bytes(answers)
    if fmt == "csv":
        return tables_csv(answers)
    if fmt == "xlsx":
        return tables_xlsx(answers)
    raise ExportError(f"不支持的导出格式 {fmt!r}；可用：{', '.join(FORMATS)}")


def export(answers: Sequence[Answer], fmt: str, folder: Path, stem: str = "报告问答") -> Path:
    """Write the export of ``answers`` into ``folder`` as ``<stem>-<time>-<rand>.<fmt>`` and return its path.
    The app passes each session's own folder (:attr:`ui.session.Session.exports`).

    Raises:
        ExportError: nothing to export in that format.
    """
    data = render(answers, fmt)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Two exports in one second never share a name (a session's folder is its own: see ui.session).
    path = folder / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}.{fmt}"
    path.write_bytes(data)
    return path
