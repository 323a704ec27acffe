"""The element check (报告要素): whether a report has each part annual reports must have, and in which section.

A part is present when a heading names it (top-level headings first), else when a sentence states it
(002's "但还存在一些问题和不足…下一步，将继续…"), else, for the report's measures, when it has sections that
hold none of the other parts. Sentences under the shortfalls or plans sections never show the other parts:
"以深化党政主要负责人…第一责任人职责为根本点" in next year's plans is not a report of this year's duties.

Example:
    >>> from assistant.records import Chunk
    >>> c = [Chunk("a.txt", 0, ("一、主要举措和成效",), "……", 0, 2), Chunk("a.txt", 1, ("二、存在的问题",), "……", 2, 4)]
    >>> [e.present for e in check_elements(c)]
    [True, False, True, False]
"""
from __future__ import annotations

from typing import Sequence

from assistant.indicators.catalogue import Element, elements
from assistant.indicators.records import ElementCheck
from assistant.indicators.reader import _Sentence, sentences
from assistant.records import SECTION_SEP, Chunk
from assistant.text import normalize


def _heading_match(element: Element, chunks: Sequence[Chunk], banned: set[str], unless=None) -> tuple[str, Chunk] | None:
    """The section (path up to the matching heading) whose heading names the element, outermost level first;
    never a heading that ``unless`` matches (a heading naming the measures is not the plans)."""
    depth = max((len(c.path) for c in chunks), default=0)
    for level in range(depth):
        for chunk in chunks:
            if len(chunk.path) <= level or chunk.path[0] in banned:
                continue
            heading = normalize(chunk.path[level])
            if element.heading.search(heading) and not (unless is not None and unless.search(heading)):
                return SECTION_SEP.join(chunk.path[:level + 1]), chunk
    return None


def check_elements(chunks: Sequence[Chunk], sents: list[_Sentence] | None = None) -> list[ElementCheck]:
    """One ElementCheck per required part, in checklist order."""
    sents = sentences(chunks) if sents is None else sents
    parts = elements()
    found: dict[str, ElementCheck] = {}
    # Shortfalls and plans first: their sections are then off limits to the other parts.
    order = sorted(parts, key=lambda e: e.id not in ("shortfalls", "plans"))
    closing: set[str] = set()        # top-level headings of the shortfalls and plans
    closing_sentences = set()
    measures = next((e for e in parts if e.rest), None)
    for element in order:
        banned = closing if element.id not in ("shortfalls", "plans") else set()
        hit = _heading_match(element, chunks, banned,
                             measures.heading if measures is not None and element.id in ("shortfalls", "plans") else None)
        if hit:
            section, chunk = hit
            found[element.id] = ElementCheck(element.id, True, section, "heading", chunk.path[section.count(SECTION_SEP)],
                                             chunk.ordinal)
            if element.id in ("shortfalls", "plans"):
                closing.add(chunk.path[0])
            continue
        if element.body is not None:
            for s in sents:
                if s.chunk.path and s.chunk.path[0] in banned:
                    continue
                if element.id not in ("shortfalls", "plans") and id(s) in closing_sentences:
                    continue
                if element.body.search(s.folded):
                    found[element.id] = ElementCheck(element.id, True, s.chunk.section, "sentence", s.text.strip(),
                                                     s.chunk.ordinal)
                    if element.id in ("shortfalls", "plans"):
                        closing_sentences.add(id(s))
                    break
            if element.id in found:
                continue
        if element.rest:
            rest = next((c for c in chunks if c.path and c.path[0] not in closing
                         and not any(e.heading.search(normalize(c.path[0])) for e in parts if not e.rest)), None)
            if rest is not None:
                found[element.id] = ElementCheck(element.id, True, rest.path[0], "rest", rest.path[0], rest.ordinal)
                continue
            if not any(c.path for c in chunks) and sents:
                # No sections at all: the opening text is the report's account of its work.
                first = sents[0]
                found[element.id] = ElementCheck(element.id, True, first.chunk.section, "rest", first.text.strip(),
                                                 first.chunk.ordinal)
                continue
        found[element.id] = ElementCheck(element.id, False)
    return [found[e.id] for e in parts]
