"""The domain records: a Report's metadata, its Chunks, and the Hits and Answers built from them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

SECTION_SEP = " › "
PREAMBLE = "（开篇）"


@dataclass(frozen=True)
class ReportMeta:
    """What a report is about: where, when reported on, by whom, and how sure that is.

    ``year_from``..``year_to`` is the period reported on (not the publication date):
    a report covering 2017–2019 and dated 2019-11 has year_from=2017, year_to=2019.
    ``level`` is the kind of place (province, city, county, town, zone, national). ``provenance``
    says where each field was read (title, signature, issuer, source, intro, body, sidecar, user);
    ``uncertain`` names the fields that are a guess (read from the body only): a region or year
    filter is hard only where the label is certain.
    """

    title: str = ""
    region: str = ""
    region_path: tuple[str, ...] = ()
    issuer: str = ""
    year_from: int | None = None
    year_to: int | None = None
    date: str = ""
    level: str = ""
    provenance: dict = field(default_factory=dict, compare=False)
    uncertain: tuple[str, ...] = ()
    places: tuple[str, ...] = ()   # every place its title, issuer and opening lines name

    @property
    def year(self) -> int | None:
        return self.year_to

    @property
    def years(self) -> str:
        if self.year_from and self.year_to and self.year_from != self.year_to:
            return f"{self.year_from}–{self.year_to}"
        return str(self.year_to or "")

    def covers(self, year: int) -> bool:
        return self.year_from is not None and self.year_from <= year <= (self.year_to or self.year_from)

    def certain(self, name: str) -> bool:
        """Whether field ``name`` (region, year, issuer, title) was read from where a report names itself."""
        return name not in self.uncertain

    def to_dict(self) -> dict:
        data = asdict(self)
        data["region_path"] = list(self.region_path)
        data["uncertain"] = list(self.uncertain)
        data["places"] = list(self.places)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ReportMeta":
        data = dict(data)
        data["region_path"] = tuple(data.get("region_path") or ())
        data["uncertain"] = tuple(data.get("uncertain") or ())
        data["places"] = tuple(data.get("places") or ())
        data["provenance"] = dict(data.get("provenance") or {})
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Chunk:
    """A piece of one section of a report, with its heading path and its span in the file.

    Example:
        >>> Chunk("a.txt", 0, ("一、主要做法",), "正文……", 10, 15).section
        '一、主要做法'
    """

    source: str
    ordinal: int
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    page: int | None = None

    @property
    def section(self) -> str:
        return SECTION_SEP.join(self.path) if self.path else PREAMBLE

    @property
    def id(self) -> str:
        return f"{self.source}#{self.ordinal}"

    def to_dict(self) -> dict:
        data = {"source": self.source, "ordinal": self.ordinal, "path": list(self.path),
                "text": self.text, "start": self.start, "end": self.end}
        if self.page is not None:
            data["page"] = self.page
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        return cls(data["source"], data["ordinal"], tuple(data["path"]), data["text"],
                   data["start"], data["end"], data.get("page"))


@dataclass(frozen=True)
class Report:
    """One ingested report file: its metadata and its chunks."""

    source: str
    meta: ReportMeta
    chunks: tuple[Chunk, ...]
    encoding: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Hit:
    """One retrieved passage. ``quotes`` holds the sentences an answer quoted from it."""

    source: str
    section: str
    text: str
    score: float
    region: str
    year: int | None
    title: str = ""
    years: str = ""
    chunk_id: str = ""
    start: int = 0
    end: int = 0
    page: int | None = None
    quotes: tuple[str, ...] = ()
    dense: float | None = None   # cosine of the dense match, when the dense retriever found it
    region_path: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()   # the report's labels that are guesses (region, year)
    issuer: str = ""   # the organisation that signed the report

    @property
    def citation(self) -> str:
        """file › page › section, as shown after each answered point."""
        parts = [self.source] + ([f"第{self.page}页"] if self.page else []) + [self.section]
        return SECTION_SEP.join(parts)

    def to_dict(self) -> dict:
        """The one JSON form of a hit (CLI, API and tests)."""
        data = asdict(self)
        data["quotes"] = list(self.quotes)
        data["region_path"] = list(self.region_path)
        data["uncertain"] = list(self.uncertain)
        data["citation"] = self.citation
        return data


@dataclass(frozen=True)
class Point:
    """One answered point: the sentences it quotes, the number of its citation (1-based), and its report.

    Example:
        >>> Point(("全年受理行政复议案件215件。",), 1, "a.txt").citation
        1
    """

    quotes: tuple[str, ...]
    citation: int
    source: str
    heading: str = ""    # the item's own short heading, where the quote does not start with it

    def to_dict(self) -> dict:
        return {"quotes": list(self.quotes), "citation": self.citation, "source": self.source,
                "heading": self.heading}


RELATED = "相关原文"     # the label of a passage quoted for a figure a report does not state


@dataclass(frozen=True)
class TableRow:
    """One report's row of a comparison: its label, the figure with its unit (or 未写明), and where it says so."""

    source: str
    label: str
    value: str
    citation: int | None = None      # 1-based number into Answer.citations
    quotes: tuple[str, ...] = ()
    # RELATED when the quotes are the report's passage about the topic of a 未写明 cell (not evidence of a
    # figure); a 未写明 row with no such passage has no quote and no citation, only its report (``source``).
    note: str = ""

    def to_dict(self) -> dict:
        return {"source": self.source, "label": self.label, "value": self.value, "citation": self.citation,
                "quotes": list(self.quotes), "note": self.note}


@dataclass(frozen=True)
class Table:
    """A comparison of one measure across the reports in scope, one row per report."""

    metric: str
    rows: tuple[TableRow, ...]

    def to_dict(self) -> dict:
        return {"metric": self.metric, "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True)
class Check:
    """One test a model's sentence went through (cited, figures, places, years, wording), and what it found."""

    name: str
    passed: bool
    detail: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class WrittenSentence:
    """A sentence the model wrote, the passages it cites (1-based, as Answer.citations) and every check on it."""

    text: str
    citations: tuple[int, ...]
    checks: tuple[Check, ...]
    overlap: float = 0.0   # share of its wording found in the passages it cites

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(c.detail for c in self.checks if not c.passed)

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": list(self.citations), "passed": self.passed,
                "overlap": round(self.overlap, 3), "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True)
class Written:
    """What the user's model server wrote for an answer, sentence by sentence, and whether it is shown.

    ``accepted`` is True when the sentences that passed every check answer the question; only those are
    shown. Otherwise ``reason`` says why the extractive answer is shown instead.
    """

    accepted: bool
    sentences: tuple[WrittenSentence, ...] = ()
    reason: str = ""
    model: str = ""
    seconds: float = 0.0
    raw: str = ""

    @property
    def shown(self) -> tuple[WrittenSentence, ...]:
        return tuple(s for s in self.sentences if s.passed) if self.accepted else ()

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "reason": self.reason, "model": self.model,
                "seconds": round(self.seconds, 2), "sentences": [s.to_dict() for s in self.sentences],
                "shown": [s.text for s in self.shown]}


@dataclass(frozen=True)
class Answer:
    """An extractive answer as a structure: points (quotes, citation, report), the cited passages, and why.

    ``found`` is False when the reports do not answer the question (``reason`` says why). ``question``
    is what the user asked; ``query`` the standalone text that was searched (after rewriting a follow-up).
    ``notices`` come first (the answer is about another region than asked, a label is uncertain, a
    filter conflicts with the question); ``lead`` is a direct first line and ``table`` a comparison.
    :attr:`text` is rendered from this structure (see :mod:`assistant.answer.render`), never stored beside it.

    Example:
        >>> a = bot.ask("西秀区2022年行政复议纠错率是多少？")           # doctest: +SKIP
        >>> a.points[0].quotes, a.citations[a.points[0].citation - 1].citation  # doctest: +SKIP
    """

    found: bool
    question: str = ""
    query: str = ""
    points: tuple[Point, ...] = ()
    citations: tuple[Hit, ...] = ()
    lead: str = ""
    table: Table | None = None
    notices: tuple[str, ...] = ()    # said before anything else: another region, an uncertain label, a filter conflict
    filters: str = ""
    reason: str = ""
    confidence: float = 0.0   # share of the question's key words the best quoted sentence covers
    understood: dict = field(default_factory=dict, compare=False)  # the Question as read (Question.to_dict)
    parts: tuple["Answer", ...] = ()   # a question of several asks: each part's own answer, in order
    label: str = ""        # a part's heading: the part of the question it answers ("其中违规金额多少？")
    suggestion: str = ""   # a near-miss place name's suggested place ("肇庆市"): the answer is for it
    written: Written | None = None   # the user's model's answer and its check, when the LLM mode is on

    @property
    def text(self) -> str:
        """The answer as plain text: quotes grouped by report, each with its citation number, then the sources."""
        from assistant.answer.render import render_text

        return render_text(self)

    def to_dict(self) -> dict:
        """The one JSON form of an answer (CLI ``--json``, the UI's ``/ask``, tests)."""
        return {"found": self.found, "question": self.question, "query": self.query, "lead": self.lead,
                "points": [p.to_dict() for p in self.points], "citations": [h.to_dict() for h in self.citations],
                "table": self.table.to_dict() if self.table else None, "notices": list(self.notices),
                "filters": self.filters, "reason": self.reason,
                "confidence": self.confidence, "understood": self.understood, "text": self.text,
                "parts": [p.to_dict() for p in self.parts], "label": self.label, "suggestion": self.suggestion,
                "written": self.written.to_dict() if self.written else None}
