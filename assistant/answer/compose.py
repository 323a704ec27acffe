"""Compose an extractive answer without an LLM: pick the sentences that answer, grouped by report, with citations."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.ingest.headings import opens_heading_or_subpoint
from assistant.records import Answer, Hit, Point, ReportMeta
from assistant.search.filters import region_matches
from assistant.search.question import Question
from assistant.search.retriever import Retrieval
from assistant.settings import Settings
from assistant.text import display, normalize, split_sentences

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, scored against the question."""

    hit_rank: int
    hit: Hit
    text: str
    score: float
    coverage: float


def unanswerable(question: Question, has_filters: bool) -> str:
    """Why a question cannot be searched at all ('' when it can)."""
    if not question.raw:
        return "empty question"
    if not question.has_chinese:
        return ("问题中没有中文内容；报告是中文的，请用中文提问" if re.search(r"[A-Za-z]", question.raw)
                else "问题中没有可检索的内容")
    if not question.terms and not has_filters:
        return "问题中没有可检索的关键词（请说明地区、事项或数据）"
    return ""


def about_asked_region(hit: Hit, question: Question) -> bool:
    """A passage may answer when its report is of a region the question asks about, or when its report's
    region is a guess (the answer then says so). A question about all reports of a place takes every place
    under it."""
    if not question.regions or "region" in hit.uncertain:
        return True
    return any(region_matches(ReportMeta(region=hit.region, region_path=hit.region_path), path, question.cross)
               for path in question.region_paths)


def _weight(term: str) -> float:
    return 2.0 if term.isdigit() else min(len(term), 4) / 2


def score_sentences(question: Question, hits: list[Hit], require: tuple[str, ...] = ()) -> list[Sentence]:
    """Score every sentence of the hits by how much of the question's key words it covers (0–1), best first.

    A term found in the sentence counts fully; one found only in its section heading counts half.
    ``require`` lists strings a sentence must contain (a year asked about that no report covers).
    """
    terms = question.terms
    total = sum(_weight(t) for t in terms)
    out: list[Sentence] = []
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
            if question.figure:
                # A figure question is answered only by a sentence that states a figure.
                if not _DIGIT.search(folded.replace(str(hit.year or ""), "")):
                    coverage = min(coverage, 0.5 * coverage)
                    score = coverage - 0.03 * rank - 0.15
                else:
                    score += 0.15
            out.append(Sentence(rank, hit, raw, score, coverage))
    out.sort(key=lambda s: -s.score)
    return out


def _is_heading_sentence(folded: str, section: str) -> bool:
    """A sentence that only repeats a heading ("3.加强行政复议和应诉工作。") says nothing new."""
    core = folded.rstrip("。;!?:： ")
    return opens_heading_or_subpoint(core) and (len(core) <= 30 or core in section)


def relevance(sentences: list[Sentence]) -> float:
    """How well the best sentence covers the question: the signal behind found / not found."""
    return max((s.coverage for s in sentences), default=0.0)


def compose(question: Question, found: Retrieval, settings: Settings = Settings()) -> Answer:
    """Build the Answer for ``question`` from what the retriever ``found``.

    A year asked about that no report of the region covers must appear in every quoted sentence.
    """
    filters = found.filters.describe()
    base = dict(question=question.raw, query=question.text, filters=filters, understood=question.to_dict(),
                notices=found.notices)
    reason = unanswerable(question, bool(filters))
    if reason:
        return Answer(False, reason=reason, **base)
    hits = [h for h in found.hits if about_asked_region(h, question)]
    if not hits:
        return Answer(False, reason=found.reason or ("检索到的段落都来自其他地区的报告" if found.hits
                                                     else "没有检索到相关段落"), **base)
    hits = hits[: settings.answer_hits]
    require = tuple(str(y) for y in found.filters.years) if found.year_in_text else ()
    sentences = score_sentences(question, hits, require)
    best = relevance(sentences)
    top_dense = max((h.dense or 0.0) for h in hits[:3])
    is_found = best >= settings.min_coverage or (top_dense >= settings.min_dense and best >= settings.min_coverage / 2)
    if not is_found:
        why = found.reason or f"最相关段落只覆盖了问题的 {best:.0%} 关键词"
        return Answer(False, reason=why, confidence=best, **base)

    figure = question.figure
    floor = max(best * (0.8 if figure else 0.5), settings.min_coverage * 0.75)
    limit = min(3, settings.answer_points) if figure else settings.answer_points
    chosen: list[Sentence] = []
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
    points, citations = _points(_grouped(chosen, figure))
    return Answer(True, points=points, citations=citations, confidence=best, **base)


def _points(grouped: list[Sentence]) -> tuple[tuple[Point, ...], tuple[Hit, ...]]:
    """One point per quoted sentence, and one citation per quoted passage (in order of first quote),
    each citation carrying the sentences quoted from it."""
    order: list[str] = []
    quotes: dict[str, list[str]] = {}
    hits: dict[str, Hit] = {}
    points = []
    for s in grouped:
        cid = s.hit.chunk_id
        if cid not in hits:
            order.append(cid)
            hits[cid] = s.hit
            quotes[cid] = []
        quote = display(s.text)
        quotes[cid].append(quote)
        points.append(Point((quote,), order.index(cid) + 1, s.hit.source))
    return tuple(points), tuple(replace(hits[c], quotes=tuple(quotes[c])) for c in order)


def _grouped(chosen: list[Sentence], by_score: bool = False) -> list[Sentence]:
    """Sentences grouped by report (reports in order of their best sentence); within a report best first
    for a figure question, else in reading order."""
    reports: list[str] = []
    for s in chosen:
        if s.hit.source not in reports:
            reports.append(s.hit.source)
    if by_score:
        return sorted(chosen, key=lambda s: (reports.index(s.hit.source), -s.score))
    return sorted(chosen, key=lambda s: (reports.index(s.hit.source), s.hit.start, s.hit.text.find(s.text)))
