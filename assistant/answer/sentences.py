"""Sentences of retrieved passages, scored by how much of the question's key words they cover."""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.headings import opens_heading_or_subpoint
from assistant.records import Hit, ReportMeta
from assistant.search.filters import issued_by, region_matches
from assistant.search.question import Question
from assistant.text import normalize, split_sentences

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, scored against the question."""

    hit_rank: int
    hit: Hit
    text: str
    score: float
    coverage: float


def about_asked_region(hit: Hit, question: Question) -> bool:
    """A passage may answer when its report is of a region the question asks about, or when its report's
    region is a guess (the answer then says so). A question about all reports of a place takes every place
    under it."""
    if not question.regions or "region" in hit.uncertain:
        return True
    meta = ReportMeta(region=hit.region, region_path=hit.region_path, issuer=hit.issuer)
    return any(region_matches(meta, path, question.cross) or issued_by(meta, path) for path in question.region_paths)


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
        spans = split_sentences(hit.text)
        headings = [is_heading_sentence(normalize(hit.text[a:b]), section) for a, b in spans]
        for (a, b), heading in zip(spans, headings):
            raw = hit.text[a:b]
            folded = normalize(raw)
            if len(folded) < 6 or (require and not any(r in folded or r in section for r in require)):
                continue
            if heading and not all(headings):
                continue   # a heading repeated above its text says nothing new; a heading alone is the text
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


def is_heading_sentence(folded: str, section: str) -> bool:
    """A sentence that only repeats a heading ("3.加强行政复议和应诉工作。") says nothing new."""
    core = folded.rstrip("。;!?:： ")
    return opens_heading_or_subpoint(core) and (len(core) <= 30 or core in section)


def relevance(sentences: list[Sentence]) -> float:
    """How well the best sentence covers the question: the signal behind found / not found."""
    return max((s.coverage for s in sentences), default=0.0)
