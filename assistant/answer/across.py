"""Answers across reports: which places have something ("哪些地方建立了府院联动机制？"), and one figure
compared across every report in scope ("各地行政复议案件数量分别是多少？").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant import lexicon
from assistant.answer.figures import Statement, statements
from assistant.records import SECTION_SEP, Hit
from assistant.search.question import Question
from assistant.text import display, normalize, split_sentences

MAX_ROWS = 60


class Reader(Protocol):
    """What answers across reports read besides the retrieved passages."""

    def passages(self, source: str) -> list[Hit]:
        """Every passage of one report, in reading order."""

    def containing(self, words: list[str], sources: list[str] | None) -> list[Hit]:
        """Passages (of ``sources``, or of every report) whose heading or text holds all ``words``."""

    def reports(self) -> list[str]:
        """Every indexed report."""


@dataclass(frozen=True)
class Mention:
    """A report that has what was asked, and the sentence that says so."""

    hit: Hit
    sentence: str


def core_words(question: Question) -> list[str]:
    """The words a report must hold to "have" what a places question asks: what it puts in quotes
    (“法治体检”), else its key words without the generic ones (建立, 机制, 制度…)."""
    if question.quoted:
        return list(question.quoted)
    words = [t for t in question.terms if t not in lexicon.GENERIC_ACTIONS and not t.isdigit()]
    return words or list(question.terms)


def reports_with(question: Question, reader: Reader, sources: list[str] | None) -> list[Mention]:
    """One mention per report that has the question's core words, the passage whose heading names them
    first ("坚持'府院联动'"), else the first passage that does."""
    words = core_words(question)
    if not words:
        return []
    best: dict[str, Hit] = {}
    for hit in reader.containing(words, sources):
        current = best.get(hit.source)
        in_heading = all(w in normalize(hit.section) for w in words)
        if current is None or (in_heading and not all(w in normalize(current.section) for w in words)):
            best[hit.source] = hit
    out = []
    for source, hit in best.items():
        sentence = next((hit.text[a:b] for a, b in split_sentences(hit.text)
                         if all(w in normalize(hit.text[a:b]) for w in words)), "")
        out.append(Mention(hit, display(sentence or hit.text[:120])))
    return out


@dataclass(frozen=True)
class Cell:
    """One report's figure in a comparison, or None where it states none."""

    source: str
    statement: Statement | None
    anchor: Hit


def compare(question: Question, reader: Reader, sources: list[str]) -> list[Cell]:
    """For every report in scope, the clause stating the figure asked for (the first such clause where a
    report gives several, as reports state the headline count first)."""
    cells = []
    for source in sources[:MAX_ROWS]:
        passages = reader.passages(source)
        found = statements(question, passages, ranked=False)
        top = found[0].score if found else 0.0
        # Among the best-scoring clauses, the one the report states first.
        firsts = [s for s in found if s.score >= top - 1e-9]
        chosen = min(firsts, key=lambda s: (passages.index(s.hit), s.hit.text.find(s.clause))) if firsts else None
        cells.append(Cell(source, chosen, chosen.hit if chosen else _closest(question, passages)))
    return cells


def _closest(question: Question, passages: list[Hit]) -> Hit:
    """The passage of a report most about the question: where a reader checks that a figure is missing."""
    def overlap(hit: Hit) -> int:
        text = normalize(hit.section + hit.text)
        return sum(t in text for t in question.terms)
    return max(passages, key=overlap)


RELATED_MIN_CHARS = 10   # shorter "sentences" are headings or fragments ("强化党的领导。"), never evidence


def related(question: Question, passages: list[Hit]) -> tuple[Hit, str] | None:
    """For a report that does not state the figure a comparison asks for: its sentence most about the
    asked topic, to show as 相关原文, or None when no sentence holds the topic. Headings and short
    fragments never count: a 未写明 cell shows a related passage or only a link to the report.

    Scored over every sentence: key words held, then a figure in it (a related count such as
    "副县长出庭应诉10案"), then the earliest.
    """
    words = [w for w in core_words(question) if len(w) >= 2]
    if not words:
        return None
    best, best_key = None, None
    for order, hit in enumerate(passages):
        headings = {normalize(part).rstrip("。；：:") for part in hit.section.split(SECTION_SEP)} | {normalize(hit.section)}
        for a, b in split_sentences(hit.text):
            sentence = hit.text[a:b].strip()
            flat = normalize(sentence)
            held = sum(w in flat for w in words)
            if not held or len(flat) < RELATED_MIN_CHARS or flat.rstrip("。；：:") in headings:
                continue
            key = (held, any(ch.isdigit() for ch in flat), -order, -a)
            if best_key is None or key > best_key:
                best, best_key = (hit, display(sentence)), key
    return best
