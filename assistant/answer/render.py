"""The plain-text form of an Answer, rendered from its structure (the UI renders the same structure as HTML)."""
from __future__ import annotations

from assistant.records import Answer, Hit, Point
from assistant.search.question import MAX_CHARS

NOT_FOUND = "报告中没有找到"
# Where a report's label was read, in words for the CLI and the UI.
FIELD_NAMES = {"title": "标题", "region": "地区", "year": "年份", "issuer": "发布机关", "date": "日期"}
ORIGIN_NAMES = {"title": "标题", "signature": "落款", "source": "来源行", "issuer": "发布机关", "intro": "开头",
                "body": "正文推断", "date": "发布日期推断", "web": "网页发布时间", "sidecar": "说明文件", "user": "用户修改"}


def provenance_text(provenance: dict) -> str:
    """"地区←标题、年份←开头…": where each label of a report was read."""
    return "、".join(f"{FIELD_NAMES.get(k, k)}←{ORIGIN_NAMES.get(v, v)}" for k, v in provenance.items() if v)


EMPTY_QUESTION = "请输入问题。"
INTENT_NAMES = {"compare": "对比各地", "places": "哪些地方", "problems": "问题和不足", "plans": "下一步计划",
                "figure": "数字", "measures": "做法", "other": "一般问题"}
TRUNCATED = "问题超过 {n} 字，只按前 {n} 字检索"


def understanding(answer: Answer) -> list[tuple[str, str]]:
    """How the question was read, as (label, value) lines: what was searched, the filters in force, the kind
    of question, what a follow-up took from earlier turns, and whether the question was cut.

    Example:
        >>> understanding(Answer(True, query="方山县 行政复议", filters="方山县",
        ...                      understood={"intent": "measures", "carried": ["话题"], "topic": "行政复议"}))
        [('检索语句', '方山县 行政复议'), ('筛选', '方山县'), ('问题类型', '做法'), ('沿用上文', '话题（行政复议）')]
    """
    seen = answer.understood or {}
    lines = [("检索语句", answer.query or answer.question), ("筛选", answer.filters or "无（全部报告）")]
    intent = INTENT_NAMES.get(seen.get("intent", ""), "")
    if intent:
        lines.append(("问题类型", intent + (f"（{seen['metric']}）" if seen.get("metric") else "")))
    values = {"地区": "、".join(seen.get("regions") or ()), "年份": "、".join(f"{y}年" for y in seen.get("years") or ()),
              "话题": seen.get("topic", "")}
    carried = [f"{what}（{values[what]}）" if values.get(what) else what for what in seen.get("carried") or ()]
    if carried:
        lines.append(("沿用上文", "、".join(carried)))
    if seen.get("truncated"):
        lines.append(("注意", TRUNCATED.format(n=MAX_CHARS)))
    return lines


def render_text(answer: Answer) -> str:
    """Quotes grouped by report, each followed by its citation number, then the list of sources.

    Example:
        >>> print(render_text(Answer(False, question="北京市的情况呢？", reason="没有关于北京市的报告")))
        报告中没有找到与“北京市的情况呢？”相关的内容。
        原因：没有关于北京市的报告
    """
    if not answer.found:
        return "\n".join(list(answer.notices) + [not_found_text(answer.question, answer.reason)])
    groups = by_report(answer)
    lines = list(answer.notices) + written_lines(answer)
    if answer.table:
        lines += ["", *table_markdown(answer)]
    if not answer.lead or len(groups) > 1:
        if lines:
            lines.append("")
        lines.append(intro(len(groups)))
    for head, points in groups:
        lines.append("")
        lines.append(report_heading(head))
        for point in points:
            heading = f"{point.heading}：" if point.heading else ""
            lines.append(f"- {heading}「{' '.join(point.quotes)}」[{point.citation}]")
    lines.append("")
    lines.append("来源：")
    for i, hit in enumerate(answer.citations, 1):
        lines.append(f"[{i}] {hit.citation}（原文第 {hit.start}–{hit.end} 字）")
    return "\n".join(lines)


WRITTEN = "模型回答（每句已与所引原文核对）："


def written_lines(answer: Answer) -> list[str]:
    """The first lines: the lead, or in the LLM mode the model's sentences that passed the check (after the lead
    when the lead says the report does not state the figure: that stays first)."""
    shown = answer.written.shown if answer.written is not None else ()
    lead = [answer.lead] if answer.lead else []
    if not shown:
        return lead
    kept = lead if answer.lead.startswith("报告未写明") else []
    return kept + [WRITTEN + "".join(s.text for s in shown)]


def table_markdown(answer: Answer) -> list[str]:
    """The comparison as a Markdown table: one row per report, its figure or 未写明, and its citation."""
    rows = [f"| 地区 · 年份 | {answer.table.metric} | 出处 |", "|---|---|---|"]
    for row in answer.table.rows:
        cite = f"[{row.citation}]" if row.citation else ""
        rows.append(f"| {row.label} | {row.value} | {cite} |")
    return rows


def by_report(answer: Answer) -> list[tuple[Hit, list[Point]]]:
    """The answer's points grouped by report, reports in order of their first point, each with the
    passage its first point cites (for the report's region, years and title)."""
    groups: dict[str, list[Point]] = {}
    for point in answer.points:
        groups.setdefault(point.source, []).append(point)
    return [(answer.citations[points[0].citation - 1], points) for points in groups.values()]


def intro(reports: int) -> str:
    return f"在 {reports} 份报告中找到相关内容：" if reports > 1 else "报告原文如下："


def report_heading(hit: Hit) -> str:
    """"【攀枝花市西区 · 2020年】title" above a report's points."""
    return f"【{report_label(hit.region, hit.years, hit.uncertain)}】{hit.title or hit.source}"


def report_label(region: str, years: str, uncertain: tuple[str, ...] = ()) -> str:
    """"攀枝花市西区 · 2020年", or the region alone, or "（未识别地区）"; a label read only from the body
    is marked "（推断）"."""
    label = (region or "（未识别地区）") + ("（推断）" if region and "region" in uncertain else "")
    if not years:
        return label
    return f"{label} · {years}年" + ("（推断）" if "year" in uncertain else "")


def not_found_text(question: str, reason: str) -> str:
    if not question.strip():
        return EMPTY_QUESTION
    text = f"{NOT_FOUND}与“{question.strip()[:80]}”相关的内容。"
    return text + (f"\n原因：{reason}" if reason else "")
