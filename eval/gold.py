"""Gold questions: load a QA file and decide which chunks answer each question.

A QA file is JSON Lines, one question per line::

    {"id": "q001", "type": "figure", "question": "西秀区2022年行政复议纠错率是多少？",
     "gold": [{"source": "000_f67df9fa3c27168c.txt", "evidence": "纠错率5.9%"}], "answer": "5.9%"}

``gold`` lists the report files that answer, each with an ``evidence`` string found in the
answering passage or a ``section`` string found in its heading path. Relevance is decided
against these strings, never against chunk ids, so the gold set survives changes to chunking.
A question with an empty ``gold`` is a negative: the right answer is "not found".
``answer`` (optional) is the figure an answer must quote.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.records import Chunk
from assistant.text import normalize

TYPES = ("figure", "topic", "paraphrase", "problems", "plan", "cross-report", "follow-up", "negative", "multi-format")


@dataclass(frozen=True)
class Gold:
    source: str
    evidence: str = ""
    section: str = ""

    def matches(self, source: str, section: str, text: str) -> bool:
        if source != self.source:
            return False
        if self.evidence and normalize(self.evidence) in normalize(section + "\n" + text):
            return True
        return bool(self.section) and normalize(self.section) in normalize(section)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    gold: tuple[Gold, ...]
    answer: str = ""

    @property
    def negative(self) -> bool:
        return not self.gold

    def relevant(self, source: str, section: str, text: str) -> bool:
        return any(g.matches(source, section, text) for g in self.gold)


def _gold(item: dict, where: str) -> Gold:
    if "source" not in item or not ({"evidence", "section"} & set(item)):
        raise ValueError(f"{where}: each gold item needs 'source' and 'evidence' or 'section'")
    return Gold(item["source"], item.get("evidence", ""), item.get("section", ""))


def load_questions(path: Path) -> list[Question]:
    """Read a QA file; raises ValueError naming the file and line of any malformed entry."""
    path = Path(path)
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc})") from exc
        if not row.get("question"):
            raise ValueError(f"{where}: missing 'question'")
        qtype = row.get("type", "topic")
        if qtype not in TYPES:
            raise ValueError(f"{where}: type {qtype!r} is not one of {TYPES}")
        gold = tuple(_gold(g, where) for g in row.get("gold", []))
        out.append(Question(row.get("id", f"line{n}"), qtype, row["question"], gold, row.get("answer", "")))
    return out


def qrels_for(questions: list[Question], chunks: list[Chunk]) -> dict[str, dict[str, int]]:
    """Relevant chunk ids per answerable question; raises ValueError when a gold item matches no chunk."""
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        if q.negative:
            continue
        rel = {c.id: 1 for c in chunks if q.relevant(c.source, c.section, c.text)}
        if not rel:
            raise ValueError(f"{q.id} ({q.question}): no passage in the index matches its gold "
                             f"{[g.__dict__ for g in q.gold]}; check the source names and evidence strings")
        qrels[q.id] = rel
    return qrels
