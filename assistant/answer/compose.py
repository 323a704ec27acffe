"""Compose an extractive answer without an LLM: quote the sentences that answer, grouped by report, with citations."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.records import Answer, Hit
from assistant.settings import Settings
from assistant.text import display, normalize, split_sentences
from assistant.index.tokens import content_terms, tokenize

FIGURE_WORDS = ("多少", "几", "比率", "比例", "数量", "金额", "人数", "件数", "多大", "占比", "总量", "规模",
                "纠错率", "败诉率", "满意度", "覆盖率", "办结率", "成功率", "应诉率", "有多", "数据")
# Words so common in these reports that matching them says nothing about relevance.
_GENERIC = frozenset("工作 情况 方面 内容 做 做了 什么 怎么样 怎样 如何 哪些 进行 开展 推进 加强 建设 法治政府 政府 "
                     "法治 报告 年度 全年 今年 那 呢 其中 这方面 它 方面 有 些".split())
_DIGIT = re.compile(r"\d")
NOT_FOUND = "报告中没有找到"


@dataclass(frozen=True)
class _Sentence:
    hit_rank: int
    hit: Hit
    text: str
    score: float
    coverage: float


def _weight(term: str) -> float:
    return 2.0 if term.isdigit() else min(len(term), 4) / 2


def is_figure_question(question: str) -> bool:
    return any(w in question for w in FIGURE_WORDS)


def question_terms(question: str, drop: tuple[str, ...] = ()) -> list[str]:
    """The words of a question an answer sentence should contain (no region, year or generic words)."""
    dropped = set(_GENERIC)
    for word in drop:
        dropped.add(word)
        dropped.update(tokenize(word))
    return content_terms(question, dropped)


def score_sentences(question: str, hits: list[Hit], drop: tuple[str, ...] = (),
                    require: tuple[str, ...] = ()) -> list[_Sentence]:
    """Score every sentence of the hits by how much of the question it covers (0–1), best first.

    A term found in the sentence counts fully; one found only in its section heading counts half.
    ``require`` lists strings a sentence must contain (a year asked about that no report covers).
    """
    terms = question_terms(question, drop)
    total = sum(_weight(t) for t in terms)
    figure = is_figure_question(question)
    out: list[_Sentence] = []
    for rank, hit in enumerate(hits):
        section = normalize(hit.section)
        for a, b in split_sentences(hit.text):
            raw = hit.text[a:b]
            folded = normalize(raw)
            if len(folded) < 6 or (require and not any(r in folded or r in section for r in require)):
                continue
            if _is_heading_sentence(folded, section):
                continue
            if not terms:
                coverage = 1.0 if rank == 0 else 0.5
            else:
                got = sum(_weight(t) for t in terms if t in folded)
                head = sum(_weight(t) for t in terms if t not in folded and t in section)
                coverage = (got + 0.5 * head) / total
            score = coverage - 0.03 * rank
            if figure:
                # A figure question is answered only by a sentence that states a figure.
                if not _DIGIT.search(folded.replace(str(hit.year or ""), "")):
                    coverage = min(coverage, 0.5 * coverage)
                    score = coverage - 0.03 * rank - 0.15
                else:
                    score += 0.15
            out.append(_Sentence(rank, hit, raw, score, coverage))
    out.sort(key=lambda s: -s.score)
    return out


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d{1,2}[.、]|[一二三四五六七八九十]+是)")


def _is_heading_sentence(folded: str, section: str) -> bool:
    """A sentence that only repeats a heading ("3.加强行政复议和应诉工作。") says nothing new."""
    core = folded.rstrip("。;!?:： ")
    return bool(_HEADING.match(core)) and (len(core) <= 30 or core in section)


def relevance(sentences: list[_Sentence]) -> float:
    """How well the best sentence covers the question: the signal behind found / not found."""
    return max((s.coverage for s in sentences), default=0.0)


def compose(question: str, hits: list[Hit], settings: Settings = Settings(), drop: tuple[str, ...] = (),
            require: tuple[str, ...] = (), query: str = "", filters: str = "", reason: str = "") -> Answer:
    """Build the Answer for ``question`` from retrieved ``hits``.

    Args:
        question: what the user asked.
        hits: retrieved passages, best first.
        drop: words of the question already used as filters (regions, years).
        require: strings every quoted sentence must contain.
        query: the standalone query that was searched.
        filters: a description of the filters in force.
        reason: why nothing could match, when the filters already ruled every report out.
    """
    base = dict(query=query or question, question=question, filters=filters)
    if not re.search(r"[\u4e00-\u9fff]", question):
        why = "问题中没有中文内容；报告是中文的，请用中文提问" if re.search(r"[A-Za-z]", question) \
            else "问题中没有可检索的内容"
        return Answer(_not_found_text(question, why), [], False, reason=why, **base)
    if not question_terms(question, drop) and not filters:
        why = "问题中没有可检索的关键词（请说明地区、事项或数据）"
        return Answer(_not_found_text(question, why), [], False, reason=why, **base)
    if not hits:
        return Answer(_not_found_text(question, reason), [], False, reason=reason or "no passages", **base)
    hits = hits[: settings.answer_hits]
    sentences = score_sentences(question, hits, drop, require)
    best = relevance(sentences)
    top_dense = max((h.dense or 0.0) for h in hits[:3])
    found = best >= settings.min_coverage or (top_dense >= settings.min_dense and best >= settings.min_coverage / 2)
    if not found:
        why = reason or f"最相关段落只覆盖了问题的 {best:.0%} 关键词"
        return Answer(_not_found_text(question, why), [], False, reason=why, confidence=best, **base)

    figure = is_figure_question(question)
    floor = max(best * (0.8 if figure else 0.5), settings.min_coverage * 0.75)
    limit = min(3, settings.answer_points) if figure else settings.answer_points
    chosen: list[_Sentence] = []
    seen_text: set[str] = set()
    per_hit: dict[str, int] = {}
    for s in sentences:
        key = normalize(s.text)
        cap = 4 if s.hit_rank == 0 else 2
        if s.coverage < floor or key in seen_text or per_hit.get(s.hit.chunk_id, 0) >= cap:
            continue
        chosen.append(s)
        seen_text.add(key)
        per_hit[s.hit.chunk_id] = per_hit.get(s.hit.chunk_id, 0) + 1
        if len(chosen) >= limit:
            break
    grouped = _grouped(chosen, figure)
    citations = _citations(grouped)
    return Answer(_render(grouped, citations), citations, True, confidence=best, **base)


def _citations(grouped: list[_Sentence]) -> list[Hit]:
    """One Hit per quoted passage, in order of first quote, carrying its quoted sentences."""
    order: list[str] = []
    quotes: dict[str, list[str]] = {}
    hits: dict[str, Hit] = {}
    for s in grouped:
        cid = s.hit.chunk_id
        if cid not in hits:
            order.append(cid)
            hits[cid] = s.hit
            quotes[cid] = []
        quotes[cid].append(display(s.text))
    return [replace(hits[c], quotes=tuple(quotes[c])) for c in order]


def _grouped(chosen: list[_Sentence], by_score: bool = False) -> list[_Sentence]:
    """Sentences grouped by report (reports in order of their best sentence); within a report best first
    for a figure question, else in reading order."""
    reports: list[str] = []
    for s in chosen:
        if s.hit.source not in reports:
            reports.append(s.hit.source)
    if by_score:
        return sorted(chosen, key=lambda s: (reports.index(s.hit.source), -s.score))
    return sorted(chosen, key=lambda s: (reports.index(s.hit.source), s.hit.start, s.hit.text.find(s.text)))


def _render(grouped: list[_Sentence], citations: list[Hit]) -> str:
    number = {h.chunk_id: i + 1 for i, h in enumerate(citations)}
    reports = []
    for s in grouped:
        if s.hit.source not in reports:
            reports.append(s.hit.source)
    lines = [f"在 {len(reports)} 份报告中找到相关内容：" if len(reports) > 1 else "报告原文如下："]
    for source in reports:
        items = [s for s in grouped if s.hit.source == source]
        head = items[0].hit
        label = head.region or "（未识别地区）"
        year = f"{head.years}年" if head.years else ""
        lines.append("")
        lines.append(f"【{label}{' · ' + year if year else ''}】{head.title or source}")
        for s in items:
            lines.append(f"- 「{display(s.text)}」[{number[s.hit.chunk_id]}]")
    lines.append("")
    lines.append("来源：")
    for i, hit in enumerate(citations, 1):
        lines.append(f"[{i}] {hit.citation}（原文第 {hit.start}–{hit.end} 字）")
    return "\n".join(lines)


def _not_found_text(question: str, reason: str) -> str:
    text = f"{NOT_FOUND}与“{question.strip()[:80]}”相关的内容。"
    return text + (f"\n原因：{reason}" if reason else "")
