"""One Answer from the answers to the parts of a question (several asks, or the places of a practice comparison).

Each part keeps its own lead, points and citations (``Answer.parts``); the whole answer also lists every
point and citation, renumbered, so that a reader of the flat form (``points``, ``citations``) sees them all.
"""
from __future__ import annotations

import re
from dataclasses import replace

from assistant.records import Answer, Point, Table


def practice_lead(regions, topic: str) -> str:
    """"西秀区与西区对比：行政执法方面的做法（各自报告原文，逐地列出）：" above a side-by-side comparison."""
    names = "与".join(r.label for r in regions)
    return f"{names}对比{'：' + topic if topic else ''}（各自报告原文，逐地列出）："


def parts_lead(parts) -> str:
    """"（1）…\n（2）…": each part's first line (or why it was not found), in order."""
    return "\n".join(f"（{i}）{p.lead or ('未找到：' + p.reason if not p.found else '')}" for i, p in enumerate(parts, 1))


def combine(question: str, answered: list[tuple[str, Answer]], lead: str = "") -> Answer:
    """The answer to ``question`` from its parts' answers, in order: ``answered`` is (label, answer) per part.

    Example:
        >>> a = combine("A？其中B？", [("A？", Answer(True, lead="a")), ("其中B？", Answer(False, reason="无"))])
        >>> [p.label for p in a.parts], a.found
        (['A？', '其中B？'], True)
    """
    parts = tuple(replace(a, label=label) for label, a in answered)
    points: list[Point] = []
    citations = []
    table = None
    for part in parts:
        offset = len(citations)
        citations.extend(part.citations)
        points.extend(replace(p, citation=p.citation + offset) for p in part.points)
        if part.table is not None and table is None:
            table = Table(part.table.metric, tuple(
                replace(r, citation=r.citation + offset if r.citation else None) for r in part.table.rows))
    notices = tuple(dict.fromkeys(n for p in parts for n in p.notices))
    first = parts[0]
    understood = dict(first.understood or {})
    understood["parts"] = [dict(p.understood or {}, label=p.label) for p in parts]
    found = [p for p in parts if p.found]
    return Answer(
        bool(found), question=question, query="；".join(dict.fromkeys(p.query for p in parts if p.query)),
        points=tuple(points), citations=tuple(citations), lead=lead or parts_lead(parts), table=table,
        notices=notices, filters="；".join(dict.fromkeys(p.filters for p in parts if p.filters)),
        reason="；".join(f"（{i}）{p.reason}" for i, p in enumerate(parts, 1) if not p.found and p.reason),
        confidence=max((p.confidence for p in found), default=0.0), understood=understood, parts=parts,
        suggestion=next((p.suggestion for p in parts if p.suggestion), ""))



_CITE = re.compile(r"\[(\d+)\]")


def renumbered(part: Answer, offset: int, citations: tuple) -> Answer:
    """``part`` with its citation numbers moved by ``offset`` into the whole answer's ``citations``: how a page
    that lists the whole answer's sources shows one part (its [n] then open the right source)."""
    if offset == 0 and part.citations == citations:
        return part
    table = part.table and Table(part.table.metric, tuple(
        replace(r, citation=r.citation + offset if r.citation else None) for r in part.table.rows))
    # A nested part (a practice comparison's places) has its own parts numbered here once, for good.
    return replace(part, citations=citations, table=table,
                   points=tuple(replace(p, citation=p.citation + offset) for p in part.points),
                   lead=_CITE.sub(lambda m: f"[{int(m[1]) + offset}]", part.lead),
                   parts=tuple(_nested(part.parts, offset, citations)))


def _nested(parts, offset: int, citations: tuple):
    for p in parts:
        yield renumbered(p, offset, citations)
        offset += len(p.citations)


def shown_parts(answer: Answer, numbered: bool = False) -> list[Answer]:
    """The parts of ``answer``, each numbered into the whole answer's citations (``numbered``: they already
    are, being the parts of a part shown this way)."""
    return list(answer.parts) if numbered else list(_nested(answer.parts, 0, answer.citations))
