"""Gold questions: load a QA file and decide which chunks answer each question.

A QA file is JSON Lines, one question per line::

    {"id": "q001", "type": "figure", "question": "西秀区2022年行政复议纠错率是多少？",
     "gold": [{"source": "000_f67df9fa3c27168c.txt", "evidence": "纠错率5.9%"}], "answer": "5.9%"}

``gold`` lists the report files that answer, each with an ``evidence`` string found in the
answering passage or a ``section`` string found in its heading path. Relevance is decided
against these strings, never against chunk ids, so the gold set survives changes to chunking.
A question with an empty ``gold`` is a negative: the right answer is "not found".
``answer`` (optional) is the figure an answer must quote.

Further optional fields, for the question kinds analysts ask most:

- ``asked``: the region path the question is about (["江西省", "南昌市", "西湖区"]), for counting
  answers that cite a report of another region (see ``truth.jsonl`` beside the reports).
- ``items``: for problems / plan / measures questions, a short string per item the report lists:
  an answer is scored by the share of items it quotes.
- ``rows``: for compare questions, ``{"source", "value"}`` per report in scope (``value`` null when
  the report does not state it): scored by the share of rows the answer's table gets right.
- ``metric``: for not-stated questions, the measure the report does not give: the answer must say so.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.records import Chunk
from assistant.text import normalize

TYPES = ("figure", "topic", "paraphrase", "problems", "plan", "measures", "places", "compare", "not-stated",
         "cross-report", "follow-up", "negative", "multi-format")


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
class Row:
    source: str
    value: str | None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    gold: tuple[Gold, ...]
    answer: str = ""
    asked: tuple[str, ...] | None = None
    items: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    metric: str = ""

    @property
    def negative(self) -> bool:
        return not self.gold

    @property
    def answerable(self) -> bool:
        """Retrieval is scored on it: it has gold passages and is not about every report at once."""
        return bool(self.gold) and self.type not in ("places", "compare")

    def relevant(self, source: str, section: str, text: str) -> bool:
        return any(g.matches(source, section, text) for g in self.gold)


def _gold(item: dict, where: str) -> Gold:
    if "source" not in item or not ({"evidence", "section"} & set(item)):
        raise ValueError(f"{where}: each gold item needs 'source' and 'evidence' or 'section'")
    return Gold(item["source"], item.get("evidence", ""), item.get("section", ""))


def load_questions(path: Path, part: str | None = None) -> list[Question]:
    """Read a QA file; raises ValueError naming the file and line of any malformed entry. ``part``: only the
    rows whose "split" is it ("tune" or "heldout"; a row without one is "tune")."""
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
        if part and row.get("split", "tune") != part:
            continue
        out.append(question_of(row, where, f"line{n}"))
    return out


def question_of(row: dict, where: str, default_id: str = "") -> Question:
    """A Question from one JSON object (a QA line or a conversation turn)."""
    qtype = row.get("type", "topic")
    if qtype not in TYPES:
        raise ValueError(f"{where}: type {qtype!r} is not one of {TYPES}")
    gold = tuple(_gold(g, where) for g in row.get("gold", []))
    asked = tuple(row["asked"]) if row.get("asked") else None
    rows = tuple(Row(r["source"], r.get("value")) for r in row.get("rows", []))
    return Question(row.get("id", default_id), qtype, row["question"], gold, row.get("answer", ""), asked,
                    tuple(row.get("items", ())), rows, row.get("metric", ""))


UNMATCHED = "(no indexed passage matches the gold)"


def qrels_for(questions: list[Question], chunks: list[Chunk], strict: bool = False) -> dict[str, dict[str, int]]:
    """Relevant chunk ids per answerable question.

    A question whose gold matches no chunk (a wrong evidence string, or text the chunker lost) gets the
    relevant id :data:`UNMATCHED`, which nothing retrieves, so it scores as a miss; with ``strict`` it
    raises ValueError naming the question instead.
    """
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        if q.negative:
            continue
        rel = {c.id: 1 for c in chunks if q.relevant(c.source, c.section, c.text)}
        if not rel and strict:
            raise ValueError(f"{q.id} ({q.question}): no passage in the index matches its gold "
                             f"{[g.__dict__ for g in q.gold]}; check the source names and evidence strings")
        qrels[q.id] = rel or {UNMATCHED: 1}
    return qrels
