"""Example questions drawn from the indexed reports: one per region, in varied forms (a figure the report
states, its problems, its plans, what it did about a topic it has a section on), then a "哪些地方" question and
a comparison across reports, each about something at least two reports cover.

Example:
    >>> example_questions(bot)       # doctest: +SKIP
    ['安顺市西秀区2022年行政复议纠错率是多少？', '肇庆市2023年存在哪些问题？', …, '各地行政复议案件分别是多少？']
"""
from __future__ import annotations

import random
import re
from typing import Iterable

from assistant import lexicon
from assistant.api import Assistant
from assistant.records import ReportMeta
from assistant.text import normalize

MAX_EXAMPLES = 8
# (what is asked, how it is asked, a sentence stating it must match this)
FIGURES = (("行政复议纠错率", "是多少", r"纠错率[^。；]{0,12}?\d"),
           ("行政机关负责人出庭应诉率", "是多少", r"出庭应诉率[^。；]{0,12}?\d"),
           ("行政复议案件", "有多少件", r"行政复议[^。；]{0,20}?\d+件"),
           ("法律援助案件", "有多少件", r"法律援助[^。；]{0,20}?\d+件"),
           ("行政诉讼案件", "有多少件", r"行政诉讼[^。；]{0,20}?\d+件"),
           ("行政处罚案件", "有多少件", r"行政处罚[^。；]{0,20}?\d+件"))
# Topics a report may have a section on, as a question names them.
TOPICS = ("行政复议", "行政执法", "法治宣传", "法律援助", "营商环境", "依法决策", "政务公开", "矛盾纠纷", "府院联动",
          "规范性文件", "法律顾问", "人民调解", "行政诉讼", "放管服")


def _texts(bot: Assistant, source: str) -> tuple[str, str]:
    """(the report's headings, its text), folded, from the index."""
    chunks = [bot.store.chunks[int(r)] for r in bot.store.rows_of([source])]
    headings = normalize("\n".join(dict.fromkeys(c.section for c in chunks)))
    return headings, normalize("\n".join(c.text for c in chunks))


def _where(meta: ReportMeta) -> str:
    return f"{meta.region}{meta.year}年" if meta.year else meta.region


FORMS = ("figure", "problems", "plans", "measures")


def _forms(meta: ReportMeta, headings: str, body: str) -> list[str]:
    """The question of each of :data:`FORMS` this report can answer ('' where it cannot)."""
    where = _where(meta)
    figure = next((f"{where}{what}{how}？" for what, how, pattern in FIGURES if re.search(pattern, body)), "")
    problems = f"{where}法治政府建设存在哪些问题？" if re.search(lexicon.PROBLEMS_HEADING, headings) else ""
    plans = f"{meta.region}下一步有什么工作计划？" if re.search(lexicon.PLANS_HEADING, headings) else ""
    topic = next((t for t in TOPICS if t in headings), "")
    measures = f"{meta.region}在{topic}方面做了什么？" if topic else ""
    return [figure, problems, plans, measures]


def _shared(values: Iterable[tuple[str, str]], at_least: int = 2) -> str:
    """The first thing (in the given order of preference) that at least two reports mention."""
    counts: dict[str, int] = {}
    for thing, _ in values:
        counts[thing] = counts.get(thing, 0) + 1
    return next((thing for thing, n in counts.items() if n >= at_least), "")


def example_questions(bot: Assistant, limit: int = MAX_EXAMPLES, seed: int = 0) -> list[str]:
    """Questions about every region (a sample of ``limit - 2`` when there are more), forms rotating, then a
    "哪些地方" question and a comparison when two reports share a topic or a figure."""
    per_region: dict[str, tuple[ReportMeta, str, str]] = {}
    for source, meta in bot.reports.items():
        if meta.region and meta.region not in per_region:
            per_region[meta.region] = (meta, *_texts(bot, source))
    regions = list(per_region)
    if len(regions) > limit - 2:
        regions = sorted(random.Random(seed).sample(regions, limit - 2), key=regions.index)
    forms = {region: _forms(*per_region[region]) for region in regions}
    chosen: dict[str, str] = {}
    for k in range(len(FORMS)):            # every form once where some region can take it, then in turn
        region = next((r for r in regions if r not in chosen and forms[r][k]), None)
        if region is not None:
            chosen[region] = forms[region][k]
    for i, region in enumerate(regions):
        if region not in chosen:
            own = forms[region]
            chosen[region] = next((own[(i + k) % len(own)] for k in range(len(own)) if own[(i + k) % len(own)]),
                                  f"{region}法治政府建设做了哪些工作？")
    out = [chosen[region] for region in regions]
    everything = list(per_region.values())
    topic = _shared((t, m.region) for m, headings, _ in everything for t in TOPICS if t in headings)
    if topic:
        out.append(f"哪些地方开展了{topic}工作？")
    figure = _shared((what, m.region) for m, _, body in everything for what, _, pattern in FIGURES
                     if re.search(pattern, body))
    if figure:
        out.append(f"各地{figure}分别是多少？")
    return out[:limit]
