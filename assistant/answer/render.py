"""The plain-text form of an Answer, rendered from its structure (the UI renders the same structure as HTML)."""
from __future__ import annotations

from dataclasses import replace

from assistant.records import Answer, Hit, Point, TableRow
from assistant.search.question import MAX_CHARS

NOT_FOUND = "报告中没有找到"
# Where a report's label was read, in words for the CLI and the UI.
FIELD_NAMES = {"title": "标题", "region": "地区", "year": "年份", "issuer": "发布机关", "date": "日期"}
ORIGIN_NAMES = {"title": "标题", "signature": "落款", "source": "来源行", "issuer": "发布机关", "intro": "开头",
                "body": "正文推断", "date": "发布日期推断", "web": "网页发布时间", "sidecar": "说明文件", "user": "用户修改"}


EVIDENCE_NAMES = {"title": "标题", "signature": "落款", "issuer": "标题行机关", "source": "来源行", "site": "网站名",
                  "opening": "开篇主语", "body": "正文", "level": "自称层级", "addressee": "抬头（上级）",
                  "below_addressee": "在抬头所列上级之下", "docnumber": "文号", "slogan": "口号中的地名", "parent_of_named": "所提地方的上级"}


def provenance_text(provenance: dict) -> str:
    """"地区←标题（置信度 0.92：标题+6、正文+1.5；其次：南昌市 2.0）、年份←开头…": where each label of a report
    was read, and for the region how sure that is and the evidence weighed."""
    parts = []
    for k, v in provenance.items():
        if not v or not isinstance(v, str):
            continue
        part = f"{FIELD_NAMES.get(k, k)}←{ORIGIN_NAMES.get(v, v)}"
        if k == "region" and v not in ("sidecar", "user"):
            part += evidence_text(provenance)
        elif k == "issuer" and v not in ("sidecar", "user") and (provenance.get("confidence") or {}).get("issuer"):
            part += f"（置信度 {provenance['confidence']['issuer']:.2f}）"
        parts.append(part)
    return "、".join(parts)


def evidence_text(provenance: dict) -> str:
    """"（置信度 0.92：标题+6、正文+1.5；其次：南昌市 2.0）", or '' when the label kept no evidence."""
    candidates = (provenance.get("evidence") or {}).get("region") or []
    confidence = (provenance.get("confidence") or {}).get("region")
    if not candidates or confidence is None:
        return ""
    best = candidates[0]
    said = "、".join(f"{EVIDENCE_NAMES.get(e['kind'], e['kind'])}{e['weight']:+g}" for e in best["evidence"])
    others = "、".join(f"{c['place']} {c['score']:g}" for c in candidates[1:3])
    return f"（置信度 {confidence:.2f}：{said}{'；其次：' + others if others else ''}）"


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
    suggestion = seen.get("suggestion")
    if suggestion:
        lines.append(("地名建议", f"“{suggestion['said']}” → {suggestion['suggested']}（" + "；".join(
            f"{c['name']}：{'、'.join(c['evidence'])}" for c in suggestion["candidates"]) + "）"))
    decided = [d for d in seen.get("slots") or () if d.get("action") not in ("无", "问题自带") or d.get("replaced")]
    if decided:
        lines.append(("上文槽位", "；".join(
            f"{d['slot']}：{d['action']}{' ' + d['value'] if d['value'] else ''}（{d['evidence']}"
            + (f"；替换了“{d['replaced']}”" if d.get("replaced") else "") + "）" for d in decided)))
    parts = seen.get("parts")
    if parts:
        lines.append(("拆分", f"共{len(parts)}问：" + " | ".join(p.get("label", "") for p in parts)))
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
    if answer.parts:
        return parts_text(answer)
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


def parts_text(answer: Answer) -> str:
    """A question of several asks: each part under its own heading, with its own lead, points and sources."""
    from assistant.answer.parts import parts_lead

    lines = list(answer.notices)
    if answer.lead and answer.lead != parts_lead(answer.parts):
        lines.append(answer.lead)   # a practice comparison's own first line
    for i, part in enumerate(answer.parts, 1):
        if lines:
            lines.append("")
        lines.append(part_heading(i, part, nested=bool(part.parts) or answer.lead != parts_lead(answer.parts)))
        body = render_text(replace(part, notices=tuple(n for n in part.notices if n not in answer.notices)))
        lines.append(body)
    return "\n".join(lines)


def part_heading(number: int, part: Answer, nested: bool = False) -> str:
    """"【第2问】其中违规金额多少？" above one part of an answer; "◆ 西区：行政执法方面的做法" above one place of
    a practice comparison."""
    return f"◆ {part.label or part.question}" if nested and not part.parts else f"【第{number}问】{part.label or part.question}"


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
        rows.append(f"| {row.label} | {row.value} | {row_source(row)} |")
    return rows


def row_source(row: TableRow) -> str:
    """A comparison row's 出处: "[n]"; "[n] 相关原文：「…」" when a 未写明 row quotes its report's related
    passage; "见报告 <file>" when it has none (never a heading or a padding sentence as if it were evidence)."""
    if row.citation:
        return f"[{row.citation}]" + (f" {row.note}：「{' '.join(row.quotes)}」" if row.note else "")
    return f"见报告 {row.source}" if row.value == "未写明" else ""


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
