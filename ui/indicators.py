"""The 指标总览 tab: every indicator of every report as a table (filter by region, level, year), a click on a cell
opens its passage in the report, a bar chart of one indicator and a line per region across years, the element
checklist, and exports (XLSX/CSV of the table, PNG of the charts).

The pieces without Gradio (:func:`frame`, :func:`elements_html`, :func:`cell_html`) are tested on their own;
:func:`indicators_tab` lays them out inside the app's tabs.
"""
# No `from __future__ import annotations`: Gradio reads the event handler's gr.SelectData annotation at run time.
import html
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.indicators.catalogue import elements, indicators
from assistant.indicators.records import ReportRow
from assistant.indicators.table import IndicatorTable, level_name
from ui.indicator_charts import bar_chart, line_chart, png_bytes, several_years
from ui.validate import region_filter, year_filter
from ui.viewer import report_view

ALL_REGIONS, ALL_LEVELS, ALL_YEARS = "全部地区", "全部级别", "全部年份"
EMPTY_VIEW = "<div class='sources-empty'>点击表中的数字，在这里查看它在报告原文中的位置。</div>"
# Scroll the report's own box so the highlighted passage sits in its upper third (as the 问答 tab's 原文 does).
SCROLL_JS = """
() => { setTimeout(() => { const el = document.querySelector('#ind-view #rv-focus');
  const box = el && el.closest('.rv-scroll');
  if (box) box.scrollTop = Math.max(0, el.offsetTop - box.clientHeight / 3); }, 150); }
"""
CSS = """
#ind-table td { white-space: nowrap; }
.ind-why { color: #555; font-size: 0.85em; margin-top: 6px; }
.ind-elements table { border-collapse: collapse; font-size: 0.9em; }
.ind-elements td, .ind-elements th { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; }
.ind-elements .miss { color: #b00; font-weight: 600; }
"""


def choices(bot: Assistant) -> tuple[list[str], list[str], list[str]]:
    """Region, level and year choices from the indexed reports."""
    metas = list(bot.reports.values())
    regions = sorted({m.region for m in metas if m.region})
    levels = sorted({level_name(m) for m in metas})
    years = sorted({str(y) for m in metas if m.year_from for y in range(m.year_from, (m.year_to or m.year_from) + 1)})
    return [ALL_REGIONS] + regions, [ALL_LEVELS] + levels, [ALL_YEARS] + years


def table_for(bot: Assistant, region: str | None, level: str | None, year: str | None) -> IndicatorTable:
    """The table for the page's (or an API caller's) filters; "全部…" or empty is no filter."""
    level = None if level in (None, "", "全部", ALL_LEVELS) else level
    # The same checks as the chat's filters: a made-up value is refused with ui.validate.Invalid (a ValueError).
    return bot.indicators(region=region_filter(region), year=year_filter(year), level=level)


PAGE_HEAD = ("地区", "年份", "级别", "发布机关")     # then an indicator a column, then the report's title


def frame(table: IndicatorTable) -> tuple[list[str], list[list[str]]]:
    """Headers and rows as the page's table shows them: who and when first, the report's title last."""
    head = list(PAGE_HEAD) + [i.name for i in table.indicators] + ["报告"]
    body = [[r.meta.region, r.meta.years, level_name(r.meta), r.meta.issuer] + [c.text for c in r.cells]
            + [r.meta.title or r.source] for r in table.rows]
    return head, body


def elements_html(table: IndicatorTable) -> str:
    """The element checklist: a report a row, each part ✓ with its section or ✗ 缺."""
    parts = elements()
    out = ["<div class='ind-elements'><table><tr><th>报告</th>"
           + "".join(f"<th>{html.escape(p.name)}</th>" for p in parts) + "</tr>"]
    for row in table.rows:
        cells = []
        for check in row.elements:
            if check.present:
                how = {"heading": "标题", "sentence": "正文", "rest": "各部分"}.get(check.how, check.how)
                cells.append(f"<td>✓ {html.escape(check.section)}<br><small>（见于{how}）</small></td>")
            else:
                cells.append("<td class='miss'>✗ 缺</td>")
        label = f"{row.meta.region} {row.meta.years}".strip() or row.source
        out.append(f"<tr><td>{html.escape(label)}<br><small>{html.escape(row.source)}</small></td>{''.join(cells)}</tr>")
    out.append("</table></div>")
    return "".join(out) if table.rows else "<div class='sources-empty'>没有符合条件的报告。</div>"


def _why(row: ReportRow, key: str) -> str:
    cell = row.cell(key)
    if not cell.why:
        return "<div class='ind-why'>报告中没有带这项指标单位的相关数字。</div>"
    items = "".join(f"<li>{html.escape(c.value)}（{html.escape(c.clause[:40])}）：{html.escape('；'.join(c.reasons))}"
                    f"{'' if c.score > 0 else ' → 未采用'}</li>" for c in cell.why[:5])
    return f"<div class='ind-why'>考虑过的数字：<ul>{items}</ul></div>"


def cell_html(bot: Assistant, table: IndicatorTable, row_index: int, column: int) -> str:
    """What a click on a cell shows: the passage in its report (figure's clause highlighted), and the figures weighed."""
    if not 0 <= row_index < len(table.rows):
        return EMPTY_VIEW
    row = table.rows[row_index]
    offset = column - len(PAGE_HEAD)
    if not 0 <= offset < len(table.indicators):
        return "<div class='sources-empty'>点击某项指标的单元格查看出处。</div>"
    ind = table.indicators[offset]
    cell = row.cell(ind.id)
    title = f"<div class='rv-head'><b>{html.escape(row.meta.region)} {html.escape(row.meta.years)} · {html.escape(ind.name)}：" \
            f"{html.escape(cell.text)}</b></div>"
    hit = row.hit(ind.id)
    if hit is None:
        return title + f"<div class='rv-note'>报告未写明{html.escape(ind.name)}（{html.escape(ind.note)}）。</div>" + _why(row, ind.id)
    note = "<div class='rv-note'>有几处数字同样可能是这项指标，未作猜测。</div>" if not cell.found else ""
    return title + note + report_view(bot, hit) + _why(row, ind.id)


def indicators_tab(bot: Assistant, exports: Path, ready: bool = True) -> None:
    """Lay out the 指标总览 tab inside the app's ``gr.Tabs`` and wire its events. With ``ready`` false (the page
    is served while the reports are still read) the tab starts empty and fills when it is opened."""
    import gradio as gr

    first = indicators()[2].id                      # 行政复议纠错率: the figure analysts compare first

    def render(region, level, year, key):
        table = table_for(bot, region, level, year)
        head, body = frame(table)
        line = line_chart(table, key)
        return (gr.update(value=body or [[""] * len(head)], headers=head), table, bar_chart(table, key),
                gr.update(value=line, visible=line is not None), elements_html(table),
                f"{len(table.rows)} 份报告 × {len(table.indicators)} 项指标；点击数字查看原文出处。")

    def refresh(region, level, year, key):
        regions, levels, years = choices(bot)
        return (gr.update(choices=regions), gr.update(choices=levels), gr.update(choices=years),
                *render(region, level, year, key))

    def select(table, evt: gr.SelectData):
        row, column = (evt.index if isinstance(evt.index, (list, tuple)) else (evt.index, 0))
        return cell_html(bot, table, int(row), int(column))

    def export_table(table, fmt):
        if table is None or not table.rows:
            return None, "✗ 没有可导出的报告。"
        path = exports / f"指标总览-{time.strftime('%Y%m%d-%H%M%S')}.{fmt}"
        table.save(path)
        return [str(path)], f"✓ 已导出 {len(table.rows)} 份报告：{path.name}"

    def export_charts(table, key):
        if table is None or not table.rows:
            return None, "✗ 没有可导出的报告。"
        stamp = time.strftime('%Y%m%d-%H%M%S')
        path = exports / f"指标图-{stamp}.png"
        path.write_bytes(png_bytes(bar_chart(table, key)))
        paths = [str(path)]
        if several_years(table):
            lines = exports / f"指标历年-{stamp}.png"
            lines.write_bytes(png_bytes(line_chart(table, key)))
            paths.append(str(lines))
        return paths, f"✓ 已导出 {len(paths)} 张图（PNG）"

    if ready:
        regions, levels, years = choices(bot)
        start = table_for(bot, None, None, None)
    else:       # reading the index here would hold up the page until the reports are read
        regions, levels, years = [ALL_REGIONS], [ALL_LEVELS], [ALL_YEARS]
        start = IndicatorTable(rows=(), indicators=tuple(indicators()))
    head, body = frame(start)
    start_line = line_chart(start, first)
    with gr.Tab("指标总览", id="indicators-tab", elem_id="indicators-tab") as tab:
        gr.HTML(f"<style>{CSS}</style>", padding=False)
        with gr.Row(equal_height=True):
            region = gr.Dropdown(regions, value=ALL_REGIONS, label="地区", elem_id="ind-region", allow_custom_value=True)
            level = gr.Dropdown(levels, value=ALL_LEVELS, label="级别", elem_id="ind-level", allow_custom_value=True)
            year = gr.Dropdown(years, value=ALL_YEARS, label="年份", elem_id="ind-year", allow_custom_value=True)
            pick = gr.Dropdown([(i.name, i.id) for i in indicators()], value=first, label="图表中的指标",
                               elem_id="ind-pick")
        summary = gr.Markdown(f"{len(start.rows)} 份报告 × {len(start.indicators)} 项指标；点击数字查看原文出处。",
                              elem_id="ind-summary")
        state = gr.State(start)
        grid = gr.Dataframe(body or [[""] * len(head)], headers=head, interactive=False, elem_id="ind-table",
                            wrap=False, max_height=420, pinned_columns=2)
        with gr.Row():
            with gr.Column(scale=1, min_width=420):
                gr.Markdown("**原文**")
                view = gr.HTML(EMPTY_VIEW, elem_id="ind-view")
            with gr.Column(scale=1, min_width=420):
                # Not before the page is served: matplotlib's import (and, on a new machine, its font cache)
                # cost seconds on the way to the port; the tab draws its charts when it is opened.
                bar = gr.Plot(bar_chart(start, first) if ready else None, label="各报告对比", elem_id="ind-bar")
                line = gr.Plot(start_line, label="各地历年", elem_id="ind-line", visible=start_line is not None)
        gr.Markdown("**报告要素**（年度报告须有的四个部分）")
        checklist = gr.HTML(elements_html(start), elem_id="ind-elements")
        with gr.Row(equal_height=True):
            fmt = gr.Radio([("Excel（XLSX）", "xlsx"), ("CSV（长表：每格一行）", "csv")], value="xlsx", label="表格格式",
                           elem_id="ind-format")
            table_btn = gr.Button("导出表格", elem_id="ind-export")
            chart_btn = gr.Button("导出图表（PNG）", elem_id="ind-export-chart")
        export_msg = gr.Markdown("", elem_id="ind-export-msg")
        export_file = gr.File(label="导出的文件", interactive=False, file_count="multiple", elem_id="ind-file")

    outputs = [grid, state, bar, line, checklist, summary]
    inputs = [region, level, year, pick]
    for control in inputs:
        control.change(render, inputs, outputs, api_name=False)
    tab.select(refresh, inputs, [region, level, year, *outputs], api_name=False)
    grid.select(select, [state], view, api_name=False).then(None, None, None, js=SCROLL_JS)
    def api_indicators(region: str = "", year: str = "", level: str = "") -> list[dict]:
        """The 指标总览 in long form: one dict per cell (file, region, year, indicator, value, quote, section)."""
        return table_for(bot, region or None, level or None, year or None).records()

    with tab:       # an endpoint is a component: inside the tab, not a direct child of the page's gr.Tabs
        gr.api(api_indicators, api_name="indicators")
    table_btn.click(export_table, [state, fmt], [export_file, export_msg], api_name=False)
    chart_btn.click(export_charts, [state, pick], [export_file, export_msg], api_name=False)
