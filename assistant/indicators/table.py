"""The indicator table of a snapshot: filtered by region, level and year, and written as CSV (long form), XLSX or Markdown.

Example:
    >>> table = build_table(bot.store, region="西秀区")          # doctest: +SKIP
    >>> table.save(Path("指标.csv")); table.rows[0].cell("review_correction_rate").value   # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.indicators.catalogue import Indicator, elements, indicators
from assistant.indicators.records import ReportRow
from assistant.indicators.stored import snapshot_rows
from assistant.records import ReportMeta
from assistant.regions import KIND_NAMES

LONG_HEAD = ("file", "region", "year", "indicator", "value", "quote", "section")
REPORT_HEAD = ("报告", "地区", "级别", "年份", "发布机关")
FORMATS = (".csv", ".xlsx", ".md")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (a formula) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def level_name(meta: ReportMeta) -> str:
    return KIND_NAMES.get(meta.level, meta.level or "未识别")


def _region_matches(meta: ReportMeta, region: str) -> bool:
    names = (meta.region, *meta.region_path)
    if region in names or any(n.endswith(region) for n in names if n):
        return True
    stem = region.rstrip("省市区县旗")
    return len(stem) >= 2 and any(n.startswith(stem) or (n and stem in n[-len(region) - 2:]) for n in names if n)


def _level_matches(meta: ReportMeta, level: str) -> bool:
    return level in (meta.level, level_name(meta))


@dataclass(frozen=True)
class IndicatorTable:
    """One row per report, one cell per indicator, plus each report's element check."""

    rows: tuple[ReportRow, ...]
    indicators: tuple[Indicator, ...]

    def long_rows(self) -> list[tuple[str, ...]]:
        """(file, region, year, indicator, value, quote, section) for every cell; value is the figure or 未写明/不明确
        (a 不明确 cell quotes the clauses that disagree, best first)."""
        out = []
        for row in self.rows:
            for ind, cell in zip(self.indicators, row.cells):
                quote = cell.quote if cell.found else " / ".join(c.clause for c in cell.why[:3] if c.score > 0)
                out.append((row.source, row.meta.region, row.meta.years, ind.name, cell.text, quote,
                            cell.section if cell.found or quote else ""))
        return out

    def records(self) -> list[dict]:
        """The long form as dicts (the API's /indicators)."""
        return [dict(zip(LONG_HEAD, r)) for r in self.long_rows()]

    def wide(self) -> tuple[list[str], list[list[str]]]:
        """The table as the page shows it: report columns, then an indicator a column."""
        head = list(REPORT_HEAD) + [i.name for i in self.indicators]
        body = [[row.meta.title or row.source, row.meta.region, level_name(row.meta), row.meta.years,
                 row.meta.issuer] + [c.text for c in row.cells] for row in self.rows]
        return head, body

    def element_rows(self) -> tuple[list[str], list[list[str]]]:
        """The element checklist: a report a row, each part 有（section）or 缺."""
        parts = elements()
        head = ["报告", "地区", "年份"] + [p.name for p in parts]
        body = []
        for row in self.rows:
            marks = [f"有（{e.section}）" if e.present else "缺" for e in row.elements]
            body.append([row.meta.title or row.source, row.meta.region, row.meta.years] + marks)
        return head, body

    def to_csv(self) -> bytes:
        """Long form, one line per cell, UTF-8, header ``file,region,year,indicator,value,quote,section``."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(LONG_HEAD)
        writer.writerows([[safe_cell(v) for v in r] for r in self.long_rows()])
        return buffer.getvalue().encode("utf-8")

    def to_xlsx(self) -> bytes:
        """Three sheets: 指标总览 (wide), 明细 (long form with quotes and sections), 报告要素."""
        try:
            from openpyxl import Workbook
            from openpyxl.styles import Font
        except ImportError as exc:   # pragma: no cover - part of the ui extra
            raise ValueError("导出 Excel 需要 openpyxl：pip install openpyxl（或改用 .csv / .md）") from exc

        book = Workbook()
        book.remove(book.active)
        head, body = self.wide()
        sheets = (("指标总览", head, body), ("明细", list(LONG_HEAD), self.long_rows()),
                  ("报告要素", *self.element_rows()))
        for name, header, rows in sheets:
            sheet = book.create_sheet(name)
            sheet.append([safe_cell(h) for h in header])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for r in rows:
                sheet.append([safe_cell(v) for v in r])
            for cell in sheet[1]:
                sheet.column_dimensions[cell.column_letter].width = 16
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """The wide table, then each filled cell's quote and citation, then the element checklist."""
        def line(cells):
            return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

        head, body = self.wide()
        out = ["# 指标总览", "", line(head), line(["---"] * len(head))] + [line(r) for r in body]
        out += ["", "## 出处", ""]
        for row in self.rows:
            for ind, cell in zip(self.indicators, row.cells):
                if cell.found:
                    out.append(f"- {row.meta.region} {row.meta.years} {ind.name} **{cell.value}**：“{cell.quote}”"
                               f"（{cell.citation}）")
        ehead, ebody = self.element_rows()
        out += ["", "## 报告要素", "", line(ehead), line(["---"] * len(ehead))] + [line(r) for r in ebody]
        return "\n".join(out) + "\n"

    def save(self, path: Path) -> Path:
        """Write the table in the format its suffix names (.csv, .xlsx, .md)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise ValueError(f"不支持的导出格式“{path.suffix or '（无后缀）'}”：请用 {'、'.join(FORMATS)}")
        data = {".csv": self.to_csv, ".xlsx": self.to_xlsx}.get(suffix)
        path.write_bytes(data() if data else self.to_markdown().encode("utf-8"))
        return path


def build_table(store, region: str | None = None, year: int | None = None, level: str | None = None) -> IndicatorTable:
    """The table of a snapshot's reports, those of ``region`` (and its places), covering ``year``, of ``level``."""
    rows = snapshot_rows(store)
    kept = []
    for source in store.sources:
        row = rows[source]
        meta = row.meta
        if region and not _region_matches(meta, region):
            continue
        if year and not meta.covers(int(year)):
            continue
        if level and not _level_matches(meta, level):
            continue
        kept.append(row)
    kept.sort(key=lambda r: (r.meta.region, r.meta.year_to or 0, r.source))
    return IndicatorTable(tuple(kept), indicators())
