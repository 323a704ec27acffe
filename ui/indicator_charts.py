"""Charts of the 指标总览 (matplotlib, no Gradio): one indicator across reports as bars, and a line per region
across years. Chinese labels use a CJK font the machine has (Noto Sans CJK SC, Microsoft YaHei, …); without one,
matplotlib would draw empty boxes, so the chart says which font it used.

Example:
    >>> fig = bar_chart(table, "review_correction_rate")          # doctest: +SKIP
    >>> png_bytes(fig)[:4]                                         # doctest: +SKIP
    b'\\x89PNG'
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from assistant import lexicon
from assistant.indicators.catalogue import indicator
from assistant.indicators.table import IndicatorTable

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
             "SimHei", "PingFang SC", "Noto Serif CJK SC")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|亿)?")


def number(value: str) -> float | None:
    """The quantity a written figure stands for ("1.86万件" → 18600, "120 余场次" → 120, "5.9%" → 5.9, "未发生…" → 0)."""
    m = _NUMBER.search(value or "")
    if not m:
        # "未发生行政复议案件": a count the report states as none.
        return 0.0 if value and any(value.startswith(w) for w in lexicon.NONE_HAPPENED) else None
    scale = {"万": 1e4, "亿": 1e8}.get(m[2] or "", 1)
    return float(m[1].replace(",", "")) * scale


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK font matplotlib can find, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    if not any(n in names for n in CJK_FONTS):
        # matplotlib's font cache may predate the fonts (fonts-noto-cjk installed later): add them from disk.
        for path in font_manager.findSystemFonts():
            if any(k in Path(path).name.lower() for k in ("cjk", "wqy", "simhei", "yahei", "msyh", "sourcehan")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _figure(width: float = 8, height: float = 4):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font] + list(plt.rcParams["font.sans-serif"])
        plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(width, height))


def _points(table: IndicatorTable, key: str) -> list[tuple[str, str, int | None, float, str]]:
    """(label, region, year, quantity, value as written) of the filled cells of one indicator."""
    out = []
    for row in table.rows:
        cell = row.cell(key)
        q = number(cell.value) if cell.found else None
        if q is not None:
            out.append((f"{row.meta.region or row.source} {row.meta.years}".strip(), row.meta.region, row.meta.year_to,
                        q, cell.value))
    return out


def _unit(key: str) -> str:
    units = indicator(key).units
    return "%" if units == ("%",) else "/".join(units[:3])


def bar_chart(table: IndicatorTable, key: str):
    """Bars of one indicator across the table's reports (each labelled with the figure as written)."""
    ind = indicator(key)
    fig, ax = _figure()
    points = _points(table, key)
    if not points:
        ax.text(0.5, 0.5, f"没有报告写明“{ind.name}”", ha="center", va="center", transform=ax.transAxes, fontsize=13)
        ax.set_axis_off()
    else:
        bars = ax.bar(range(len(points)), [p[3] for p in points], color="#4C78A8")
        ax.bar_label(bars, labels=[p[4] for p in points], fontsize=8, padding=2)
        ax.set_xticks(range(len(points)), [p[0] for p in points], rotation=30 if len(points) > 4 else 0,
                      ha="right" if len(points) > 4 else "center", fontsize=9)
        ax.set_ylabel(_unit(key))
        missing = len(table.rows) - len(points)
        if missing:
            ax.set_xlabel(f"另有 {missing} 份报告未写明或不明确", fontsize=9, color="#666")
    ax.set_title(f"{ind.name}（{len(points)} 份报告）")
    fig.tight_layout()
    return fig


def several_years(table: IndicatorTable) -> bool:
    """Whether some region has reports of more than one year in the table (else a line would be one point)."""
    years: dict[str, set] = {}
    for r in table.rows:
        if r.meta.year_to:
            years.setdefault(r.meta.region, set()).add(r.meta.year_to)
    return any(len(y) > 1 for y in years.values())


def line_chart(table: IndicatorTable, key: str):
    """A line per region across the years its reports cover (one point per report); None when no region has
    reports of two years."""
    if not several_years(table):
        return None
    ind = indicator(key)
    fig, ax = _figure()
    by_region: dict[str, list[tuple[int, float]]] = {}
    for _, region, year, q, _ in _points(table, key):
        if year:
            by_region.setdefault(region, []).append((year, q))
    for region, pts in sorted(by_region.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=region)
    if by_region:
        ax.legend(fontsize=8)
        years = sorted({p[0] for pts in by_region.values() for p in pts})
        ax.set_xticks(years, [f"{y}年" for y in years])
        ax.set_ylabel(_unit(key))
    else:
        ax.text(0.5, 0.5, f"没有报告写明“{ind.name}”", ha="center", va="center", transform=ax.transAxes, fontsize=13)
        ax.set_axis_off()
    ax.set_title(f"{ind.name}：各地历年")
    fig.tight_layout()
    return fig


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
